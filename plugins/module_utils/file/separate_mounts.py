# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis FILE-6310: /home, /tmp and /var on their own file systems."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.file.spec import CHECKS

DEFAULT_SEPARATE_MOUNTS = ["/home", "/tmp", "/var"]


@CHECKS.check("HG-FILE-001", "low", "Separate file system for /home, /tmp and /var", lynis="FILE-6310",
              reads="/proc/self/mounts (live), else /etc/fstab under root",
              remediation="Put the directory on its own file system (partition, LV or tmpfs for /tmp)", weight=1)
def separate_mount_findings(check, options, points, source):
    root = options.get("root", "/")
    findings = []
    for mp in options.get("separate_mounts") or DEFAULT_SEPARATE_MOUNTS:
        real = safe_read.join_root(root, mp)
        try:
            info = safe_read.lstat_info(real)
        except safe_read.SafeReadError:
            findings.append(check.skip(mp, "%s does not exist" % mp))
            continue
        if info["type"] == "symlink":
            # Lynis FILE-6310: a symlinked mount point needs a manual check (suggestion).
            link = safe_read.resolve_symlink(root, real)
            findings.append(check.fail(mp, {"symlink_to": link["target"], "source": source},
                                       "%s is a symlink; check its file system by hand" % mp))
            continue
        if points is None:
            findings.append(check.error(mp, "no mount table (/proc/mounts) nor /etc/fstab under root"))
            continue
        ev = {"source": source}
        if mp in points:
            ev.update(points[mp])
            findings.append(check.passed(mp, evidence=ev))
        else:
            findings.append(check.fail(mp, evidence=ev,
                                       detail="%s is on the same file system as its parent" % mp))
    return findings
