"""Reports: schema validity, JUnit, HTML escaping, fleet at 500 hosts, history/diff, gating."""
import datetime
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import jsonschema
import pytest

import reportgen  # noqa: E402

from ansible_collections.hostguard.hardening.plugins.plugin_utils import (  # noqa: E402
    fleet, gating, history, publish, render_html, render_junit)

from conftest import REPO  # noqa: E402


def validator(name):
    with open(os.path.join(REPO, "schemas", name)) as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


HOST_V = validator("host-report.schema.json")
FLEET_V = validator("fleet-summary.schema.json")


def roundtrip(data):
    return json.loads(json.dumps(data))


# --- schema ---------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(5))
def test_generated_reports_are_schema_valid(seed):
    report = roundtrip(reportgen.make_report("host%d" % seed, seed, fail_rate=0.2 * seed))
    assert list(HOST_V.iter_errors(report)) == []


def test_hostile_report_is_schema_valid():
    assert list(HOST_V.iter_errors(roundtrip(reportgen.hostile_report()))) == []


@pytest.mark.parametrize("mutate", [
    lambda r: r.pop("summary"),
    lambda r: r["findings"][0].update(severity="urgent"),
    lambda r: r["findings"][0].update(status="failed"),
    lambda r: r["findings"][0].update(id="CRON-1"),
    lambda r: r["findings"][0].update(password="x"),
    lambda r: r["summary"].update(hardening_index=101),
    lambda r: r.update(schema_version=2),
    lambda r: r.update(generated_at="yesterday"),
])
def test_schema_rejects_broken_reports(mutate):
    report = roundtrip(reportgen.make_report("h", 1))
    mutate(report)
    assert list(HOST_V.iter_errors(report)) != []


# --- JUnit ----------------------------------------------------------------------------------

def test_junit_counts_and_bodies():
    report = roundtrip(reportgen.make_report("web1", 3, fail_rate=0.5))
    root = ET.fromstring(render_junit.render_junit(report).encode("utf-8"))
    cases = root.findall("./testsuite/testcase")
    statuses = [f["status"] for f in report["findings"]]
    assert len(cases) == len(report["findings"])
    assert len(root.findall("./testsuite/testcase/failure")) == statuses.count("fail")
    assert len(root.findall("./testsuite/testcase/skipped")) == statuses.count("skip")
    assert len(root.findall("./testsuite/testcase/error")) == statuses.count("error")
    assert int(root.get("tests")) == len(cases)
    assert int(root.get("failures")) == statuses.count("fail")
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
    assert statuses.count("fail"), "fixture must contain failures"
    failure = root.find("./testsuite/testcase/failure")
    assert failure.get("type") in ("critical", "high", "medium", "low", "info")
    assert "evidence:" in failure.text and "remediation:" in failure.text


def test_junit_survives_hostile_evidence():
    report = roundtrip(reportgen.hostile_report())
    text = render_junit.render_junit(report)
    root = ET.fromstring(text.encode("utf-8"))      # well-formed despite NUL, ESC, surrogate
    names = [c.get("name") for c in root.iter("testcase")]
    assert any(reportgen.XSS in n for n in names)   # the text survives, as text
    assert "\\x00" in text and "\x00" not in text
    assert root.find(".//testcase[@name='audit errors']/error") is not None


# --- HTML -----------------------------------------------------------------------------------

class TagCollector(HTMLParser):
    def __init__(self):
        HTMLParser.__init__(self, convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(html):
    parser = TagCollector()
    parser.feed(html)
    return parser.tags


EXTERNAL = re.compile(r"""(?:src|href|action|xlink:href)\s*=\s*["']?\s*(?:https?:|//|ftp:)""", re.I)


def assert_inert(html, allowed_scripts):
    tags = tags_of(html)
    assert len([t for t, _attrs in tags if t == "script"]) == allowed_scripts
    assert not [t for t, _attrs in tags if t in ("img", "iframe", "object", "embed", "link", "base", "form")]
    for tag, attrs in tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src"):
                assert not re.match(r"\s*(javascript|https?|data):", value or "", re.I), (tag, name, value)
    assert not EXTERNAL.search(html)
    csp = [a.get("content", "") for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(csp) == 1 and "default-src 'none'" in csp[0]
    assert reportgen.XSS not in html


def test_host_html_escapes_attacker_strings():
    report = roundtrip(reportgen.hostile_report())
    html = render_html.render_host_html(report)
    assert_inert(html, allowed_scripts=0)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "</style><script>" not in html


def test_host_html_has_charts_from_data():
    report = roundtrip(reportgen.make_report("web7", 7, fail_rate=0.5, n_incidents=4))
    html = render_html.render_host_html(report)
    tags = tags_of(html)
    assert sum(1 for t, a in tags if t == "circle" and a.get("class") == "incident") == 4
    bars = [a for t, a in tags if t == "rect" and a.get("class") == "bar"]
    assert len(bars) >= 5
    gauge = [a for t, a in tags if t == "path" and a.get("class") == "gauge-value"]
    assert len(gauge) == (1 if report["summary"]["hardening_index"] else 0)
    assert_inert(html, allowed_scripts=0)


def test_fleet_html_escapes_host_names_and_keeps_one_script():
    entries = [{"host": reportgen.XSS, "state": "ok", "report": roundtrip(reportgen.hostile_report(reportgen.XSS))},
               {"host": '"><svg onload=alert(4)>', "state": "missing", "report": None, "problems": [reportgen.XSS]}]
    files = {reportgen.XSS: {"html": "hosts/x.html", "json": "hosts/x.json"}}
    summary = fleet.build_summary(entries, "20261122T100000Z", "2026-11-22T10:00:00Z", fail_on="high",
                                  files_by_host=files)
    assert list(FLEET_V.iter_errors(roundtrip(summary))) == []
    html = render_html.render_fleet_html(summary)
    assert_inert(html, allowed_scripts=1)
    # the CSP allows exactly the script the page carries
    script = re.search(r"<script>(.*)</script>", html, re.S).group(1)
    csp = [a["content"] for t, a in tags_of(html) if t == "meta" and a.get("http-equiv")][0]
    assert "script-src %s" % render_html._sha256(script) in csp


# --- fleet ----------------------------------------------------------------------------------

def fleet_entries(n, seed=0):
    return [{"host": "node%04d.example" % i, "state": "ok",
             "report": roundtrip(reportgen.make_report("node%04d.example" % i, seed, fail_rate=(i % 10) / 12.0))}
            for i in range(n)]


def test_fleet_500_hosts():
    entries = fleet_entries(500)
    entries.append({"host": "gone.example", "state": "missing", "report": None, "problems": ["no report"]})
    summary = fleet.build_summary(entries, "20261122T100000Z", "2026-11-22T10:00:00Z", fail_on="critical")
    assert list(FLEET_V.iter_errors(roundtrip(summary))) == []
    t = summary["totals"]
    assert (t["hosts"], t["hosts_ok"], t["hosts_missing"]) == (501, 500, 1)
    for sev in ("critical", "high", "medium", "low", "info"):
        assert t["fail_by_severity"][sev] == sum(e["report"]["summary"]["fail_by_severity"][sev] for e in entries[:500])
    ranked = summary["ranked_findings"]
    keys = [(render_html.SEVERITIES.index(r["severity"]), -r["hosts"]) for r in ranked]
    assert keys == sorted(keys)
    for r in ranked:
        hosts = set(e["host"] for e in entries[:500]
                    if any(f["id"] == r["id"] and f["status"] == "fail" for f in e["report"]["findings"]))
        assert r["hosts"] == len(hosts)
        assert len(r["host_names"]) <= fleet.MAX_HOST_NAMES
    assert summary["gate"]["failed"] and "gone.example" in summary["gate"]["hosts"]
    html = render_html.render_fleet_html(summary)
    rows = [a for t_, a in tags_of(html) if t_ == "tr"]
    assert len(rows) >= 501
    assert len(html) < 2 * 1024 * 1024
    assert 'id="page-size"' in html and 'id="host-filter"' in html


def test_ranking_orders_by_severity_then_hosts():
    c = reportgen.BY_ID

    def mk(host, fs):
        return {"host": host, "state": "ok", "report": roundtrip(reportgen.build(host, fs))}
    entries = [mk("a", [c["HG-AUTH-001"].fail("x"), c["HG-CRON-003"].fail("y")]),
               mk("b", [c["HG-AUTH-001"].fail("x"), c["HG-SSH-001"].fail("z")]),
               mk("c", [c["HG-AUTH-001"].fail("x"), c["HG-SSH-001"].fail("z"), c["HG-CRON-003"].fail("q")]),
               mk("d", [c["HG-SSH-001"].fail("z")])]
    ranked = fleet.rank_findings(entries)
    # high first; within medium, SSH (3 hosts) before ... ; low AUTH last despite 3 hosts
    assert [r["id"] for r in ranked] == ["HG-CRON-003", "HG-SSH-001", "HG-AUTH-001"]
    assert [r["hosts"] for r in ranked] == [2, 3, 3]


# --- history and diff -----------------------------------------------------------------------

def when(minute):
    return datetime.datetime(2026, 11, 22, 10, minute, 0, tzinfo=datetime.timezone.utc)


def write_host(report_dir, host, findings):
    with open(os.path.join(str(report_dir), host + ".json"), "w") as handle:
        json.dump(reportgen.build(host, findings), handle)


def test_history_retention_latest_and_foreign_files(tmp_path):
    c = reportgen.BY_ID
    write_host(tmp_path, "h1", [c["HG-AUTH-001"].fail("x")])
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "keep-me").mkdir()          # not a run id: never removed
    ids = [publish.publish(str(tmp_path), ["h1"], keep_runs=3, when=when(m))["run_id"] for m in range(5)]
    assert history.list_runs(str(tmp_path)) == ids[2:]
    assert (tmp_path / "runs" / "keep-me").is_dir()
    assert os.readlink(str(tmp_path / "latest")) == os.path.join("runs", ids[-1])
    index = json.loads((tmp_path / "runs" / "index.json").read_text())
    assert [r["run_id"] for r in index["runs"]] == ids[2:]
    # two runs in the same second get distinct ids
    again = publish.publish(str(tmp_path), ["h1"], keep_runs=0, when=when(4))
    assert again["run_id"] == ids[-1] + "-1" and again["previous_run_id"] == ids[-1]


def test_diff_new_resolved_not_checked(tmp_path):
    c = reportgen.BY_ID
    write_host(tmp_path, "h1", [c["HG-AUTH-001"].fail("a"), c["HG-SSH-001"].fail("b"), c["HG-NAME-001"].passed("c")])
    write_host(tmp_path, "h2", [c["HG-CRON-001"].fail("/var/spool/cron/dump.rdb")])
    first = publish.publish(str(tmp_path), ["h1", "h2"], when=when(0))
    assert first["previous_run_id"] is None and first["new_count"] == 0
    # run 2: h1 fixed AUTH, SSH still fails, NAME now fails, a new subject for SSH; h2 absent
    write_host(tmp_path, "h1", [c["HG-AUTH-001"].passed("a"), c["HG-SSH-001"].fail("b"),
                                c["HG-SSH-001"].fail("b2"), c["HG-NAME-001"].fail("c")])
    os.unlink(str(tmp_path / "h2.json"))
    second = publish.publish(str(tmp_path), ["h1", "h2"], when=when(1))
    summary = json.loads((tmp_path / "latest" / "fleet.json").read_text())
    assert list(FLEET_V.iter_errors(summary)) == []

    def key(changes):
        return sorted((x["host"], x["id"], x["subject"]) for x in changes)
    assert key(summary["diff"]["new"]) == [("h1", "HG-NAME-001", "c"), ("h1", "HG-SSH-001", "b2")]
    assert key(summary["diff"]["resolved"]) == [("h1", "HG-AUTH-001", "a")]
    assert key(summary["diff"]["not_checked"]) == [("h2", "HG-CRON-001", "/var/spool/cron/dump.rdb")]
    assert second["previous_run_id"] == first["run_id"]
    rows = dict((h["host"], h) for h in summary["hosts"])
    assert (rows["h1"]["new"], rows["h1"]["resolved"], rows["h2"]["state"]) == (2, 1, "missing")
    html = (tmp_path / "latest" / "fleet.html").read_text()
    assert "New failures: 2" in html and "Resolved: 1" in html


def test_invalid_and_hostile_files_do_not_stop_publishing(tmp_path):
    write_host(tmp_path, "good", [reportgen.BY_ID["HG-AUTH-001"].passed("a")])
    (tmp_path / "notjson.json").write_text("{")
    (tmp_path / "badschema.json").write_text(json.dumps({"schema_version": 1}))
    os.mkfifo(str(tmp_path / "fifo.json"))
    os.symlink("/dev/zero", str(tmp_path / "zero.json"))
    out = publish.publish(str(tmp_path), ["good", "notjson", "badschema", "fifo", "zero", "absent"],
                          fail_on="high", when=when(0))
    assert out["totals"]["hosts_ok"] == 1
    assert sorted(out["invalid_hosts"]) == ["absent", "badschema", "fifo", "notjson", "zero"]
    assert out["gate"]["failed"] and "without a valid report" in out["gate"]["reason"]
    off = publish.publish(str(tmp_path), ["good", "absent"], fail_on="high", fail_on_invalid=False, when=when(1))
    assert not off["gate"]["failed"]


def test_check_mode_writes_nothing(tmp_path):
    write_host(tmp_path, "h1", [reportgen.BY_ID["HG-CRON-002"].fail("x")])
    out = publish.publish(str(tmp_path), ["h1"], fail_on="critical", check_mode=True)
    assert out["gate"]["failed"] and out["run_dir"] is None
    assert not (tmp_path / "runs").exists() and not (tmp_path / "latest").exists()


def test_host_file_names_are_safe_and_unique():
    names = publish.file_names(["web1", "a/b", "a_b", "../x", ".hidden"])
    assert names["web1"] == "web1" and names["a_b"] == "a_b"
    assert len(set(names.values())) == 5
    assert all("/" not in n and not n.startswith(".") for n in names.values())


# --- gating ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fail_on,worst,expected", [
    ("high", "critical", True), ("high", "high", True), ("high", "medium", False),
    ("info", "info", True), ("critical", "high", False), ("never", "critical", False),
    ("HIGH", "high", True), (None, "critical", False), ("low", None, False),
])
def test_gate(fail_on, worst, expected):
    counts = dict((s, 0) for s in render_html.SEVERITIES)
    if worst:
        counts[worst] = 2
    result = gating.decide([{"host": "h", "state": "ok", "fail_by_severity": counts}], fail_on)
    assert result["failed"] is expected
    assert result["hosts"] == (["h"] if expected else [])


def test_gate_rejects_unknown_threshold():
    with pytest.raises(ValueError):
        gating.normalize_fail_on("severe")


def test_incident_trigger_and_verdict_read_as_sentences():
    from ansible_collections.hostguard.hardening.plugins.plugin_utils import render_html
    trigger = {"process": "python", "pid": 561, "gfp_flags": "GFP_KERNEL", "order": 0, "oom_score_adj": 0}
    assert render_html.trigger_text(trigger) == "python (pid 561) gfp=GFP_KERNEL order=0 adj=0"
    verdict = {"verdict": "innocent", "reason": "python (pid 561) held 67844 kB"}
    assert render_html.verdict_text(verdict) == "innocent: python (pid 561) held 67844 kB"
    assert render_html.verdict_text("culprit") == "culprit"


def test_publish_without_jsonschema_writes_reports_and_warns(tmp_path, monkeypatch):
    c = reportgen.BY_ID
    write_host(tmp_path, "h1", [c["HG-AUTH-001"].fail("x")])
    monkeypatch.setitem(sys.modules, "jsonschema", None)       # import jsonschema -> ImportError
    out = publish.publish(str(tmp_path), ["h1"], when=when(0))
    assert out["schema_validation"] == "skipped"
    assert out["warnings"] == [publish.NO_JSONSCHEMA]
    assert os.path.isfile(os.path.join(out["run_dir"], "hosts", "h1.json"))
    assert out["invalid_hosts"] == {}
