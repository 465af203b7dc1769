# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HG-SYSCTL-002: the runtime value is not what boot would apply (systemd-sysctl's winner)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.baseline_checks import where
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.config_checks import CONFIG_SUSPICIOUS
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.parse_key import key_problem
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.spec import CHECKS


@CHECKS.check("HG-SYSCTL-002", "low", "Runtime kernel parameter differs from the persisted configuration", lynis="KRNL-6000",
              reads="<root>/proc/sys, sysctl.d files",
              remediation="Someone changed the value at runtime (or a boot-time file was never applied): "
                          "decide which value is right, persist it in /etc/sysctl.d and apply it", role="sysctl_hardening")
def evaluate_drift(check, key, runtime, runtime_status, winner):
    evidence = {"runtime": runtime, "persisted": winner["value"],
                "persisted_in": where(winner)}
    if winner.get("pattern"):
        evidence["pattern"] = winner["pattern"]
    if runtime_status == "missing":
        return check.skip(key, "not applicable: persisted but absent from this kernel",
                          evidence)
    if runtime_status == "invalid_key":
        return CONFIG_SUSPICIOUS.fail(
            winner["file"], {"key": key, "line": winner["line"], "reason": key_problem(key)},
            detail="not a sysctl key (never read): %s" % key_problem(key))
    if runtime_status != "ok":
        return check.error(key, "cannot read %s (%s)" % (key, runtime_status), evidence)
    if runtime == winner["value"]:
        return check.passed(key, evidence)
    return check.fail(key, evidence, detail="runtime value is not what boot would apply")
