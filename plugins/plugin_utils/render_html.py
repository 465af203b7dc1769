# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Self-contained HTML pages for people: one per host, one for the fleet.

Rules:
- No external request, ever: CSS is one inline <style>, charts are inline SVG computed here
  from the report data, the only script (fleet table paging/sorting/filter) is inline. No
  fonts, images or links to any http(s) URL.
- Everything that comes from a host (subjects, file names, evidence, victim names, even the
  host name) is attacker-controlled: it is only ever written through ``esc()`` (text and
  double-quoted attributes) or inside a JSON-in-<script type=application/json> block with
  ``<``, ``>`` and ``&`` escaped. The fleet script writes host data only via textContent.
- Defence in depth: a Content-Security-Policy <meta> allows no network (default-src 'none')
  and only the exact inline style and script of the page (by sha256), so an injected
  <script> or on*= handler would not run even if escaping failed.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import hashlib
import json
import math

from html import escape as _html_escape

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import SEVERITIES, STATUSES, sort_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.core.lynis_categories import group_by_category
from ansible_collections.hostguard.hardening.plugins.plugin_utils.render_junit import family, waiver_message

SEV_COLORS = {"critical": "#7f1d1d", "high": "#dc2626", "medium": "#f59e0b", "low": "#3b82f6", "info": "#6b7280"}
STATUS_COLORS = {"fail": "#dc2626", "error": "#f97316", "pass": "#16a34a", "skip": "#9ca3af", "waived": "#7c3aed"}
MAX_TIMELINE = 200        # incidents drawn on the OOM timeline
MAX_INCIDENT_ROWS = 50    # incidents listed in the table under it
MAX_EVIDENCE_ROWS = 200   # rows per cron / Redis evidence table
MAX_CHANGE_ROWS = 200     # rows per new / resolved list on the fleet page

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#111827;background:#f3f4f6}
header{background:#111827;color:#f9fafb;padding:14px 24px}
header h1{margin:0;font-size:20px;word-break:break-all}
header p{margin:4px 0 0;color:#d1d5db;font-size:13px}
main{padding:16px 24px;max-width:1400px}
section{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:12px 16px;margin:0 0 16px}
h2{font-size:16px;margin:0 0 10px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:22px}
.card span{font-size:12px;color:#6b7280}
.charts{display:flex;flex-wrap:wrap;gap:16px}
.charts figure{margin:0;background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:8px}
figcaption{font-size:13px;font-weight:600;margin-bottom:4px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e5e7eb;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f9fafb;position:sticky;top:0}
th.sortable{cursor:pointer;user-select:none}
th.sortable:after{content:" \\2195";color:#9ca3af}
td.num,th.num{text-align:right}
code,pre{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px}
pre{white-space:pre-wrap;word-break:break-all;margin:4px 0;background:#f9fafb;padding:6px;max-height:320px;overflow:auto}
.subject{word-break:break-all}
.sev{display:inline-block;padding:1px 6px;border-radius:3px;color:#fff;font-size:11px;font-weight:600}
.sev-critical{background:#7f1d1d}.sev-high{background:#dc2626}.sev-medium{background:#f59e0b;color:#111}
.sev-low{background:#3b82f6}.sev-info{background:#6b7280}
.st{font-weight:600}.st-fail{color:#dc2626}.st-error{color:#f97316}.st-pass{color:#16a34a}.st-skip{color:#6b7280}.st-waived{color:#7c3aed}
.state-missing,.state-invalid,.state-unreachable,.state-failed{color:#f97316;font-weight:600}
.muted{color:#6b7280;font-size:12px}
.pager{margin:8px 0;display:flex;gap:8px;align-items:center;font-size:13px}
.pager button{padding:2px 10px}
input[type=search]{padding:4px 8px;width:260px}
details summary{cursor:pointer}
.new{color:#dc2626}.resolved{color:#16a34a}
"""


def esc(value):
    """HTML-escape any value for text or a double-quoted attribute."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    # Lone surrogates (from backslashreplace-free decoders) cannot be encoded: make them text.
    value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return _html_escape(value, quote=True)


def json_for_script(data):
    """JSON safe inside <script type="application/json">: no '<', '>' or '&' survive."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _sha256(text):
    return "'sha256-%s'" % base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def page(title, subtitle, body, script=None):
    """A complete HTML document with the page's CSP."""
    csp = "default-src 'none'; style-src %s; img-src data:; base-uri 'none'; form-action 'none'" % _sha256(CSS)
    if script:
        csp += "; script-src %s" % _sha256(script)
    out = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
           '<meta http-equiv="Content-Security-Policy" content="%s">' % esc(csp),
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta name="referrer" content="no-referrer">',
           '<title>%s</title><style>%s</style></head><body>' % (esc(title), CSS),
           '<header><h1>%s</h1><p>%s</p></header><main>' % (esc(title), esc(subtitle)),
           body, '</main>']
    if script:
        out.append('<script>%s</script>' % script)
    out.append('</body></html>\n')
    return "".join(out)


def sev_badge(sev):
    sev = sev if sev in SEV_COLORS else "info"
    return '<span class="sev sev-%s">%s</span>' % (sev, esc(sev))


def status_text(status):
    status = status if status in STATUS_COLORS else "error"
    return '<span class="st st-%s">%s</span>' % (status, esc(status))


def card(value, label):
    return '<div class="card"><b>%s</b><span>%s</span></div>' % (esc(value), esc(label))


# --- SVG charts --------------------------------------------------------------------------

def svg_gauge(index, label="hardening index"):
    """A half-circle gauge for a 0-100 index (None: n/a)."""
    w, h, cx, cy, r = 220, 130, 110, 115, 90
    parts = ['<svg class="chart gauge" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'viewBox="0 0 %d %d" role="img" aria-label="%s">' % (w, h, w, h, esc(label))]
    parts.append('<path d="M %d %d A %d %d 0 0 1 %d %d" fill="none" stroke="#e5e7eb" stroke-width="18"/>'
                 % (cx - r, cy, r, r, cx + r, cy))
    if isinstance(index, (int, float)) and not isinstance(index, bool):
        v = max(0.0, min(100.0, float(index)))
        color = "#dc2626" if v < 50 else ("#f59e0b" if v < 75 else "#16a34a")
        if v > 0:
            angle = math.pi * v / 100.0
            x = cx - r * math.cos(angle)
            y = cy - r * math.sin(angle)
            parts.append('<path class="gauge-value" d="M %d %d A %d %d 0 0 1 %.2f %.2f" fill="none" '
                         'stroke="%s" stroke-width="18"/>' % (cx - r, cy, r, r, x, y, color))
        text = "%d" % round(v)
    else:
        text = "n/a"
    parts.append('<text x="%d" y="%d" text-anchor="middle" font-size="34" font-weight="700" '
                 'fill="#111827">%s</text>' % (cx, cy - 10, esc(text)))
    parts.append('<text x="%d" y="%d" text-anchor="middle" font-size="11" fill="#6b7280">%s</text>'
                 % (cx, cy + 12, esc(label)))
    parts.append('</svg>')
    return "".join(parts)


def svg_bars(items, label, width=360):
    """Horizontal bar chart. ``items``: list of (name, value, color)."""
    bar_h, gap, left, right = 20, 6, 110, 50
    h = max(1, len(items)) * (bar_h + gap) + gap
    top = max([v for _name, v, _color in items] + [1])
    parts = ['<svg class="chart bars" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'viewBox="0 0 %d %d" role="img" aria-label="%s">' % (width, h, width, h, esc(label))]
    for i, (name, value, color) in enumerate(items):
        y = gap + i * (bar_h + gap)
        bw = 0 if not value else max(2.0, (width - left - right) * float(value) / top)
        parts.append('<text x="%d" y="%d" text-anchor="end" font-size="12" fill="#374151">%s</text>'
                     % (left - 6, y + 14, esc(name)))
        parts.append('<rect class="bar" x="%d" y="%d" width="%.1f" height="%d" fill="%s">'
                     '<title>%s: %s</title></rect>' % (left, y, bw, bar_h, color, esc(name), esc(value)))
        parts.append('<text x="%.1f" y="%d" font-size="12" fill="#111827">%s</text>'
                     % (left + bw + 4, y + 14, esc(value)))
    parts.append('</svg>')
    return "".join(parts)


def svg_stacked(rows, label, width=420):
    """Stacked horizontal bars: ``rows`` = list of (name, {status: n}), statuses in STATUSES order."""
    bar_h, gap, left, right = 20, 6, 90, 40
    h = max(1, len(rows)) * (bar_h + gap) + gap + 22
    top = max([sum(c.values()) for _name, c in rows] + [1])
    scale = (width - left - right) / float(top)
    parts = ['<svg class="chart stacked" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'viewBox="0 0 %d %d" role="img" aria-label="%s">' % (width, h, width, h, esc(label))]
    for i, (name, counts) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        parts.append('<text x="%d" y="%d" text-anchor="end" font-size="12" fill="#374151">%s</text>'
                     % (left - 6, y + 14, esc(name)))
        x = float(left)
        for status in STATUSES:
            n = counts.get(status, 0)
            if not n:
                continue
            bw = n * scale
            parts.append('<rect class="bar" x="%.1f" y="%d" width="%.1f" height="%d" fill="%s">'
                         '<title>%s %s: %d</title></rect>' % (x, y, bw, bar_h, STATUS_COLORS[status],
                                                              esc(name), status, n))
            x += bw
        parts.append('<text x="%.1f" y="%d" font-size="12" fill="#111827">%d</text>'
                     % (x + 4, y + 14, sum(counts.values())))
    ly = h - 8
    lx = left
    for status in STATUSES:
        parts.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d" '
                     'font-size="11" fill="#374151">%s</text>' % (lx, ly - 9, STATUS_COLORS[status], lx + 13, ly, status))
        lx += 60
    parts.append('</svg>')
    return "".join(parts)


def parse_time(value):
    """Incident time -> float seconds (epoch for ISO strings, as-is for numbers) or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value:
        text = value.strip().replace("Z", "+00:00")
        for fmt in (None, "%Y-%m-%d %H:%M:%S", "%b %d %H:%M:%S"):
            try:
                if fmt is None:
                    when = datetime.datetime.fromisoformat(text)
                else:
                    when = datetime.datetime.strptime(text, fmt)
            except ValueError:
                continue
            if when.tzinfo is None:
                when = when.replace(tzinfo=datetime.timezone.utc)
            return when.timestamp()
        try:
            return float(text)
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
    text = _plain(verdict.get("verdict")) or "?"
    if verdict.get("reason"):
        text += ": " + _plain(verdict.get("reason"))
    return text


def svg_timeline(incidents, width=900):
    """OOM incidents on a time axis: one circle per kill, area ~ victim anon RSS."""
    drawn = [i for i in incidents[:MAX_TIMELINE] if isinstance(i, dict)]
    h, left, right, axis_y = 150, 40, 40, 110
    times = [parse_time(i.get("time")) for i in drawn]
    known = [t for t in times if t is not None]
    lo, hi = (min(known), max(known)) if known else (0.0, 0.0)
    parts = ['<svg class="chart timeline" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'viewBox="0 0 %d %d" role="img" aria-label="OOM incident timeline">' % (width, h, width, h)]
    parts.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#9ca3af" stroke-width="1"/>'
                 % (left, axis_y, width - right, axis_y))
    rss = [_num(_victim(i).get("anon_rss_kb")) for i in drawn]
    max_rss = max([r for r in rss if r] + [1])
    span = (width - left - right)
    for n, incident in enumerate(drawn):
        t = times[n]
        if t is not None and hi > lo:
            x = left + span * (t - lo) / (hi - lo)
        elif len(drawn) > 1:
            x = left + span * n / float(len(drawn) - 1)
        else:
            x = left + span / 2.0
        radius = 4 + 16 * math.sqrt((rss[n] or 0) / float(max_rss))
        victim = _victim(incident)
        name = victim.get("name") or "?"
        tip = "%s | victim %s (pid %s) anon-rss %s kB | trigger %s | %s" % (
            _plain(incident.get("time")), _plain(name), _plain(victim.get("pid")),
            _plain(victim.get("anon_rss_kb")), trigger_text(incident.get("trigger")),
            verdict_text(incident.get("verdict")))
        y = axis_y - 20 - (n % 3) * 22
        parts.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e5e7eb"/>' % (x, axis_y, x, y))
        parts.append('<circle class="incident" cx="%.1f" cy="%d" r="%.1f" fill="#dc2626" fill-opacity="0.6" '
                     'stroke="#7f1d1d"><title>%s</title></circle>' % (x, y, radius, esc(tip)))
        if len(drawn) <= 30:
            parts.append('<text x="%.1f" y="%d" text-anchor="middle" font-size="10" fill="#111827">%s</text>'
                         % (x, axis_y + 14 + (n % 2) * 12, esc(_short(name, 16))))
    if known:
        parts.append('<text x="%d" y="%d" font-size="10" fill="#6b7280">%s</text>'
                     % (left, h - 4, esc(_fmt_time(lo))))
        parts.append('<text x="%d" y="%d" text-anchor="end" font-size="10" fill="#6b7280">%s</text>'
                     % (width - right, h - 4, esc(_fmt_time(hi))))
    parts.append('</svg>')
    return "".join(parts)


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


def _short(text, n):
    text = _plain(text)
    return text if len(text) <= n else text[:n - 1] + "\u2026"


# --- host page ---------------------------------------------------------------------------

def _evidence_cell(evidence):
    if not evidence:
        return '<span class="muted">-</span>'
    items = []
    for key in sorted(evidence)[:12]:
        items.append('<div><code>%s</code>: %s</div>' % (esc(key), esc(_short(evidence[key], 200))))
    return "".join(items)


def _evidence_table(findings, fam_names, title):
    rows = [f for f in findings if family(f.get("id")) in fam_names and f.get("status") in ("fail", "error")]
    out = ['<section class="evidence" id="ev-%s"><h2>%s</h2>' % (esc("-".join(fam_names)), esc(title))]
    if not rows:
        out.append('<p class="muted">No failed or errored %s checks.</p></section>' % esc(title.split()[0]))
        return "".join(out)
    out.append('<table><thead><tr><th>ID</th><th>Severity</th><th>Status</th><th>Subject</th>'
               '<th>Evidence</th></tr></thead><tbody>')
    for f in rows[:MAX_EVIDENCE_ROWS]:
        out.append('<tr><td><code>%s</code></td><td>%s</td><td>%s</td><td class="subject">%s<div class="muted">%s</div></td>'
                   '<td>%s</td></tr>' % (esc(f.get("id")), sev_badge(f.get("severity")), status_text(f.get("status")),
                                         esc(f.get("subject")), esc(f.get("title")), _evidence_cell(f.get("evidence") or {})))
    out.append('</tbody></table>')
    if len(rows) > MAX_EVIDENCE_ROWS:
        out.append('<p class="muted">%d more rows in the JSON report.</p>' % (len(rows) - MAX_EVIDENCE_ROWS))
    out.append('</section>')
    return "".join(out)


def _lynis_category_table(groups):
    """Findings grouped by Lynis category (report["lynis_categories"]), in Lynis's order."""
    out = ['<section id="lynis-categories"><h2>By Lynis category</h2><table><thead><tr>'
           '<th>Category</th><th>Fail</th><th>Pass</th><th>Skip</th><th>Error</th><th>Failed checks</th>'
           '</tr></thead><tbody>']
    for group in groups:
        counts = group.get("counts") or {}
        out.append('<tr class="lynis-category"><td><code>%s</code> %s</td><td>%s</td><td>%s</td><td>%s</td>'
                   '<td>%s</td><td>%s</td></tr>' % (
                       esc(group.get("category")), esc(group.get("title")), esc(counts.get("fail", 0)),
                       esc(counts.get("pass", 0)), esc(counts.get("skip", 0)), esc(counts.get("error", 0)),
                       esc(", ".join(str(i) for i in group.get("failed") or []))))
    out.append('</tbody></table></section>')
    return "".join(out)


def area_counts(findings):
    """``[(family, {status: n})]`` sorted by family name."""
    counts = {}
    for f in findings:
        c = counts.setdefault(family(f.get("id")), dict((s, 0) for s in STATUSES))
        status = f.get("status") if f.get("status") in STATUSES else "error"
        c[status] += 1
    return sorted(counts.items())


def render_host_html(report, links=None):
    """The page for one host report. ``links``: optional {label: relative href} (e.g. JSON, JUnit)."""
    findings = sort_findings([f for f in report.get("findings") or [] if isinstance(f, dict)])
    summary = report.get("summary") or {}
    fail = summary.get("fail_by_severity") or {}
    by_status = summary.get("by_status") or {}
    host = report.get("host", "unknown")
    body = []
    body.append('<section><div class="cards">%s%s%s%s%s%s</div></section>' % (
        card(summary.get("hardening_index") if summary.get("hardening_index") is not None else "n/a", "hardening index"),
        card(summary.get("worst_severity") or "none", "worst failed severity"),
        card(by_status.get("fail", 0), "failed"), card(by_status.get("pass", 0), "passed"),
        card(by_status.get("error", 0), "errors"), card(summary.get("total", len(findings)), "check results")))
    charts = ['<figure id="chart-index"><figcaption>Hardening index</figcaption>%s</figure>'
              % svg_gauge(summary.get("hardening_index")),
              '<figure id="chart-severity"><figcaption>Failed findings by severity</figcaption>%s</figure>'
              % svg_bars([(s, int(fail.get(s, 0) or 0), SEV_COLORS[s]) for s in SEVERITIES], "failed by severity"),
              '<figure id="chart-area"><figcaption>Results by check family</figcaption>%s</figure>'
              % svg_stacked(area_counts(findings), "results by area")]
    body.append('<section><h2>Overview</h2><div class="charts">%s</div></section>' % "".join(charts))

    incidents = (((report.get("facts") or {}).get("oomlog") or {}).get("incidents") or [])
    incidents = [i for i in incidents if isinstance(i, dict)]
    body.append('<section id="oom-timeline"><h2>OOM incidents (%d)</h2>' % len(incidents))
    if incidents:
        body.append('<div class="charts"><figure><figcaption>Timeline (circle area ~ victim anon RSS)'
                    '</figcaption>%s</figure></div>' % svg_timeline(incidents))
        if len(incidents) > MAX_TIMELINE:
            body.append('<p class="muted">First %d of %d incidents drawn.</p>' % (MAX_TIMELINE, len(incidents)))
        body.append('<table><thead><tr><th>Time</th><th>Trigger</th><th>Victim</th><th class="num">PID</th>'
                    '<th class="num">anon RSS kB</th><th>Verdict</th></tr></thead><tbody>')
        for inc in incidents[:MAX_INCIDENT_ROWS]:
            v = _victim(inc)
            body.append('<tr><td>%s</td><td>%s</td><td class="subject">%s</td><td class="num">%s</td>'
                        '<td class="num">%s</td><td>%s</td></tr>' % (
                            esc(_plain(inc.get("time"))), esc(_short(trigger_text(inc.get("trigger")), 120)),
                            esc(_plain(v.get("name"))), esc(_plain(v.get("pid"))), esc(_plain(v.get("anon_rss_kb"))),
                            esc(_short(verdict_text(inc.get("verdict")), 240))))
        body.append('</tbody></table>')
    else:
        body.append('<p class="muted">No OOM kill found in the kernel logs read.</p>')
    body.append('</section>')

    body.append(_evidence_table(findings, ("cron",), "Cron and rc.d evidence"))
    body.append(_evidence_table(findings, ("redis",), "Redis evidence"))

    body.append(_lynis_category_table(report.get("lynis_categories") or group_by_category(findings)))

    body.append('<section id="findings"><h2>All check results (%d)</h2><table><thead><tr><th>Status</th>'
                '<th>Severity</th><th>ID</th><th>Title / subject</th><th>Details</th></tr></thead><tbody>'
                % len(findings))
    for f in findings:
        refs = f.get("references") or {}
        ref_text = ", ".join("%s: %s" % (esc(k), esc(refs[k])) for k in sorted(refs))
        details = ['<details><summary>evidence</summary><pre>%s</pre>' % esc(
            json.dumps(f.get("evidence") or {}, indent=2, sort_keys=True, ensure_ascii=False))]
        if f.get("detail"):
            details.append('<div><b>detail:</b> %s</div>' % esc(f.get("detail")))
        if f.get("waiver"):
            details.append('<div><b>waiver:</b> %s</div>' % esc(waiver_message(f)))
        details.append('<div><b>remediation:</b> %s</div>' % esc(f.get("remediation")))
        if ref_text:
            details.append('<div><b>references:</b> %s</div>' % ref_text)
        if f.get("related"):
            details.append('<div><b>related:</b> %s</div>' % esc(", ".join(str(r) for r in f["related"])))
        details.append('</details>')
        body.append('<tr class="finding st-row-%s"><td>%s</td><td>%s</td><td><code>%s</code></td>'
                    '<td>%s<div class="subject muted">%s</div></td><td>%s</td></tr>' % (
                        esc(f.get("status")), status_text(f.get("status")), sev_badge(f.get("severity")),
                        esc(f.get("id")), esc(f.get("title")), esc(f.get("subject")), "".join(details)))
    body.append('</tbody></table></section>')

    timings = report.get("timings") or {}
    body.append('<section id="timings"><h2>Timings and errors</h2><table><thead><tr><th>Area</th>'
                '<th class="num">Seconds</th></tr></thead><tbody>')
    for area in sorted(timings):
        value = timings[area]
        body.append('<tr><td>%s</td><td class="num">%s</td></tr>' % (
            esc(area), esc("%.3f" % value if isinstance(value, (int, float)) else "-")))
    body.append('</tbody></table>')
    errors = report.get("errors") or []
    if errors:
        body.append('<h2>Audit errors (%d)</h2><pre>%s</pre>' % (len(errors), esc(
            json.dumps(errors, indent=2, sort_keys=True, ensure_ascii=False))))
    if links:
        body.append('<p>%s</p>' % " | ".join('<a href="%s">%s</a>' % (esc(href), esc(label))
                                             for label, href in sorted(links.items())))
    body.append('</section>')
    subtitle = "generated %s | hostguard %s | areas: %s" % (
        report.get("generated_at", "?"), report.get("hostguard_version", "?"),
        ", ".join(str(a) for a in report.get("areas") or []))
    return page("hostguard report: %s" % host, subtitle, "".join(body))


# --- fleet page --------------------------------------------------------------------------

FLEET_JS = r"""
(function () {
  'use strict';
  var table = document.getElementById('hosts');
  if (!table) { return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var filter = document.getElementById('host-filter');
  var sizeSel = document.getElementById('page-size');
  var info = document.getElementById('page-info');
  var prev = document.getElementById('page-prev');
  var next = document.getElementById('page-next');
  var page = 0, sortCol = -1, sortDir = 1, visible = rows;
  function val(row, col) {
    var cell = row.cells[col];
    var v = cell.getAttribute('data-v');
    if (v === null) { v = cell.textContent; }
    var n = parseFloat(v);
    return isNaN(n) ? v.toLowerCase() : n;
  }
  function render() {
    var size = parseInt(sizeSel.value, 10) || rows.length;
    var pages = Math.max(1, Math.ceil(visible.length / size));
    if (page >= pages) { page = pages - 1; }
    if (page < 0) { page = 0; }
    var start = page * size, end = start + size;
    rows.forEach(function (r) { r.hidden = true; });
    visible.forEach(function (r, i) { r.hidden = !(i >= start && i < end); });
    info.textContent = 'page ' + (page + 1) + ' of ' + pages + ' (' + visible.length + ' of ' + rows.length + ' hosts)';
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }
  function apply() {
    var q = filter.value.trim().toLowerCase();
    visible = rows.filter(function (r) { return !q || r.textContent.toLowerCase().indexOf(q) !== -1; });
    if (sortCol >= 0) {
      visible.sort(function (a, b) {
        var x = val(a, sortCol), y = val(b, sortCol);
        if (typeof x !== typeof y) { x = String(x); y = String(y); }
        return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
      });
      visible.forEach(function (r) { tbody.appendChild(r); });
    }
    render();
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.classList.add('sortable');
    th.addEventListener('click', function () {
      sortDir = (sortCol === col) ? -sortDir : (th.classList.contains('num') ? -1 : 1);
      sortCol = col;
      apply();
    });
  });
  filter.addEventListener('input', function () { page = 0; apply(); });
  sizeSel.addEventListener('change', function () { page = 0; render(); });
  prev.addEventListener('click', function () { page -= 1; render(); });
  next.addEventListener('click', function () { page += 1; render(); });
  document.body.setAttribute('data-fleet-ready', String(rows.length));
  apply();
})();
"""


def svg_histogram(values, label, width=360, bins=10):
    """Hosts per hardening-index decile."""
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, max(0, int(v) * bins // 100))] += 1
    h, bottom, left = 160, 24, 30
    top = max(counts + [1])
    bw = (width - left - 10) / float(bins)
    parts = ['<svg class="chart histogram" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'viewBox="0 0 %d %d" role="img" aria-label="%s">' % (width, h, width, h, esc(label))]
    for i, n in enumerate(counts):
        bh = (h - bottom - 16) * n / float(top)
        x = left + i * bw
        color = "#dc2626" if i < 5 else ("#f59e0b" if i < 8 else "#16a34a")
        parts.append('<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s">'
                     '<title>index %d-%d: %d host(s)</title></rect>' % (
                         x + 1, h - bottom - bh, bw - 2, bh, color, i * 10, i * 10 + 9 if i < bins - 1 else 100, n))
        if n:
            parts.append('<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%d</text>'
                         % (x + bw / 2, h - bottom - bh - 3, n))
        parts.append('<text x="%.1f" y="%d" text-anchor="middle" font-size="10" fill="#6b7280">%d</text>'
                     % (x + bw / 2, h - 8, i * 10))
    parts.append('</svg>')
    return "".join(parts)


def svg_trend(points, width=420):
    """Mean hardening index per run (``points``: [(run_id, mean or None)])."""
    pts = [(r, m) for r, m in points if isinstance(m, (int, float))]
    h, left, right, top_pad, bottom = 160, 30, 10, 10, 24
    parts = ['<svg class="chart trend" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'viewBox="0 0 %d %d" role="img" aria-label="mean hardening index per run">' % (width, h, width, h)]
    parts.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#9ca3af"/>' % (left, h - bottom, width - right, h - bottom))
    coords = []
    for i, (run_id, mean) in enumerate(pts):
        x = left + (width - left - right) * (i / float(len(pts) - 1) if len(pts) > 1 else 0.5)
        y = h - bottom - (h - bottom - top_pad) * max(0.0, min(100.0, float(mean))) / 100.0
        coords.append((x, y, run_id, mean))
    if len(coords) > 1:
        parts.append('<polyline fill="none" stroke="#2563eb" stroke-width="2" points="%s"/>'
                     % " ".join("%.1f,%.1f" % (x, y) for x, y, _run_id, _mean in coords))
    for x, y, run_id, mean in coords:
        parts.append('<circle class="point" cx="%.1f" cy="%.1f" r="3.5" fill="#2563eb"><title>%s: %s</title></circle>'
                     % (x, y, esc(run_id), esc(mean)))
    for v in (0, 50, 100):
        y = h - bottom - (h - bottom - top_pad) * v / 100.0
        parts.append('<text x="%d" y="%.1f" text-anchor="end" font-size="10" fill="#6b7280">%d</text>' % (left - 4, y + 3, v))
    parts.append('</svg>')
    return "".join(parts)


def _change_list(changes, total, css, title):
    out = ['<details%s><summary class="%s">%s: %d</summary>' % (" open" if 0 < total <= 20 else "", css, esc(title), total)]
    if changes:
        out.append('<table><thead><tr><th>Host</th><th>Severity</th><th>ID</th><th>Title</th><th>Subject</th>'
                   '</tr></thead><tbody>')
        for c in changes[:MAX_CHANGE_ROWS]:
            out.append('<tr><td>%s</td><td>%s</td><td><code>%s</code></td><td>%s</td><td class="subject">%s</td></tr>'
                       % (esc(c["host"]), sev_badge(c["severity"]), esc(c["id"]), esc(c["title"]), esc(c["subject"])))
        out.append('</tbody></table>')
        if total > MAX_CHANGE_ROWS:
            out.append('<p class="muted">%d more in fleet.json.</p>' % (total - MAX_CHANGE_ROWS))
    out.append('</details>')
    return "".join(out)


def render_fleet_html(summary, trend=None):
    """The fleet page. ``trend``: optional [(run_id, mean index)] of kept runs, oldest first."""
    t = summary["totals"]
    gate = summary["gate"]
    diff = summary["diff"]
    body = []
    idx = t["hardening_index"]
    body.append('<section><div class="cards">%s%s%s%s%s%s%s</div></section>' % (
        card(t["hosts"], "hosts"), card(t["hosts_ok"], "with a valid report"),
        card(t["hosts_missing"] + t["hosts_invalid"] + t.get("hosts_unreachable", 0) + t.get("hosts_failed", 0),
             "missing / invalid / unreachable / failed"),
        card(idx["mean"] if idx["mean"] is not None else "n/a", "mean hardening index"),
        card(idx["min"] if idx["min"] is not None else "n/a", "lowest index"),
        card(diff["new_count"], "new failures"), card(diff["resolved_count"], "resolved")))
    body.append('<section id="gate"><h2>Gate: %s</h2><p>%s</p></section>' % (
        "FAILED" if gate["failed"] else "passed", esc(gate["reason"])))
    indexes = [h["hardening_index"] for h in summary["hosts"] if isinstance(h.get("hardening_index"), int)]
    charts = [
        '<figure id="chart-fleet-severity"><figcaption>Failed findings by severity (all hosts)</figcaption>%s</figure>'
        % svg_bars([(s, t["fail_by_severity"].get(s, 0), SEV_COLORS[s]) for s in SEVERITIES], "failed by severity"),
        '<figure id="chart-worst"><figcaption>Hosts by worst failed severity</figcaption>%s</figure>'
        % svg_bars([(s, t["hosts_by_worst"].get(s, 0), SEV_COLORS.get(s, "#16a34a")) for s in SEVERITIES + ("none",)],
                   "hosts by worst severity"),
        '<figure id="chart-index-hist"><figcaption>Hosts per hardening index</figcaption>%s</figure>'
        % svg_histogram(indexes, "hardening index histogram"),
    ]
    if trend:
        charts.append('<figure id="chart-trend"><figcaption>Mean hardening index per run</figcaption>%s</figure>'
                      % svg_trend(trend))
    body.append('<section><h2>Overview</h2><div class="charts">%s</div></section>' % "".join(charts))

    if summary.get("previous_run_id"):
        body.append('<section id="diff"><h2>Since the previous run (%s)</h2>%s%s%s</section>' % (
            esc(summary["previous_run_id"]),
            _change_list(diff["new"], diff["new_count"], "new", "New failures"),
            _change_list(diff["resolved"], diff["resolved_count"], "resolved", "Resolved"),
            _change_list(diff["not_checked"], diff["not_checked_count"], "muted",
                         "Not checked this run (host absent or invalid)")))
    else:
        body.append('<section id="diff"><h2>Since the previous run</h2><p class="muted">First run: '
                    'nothing to compare with.</p></section>')

    ranked = summary["ranked_findings"]
    body.append('<section id="ranked"><h2>Failed checks ranked across hosts (%d)</h2>' % len(ranked))
    body.append('<table><thead><tr><th>Severity</th><th>ID</th><th>Title</th><th class="num">Hosts</th>'
                '<th class="num">Occurrences</th><th>Hosts</th></tr></thead><tbody>')
    for r in ranked:
        names = ", ".join(r["host_names"])
        if r.get("host_names_truncated"):
            names += " and %d more" % r["host_names_truncated"]
        body.append('<tr><td>%s</td><td><code>%s</code></td><td>%s</td><td class="num">%d</td><td class="num">%d</td>'
                    '<td><details><summary>%d host(s)</summary>%s</details></td></tr>' % (
                        sev_badge(r["severity"]), esc(r["id"]), esc(r["title"]), r["hosts"], r["occurrences"],
                        r["hosts"], esc(names)))
    body.append('</tbody></table></section>')

    body.append('<section id="host-list"><h2>Hosts (%d)</h2><div class="pager">'
                '<input type="search" id="host-filter" placeholder="filter hosts, severities..." aria-label="filter">'
                '<label>per page <select id="page-size"><option>25</option><option selected>50</option>'
                '<option>100</option><option value="0">all</option></select></label>'
                '<button type="button" id="page-prev">&lt; prev</button><span id="page-info"></span>'
                '<button type="button" id="page-next">next &gt;</button></div>' % t["hosts"])
    body.append('<table id="hosts"><thead><tr><th>Host</th><th>State</th><th class="num">Index</th><th>Worst</th>')
    body.append("".join('<th class="num">%s</th>' % s for s in SEVERITIES))
    body.append('<th class="num">Errors</th><th class="num">New</th><th class="num">Resolved</th><th>Reports</th>'
                '</tr></thead><tbody>')
    worst_rank = dict((s, i) for i, s in enumerate(SEVERITIES))
    for h in summary["hosts"]:
        files = h.get("files") or {}
        link = ('<a href="%s">%s</a>' % (esc(files["html"]), esc(h["host"]))) if files.get("html") else esc(h["host"])
        others = " ".join('<a href="%s">%s</a>' % (esc(files[k]), esc(k)) for k in ("json", "junit") if files.get(k))
        state = esc(h["state"])
        if h.get("problems"):
            state = '<span class="state-%s" title="%s">%s</span>' % (esc(h["state"]), esc("; ".join(h["problems"])),
                                                                     esc(h["state"]))
        body.append('<tr><td class="subject">%s</td><td>%s</td><td class="num" data-v="%s">%s</td><td data-v="%s">%s</td>' % (
            link, state, esc(h["hardening_index"] if h["hardening_index"] is not None else -1),
            esc(h["hardening_index"] if h["hardening_index"] is not None else "n/a"),
            worst_rank.get(h["worst"], 9), sev_badge(h["worst"]) if h["worst"] else '<span class="muted">none</span>'))
        body.append("".join('<td class="num">%d</td>' % int(h["fail_by_severity"].get(s, 0) or 0) for s in SEVERITIES))
        body.append('<td class="num">%d</td><td class="num new">%d</td><td class="num resolved">%d</td><td>%s</td></tr>' % (
            int(h.get("errors") or 0), h["new"], h["resolved"], others))
    body.append('</tbody></table><noscript><p class="muted">Sorting, filtering and paging need JavaScript; '
                'every host is listed above.</p></noscript></section>')
    subtitle = "run %s | generated %s | %d host(s)" % (summary["run_id"], summary["generated_at"], t["hosts"])
    return page("hostguard fleet summary", subtitle, "".join(body), script=FLEET_JS)
