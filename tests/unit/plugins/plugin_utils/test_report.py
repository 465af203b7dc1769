"""The per-host report (plugins/module_utils/report.py)."""
import os
import re

from ansible_collections.hostguard.hardening.plugins.plugin_utils import report
from ansible_collections.hostguard.hardening.plugins.plugin_utils import report as report_mod
from ansible_collections.hostguard.hardening.plugins.module_utils.core.runner import CHECKS as CORE
from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import (
    REPORT_SCHEMA_VERSION, Check)

from conftest import REPO  # noqa: E402
C1 = Check("HG-TEST-001", "crit thing", "critical", "t", "x", "fix")
C2 = Check("HG-TEST-002", "low thing", "low", "t", "x", "fix")
C3 = Check("HG-TEST-003", "medium thing", "medium", "t", "x", "fix")


def sample_result():
    return {"root": "/", "areas": ["t"],
            "findings": [C2.fail("/b"), C3.passed("/c"), C1.fail("/a\n\x1b[31mred"),
                         CORE["HG-CORE-001"].error("redis", "boom", {"area": "redis"})],
            "facts": {"t": {"n": 1}}, "timings": {"t": 0.5, "total": 0.5}}


def test_report_fields_and_summary():
    rep = report.build_report(sample_result(), host="web1")
    assert rep["schema_version"] == REPORT_SCHEMA_VERSION
    assert rep["host"] == "web1"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", rep["generated_at"])
    assert rep["hostguard_version"] == report.HOSTGUARD_VERSION
    assert rep["areas"] == ["t"]
    assert rep["facts"] == {"t": {"n": 1}} and rep["timings"]["total"] == 0.5
    summary = rep["summary"]
    assert summary["fail_by_severity"] == {"critical": 1, "high": 0, "medium": 0, "low": 1, "info": 0}
    assert summary["by_status"] == {"fail": 2, "pass": 1, "skip": 0, "error": 1, "waived": 0}
    assert summary["worst_severity"] == "critical"
    # not in the catalogue: severity weights critical 5 + low 1 (failed, 0 earned) and
    # medium 2 (passed, 2 earned); the error counts nothing: floor(100 * 2 / 8)
    assert summary["hardening_index"] == 25
    assert [f["id"] for f in rep["findings"]] == ["HG-TEST-001", "HG-TEST-002", "HG-CORE-001", "HG-TEST-003"]
    assert rep["errors"] == [{"id": "HG-CORE-001", "subject": "redis", "area": "redis", "detail": "boom"}]


def test_generated_at_can_be_given():
    assert report.build_report({}, "h", generated_at="2026-01-01T00:00:00Z")["generated_at"] == "2026-01-01T00:00:00Z"


def test_failed_module_result_gives_an_error_entry_not_an_exception():
    rep = report.build_report({"failed": True, "msg": "unknown option(s) for area cron: x"}, "h")
    assert rep["findings"] == [] and rep["summary"]["worst_severity"] is None
    assert "unknown option" in rep["errors"][0]["detail"]


def test_summary_lines_top_and_escaping():
    rep = report.build_report(sample_result(), host="web1")
    lines = report.summary_lines(rep, top=1)
    assert lines[0].startswith("web1: 2 failed (critical 1, low 1)")
    assert "worst: critical" in lines[0]
    assert "HG-TEST-001" in lines[1] and "CRITICAL" in lines[1]
    assert "\n" not in lines[1] and "\x1b" not in lines[1] and "\\x1b" in lines[1]
    assert "1 more failing" in lines[2]
    assert lines[3].startswith("  ERROR") and "HG-CORE-001" in lines[3]
    assert len(lines) == 4


def test_summary_of_clean_host():
    lines = report.summary_lines(report.build_report({"findings": [C3.passed("/c")]}, "h"))
    assert lines == ["h: 0 failed | 1 passed, 0 errors, 0 skipped | worst: none"]


def test_summary_shows_plain_string_errors_the_schema_allows():
    built = report.build_report({"findings": [C3.passed("/c")]}, "h")
    built["errors"] = ["area cron timed out\x1b[2J"]
    assert report.summary_lines(built)[1:] == ["  ERROR    area cron timed out\\x1b[2J"]


def test_version_matches_galaxy_yml():
    with open(os.path.join(REPO, "galaxy.yml")) as handle:
        version = re.search(r"^version:\s*(\S+)", handle.read(), re.M).group(1)
    assert report.HOSTGUARD_VERSION == version


def test_report_groups_findings_by_lynis_category_in_lynis_order():
    from ansible_collections.hostguard.hardening.plugins.plugin_utils.render_html import render_host_html
    from ansible_collections.hostguard.hardening.plugins.plugin_utils.render_junit import render_junit
    findings = [
        {"id": "HG-SSH-012", "title": "t", "severity": "high", "status": "fail", "subject": "PermitRootLogin",
         "references": {"lynis": "SSH-7408"}},
        {"id": "HG-AUTH-005", "title": "t", "severity": "high", "status": "pass", "subject": "/etc/passwd",
         "references": {"lynis": "AUTH-9204"}},
        {"id": "HG-STRG-001", "title": "t", "severity": "low", "status": "fail", "subject": "usb-storage",
         "references": {"lynis": "USB-1000"}},
        {"id": "HG-CRON-001", "title": "t", "severity": "critical", "status": "fail", "subject": "/x",
         "references": {}},
    ]
    report = report_mod.build_report({"findings": findings, "areas": ["ssh"]}, "h1")
    groups = report["lynis_categories"]
    assert [g["category"] for g in groups] == ["AUTH", "USB", "SSH", "HG"]
    assert groups[2]["failed"] == ["HG-SSH-012"] and groups[0]["counts"]["pass"] == 1
    html = render_host_html(report)
    assert 'id="lynis-categories"' in html and "Users, groups and authentication" in html
    xml = render_junit(report)
    assert 'name="lynis_category" value="USB"' in xml
