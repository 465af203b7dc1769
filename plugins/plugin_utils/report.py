# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The per-host report: pure functions from a ``host_audit`` result to the JSON document
written to ``<hostguard_report_dir>/<inventory_hostname>.json`` (schema in docs/harness.md).

Pure (no I/O, no clock unless ``generated_at`` is not given) so that the controller-side
filter ``hostguard.hardening.hostguard_report``, the role, tests and any future renderer
share one implementation. Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import (
    REPORT_SCHEMA_VERSION, SEVERITIES, sort_findings, summarize, worst_severity)
from ansible_collections.hostguard.hardening.plugins.module_utils.core.registry import all_checks
from ansible_collections.hostguard.hardening.plugins.plugin_utils import waivers as waiver_rules
from ansible_collections.hostguard.hardening.plugins.plugin_utils.hardening_index import hardening_index
from ansible_collections.hostguard.hardening.plugins.module_utils.core.lynis_categories import group_by_category

# Keep in step with galaxy.yml (tests/unit/test_report.py checks it).
HOSTGUARD_VERSION = "0.1.0"


def utc_now_iso():
    """UTC now, ISO-8601 with a ``Z`` and whole seconds: ``2026-11-22T22:01:02Z``."""
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) \
        .isoformat().replace("+00:00", "Z")


def error_entries(findings):
    """Short form of every ``error`` finding: which check or area could not be evaluated."""
    out = []
    for item in findings:
        if item.get("status") != "error":
            continue
        evidence = item.get("evidence") or {}
        out.append({"id": item.get("id"), "subject": item.get("subject"),
                    "area": evidence.get("area") if isinstance(evidence, dict) else None,
                    "detail": item.get("detail", "")})
    return out


def known_check_ids():
    """Every check ID of the catalogue (areas, core, waivers)."""
    return set(c.id for c in all_checks()) | set(waiver_rules.CHECKS.ids())


def build_report(result, host, generated_at=None, hostguard_version=HOSTGUARD_VERSION,
                 waivers=None, severity_overrides=None, today=None):
    """The report for one host from a ``host_audit`` result (a dict as the module returns it).

    ``waivers`` / ``severity_overrides``: see plugin_utils/waivers.py (``today`` for tests).
    Tolerates a partial result (a failed task gives no findings): the report then has an
    error entry saying so instead of raising."""
    result = result or {}
    findings = [f for f in (result.get("findings") or []) if isinstance(f, dict)]
    waiver_summary = None
    if waivers or severity_overrides:
        findings, waiver_summary = waiver_rules.apply(findings, waivers, severity_overrides,
                                                      known_ids=known_check_ids(), today=today)
    findings = sort_findings(findings)
    errors = error_entries(findings)
    if result.get("failed"):
        errors.append({"id": None, "subject": host, "area": None,
                       "detail": "host_audit failed: %s" % str(result.get("msg", ""))[:512]})
    summary = summarize(findings)
    summary["worst_severity"] = worst_severity(findings)
    summary["hardening_index"] = hardening_index(findings)
    if waiver_summary is not None:
        summary["waivers"] = waiver_summary
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "host": host,
        "generated_at": generated_at or utc_now_iso(),
        "hostguard_version": hostguard_version,
        "root": result.get("root", "/"),
        "areas": list(result.get("areas") or []),
        "summary": summary,
        "findings": findings,
        "facts": dict(result.get("facts") or {}),
        "timings": dict(result.get("timings") or {}),
        "errors": errors,
        "lynis_categories": group_by_category(findings),
    }


def summary_lines(report, top=10):
    """A compact, human summary: one line of counts, then the top failing findings one per
    line (``SEVERITY ID subject: title``), then one line per error."""
    summary = report.get("summary") or {}
    counts = summary.get("fail_by_severity") or {}
    status = summary.get("by_status") or {}
    failed = sum(counts.get(s, 0) for s in SEVERITIES)
    per_severity = ", ".join("%s %d" % (s, counts[s]) for s in SEVERITIES if counts.get(s))
    head = "%s: %d failed%s | %s passed, %s errors, %s skipped%s | worst: %s" % (
        report.get("host"), failed, " (%s)" % per_severity if per_severity else "",
        status.get("pass", 0), status.get("error", 0), status.get("skip", 0),
        ", %d waived" % status["waived"] if status.get("waived") else "",
        summary.get("worst_severity") or "none")
    lines = [head]
    failing = [f for f in report.get("findings") or [] if f.get("status") == "fail"]
    for item in failing[:max(0, int(top))]:
        lines.append("  %-8s %-12s %s: %s" % (
            str(item.get("severity", "")).upper(), item.get("id"),
            _one_line(item.get("subject")), item.get("title")))
    if len(failing) > top:
        lines.append("  ... %d more failing findings in the report" % (len(failing) - top))
    for err in report.get("errors") or []:
        if not isinstance(err, dict):   # the schema allows plain strings
            lines.append("  ERROR    %s" % _one_line(err))
            continue
        lines.append("  ERROR    %-12s %s: %s" % (err.get("id"), _one_line(err.get("subject")),
                                                  _one_line(err.get("detail"))))
    return lines


def _one_line(value, limit=120):
    text = str(value if value is not None else "")
    # Hostile file names may hold newlines or terminal escapes: show them, never emit them.
    text = "".join(ch if (ch.isprintable() or ch == " ") else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)
    return text if len(text) <= limit else text[:limit] + "..."
