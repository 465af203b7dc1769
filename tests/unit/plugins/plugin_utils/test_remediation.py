"""Remediation results and the per-host summary (plugins/plugin_utils/remediation.py)."""
from ansible_collections.hostguard.hardening.plugins.plugin_utils import remediation as r


def test_statuses():
    assert r.role_result([{"changed": False}, {"skipped": True, "changed": True}], [""])["status"] == "compliant"
    assert r.role_result([{"changed": True}], [])["status"] == "applied"
    assert r.role_result(["True"], [])["status"] == "applied"
    assert r.role_result(["False", False], [])["status"] == "compliant"
    assert r.role_result([{"results": [{"changed": False}, {"changed": True}]}], [])["status"] == "applied"
    res = r.role_result([{"changed": True}], ["not live:\n  kernel.sysrq"])
    assert res == {"status": "refused", "changed": True, "reasons": ["not live: kernel.sysrq"], "check_mode": False}
    assert r.role_result([], ["x"], failure="validator rejected")["status"] == "failed"


def test_merge_keeps_a_refusal_under_the_strict_failure():
    refused = r.role_result([], ["no password"])
    merged = r.merge({}, "redis_hardening", refused)
    merged = r.merge(merged, "redis_hardening", r.role_result([], [], failure="strict"))
    assert merged["redis_hardening"]["status"] == "refused"
    merged = r.merge(merged, "ssh_hardening", r.role_result([], [], failure="rejected"))
    assert merged["ssh_hardening"]["status"] == "failed"


def test_summary_lines_and_verdict():
    results = {
        "ssh_hardening": r.role_result([], ["would lock root out"]),
        "cron_hygiene": r.role_result([True], []),
        "sysctl_hardening": r.role_result([True], ["2 key(s) not live"]),
        "oom_protection": r.role_result([], []),
    }
    assert r.summary_lines(results) == [
        "cron_hygiene: applied",
        "oom_protection: already compliant",
        "ssh_hardening: refused: would lock root out",
        "sysctl_hardening: refused (other changes applied): 2 key(s) not live",
    ]
    assert r.host_verdict(results) is None
    assert r.host_verdict(results, strict=True) == "hostguard_remediate_strict: refused in ssh_hardening, sysctl_hardening"
    results["redis_hardening"] = r.role_result([], [], failure="validator")
    assert r.host_verdict(results) == "remediation failed in redis_hardening"
    assert r.counts(results) == {"failed": 1, "refused": 2, "applied": 1, "compliant": 1}


def test_check_mode_label():
    assert r.summary_lines({"x": r.role_result([True], [], check_mode=True)}) == ["x: would apply"]
