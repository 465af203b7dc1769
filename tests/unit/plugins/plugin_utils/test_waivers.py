"""Waivers and severity overrides (plugin_utils/waivers.py) and their effect on every view."""
import datetime
import json
import os

import jsonschema
import yaml

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import CheckSet
from ansible_collections.hostguard.hardening.plugins.plugin_utils import (
    fleet, gating, render_html, render_junit, waivers)
from ansible_collections.hostguard.hardening.plugins.plugin_utils.report import build_report
from conftest import REPO

CHECKS = CheckSet("cron", "HG-CRON")
RDB = CHECKS.define("HG-CRON-001", "Redis RDB dump in a cron directory", "critical", "x", "fix")
WRITABLE = CHECKS.define("HG-CRON-010", "writable by non-root", "high", "x", "fix")
TODAY = datetime.date(2026, 12, 1)


def result():
    return {"areas": ["cron"], "root": "/", "findings": [
        RDB.fail("/var/spool/cron/dump.rdb", {"size": 1}),
        RDB.fail("/var/spool/cron/crontabs/other.rdb", {"size": 2}),
        WRITABLE.fail("/etc/cron.d/app", {"mode": "0666"}),
        WRITABLE.passed("/etc/cron.d")], "facts": {}, "timings": {}}


def waiver(**kw):
    base = {"id": "HG-CRON-010", "justification": "vendor app, ticket 42", "owner": "ops",
            "expires": "2026-12-31"}
    base.update(kw)
    return base


def statuses(report):
    return [(f["id"], f["subject"], f["status"]) for f in report["findings"]]


def test_waived_finding_stays_with_its_justification_and_leaves_gate_and_index():
    plain = build_report(result(), "h", generated_at="t")
    waived = build_report(result(), "h", generated_at="t", waivers=[waiver()], today=TODAY)
    f = [x for x in waived["findings"] if x["subject"] == "/etc/cron.d/app"][0]
    assert f["status"] == "waived"
    assert f["waiver"] == {"justification": "vendor app, ticket 42", "owner": "ops",
                           "expires": "2026-12-31", "source": "waivers"}
    assert waived["summary"]["by_status"]["waived"] == 1
    assert waived["summary"]["fail_by_severity"]["high"] == 0
    assert plain["summary"]["fail_by_severity"]["high"] == 1
    # the gate ignores the waived finding; the index counts it neither as failed nor as passed
    assert gating.host_breaches(plain["summary"]["fail_by_severity"], "high") == 3
    assert gating.host_breaches(waived["summary"]["fail_by_severity"], "high") == 2
    assert waived["summary"]["hardening_index"] != plain["summary"]["hardening_index"]


def test_subject_glob_limits_the_waiver():
    report = build_report(result(), "h", generated_at="t",
                          waivers=[waiver(id="HG-CRON-001", subject="/var/spool/cron/crontabs/*")], today=TODAY)
    assert ("HG-CRON-001", "/var/spool/cron/crontabs/other.rdb", "waived") in statuses(report)
    assert ("HG-CRON-001", "/var/spool/cron/dump.rdb", "fail") in statuses(report)


def test_last_day_still_waived_the_day_after_fails_again_with_a_note_and_a_finding():
    last_day = build_report(result(), "h", generated_at="t", waivers=[waiver(expires="2026-12-01")], today=TODAY)
    assert ("HG-CRON-010", "/etc/cron.d/app", "waived") in statuses(last_day)
    after = build_report(result(), "h", generated_at="t", waivers=[waiver(expires="2026-11-30")], today=TODAY)
    f = [x for x in after["findings"] if x["subject"] == "/etc/cron.d/app"][0]
    assert f["status"] == "fail" and f["waiver"]["expired"] is True
    assert "expired on 2026-11-30" in f["waiver"]["note"]
    expired = [x for x in after["findings"] if x["id"] == "HG-WAIVER-002"]
    assert len(expired) == 1 and expired[0]["status"] == "fail" and expired[0]["subject"] == "HG-CRON-010"


def test_unknown_ids_and_malformed_entries_are_findings_of_their_own():
    report = build_report(result(), "h", generated_at="t", today=TODAY,
                          waivers=[waiver(id="HG-NOPE-999"), {"id": "HG-CRON-001"}, "junk"],
                          severity_overrides={"HG-NOPE-001": "low", "HG-CRON-001": "loud"})
    ids = [(f["id"], f["subject"]) for f in report["findings"] if f["id"].startswith("HG-WAIVER")]
    assert ("HG-WAIVER-001", "HG-NOPE-999") in ids and ("HG-WAIVER-001", "HG-NOPE-001") in ids
    invalid = [f for f in report["findings"] if f["id"] == "HG-WAIVER-003"]
    assert len(invalid) == 3
    assert any("missing justification" in json.dumps(f["evidence"]) for f in invalid)
    # nothing was waived by a broken entry
    assert all(f["status"] != "waived" for f in report["findings"])


def test_severity_override_changes_severity_and_keeps_the_original():
    report = build_report(result(), "h", generated_at="t", severity_overrides={"HG-CRON-001": "low"})
    rdb = [f for f in report["findings"] if f["id"] == "HG-CRON-001"]
    assert all(f["severity"] == "low" and f["severity_original"] == "critical" for f in rdb)
    assert report["summary"]["worst_severity"] == "high"
    assert gating.host_breaches(report["summary"]["fail_by_severity"], "critical") == 0


def test_every_view_shows_the_waiver():
    report = build_report(result(), "web1", generated_at="2026-12-01T00:00:00Z", waivers=[waiver()], today=TODAY)
    with open(os.path.join(REPO, "schemas", "host-report.schema.json")) as handle:
        jsonschema.Draft202012Validator(json.load(handle)).validate(json.loads(json.dumps(report)))
    xml = render_junit.render_junit(report)
    assert 'skipped message="waived: vendor app, ticket 42 (owner ops, until 2026-12-31)"' in xml
    html = render_html.render_host_html(report)
    assert "waived: vendor app, ticket 42" in html and "st-waived" in html
    assert fleet.host_row({"host": "web1", "state": "ok", "report": report})["by_status"]["waived"] == 1


def test_waiver_file_schema_accepts_the_documented_example_and_rejects_junk():
    with open(os.path.join(REPO, "schemas", "waivers.schema.json")) as handle:
        validator = jsonschema.Draft202012Validator(json.load(handle))
    with open(os.path.join(REPO, "docs", "waivers.example.yml")) as handle:
        example = yaml.safe_load(handle)
    assert list(validator.iter_errors(example)) == []
    for entry in example["waivers"]:
        assert waivers.entry_problems(entry) == []
    assert list(validator.iter_errors({"waivers": [{"id": "HG-CRON-001"}]}))
