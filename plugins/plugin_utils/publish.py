# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of a run: read this run's host reports, validate, render, keep history, gate.

``publish()`` is what the ``hostguard.hardening.publish_reports`` action (roles/report) calls
once per play on the controller. It never raises for a bad host report: a report that is
missing, unreadable, not JSON or not valid against ``schemas/host-report.schema.json`` is
listed in the fleet summary with ``state`` missing/invalid and its problems, and gated by
``fail_on_invalid``. The gate decision is returned, not raised: the caller fails the play
after every file is written.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re

from ansible_collections.hostguard.hardening.plugins.plugin_utils import fleet
from ansible_collections.hostguard.hardening.plugins.plugin_utils import history
from ansible_collections.hostguard.hardening.plugins.plugin_utils import host_files
from ansible_collections.hostguard.hardening.plugins.plugin_utils.report import summary_lines
from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
from ansible_collections.hostguard.hardening.plugins.plugin_utils.render_html import render_fleet_html, render_host_html
from ansible_collections.hostguard.hardening.plugins.plugin_utils.render_junit import render_junit

MAX_REPORT_BYTES = 64 * 1024 * 1024
COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOST_SCHEMA = os.path.join(COLLECTION_ROOT, "schemas", "host-report.schema.json")
FLEET_SCHEMA = os.path.join(COLLECTION_ROOT, "schemas", "fleet-summary.schema.json")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class PublishError(Exception):
    pass


def load_schema(path):
    with open(path) as handle:
        return json.load(handle)


NO_JSONSCHEMA = ("schema validation skipped: python 'jsonschema' is not installed on the controller "
                 "(pip install jsonschema, or set hostguard_report_validate: false to silence this)")


def make_validator(schema):
    """A jsonschema Draft 2020-12 validator, or None when jsonschema is not installed (the
    caller then warns ``NO_JSONSCHEMA``: reports are still written, unvalidated)."""
    try:
        import jsonschema
    except ImportError:
        return None
    # the schemas are the collection's own, checked against the metaschema by the unit tests
    # (tests/unit/plugins/plugin_utils/test_reports.py), not again on every run
    return jsonschema.Draft202012Validator(schema)


def schema_errors(validator, data, limit=5):
    """Up to ``limit`` readable validation errors (path: message)."""
    if validator is None:
        return []
    out = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        path = "/".join(str(p) for p in error.absolute_path) or "(root)"
        out.append("%s: %s" % (path, error.message[:300]))
        if len(out) >= limit:
            break
    return out


def file_names(hosts):
    """``{host: file stem}``: safe, unique file names for inventory host names."""
    out, used = {}, set()
    for host in hosts:
        stem = _UNSAFE.sub("_", host)[:100] or "_"
        if stem.startswith(".") or stem in used or stem != host:
            stem = "%s-%s" % (stem.lstrip(".") or "_", hashlib.sha1(host.encode("utf-8")).hexdigest()[:8])
        used.add(stem)
        out[host] = stem
    return out


def read_report(path, validator):
    """``(state, report, problems)`` for one host report file."""
    try:
        data, _info, truncated = safe_read.read_head(path, MAX_REPORT_BYTES)
    except safe_read.SafeReadError as exc:
        return ("missing" if exc.reason == "missing" else "invalid"), None, [str(exc)]
    if truncated:
        return "invalid", None, ["report larger than %d bytes" % MAX_REPORT_BYTES]
    try:
        report = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return "invalid", None, ["not JSON: %s" % str(exc)[:200]]
    if not isinstance(report, dict):
        return "invalid", None, ["not a JSON object"]
    problems = schema_errors(validator, report)
    if problems:
        return "invalid", None, problems
    return "ok", report, []


def discover_hosts(report_dir):
    """Host names of the ``<host>.json`` files directly in ``report_dir`` (sorted)."""
    try:
        names = os.listdir(report_dir)
    except OSError:
        return []
    return sorted(n[:-5] for n in names if n.endswith(".json") and not n.startswith(".")
                  and os.path.isfile(os.path.join(report_dir, n)))


def load_run_reports(report_dir, run_id, validator=None):
    """``{host: report}`` of the valid host reports kept in a previous run (via its fleet.json)."""
    if not run_id:
        return {}
    run_dir = os.path.join(report_dir, history.RUNS, run_id)
    try:
        with open(os.path.join(run_dir, "fleet.json")) as handle:
            summary = json.load(handle)
    except (OSError, ValueError):
        return {}
    out = {}
    for row in summary.get("hosts") or []:
        rel = (row.get("files") or {}).get("json")
        if row.get("state") != "ok" or not rel or "/" in rel.replace("hosts/", "", 1) or ".." in rel:
            continue
        state, report, _problems = read_report(os.path.join(run_dir, rel), validator)
        if state == "ok":
            out[row["host"]] = report
    return out


def _write(path, text):
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def host_lines(entries, report_dir, top=0):
    """The printed summary of the run: per host its summary lines (``top`` failing findings)
    and report path, or its state (unreachable, failed, missing, invalid) and why."""
    out = []
    for entry in entries:
        if entry["state"] == "ok":
            out.extend(summary_lines(entry["report"], top=top))
            out.append("  report: %s" % os.path.join(report_dir, "%s.json" % entry["host"]))
        else:
            out.append("%s: %s: %s" % (entry["host"], entry["state"].upper(), "; ".join(entry["problems"])[:300]))
    return out


def publish(report_dir, hosts=None, fail_on="never", keep_runs=30, validate=True, fail_on_invalid=True,
            host_schema=HOST_SCHEMA, fleet_schema=FLEET_SCHEMA, when=None, check_mode=False, summary_top=0):
    """Write this run's reports and fleet summary; return a result dict (see roles/report README)."""
    report_dir = os.path.abspath(report_dir)
    validator = make_validator(load_schema(host_schema)) if validate else None
    fleet_validator = make_validator(load_schema(fleet_schema)) if validate else None
    warnings = [NO_JSONSCHEMA] if validate and validator is None else []
    hosts = sorted(set(hosts)) if hosts else discover_hosts(report_dir)
    stems = file_names(hosts)
    entries = []
    for host in hosts:
        state, report, problems = read_report(os.path.join(report_dir, "%s.json" % host), validator)
        recorded = host_files.read_state(report_dir, host) if state == "missing" else None
        if recorded:
            state, problems = recorded[0], [recorded[1]]
        elif state == "missing":
            problems = ["no report %s.json (host unreachable, failed or skipped?)" % host]
        entries.append({"host": host, "state": state, "report": report, "problems": problems})

    when = when or history.utc_now()
    if check_mode:
        run_id, run_dir = history.run_id_for(when), None
    else:
        run_id, run_dir = history.new_run(report_dir, when)
    previous_run_id = history.previous_run(report_dir, run_id)
    # the previous run's reports were validated when that run published them; they only feed
    # the new/resolved diff here (validating them again doubled the publisher's CPU)
    previous_reports = load_run_reports(report_dir, previous_run_id)

    files_by_host = {}
    for entry in entries:
        if entry["state"] == "ok":
            stem = stems[entry["host"]]
            files_by_host[entry["host"]] = {"json": "hosts/%s.json" % stem, "junit": "hosts/%s.xml" % stem,
                                            "html": "hosts/%s.html" % stem}
    generated_at = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    summary = fleet.build_summary(entries, run_id, generated_at, previous_run_id, previous_reports,
                                  fail_on, fail_on_invalid, files_by_host)
    problems = schema_errors(fleet_validator, summary)
    if problems:
        raise PublishError("internal error: fleet summary does not match its schema: %s" % "; ".join(problems))

    result = {"run_id": run_id, "run_dir": run_dir, "previous_run_id": previous_run_id,
              "gate": summary["gate"], "totals": summary["totals"],
              "new_count": summary["diff"]["new_count"], "resolved_count": summary["diff"]["resolved_count"],
              "invalid_hosts": dict((e["host"], e["problems"]) for e in entries if e["state"] != "ok"),
              "unavailable_hosts": dict((e["host"], e["state"]) for e in entries
                                        if e["state"] in host_files.STATES),
              "removed_runs": [], "changed": True, "warnings": warnings,
              "schema_validation": "skipped" if validator is None else "done",
              "host_lines": host_lines(entries, report_dir, summary_top)}
    if check_mode:
        return result

    hosts_dir = os.path.join(run_dir, "hosts")
    os.makedirs(hosts_dir, exist_ok=True)
    for entry in entries:
        if entry["state"] != "ok":
            continue
        stem = stems[entry["host"]]
        report = entry["report"]
        _write(os.path.join(hosts_dir, stem + ".json"), json.dumps(report, indent=1, sort_keys=True) + "\n")
        _write(os.path.join(hosts_dir, stem + ".xml"), render_junit(report))
        _write(os.path.join(hosts_dir, stem + ".html"), render_host_html(
            report, links={"JSON": stem + ".json", "JUnit XML": stem + ".xml", "fleet summary": "../fleet.html"}))
    history.write_json_atomic(os.path.join(run_dir, "fleet.json"), summary)

    result["removed_runs"] = history.apply_retention(report_dir, keep_runs, protect=(run_id,))
    index = history.read_index(report_dir)
    index[run_id] = fleet.index_entry(summary)
    written = history.write_index(report_dir, index)
    trend = [(e["run_id"], e.get("hardening_index_mean")) for e in written["runs"]]
    _write(os.path.join(run_dir, "fleet.html"), render_fleet_html(summary, trend=trend))
    result["latest"] = history.point_latest(report_dir, run_id)
    result["fleet_json"] = os.path.join(run_dir, "fleet.json")
    result["fleet_html"] = os.path.join(run_dir, "fleet.html")
    return result
