# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis FILE-6354: files in /tmp not accessed for more than 90 days (``find /tmp -xdev -type f
-atime +90``). The walk is bounded (entries, depth) and never leaves /tmp's file system nor
follows a link; a cut walk says so in the evidence."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths
from ansible_collections.hostguard.hardening.plugins.module_utils.file.spec import CHECKS

TMP_OLD_DAYS = 90          # Lynis's TMP_OLD_DAYS
MAX_ENTRIES = 2000
MAX_DEPTH = 32


def old_files(top, now, days=TMP_OLD_DAYS, max_entries=MAX_ENTRIES, max_depth=MAX_DEPTH):
    """(old regular files [(path, age days)], entries seen, cut) under the host directory ``top``,
    on its device only; find's -atime +N: the age in whole days is more than N."""
    try:
        device = os.lstat(top).st_dev
    except OSError:
        return [], 0, False
    found, seen, cut = [], 0, False
    stack = [(top, 0)]
    while stack:
        directory, depth = stack.pop()
        try:
            with os.scandir(directory) as it:
                for entry in it:
                    seen += 1
                    if seen > max_entries:
                        return found, seen - 1, True
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if st.st_dev != device:
                        continue
                    if stat.S_ISDIR(st.st_mode):
                        if depth + 1 < max_depth:
                            stack.append((entry.path, depth + 1))
                        else:
                            cut = True
                    elif stat.S_ISREG(st.st_mode) and int((now - st.st_atime) // 86400) > days:
                        found.append((entry.path, int((now - st.st_atime) // 86400)))
        except OSError:
            continue
    return found, seen, cut


@CHECKS.check("HG-FILE-015", "low", "files in /tmp not accessed for more than 90 days", lynis="FILE-6354", reads="/tmp (walked, bounded)",
              remediation="Review and remove them; clean /tmp at boot (tmpfs /tmp, or systemd-tmpfiles' age for /tmp)")
def tmp_age_findings(check, root, now=None, max_entries=MAX_ENTRIES):
    res = paths.resolve(root, "/tmp", follow=False)
    if not res.ok or res.st is None or not stat.S_ISDIR(res.st.st_mode):
        return [check.skip("/tmp", "/tmp is not a directory (Lynis skips FILE-6354 too)")]
    top = paths.host_path(root, "/tmp")
    found, seen, cut = old_files(top, time.time() if now is None else now, max_entries=max(1, max_entries))
    prefix = len(top.rstrip("/")) - len("/tmp")
    ev = {"entries_seen": seen, "walk_cut": cut, "old": ["%s (%d days)" % (p[prefix:], age) for p, age in found]}
    if found:
        return [check.fail("/tmp", ev, "%d files in /tmp older than %d days" % (len(found), TMP_OLD_DAYS))]
    return [check.passed("/tmp", ev, "walk cut after %d entries" % seen if cut else None)]
