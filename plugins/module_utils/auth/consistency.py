# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis AUTH-9228 (``pwck -q -r``) and AUTH-9216 (``grpck -r``, root only): shadow-utils' own
consistency rules for passwd/shadow and group/gshadow, asked of shadow-utils itself, read-only
(``-r``), exactly as Lynis asks: a non-zero exit is a suggestion (AUTH-9228) or a warning
(AUTH-9216). The tools are run only when auditing the live system (``root`` = /): on another
root they would read the auditing host's files, so the checks are skipped with that reason."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.auth.spec import CHECKS

MAX_LINES = 20


def _run(host, check, subject, argv_tail, binary_path=None):
    if not host.live:
        return check.skip(subject, "needs the audited system's own shadow-utils (root is not /)")
    binary = binary_path if binary_path is not None else host.which(subject)
    if not binary:
        return check.skip(subject, "%s not installed (Lynis skips the test too)" % subject)
    res = host.run([binary] + argv_tail)
    if res is None or res["rc"] is None:
        return check.error(subject, (res or {}).get("error") or "could not run %s" % binary)
    said = [line for line in (res["stdout"] + res["stderr"]).splitlines() if line.strip()][:MAX_LINES]
    ev = {"command": " ".join([binary] + argv_tail), "rc": res["rc"], "output": said}
    if res["rc"] != 0:
        return check.fail(subject, ev, "%s exited %d: %s" % (subject, res["rc"], "; ".join(said[:3]) or "no output"))
    return check.passed(subject, ev)


@CHECKS.check("HG-AUTH-031", "low", "Password files consistent (pwck -q -r)", lynis="AUTH-9228",
              reads="/etc/passwd, /etc/shadow (pwck -q -r)",
              remediation="Run pwck and correct the entries it names (pwck without -r offers the fixes)")
@CHECKS.check("HG-AUTH-032", "medium", "Group files consistent (grpck -r)", lynis="AUTH-9216",
              reads="/etc/group, /etc/gshadow (grpck -r)",
              remediation="Run grpck and correct the entries it names (grpck without -r offers the fixes)")
def consistency_findings(pwck_check, grpck_check, host):
    # Lynis: AUTH-9228 wants /usr/sbin/pwck itself (-x ${ROOTDIR}usr/sbin/pwck); AUTH-9216 the grpck
    # binary of its PATH search
    pwck = "/usr/sbin/pwck" if host.is_file("/usr/sbin/pwck") else ""
    return [_run(host, pwck_check, "pwck", ["-q", "-r"], pwck), _run(host, grpck_check, "grpck", ["-r"])]
