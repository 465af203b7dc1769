"""The finding model: shape, bounds, summaries and ordering."""
import json

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import (
    Check, CheckSet, INVENTORY_REMEDIATION, bound_evidence, sort_findings, summarize, worst_severity, MAX_EVIDENCE_STRING)

CHECK = Check("HG-TEST-001", "A test check", "high", "test", "/etc/x",
              "Fix it", references={"lynis": "TEST-0001"}, role="cron_hygiene")


def test_fail_has_the_documented_shape():
    item = CHECK.fail("/etc/x", {"size": 3})
    assert set(item) == {"id", "title", "severity", "status", "subject", "evidence",
                         "remediation", "references"}
    assert item["status"] == "fail" and item["severity"] == "high"
    assert "hostguard.hardening.cron_hygiene" in item["remediation"]
    assert item["references"] == {"lynis": "TEST-0001"}
    json.dumps(item)


def test_severity_override_and_validation():
    assert CHECK.fail("s", severity="critical")["severity"] == "critical"
    with pytest.raises(ValueError):
        CHECK.fail("s", severity="urgent")
    with pytest.raises(ValueError):
        Check("HG-X-1", "t", "bad", "a", "r", "m")


def test_evidence_is_bounded():
    huge = {"line": "A" * 100000, "items": list(range(1000)), "raw": b"\xff\x00" * 10,
            "deep": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}}
    out = bound_evidence(huge)
    assert len(out["line"]) < MAX_EVIDENCE_STRING + 40
    assert len(out["items"]) == 21 and "more items" in out["items"][-1]
    assert out["raw"].startswith("\\xff")
    assert "nested too deep" in json.dumps(out["deep"])


def test_summary_counts_only_failures_per_severity():
    findings = [CHECK.fail("a"), CHECK.fail("b", severity="low"), CHECK.passed("c"),
                CHECK.skip("d", "n/a"), CHECK.error("e", "boom")]
    summary = summarize(findings)
    assert summary["fail_by_severity"]["high"] == 1
    assert summary["fail_by_severity"]["low"] == 1
    assert summary["by_status"] == {"fail": 2, "pass": 1, "skip": 1, "error": 1, "waived": 0}
    assert summary["total"] == 5
    assert worst_severity(findings) == "high"
    assert worst_severity([CHECK.passed("x")]) is None


def test_sort_puts_worst_failures_first():
    findings = [CHECK.passed("z"), CHECK.fail("b", severity="low"), CHECK.fail("a", severity="critical")]
    ordered = sort_findings(findings)
    assert [f["subject"] for f in ordered] == ["a", "b", "z"]


def test_check_decorator_declares_the_check_above_its_evaluator():
    checks = CheckSet(area="demo", prefix="HG-DEMO")

    @checks.check("HG-DEMO-001", "low", "demo file missing", lynis="DEMO-1234", cis="1.2",
                  reads="/etc/demo", remediation="create /etc/demo", role="demo_role")
    def check_demo(check, present):
        return check.passed("/etc/demo") if present else check.fail("/etc/demo")

    @checks.info("HG-DEMO-002", "demo inventory", "DEMO-1235", "/etc/demo.d")
    def check_inventory(check, present):
        return check.passed("/etc/demo.d", {"present": present})

    check = checks["HG-DEMO-001"]
    assert check_demo.check is check and check_demo.__name__ == "check_demo"
    assert (check.title, check.severity, check.reads, check.role) == (
        "demo file missing", "low", "/etc/demo", "demo_role")
    assert check.references == {"lynis": "DEMO-1234", "cis": "1.2"}
    assert check_demo(False)["status"] == "fail" and check_demo(True)["id"] == "HG-DEMO-001"
    info = checks["HG-DEMO-002"]
    assert (info.severity, info.remediation) == ("info", INVENTORY_REMEDIATION)
    assert info.references == {"lynis": "DEMO-1235"}
    assert checks.evaluators == [(check, check_demo), (info, check_inventory)]
    assert check_inventory(True)["evidence"] == {"present": True}
    with pytest.raises(ValueError):
        checks.check("HG-OTHER-001", "low", "t", reads="r", remediation="m")


def test_stacked_check_decorators_give_one_function_its_checks_top_first():
    checks = CheckSet(area="demo", prefix="HG-DEMO")

    @checks.info("HG-DEMO-001", "demo inventory", "DEMO-1", "/etc/demo")
    @checks.check("HG-DEMO-002", "medium", "demo broken", reads="/etc/demo", remediation="fix it")
    def demo_findings(inventory, broken, ok):
        return [inventory.passed("demo"), broken.passed("demo") if ok else broken.fail("demo")]

    assert [c.id for c in demo_findings.checks] == ["HG-DEMO-001", "HG-DEMO-002"]
    assert [f["id"] for f in demo_findings(False)] == ["HG-DEMO-001", "HG-DEMO-002"]
    assert demo_findings(False)[1]["status"] == "fail"
    assert checks.evaluators == [(checks["HG-DEMO-001"], demo_findings)]
    assert checks.ids() == ["HG-DEMO-001", "HG-DEMO-002"]   # defined in reading order


def test_skip_unless_skips_as_lynis_does_and_otherwise_evaluates(tmp_path):
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host, skip_unless
    checks = CheckSet(area="demo", prefix="HG-DEMO")

    @checks.check("HG-DEMO-001", "low", "demo", reads="/etc/demo.conf", remediation="fix it")
    @skip_unless("/etc/demo.conf", "no demo.conf", is_file="/etc/demo.conf")
    def check_demo(check, host):
        return check.passed("/etc/demo.conf")

    host = Host(str(tmp_path))
    skipped = check_demo(host)
    assert (skipped["status"], skipped["detail"]) == ("skip", "no demo.conf (Lynis skips too)")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "demo.conf").write_text("x\n")
    assert check_demo(Host(str(tmp_path)))["status"] == "pass"
