# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis AUTH-9250 (a sudoers file exists) and AUTH-9252 (ownership and permissions of the sudo
configuration: /etc/sudoers and every file under /etc/sudoers.d, links followed).

Lynis's rules: the drop-in directory ``rwx[r-][w-][x-]---`` owned 0:0, each file
``r[w-]-[r-][w-]----`` owned 0:0. Lynis 3.0.8 only prints a warning on screen for AUTH-9252 and
writes nothing to its report; hostguard fails the check (a sudoers file others can write is a
root shell for them; docs/lynis-oracle.md)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import stat

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.spec import CHECKS
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.sudoers_syntax import (
    dropin_included, sudoers_line_findings)

SUDOERS_LOCATIONS = ("/etc/sudoers", "/usr/local/etc/sudoers", "/usr/pkg/etc/sudoers")
MAX_DROPINS = 1024
MAX_DEPTH = 8


def file_ok(st):
    mode = stat.S_IMODE(st.st_mode)
    return bool(mode & stat.S_IRUSR) and not mode & ~0o660 and (st.st_uid, st.st_gid) == (0, 0)


def dir_ok(st):
    mode = stat.S_IMODE(st.st_mode)
    return mode & 0o700 == 0o700 and not mode & ~0o770 and (st.st_uid, st.st_gid) == (0, 0)


def dropin_files(root, directory, depth=0, out=None):
    """Regular files under ``directory`` (``find -L -type f``), bounded in count and depth."""
    out = [] if out is None else out
    try:
        names, _cut, _res = paths.list_dir(root, directory, MAX_DROPINS)
    except (OSError, paths.PathRefused):
        return out
    for name in names:
        if len(out) >= MAX_DROPINS:
            break
        path = directory + "/" + name
        res = paths.resolve(root, path)
        if not res.ok or res.st is None:
            continue
        if stat.S_ISREG(res.st.st_mode):
            out.append((path, res.st))
        elif stat.S_ISDIR(res.st.st_mode) and depth < MAX_DEPTH:
            dropin_files(root, path, depth + 1, out)
    return out


def describe(path, st):
    return "%s %04o %d:%d" % (path, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)


@CHECKS.info("HG-AUTH-016", "sudoers file present (inventory)", "AUTH-9250", ", ".join(SUDOERS_LOCATIONS))
@CHECKS.check("HG-AUTH-017", "high", "sudo configuration owned by root:root, not writable or readable by others", lynis="AUTH-9252", cis="5.3",
              reads="/etc/sudoers, /etc/sudoers.d (links followed inside root)",
              remediation="chown root:root and chmod 0440 the sudoers files, chmod 0750 /etc/sudoers.d", role="baseline_hardening")
def sudoers_findings(sudoers, sudoers_perms, root):
    found = []
    for path in SUDOERS_LOCATIONS:
        res = paths.resolve(root, path)
        if res.ok and res.st is not None and stat.S_ISREG(res.st.st_mode):
            found.append((path, res.st))
    out = [sudoers.passed("sudoers", {"files": [p for p, _st in found]})]
    if not found:
        out.append(sudoers_perms.skip("sudoers", "no sudoers file (Lynis skips AUTH-9252 too)"))
        return out + sudoers_line_findings(root, [])
    main, main_st = found[-1]       # Lynis keeps the last location found
    checked, bad = [describe(main, main_st)], [] if file_ok(main_st) else [describe(main, main_st)]
    parsed = [(main, main_st)]
    dropins = main + ".d"
    res = paths.resolve(root, dropins)
    if res.ok and res.st is not None and stat.S_ISDIR(res.st.st_mode):
        checked.append(describe(dropins, res.st))
        if not dir_ok(res.st):
            bad.append(describe(dropins, res.st))
        for path, st in dropin_files(root, dropins):
            if path.count("/") == dropins.count("/") + 1 and dropin_included(path.rsplit("/", 1)[1]):
                parsed.append((path, st))      # sudo's #includedir: this directory only
            checked.append(describe(path, st))
            if not file_ok(st):
                bad.append(describe(path, st))
    ev = {"checked": checked, "unsafe": bad}
    if bad:
        out.append(sudoers_perms.fail("sudoers", ev, "unsafe ownership or permissions: %s" % ", ".join(bad)))
    else:
        out.append(sudoers_perms.passed("sudoers", ev))
    return out + sudoers_line_findings(root, parsed)
