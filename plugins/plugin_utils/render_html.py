# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Self-contained HTML pages for people: one per host, one for the fleet.

The markup is in Jinja2 templates next to this file (``templates/*.html.j2``); this module
only turns a report or a fleet summary into plain data for them (rows, chart geometry).

Rules:
- No external request, ever: CSS is one inline <style> (``templates/page.css``), charts are
  inline SVG whose geometry is computed here from the report data, the only script (fleet
  table paging/sorting/filter, ``templates/fleet.js``) is inline. No fonts, images or links
  to any http(s) URL.
- Everything that comes from a host (subjects, file names, evidence, victim names, even the
  host name) is attacker-controlled. The environment autoescapes every ``{{ }}`` (text and
  double-quoted attributes); templates never use ``|safe`` (a unit test reads them), the only
  markup marked safe is the page's own CSS and script, read from this package. The fleet
  script writes host data only via textContent. Undefined template variables raise
  (StrictUndefined) instead of printing nothing.
- Defence in depth: a Content-Security-Policy <meta> allows no network (default-src 'none')
  and only the exact inline style and script of the page (by sha256), so an injected
  <script> or on*= handler would not run even if escaping failed.
- Line breaks and the indentation after them in the templates are layout only: the
  ``LayoutWhitespace`` extension drops them, so a template reads as nested HTML while the
  page stays compact. A space meant between two tags is written on one line.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import functools
import hashlib
import json
import math
import os
import re

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2.ext import Extension
from jinja2.lexer import Token
from markupsafe import Markup

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import SEVERITIES, STATUSES, sort_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.core.lynis_categories import group_by_category
from ansible_collections.hostguard.hardening.plugins.plugin_utils.render_junit import family, waiver_message

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
SEV_COLORS = {"critical": "#7f1d1d", "high": "#dc2626", "medium": "#f59e0b", "low": "#3b82f6", "info": "#6b7280"}
STATUS_COLORS = {"fail": "#dc2626", "error": "#f97316", "pass": "#16a34a", "skip": "#9ca3af", "waived": "#7c3aed"}
MAX_TIMELINE = 200        # incidents drawn on the OOM timeline
MAX_INCIDENT_ROWS = 50    # incidents listed in the table under it
MAX_EVIDENCE_ROWS = 200   # rows per cron / Redis evidence table
MAX_CHANGE_ROWS = 200     # rows per new / resolved list on the fleet page

_LAYOUT = re.compile(r"\n[ \t]*")


class LayoutWhitespace(Extension):
    """Drop template-source line breaks and the indentation after them (never output data)."""

    def filter_stream(self, stream):
        for token in stream:
            if token.type == "data":
                token = Token(token.lineno, "data", _LAYOUT.sub("", token.value))
            yield token


def text(value):
    """What a ``{{ }}`` prints before escaping: None -> "", anything -> str, lone surrogates -> text."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


@functools.lru_cache(maxsize=1)
def environment():
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      finalize=text, extensions=[LayoutWhitespace])
    env.globals.update(SEVERITIES=SEVERITIES, STATUSES=STATUSES, SEV_COLORS=SEV_COLORS,
                       STATUS_COLORS=STATUS_COLORS)
    return env


@functools.lru_cache(maxsize=None)
def asset(name):
    """The page's own CSS or script, byte for byte (its sha256 goes into the CSP)."""
    with open(os.path.join(TEMPLATES, name), encoding="utf-8", newline="") as handle:
        return handle.read()


def _sha256(content):
    return "'sha256-%s'" % base64.b64encode(hashlib.sha256(content.encode("utf-8")).digest()).decode("ascii")


def render_page(template, title, subtitle, script=None, **context):
    """A complete HTML document from ``template`` (which extends page.html.j2), with its CSP."""
    css = asset("page.css")
    csp = "default-src 'none'; style-src %s; img-src data:; base-uri 'none'; form-action 'none'" % _sha256(css)
    if script:
        csp += "; script-src %s" % _sha256(script)
    return environment().get_template(template).render(
        title=title, subtitle=subtitle, csp=csp, css=Markup(css), script=Markup(script) if script else None,
        **context)


# --- SVG chart geometry (drawn by templates/charts.html.j2) -------------------------------

def gauge_chart(index, label="hardening index"):
    """A half-circle gauge for a 0-100 index (None: n/a)."""
    g = {"w": 220, "h": 130, "cx": 110, "cy": 115, "r": 90, "label": label, "arc": None, "text": "n/a"}
    if isinstance(index, (int, float)) and not isinstance(index, bool):
        v = max(0.0, min(100.0, float(index)))
        if v > 0:
            angle = math.pi * v / 100.0
            g["arc"] = {"x": g["cx"] - g["r"] * math.cos(angle), "y": g["cy"] - g["r"] * math.sin(angle),
                        "color": "#dc2626" if v < 50 else ("#f59e0b" if v < 75 else "#16a34a")}
        g["text"] = "%d" % round(v)
    return g


def bar_chart(items, label, width=360):
    """Horizontal bar chart. ``items``: list of (name, value, color)."""
    bar_h, gap, left, right = 20, 6, 110, 50
    top = max([v for _name, v, _color in items] + [1])
    rows = []
    for i, (name, value, color) in enumerate(items):
        rows.append({"name": name, "value": value, "color": color, "y": gap + i * (bar_h + gap),
                     "bw": 0 if not value else max(2.0, (width - left - right) * float(value) / top)})
    return {"w": width, "h": max(1, len(items)) * (bar_h + gap) + gap, "label": label, "left": left,
            "bar_h": bar_h, "rows": rows}


def stacked_chart(rows, label, width=420):
    """Stacked horizontal bars: ``rows`` = list of (name, {status: n}), statuses in STATUSES order."""
    bar_h, gap, left, right = 20, 6, 90, 40
    h = max(1, len(rows)) * (bar_h + gap) + gap + 22
    top = max([sum(c.values()) for _name, c in rows] + [1])
    scale = (width - left - right) / float(top)
    out = []
    for i, (name, counts) in enumerate(rows):
        x = float(left)
        segments = []
        for status in STATUSES:
            n = counts.get(status, 0)
            if n:
                segments.append({"x": x, "bw": n * scale, "status": status, "n": n})
                x += n * scale
        out.append({"name": name, "y": gap + i * (bar_h + gap), "segments": segments, "end": x,
                    "total": sum(counts.values())})
    legend = [{"x": left + 60 * i, "status": status} for i, status in enumerate(STATUSES)]
    return {"w": width, "h": h, "label": label, "left": left, "bar_h": bar_h, "rows": out, "legend": legend,
            "legend_y": h - 8}


def parse_time(value):
    """Incident time -> float seconds (epoch for ISO strings, as-is for numbers) or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value:
        stamp = value.strip().replace("Z", "+00:00")
        for fmt in (None, "%Y-%m-%d %H:%M:%S", "%b %d %H:%M:%S"):
            try:
                if fmt is None:
                    when = datetime.datetime.fromisoformat(stamp)
                else:
                    when = datetime.datetime.strptime(stamp, fmt)
            except ValueError:
                continue
            if when.tzinfo is None:
                when = when.replace(tzinfo=datetime.timezone.utc)
            return when.timestamp()
        try:
            return float(stamp)
        except ValueError:
            return None
    return None


def _victim(incident):
    victim = incident.get("victim") if isinstance(incident, dict) else None
    return victim if isinstance(victim, dict) else {}


def trigger_text(trigger):
    """One line for an incident's trigger (oom_events gives a dict; older data a string)."""
    if not isinstance(trigger, dict):
        return _plain(trigger)
    parts = ["%s (pid %s)" % (_plain(trigger.get("process")) or "?", _plain(trigger.get("pid")) or "?")]
    for key, label in (("gfp_flags", "gfp"), ("order", "order"), ("oom_score_adj", "adj")):
        if trigger.get(key) not in (None, ""):
            parts.append("%s=%s" % (label, _plain(trigger.get(key))))
    if not trigger.get("gfp_flags") and trigger.get("gfp_mask"):
        parts.append("gfp=%s" % _plain(trigger.get("gfp_mask")))
    return " ".join(parts)


def verdict_text(verdict):
    """One line for an incident's verdict: ``innocent: <reason>`` (dict) or the string given."""
    if not isinstance(verdict, dict):
        return _plain(verdict)
    line = _plain(verdict.get("verdict")) or "?"
    if verdict.get("reason"):
        line += ": " + _plain(verdict.get("reason"))
    return line


def timeline_chart(incidents, width=900):
    """OOM incidents on a time axis: one circle per kill, area ~ victim anon RSS."""
    drawn = [i for i in incidents[:MAX_TIMELINE] if isinstance(i, dict)]
    h, left, right, axis_y = 150, 40, 40, 110
    times = [parse_time(i.get("time")) for i in drawn]
    known = [t for t in times if t is not None]
    lo, hi = (min(known), max(known)) if known else (0.0, 0.0)
    rss = [_num(_victim(i).get("anon_rss_kb")) for i in drawn]
    max_rss = max([r for r in rss if r] + [1])
    span = (width - left - right)
    points = []
    for n, incident in enumerate(drawn):
        t = times[n]
        if t is not None and hi > lo:
            x = left + span * (t - lo) / (hi - lo)
        elif len(drawn) > 1:
            x = left + span * n / float(len(drawn) - 1)
        else:
            x = left + span / 2.0
        victim = _victim(incident)
        name = victim.get("name") or "?"
        tip = "%s | victim %s (pid %s) anon-rss %s kB | trigger %s | %s" % (
            _plain(incident.get("time")), _plain(name), _plain(victim.get("pid")),
            _plain(victim.get("anon_rss_kb")), trigger_text(incident.get("trigger")),
            verdict_text(incident.get("verdict")))
        points.append({"x": x, "y": axis_y - 20 - (n % 3) * 22, "r": 4 + 16 * math.sqrt((rss[n] or 0) / float(max_rss)),
                       "tip": tip, "name": _short(name, 16) if len(drawn) <= 30 else None,
                       "name_y": axis_y + 14 + (n % 2) * 12})
    return {"w": width, "h": h, "left": left, "right_x": width - right, "axis_y": axis_y, "points": points,
            "lo": _fmt_time(lo) if known else None, "hi": _fmt_time(hi) if known else None}


def _fmt_time(seconds):
    if seconds > 10 ** 8:   # an epoch, not a kernel uptime
        return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    return "%.1f s" % seconds


def _num(value):
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _plain(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return "" if value is None else str(value)


def _short(value, n):
    value = _plain(value)
    return value if len(value) <= n else value[:n - 1] + "\u2026"


def histogram_chart(values, label, width=360, bins=10):
    """Hosts per hardening-index decile."""
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, max(0, int(v) * bins // 100))] += 1
    h, bottom, left = 160, 24, 30
    top = max(counts + [1])
    bw = (width - left - 10) / float(bins)
    out = []
    for i, n in enumerate(counts):
        out.append({"x": left + i * bw, "bh": (h - bottom - 16) * n / float(top), "n": n, "lo": i * 10,
                    "hi": i * 10 + 9 if i < bins - 1 else 100,
                    "color": "#dc2626" if i < 5 else ("#f59e0b" if i < 8 else "#16a34a")})
    return {"w": width, "h": h, "label": label, "base": h - bottom, "bw": bw, "bins": out}


def trend_chart(points, width=420):
    """Mean hardening index per run (``points``: [(run_id, mean or None)])."""
    pts = [(r, m) for r, m in points if isinstance(m, (int, float))]
    h, left, right, top_pad, bottom = 160, 30, 10, 10, 24
    coords = []
    for i, (run_id, mean) in enumerate(pts):
        x = left + (width - left - right) * (i / float(len(pts) - 1) if len(pts) > 1 else 0.5)
        y = h - bottom - (h - bottom - top_pad) * max(0.0, min(100.0, float(mean))) / 100.0
        coords.append({"x": x, "y": y, "run_id": run_id, "mean": mean})
    ticks = [{"v": v, "y": h - bottom - (h - bottom - top_pad) * v / 100.0} for v in (0, 50, 100)]
    line = " ".join("%.1f,%.1f" % (c["x"], c["y"]) for c in coords) if len(coords) > 1 else None
    return {"w": width, "h": h, "left": left, "base": h - bottom, "right_x": width - right, "points": coords,
            "line": line, "ticks": ticks}


# --- host page ---------------------------------------------------------------------------

def _evidence_items(evidence):
    return [(key, _short(evidence[key], 200)) for key in sorted(evidence)[:12]] if evidence else []


def evidence_table(findings, fam_names, title):
    rows = [f for f in findings if family(f.get("id")) in fam_names and f.get("status") in ("fail", "error")]
    return {"id": "-".join(fam_names), "title": title, "word": title.split()[0], "total": len(rows),
            "more": max(0, len(rows) - MAX_EVIDENCE_ROWS),
            "rows": [{"id": f.get("id"), "severity": f.get("severity"), "status": f.get("status"),
                      "subject": f.get("subject"), "title": f.get("title"),
                      "evidence": _evidence_items(f.get("evidence") or {})} for f in rows[:MAX_EVIDENCE_ROWS]]}


def area_counts(findings):
    """``[(family, {status: n})]`` sorted by family name."""
    counts = {}
    for f in findings:
        c = counts.setdefault(family(f.get("id")), dict((s, 0) for s in STATUSES))
        status = f.get("status") if f.get("status") in STATUSES else "error"
        c[status] += 1
    return sorted(counts.items())


def lynis_row(group):
    counts = group.get("counts") or {}
    row = dict((status, counts.get(status, 0)) for status in ("fail", "pass", "skip", "error"))
    row.update(category=group.get("category"), title=group.get("title"),
               failed=", ".join(str(i) for i in group.get("failed") or []))
    return row


def finding_row(f):
    refs = f.get("references") or {}
    return {"status": f.get("status"), "severity": f.get("severity"), "id": f.get("id"), "title": f.get("title"),
            "subject": f.get("subject"),
            "evidence": json.dumps(f.get("evidence") or {}, indent=2, sort_keys=True, ensure_ascii=False),
            "detail": f.get("detail"), "waiver": waiver_message(f) if f.get("waiver") else None,
            "remediation": f.get("remediation"), "references": [(k, refs[k]) for k in sorted(refs)],
            "related": ", ".join(str(r) for r in f["related"]) if f.get("related") else None}


def incident_row(inc):
    v = _victim(inc)
    return {"time": _plain(inc.get("time")), "trigger": _short(trigger_text(inc.get("trigger")), 120),
            "name": _plain(v.get("name")), "pid": _plain(v.get("pid")), "rss": _plain(v.get("anon_rss_kb")),
            "verdict": _short(verdict_text(inc.get("verdict")), 240)}


def render_host_html(report, links=None):
    """The page for one host report. ``links``: optional {label: relative href} (e.g. JSON, JUnit)."""
    findings = sort_findings([f for f in report.get("findings") or [] if isinstance(f, dict)])
    summary = report.get("summary") or {}
    fail = summary.get("fail_by_severity") or {}
    by_status = summary.get("by_status") or {}
    index = summary.get("hardening_index")
    incidents = (((report.get("facts") or {}).get("oomlog") or {}).get("incidents") or [])
    incidents = [i for i in incidents if isinstance(i, dict)]
    timings = report.get("timings") or {}
    errors = report.get("errors") or []
    subtitle = "generated %s | hostguard %s | areas: %s" % (
        report.get("generated_at", "?"), report.get("hostguard_version", "?"),
        ", ".join(str(a) for a in report.get("areas") or []))
    return render_page(
        "host.html.j2", "hostguard report: %s" % report.get("host", "unknown"), subtitle,
        cards=[(index if index is not None else "n/a", "hardening index"),
               (summary.get("worst_severity") or "none", "worst failed severity"),
               (by_status.get("fail", 0), "failed"), (by_status.get("pass", 0), "passed"),
               (by_status.get("error", 0), "errors"), (summary.get("total", len(findings)), "check results")],
        gauge=gauge_chart(index),
        severity_bars=bar_chart([(s, int(fail.get(s, 0) or 0), SEV_COLORS[s]) for s in SEVERITIES], "failed by severity"),
        area_bars=stacked_chart(area_counts(findings), "results by area"),
        incidents_total=len(incidents), timeline=timeline_chart(incidents) if incidents else None,
        max_timeline=MAX_TIMELINE, incidents=[incident_row(i) for i in incidents[:MAX_INCIDENT_ROWS]],
        evidence_tables=[evidence_table(findings, ("cron",), "Cron and rc.d evidence"),
                         evidence_table(findings, ("redis",), "Redis evidence")],
        lynis_groups=[lynis_row(g) for g in report.get("lynis_categories") or group_by_category(findings)],
        findings=[finding_row(f) for f in findings],
        timings=[(area, "%.3f" % timings[area] if isinstance(timings[area], (int, float)) else "-")
                 for area in sorted(timings)],
        errors_total=len(errors),
        errors=json.dumps(errors, indent=2, sort_keys=True, ensure_ascii=False) if errors else None,
        links=sorted((links or {}).items()))


# --- fleet page --------------------------------------------------------------------------

def change_list(changes, total, css, title):
    return {"open": 0 < total <= 20, "css": css, "title": title, "total": total, "rows": changes[:MAX_CHANGE_ROWS],
            "more": max(0, total - MAX_CHANGE_ROWS) if changes else 0}


def host_row(h, worst_rank):
    files = h.get("files") or {}
    idx = h["hardening_index"]
    return {"host": h["host"], "html": files.get("html"),
            "others": [(k, files[k]) for k in ("json", "junit") if files.get(k)],
            "state": h["state"], "problems": "; ".join(h["problems"]) if h.get("problems") else None,
            "index_v": idx if idx is not None else -1, "index": idx if idx is not None else "n/a",
            "worst_v": worst_rank.get(h["worst"], 9), "worst": h["worst"],
            "fail": [int(h["fail_by_severity"].get(s, 0) or 0) for s in SEVERITIES],
            "errors": int(h.get("errors") or 0), "new": h["new"], "resolved": h["resolved"]}


def ranked_row(r):
    names = ", ".join(r["host_names"])
    if r.get("host_names_truncated"):
        names += " and %d more" % r["host_names_truncated"]
    return dict(r, names=names)


def render_fleet_html(summary, trend=None):
    """The fleet page. ``trend``: optional [(run_id, mean index)] of kept runs, oldest first."""
    t = summary["totals"]
    diff = summary["diff"]
    idx = t["hardening_index"]
    indexes = [h["hardening_index"] for h in summary["hosts"] if isinstance(h.get("hardening_index"), int)]
    worst_rank = dict((s, i) for i, s in enumerate(SEVERITIES))
    changes = None
    if summary.get("previous_run_id"):
        changes = [change_list(diff["new"], diff["new_count"], "new", "New failures"),
                   change_list(diff["resolved"], diff["resolved_count"], "resolved", "Resolved"),
                   change_list(diff["not_checked"], diff["not_checked_count"], "muted",
                               "Not checked this run (host absent or invalid)")]
    subtitle = "run %s | generated %s | %d host(s)" % (summary["run_id"], summary["generated_at"], t["hosts"])
    return render_page(
        "fleet.html.j2", "hostguard fleet summary", subtitle, script=asset("fleet.js"),
        cards=[(t["hosts"], "hosts"), (t["hosts_ok"], "with a valid report"),
               (t["hosts_missing"] + t["hosts_invalid"] + t.get("hosts_unreachable", 0) + t.get("hosts_failed", 0),
                "missing / invalid / unreachable / failed"),
               (idx["mean"] if idx["mean"] is not None else "n/a", "mean hardening index"),
               (idx["min"] if idx["min"] is not None else "n/a", "lowest index"),
               (diff["new_count"], "new failures"), (diff["resolved_count"], "resolved")],
        gate=summary["gate"], hosts_total=t["hosts"],
        severity_bars=bar_chart([(s, t["fail_by_severity"].get(s, 0), SEV_COLORS[s]) for s in SEVERITIES],
                                "failed by severity"),
        worst_bars=bar_chart([(s, t["hosts_by_worst"].get(s, 0), SEV_COLORS.get(s, "#16a34a"))
                              for s in SEVERITIES + ("none",)], "hosts by worst severity"),
        index_histogram=histogram_chart(indexes, "hardening index histogram"),
        trend=trend_chart(trend) if trend else None,
        previous_run_id=summary.get("previous_run_id"), changes=changes,
        ranked=[ranked_row(r) for r in summary["ranked_findings"]],
        hosts=[host_row(h, worst_rank) for h in summary["hosts"]])
