# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis FILE-6311 (LVM volume groups) and FILE-6312 (LVM volumes): inventory, run by Lynis only
when vgdisplay is installed (FILE-6312 only when a volume group was found); it writes
lvm_volume_group[] / lvm_volume[] lines, never a suggestion.

hostguard does not run vgdisplay/lvdisplay (they take LVM's locks and scan every block
device): it reads the device-mapper devices of the running kernel (/sys/block/dm-*/dm: a
``uuid`` starting with ``LVM-`` is a logical volume, ``name`` is ``<vg>-<lv>`` with ``-`` in
names doubled). Difference, said in the evidence: a volume group without an active volume is
not seen (vgdisplay lists it)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.file.spec import CHECKS

MAX_DM = 512


def split_dm_name(name):
    """``vg-lv`` (``-`` inside a name doubled) -> (vg, lv), or None."""
    pos = 0
    while pos < len(name):
        if name[pos] == "-":
            if name[pos + 1:pos + 2] == "-":
                pos += 2
                continue
            return name[:pos].replace("--", "-"), name[pos + 1:].replace("--", "-")
        pos += 1
    return None


def logical_volumes(host):
    out = []
    for dev in host.listdir("/sys/block", MAX_DM):
        if not dev.startswith("dm-"):
            continue
        uuid = (host.read("/sys/block/%s/dm/uuid" % dev, 4096) or "").strip()
        name = (host.read("/sys/block/%s/dm/name" % dev, 4096) or "").strip()
        parts = split_dm_name(name) if uuid.startswith("LVM-") else None
        if parts:
            out.append(parts)
    return sorted(out)


@CHECKS.info("HG-FILE-018", "LVM volume groups (inventory)", "FILE-6311", "/sys/block/dm-*/dm")
@CHECKS.info("HG-FILE-019", "LVM logical volumes (inventory)", "FILE-6312", "/sys/block/dm-*/dm")
def lvm_findings(vgs, lvs, host):
    if not host.which("vgdisplay", "lsvg"):
        reason = "no vgdisplay (LVM tools not installed; Lynis skips FILE-6311 and FILE-6312 too)"
        return [vgs.skip("lvm", reason), lvs.skip("lvm", reason)]
    if not host.live:
        reason = "device-mapper state is the running kernel's: only on the live system"
        return [vgs.skip("lvm", reason), lvs.skip("lvm", reason)]
    volumes = logical_volumes(host)
    groups = sorted(set(vg for vg, _lv in volumes))
    note = "volume groups with an active volume (device-mapper); vgdisplay also lists inactive ones"
    out = [vgs.passed("lvm", {"volume_groups": groups, "seen": note})]
    if not groups:
        out.append(lvs.skip("lvm", "no LVM volume group found (Lynis skips FILE-6312 too)"))
    else:
        out.append(lvs.passed("lvm", {"volumes": ["%s/%s" % v for v in volumes]}))
    return out
