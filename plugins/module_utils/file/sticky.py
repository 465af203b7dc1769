# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis FILE-6362 / FILE-6363: the sticky bit on /tmp and /var/tmp."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import stat

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths
from ansible_collections.hostguard.hardening.plugins.module_utils.file.spec import CHECKS


def check_sticky(root, path, check):
    """Lynis runs the test on a real directory (FILE-6363 skips a missing or symlinked /var/tmp;
    FILE-6362 a missing /tmp): ``ls -ld`` shows t or T in the mode."""
    res = paths.resolve(root, path, follow=False)
    if not res.ok or res.st is None:
        return check.skip(path, "%s does not exist" % path)
    if stat.S_ISLNK(res.st.st_mode):
        return check.skip(path, "%s is a symlink (Lynis skips it too)" % path)
    if not stat.S_ISDIR(res.st.st_mode):
        return check.skip(path, "%s is not a directory" % path)
    ev = {"mode": "%04o" % stat.S_IMODE(res.st.st_mode)}
    if res.st.st_mode & stat.S_ISVTX:
        return check.passed(path, ev)
    return check.fail(path, ev, "%s lacks the sticky bit: any user can delete others' files there" % path)


@CHECKS.check("HG-FILE-002", "medium", "/tmp has the sticky bit", lynis="FILE-6362", attack="T1222.002", reads="/tmp (lstat)",
              remediation="chmod 1777 /tmp (or mount a tmpfs with mode=1777)", weight=3)
@CHECKS.check("HG-FILE-003", "medium", "/var/tmp has the sticky bit", lynis="FILE-6363", attack="T1222.002", reads="/var/tmp (lstat)",
              remediation="chmod 1777 /var/tmp", weight=3)
def sticky_findings(tmp_sticky, var_tmp_sticky, root):
    return [check_sticky(root, "/tmp", tmp_sticky), check_sticky(root, "/var/tmp", var_tmp_sticky)]
