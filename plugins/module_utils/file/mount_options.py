# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis FILE-6323/6332/6336/6344/6368/6372/6374/6376: file systems, swap and mount options
(include/tests_filesystems of Lynis 3.0.8).

Lynis reads ``mount`` (the live table) and /etc/fstab; so do we: the live table under root
(/proc/self/mounts) is what the kernel applies, fstab what the next boot applies. Only FILE-6336
writes a suggestion; FILE-6374 is only scored by Lynis (AddHP), hostguard fails a mount point
that lacks one of Lynis's expected options (docs/lynis-oracle.md)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.file.collect import (
    read_fstab_lines, read_mount_lines)
from ansible_collections.hostguard.hardening.plugins.module_utils.file.parse_mounts import mount_entries
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import define_info
from ansible_collections.hostguard.hardening.plugins.module_utils.file.spec import CHECKS

# Lynis FILESYSTEMS_TO_CHECK (FILE-6374): mount point -> the options it should carry.
EXPECTED_OPTIONS = (
    ("/boot", ("nodev", "noexec", "nosuid")), ("/dev", ("noexec", "nosuid")),
    ("/dev/shm", ("nosuid", "nodev", "noexec")), ("/home", ("nodev", "nosuid")), ("/run", ("nodev", "nosuid")),
    ("/tmp", ("nodev", "noexec", "nosuid")), ("/var", ("nodev", "nosuid")),
    ("/var/log", ("nodev", "noexec", "nosuid")), ("/var/log/audit", ("nodev", "noexec", "nosuid")),
    ("/var/tmp", ("nodev", "noexec", "nosuid")),
)
HIDEPID_VALUES = ("1", "2", "4", "noaccess", "invisible", "ptraceable")


def _info(check_id, title, lynis, reads):
    return define_info(CHECKS, check_id, title + " (inventory)", lynis, reads)


EXT_FS = _info("HG-FILE-004", "ext2/3/4 file systems mounted", "FILE-6323", "/proc/self/mounts")
SWAP = _info("HG-FILE-005", "swap partitions listed in /etc/fstab", "FILE-6332", "/etc/fstab")
SWAP_OPTIONS = CHECKS.define(
    "HG-FILE-006", "swap entries of /etc/fstab carry sw/swap or defaults as options", "low", reads="/etc/fstab",
    remediation="Give each swap line of /etc/fstab the options 'sw' (or 'defaults')", references={"lynis": "FILE-6336"},
    role="baseline_hardening")
HIDEPID = _info("HG-FILE-007", "/proc mounted with hidepid", "FILE-6344", "/proc/self/mounts")
ROOT_ACL = _info("HG-FILE-008", "ACL support on the root file system", "FILE-6368", "/proc/self/mounts")
ROOT_OPTIONS = _info("HG-FILE-009", "mount options of / in /etc/fstab", "FILE-6372", "/etc/fstab")
MOUNT_OPTIONS = CHECKS.define(
    "HG-FILE-010", "separate mount points carry nodev/noexec/nosuid as Lynis expects", "low",
    reads="/proc/self/mounts (live), else /etc/fstab",
    remediation="Add the missing options to the mount point's /etc/fstab line (or its systemd .mount unit) and remount",
    references={"lynis": "FILE-6374", "cis": "1.1.2-1.1.22"}, role="baseline_hardening")
VAR_TMP_BIND = _info("HG-FILE-011", "/var/tmp bind-mounted to /tmp in /etc/fstab", "FILE-6376", "/etc/fstab")


def _live_or_fstab(root):
    """(entries, source): the live mount table, else fstab (a root without /proc)."""
    lines, source = read_mount_lines(root)
    if lines:
        return mount_entries(lines), source
    lines = read_fstab_lines(root)
    return (mount_entries(lines), "/etc/fstab") if lines is not None else (None, None)


def check_ext(entries, source):
    ext = ["%s (%s)" % (mp, fstype) for _dev, mp, fstype, _o in entries if fstype in ("ext2", "ext3", "ext4")]
    return EXT_FS.passed("ext file systems", {"source": source, "ext": ext})


def check_swap(fstab):
    """FILE-6332 lists $1 of lines whose 2nd or 3rd field is ``swap``; FILE-6336 suggests when a
    ``swap`` line's options neither contain ``sw`` nor are ``defaults``."""
    swaps = [dev for dev, mp, fstype, _o in fstab if "swap" in (mp, fstype)]
    bad = ["%s (%s)" % (dev, ",".join(opts) or "-") for dev, _mp, fstype, opts in fstab
           if fstype == "swap" and not any("sw" in o for o in opts) and opts != ["defaults"]]
    out = [SWAP.passed("/etc/fstab", {"swap": swaps})]
    if bad:
        out.append(SWAP_OPTIONS.fail("/etc/fstab", {"entries": bad}, "swap entries without 'sw': %s" % ", ".join(bad)))
    else:
        out.append(SWAP_OPTIONS.passed("/etc/fstab", {"swap": swaps}))
    return out


def check_hidepid(entries, source):
    values = [o.split("=", 1)[1] for _d, mp, _t, opts in entries if mp == "/proc" for o in opts
              if o.startswith("hidepid=")]
    value = values[-1] if values else None
    return HIDEPID.passed("/proc", {"source": source, "hidepid": value,
                                    "restricted": value in HIDEPID_VALUES})


def check_root_acl(entries, source):
    """Lynis FILE-6368 counts ACLs as enabled unless an ext root lacks ``acl`` (and tune2fs
    says no default acl) or an xfs root has no_acl; a root of any other type passes."""
    root = [(t, o) for _d, mp, t, o in entries if mp == "/"]
    fstype, opts = root[-1] if root else (None, [])
    if fstype in ("ext2", "ext3", "ext4"):
        acl = "enabled" if "acl" in opts else "ext default mount options (tune2fs -l) decide"
    elif fstype == "xfs":
        acl = "disabled" if ("no_acl" in opts or "no_user_xattr" in opts) else "enabled"
    else:
        acl = "not applicable"
    return ROOT_ACL.passed("/", {"source": source, "fstype": fstype, "acl": acl})


def check_root_options(fstab):
    opts = [",".join(o) for _d, mp, _t, o in fstab if mp == "/"]
    return ROOT_OPTIONS.passed("/", {"options": opts[-1] if opts else None})


def check_var_tmp_bind(fstab):
    opts = [o for _d, mp, _t, o in fstab if mp == "/var/tmp"]
    return VAR_TMP_BIND.passed("/var/tmp", {"in_fstab": bool(opts), "bind": bool(opts) and "bind" in opts[-1]})


def check_mount_options(entries, source, expected=EXPECTED_OPTIONS):
    """FILE-6374: for each mount point of Lynis's table that is a separate mount, the options
    it lacks (the last mount of a point is the one in effect)."""
    current = {}
    for _dev, mp, _fstype, opts in entries:
        current[mp] = opts
    out = []
    for mp, wanted in expected:
        if mp not in current:
            continue
        missing = [flag for flag in wanted if flag not in current[mp]]
        ev = {"source": source, "options": current[mp], "missing": missing}
        if missing:
            out.append(MOUNT_OPTIONS.fail(mp, ev, "%s is mounted without %s" % (mp, ", ".join(missing))))
        else:
            out.append(MOUNT_OPTIONS.passed(mp, ev))
    return out


def mount_option_findings(root):
    entries, source = _live_or_fstab(root)
    fstab_lines = read_fstab_lines(root)
    fstab = mount_entries(fstab_lines) if fstab_lines is not None else None
    out = []
    if entries is None:
        why = "no mount table (/proc/self/mounts) nor /etc/fstab under root"
        out.extend(check.skip("mounts", why) for check in (EXT_FS, HIDEPID, ROOT_ACL, MOUNT_OPTIONS))
    else:
        out.extend([check_ext(entries, source), check_hidepid(entries, source), check_root_acl(entries, source)])
        out.extend(check_mount_options(entries, source))
    if fstab is None:
        # Lynis runs FILE-6332/6336 only with an /etc/fstab, and FILE-6372/6376 find nothing
        out.extend(check.skip("/etc/fstab", "no /etc/fstab") for check in (SWAP, SWAP_OPTIONS, ROOT_OPTIONS, VAR_TMP_BIND))
    else:
        out.extend(check_swap(fstab))
        out.extend([check_root_options(fstab), check_var_tmp_bind(fstab)])
    return out
