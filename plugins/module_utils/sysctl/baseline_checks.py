# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HG-SYSCTL-001 / HG-SYSCTL-004: a runtime value against the baseline (baseline.py)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import Check
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.parse_key import key_problem, normalize_value
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.spec import CHECKS

# Its findings say area "oom" (the OOM policy), as they did when this check was HG-OOM-010.
OOM_POLICY_DIFFERS = CHECKS.add(Check(
    "HG-SYSCTL-004", "OOM policy kernel parameter differs from the baseline", "medium",
    "oom", "<root>/proc/sys/vm, <root>/proc/sys/kernel",
    "Set the OOM policy in /etc/sysctl.d (vm.panic_on_oom=0 unless the host is a "
    "cluster-failover node; vm.oom_kill_allocating_task=0; vm.oom_dump_tasks=1)",
    references={"lynis": "KRNL-6000"}, role="sysctl_hardening"))


def matches_expected(value, expected):
    """True if ``value`` satisfies ``expected``: a value, a list of values, or a comparison
    string on integers ('>0', '>=1', '<2', '!=0')."""
    if isinstance(expected, (list, tuple)):
        return any(matches_expected(value, item) for item in expected)
    exp = normalize_value(expected)
    val = normalize_value(value)
    for op in (">=", "<=", "!=", ">", "<"):
        if exp.startswith(op):
            try:
                a, b = int(val), int(exp[len(op):].strip())
            except ValueError:
                return False
            return {">=": a >= b, "<=": a <= b, "!=": a != b, ">": a > b, "<": a < b}[op]
    return val == exp


def where(entry):
    if not entry:
        return None
    return "%s:%s" % (entry["file"], entry["line"])


@CHECKS.check("HG-SYSCTL-001", "low", "Kernel parameter differs from the hardening baseline", lynis="KRNL-6000",
              reads="<root>/proc/sys", role="sysctl_hardening",
              remediation="Set the expected value in /etc/sysctl.d/ (a drop-in that sorts last) and load it "
                          "with `sysctl --system`, or override the baseline for this host")
def evaluate_key(baseline, key, spec, runtime, runtime_status, winner):
    """The baseline finding for one key (HG-SYSCTL-004 for OOM policy keys, else HG-SYSCTL-001)."""
    check = OOM_POLICY_DIFFERS if spec.get("source") == "oom" else baseline
    expected = spec.get("expected")
    evidence = {"expected": expected, "runtime": runtime,
                "persisted": winner["value"] if winner else None,
                "persisted_in": where(winner)}
    if spec.get("why"):
        evidence["why"] = spec["why"]
    if spec.get("overridden"):
        evidence["overridden"] = True
    if runtime_status == "missing":
        return check.skip(key, "not applicable: this kernel has no %s" % key, evidence)
    if runtime_status == "invalid_key":
        return check.error(key, "not read: %s" % key_problem(key), evidence)
    if runtime_status != "ok":
        return check.error(key, "cannot read %s (%s)" % (key, runtime_status), evidence)
    if matches_expected(runtime, expected):
        return check.passed(key, evidence)
    return check.fail(key, evidence, severity=spec.get("severity") or check.severity)
