# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis FILE-6394: vm.swappiness. Lynis suggests when it is 0 (the OOM killer rather than a
little swapping), or above 60 when the swap is on a rotational disk."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths, safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import read_text_lines
from ansible_collections.hostguard.hardening.plugins.module_utils.file.spec import CHECKS


def _first(root, path):
    """First line of a small file, links followed inside root (sysfs is all links)."""
    try:
        data, _info, _cut = safe_read.read_in_root(root, path, 4096)
    except safe_read.SafeReadError:
        return None
    lines = safe_read.decode_line(data).splitlines()
    return lines[0].strip() if lines else None


def swap_disks(root):
    """{swap device: True when its disk is rotational, None when unknown} from /proc/swaps."""
    try:
        lines = read_text_lines(root, "/proc/swaps", 65536)
    except safe_read.SafeReadError:
        return {}
    out = {}
    for line in lines[1:]:
        fields = line.split()
        if len(fields) < 2 or fields[1] != "partition" or not fields[0].startswith("/dev/"):
            continue
        name = fields[0][5:].replace("/", "!")
        rotational = _first(root, "/sys/class/block/%s/queue/rotational" % name)
        if rotational is None:      # a partition: the queue belongs to its parent disk
            res = paths.resolve(root, "/sys/class/block/%s" % name)
            if res.ok:
                rotational = _first(root, posixpath.dirname(res.path) + "/queue/rotational")
        out[fields[0]] = None if rotational is None else rotational == "1"
    return out


@CHECKS.check("HG-FILE-013", "low", "vm.swappiness is 0, or above 60 with swap on a rotational disk", lynis="FILE-6394",
              reads="/proc/sys/vm/swappiness, /proc/swaps, /sys/class/block/*/queue/rotational",
              remediation="Set vm.swappiness to 1-60 in /etc/sysctl.d/ (1 when swapping should be rare)")
def swappiness_findings(check, root):
    value = _first(root, "/proc/sys/vm/swappiness")
    if value is None or not value.isdigit():
        return [check.skip("vm.swappiness", "/proc/sys/vm/swappiness is not readable under root")]
    level = int(value)
    ev = {"swappiness": level}
    if level == 0:
        return [check.fail("vm.swappiness", ev, "0 disables swapping: the OOM killer acts instead")]
    if level > 60:
        disks = swap_disks(root)
        ev["swap_rotational"] = disks
        if any(disks.values()):
            return [check.fail("vm.swappiness", ev, "%d > 60 with swap on a rotational disk" % level)]
    return [check.passed("vm.swappiness", ev)]
