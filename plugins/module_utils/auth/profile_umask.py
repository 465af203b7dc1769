# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis AUTH-9328 for shell profiles (/etc/profile, /etc/profile.d)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import list_dir, read_existing_files
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.parse_login_defs import umask_is_strict, umasks_in_shell
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.spec import CHECKS


@CHECKS.check("HG-AUTH-004", "low", "No weak umask set in shell profiles (/etc/profile, /etc/profile.d)", lynis="AUTH-9328",
              reads="/etc/profile, /etc/profile.d/*", remediation="Replace weak umask commands in /etc/profile and /etc/profile.d with umask 027")
def profile_umask_finding(check, root):
    """AUTH-9328 for shell profiles. Lynis reads every file in /etc/profile.d and /etc/profile;
    /etc/profile sources only /etc/profile.d/*.sh (Debian, RHEL), so we read those.
    Weak = any umask set there that is not strict. None set -> skip (login.defs governs)."""
    files = ["/etc/profile"] + ["/etc/profile.d/" + n for n in list_dir(root, "/etc/profile.d")
                                if n.endswith(".sh")]
    seen = []
    problems = []
    cut = []
    for path, lines in read_existing_files(root, files, problems, cut=cut):
        for value in umasks_in_shell(lines):
            seen.append({"file": path, "umask": value, "strict": umask_is_strict(value)})
    evidence = {"umasks": seen}
    if problems:
        evidence["problems"] = problems
    weak = [s for s in seen if not s["strict"]]
    if weak:
        return check.fail("/etc/profile", evidence=evidence,
                          detail="weak umask %s in %s" % (weak[0]["umask"], weak[0]["file"]))
    if cut:   # the unread tail of a profile may set a weak umask: never a pass (issue 17)
        return check.error("/etc/profile", "not verified: %s" % "; ".join(cut[:3]), evidence=evidence)
    if seen:
        return check.passed("/etc/profile", evidence=evidence)
    return check.skip("/etc/profile", "no umask set in /etc/profile or /etc/profile.d/*.sh; "
                      "the login default (HG-AUTH-003) applies", evidence=evidence)
