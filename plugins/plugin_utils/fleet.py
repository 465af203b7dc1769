# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet summary: one JSON document across every host report of a run.

Input is a list of host entries ``{"host", "state": ok|missing|invalid, "report", "problems"}``
(``report`` is the per-host report dict when ``state`` is ok). The output follows
``schemas/fleet-summary.schema.json``: each host's index and counts, the failed checks ranked
across hosts (by severity, then by how many hosts fail them), the diff against the previous
run and the gate decision. Pure functions; the HTML view is in ``render_html``.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import SEVERITIES, SEVERITY_RANK, STATUSES
from ansible_collections.hostguard.hardening.plugins.plugin_utils import gating
from ansible_collections.hostguard.hardening.plugins.plugin_utils import history

FLEET_SCHEMA_VERSION = 1
MAX_HOST_NAMES = 50          # host names listed per ranked finding (the count is exact)
MAX_CHANGES = 5000           # per diff list in fleet.json; counts stay exact


def zero_severities():
    return dict((sev, 0) for sev in SEVERITIES)


def host_row(entry, new=0, resolved=0, files=None):
    """The fleet row of one host entry."""
    row = {"host": entry["host"], "state": entry.get("state", "ok"),
           "problems": list(entry.get("problems") or [])[:20],
           "hardening_index": None, "worst": None, "fail_by_severity": zero_severities(),
           "by_status": dict((s, 0) for s in STATUSES), "total": 0, "errors": 0,
           "new": new, "resolved": resolved, "generated_at": None, "files": dict(files or {})}
    report = entry.get("report")
    if row["state"] == "ok" and isinstance(report, dict):
        summary = report.get("summary") or {}
        row["hardening_index"] = summary.get("hardening_index")
        row["worst"] = summary.get("worst_severity")
        row["fail_by_severity"].update(summary.get("fail_by_severity") or {})
        row["by_status"].update(summary.get("by_status") or {})
        row["total"] = summary.get("total", len(report.get("findings") or []))
        row["errors"] = len(report.get("errors") or [])
        row["generated_at"] = report.get("generated_at")
    return row


def rank_findings(entries):
    """Failed checks across hosts: most severe first, then most hosts, then ID."""
    by_id = {}
    for entry in entries:
        if entry.get("state") != "ok":
            continue
        for item in entry["report"].get("findings") or []:
            if item.get("status") != "fail":
                continue
            rec = by_id.setdefault(item["id"], {"id": item["id"], "title": item.get("title", ""),
                                                "severity": item["severity"], "hosts_set": set(),
                                                "occurrences": 0})
            # A check may be raised per case; rank it by its worst failed severity.
            if SEVERITY_RANK[item["severity"]] < SEVERITY_RANK[rec["severity"]]:
                rec["severity"] = item["severity"]
            rec["hosts_set"].add(entry["host"])
            rec["occurrences"] += 1
    ranked = []
    for rec in by_id.values():
        names = sorted(rec.pop("hosts_set"))
        rec["hosts"] = len(names)
        rec["host_names"] = names[:MAX_HOST_NAMES]
        rec["host_names_truncated"] = max(0, len(names) - MAX_HOST_NAMES)
        ranked.append(rec)
    ranked.sort(key=lambda r: (SEVERITY_RANK[r["severity"]], -r["hosts"], -r["occurrences"], r["id"]))
    return ranked


def totals(rows):
    indexes = [r["hardening_index"] for r in rows if r["state"] == "ok" and isinstance(r["hardening_index"], int)]
    fail = zero_severities()
    by_worst = dict((sev, 0) for sev in SEVERITIES + ("none",))
    for r in rows:
        if r["state"] != "ok":
            continue
        for sev in SEVERITIES:
            fail[sev] += int(r["fail_by_severity"].get(sev, 0) or 0)
        by_worst[r["worst"] or "none"] = by_worst.get(r["worst"] or "none", 0) + 1
    return {
        "hosts": len(rows),
        "hosts_ok": sum(1 for r in rows if r["state"] == "ok"),
        "hosts_missing": sum(1 for r in rows if r["state"] == "missing"),
        "hosts_invalid": sum(1 for r in rows if r["state"] == "invalid"),
        "hosts_unreachable": sum(1 for r in rows if r["state"] == "unreachable"),
        "hosts_failed": sum(1 for r in rows if r["state"] == "failed"),
        "fail_by_severity": fail,
        "hosts_by_worst": by_worst,
        "hardening_index": {
            "min": min(indexes) if indexes else None,
            "max": max(indexes) if indexes else None,
            "mean": round(float(sum(indexes)) / len(indexes), 1) if indexes else None,
        },
    }


def build_summary(entries, run_id, generated_at, previous_run_id=None, previous_reports=None,
                  fail_on="never", fail_on_invalid=True, files_by_host=None):
    """Build the fleet summary dict (see the module docstring)."""
    current = dict((e["host"], e["report"]) for e in entries if e.get("state") == "ok")
    if previous_run_id is not None:
        diff = history.diff_runs(current, previous_reports or {})
    else:
        diff = {"new": [], "resolved": [], "not_checked": []}
    new_by_host, resolved_by_host = {}, {}
    for c in diff["new"]:
        new_by_host[c["host"]] = new_by_host.get(c["host"], 0) + 1
    for c in diff["resolved"]:
        resolved_by_host[c["host"]] = resolved_by_host.get(c["host"], 0) + 1
    files_by_host = files_by_host or {}
    rows = [host_row(e, new_by_host.get(e["host"], 0), resolved_by_host.get(e["host"], 0),
                     files_by_host.get(e["host"])) for e in entries]
    rows.sort(key=lambda r: r["host"])
    return {
        "schema_version": FLEET_SCHEMA_VERSION,
        "run_id": run_id,
        "generated_at": generated_at,
        "previous_run_id": previous_run_id,
        "hosts": rows,
        "totals": totals(rows),
        "ranked_findings": rank_findings(entries),
        "diff": {
            "previous_run_id": previous_run_id,
            "new": diff["new"][:MAX_CHANGES], "resolved": diff["resolved"][:MAX_CHANGES],
            "not_checked": diff["not_checked"][:MAX_CHANGES],
            "new_count": len(diff["new"]), "resolved_count": len(diff["resolved"]),
            "not_checked_count": len(diff["not_checked"]),
        },
        "gate": gating.decide(rows, fail_on, fail_on_invalid),
    }


def index_entry(summary):
    """The compact line kept per run in ``runs/index.json`` (for trends)."""
    t = summary["totals"]
    return {"generated_at": summary["generated_at"], "hosts": t["hosts"], "hosts_ok": t["hosts_ok"],
            "fail_by_severity": t["fail_by_severity"], "hardening_index_mean": t["hardening_index"]["mean"],
            "new": summary["diff"]["new_count"], "resolved": summary["diff"]["resolved_count"],
            "gate_failed": summary["gate"]["failed"]}
