"""The HTML pages come from autoescaped Jinja2 templates: hostile host data stays text."""
import os
import re
from html.parser import HTMLParser

import pytest
from jinja2 import UndefinedError

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import Check
from ansible_collections.hostguard.hardening.plugins.plugin_utils import fleet, render_html
from ansible_collections.hostguard.hardening.plugins.plugin_utils.report import build_report

HOSTILE_SUBJECT = '/etc/cron.d/<script>alert(1)</script>" onload="alert(2)'
HOSTILE_EVIDENCE = {'"onload=alert(3) x="': "<script>alert(4)</script>", "line": "' onmouseover='alert(5)"}
CHECK = Check("HG-CRON-001", "Cron spool file is not named after a user", "high", "cron", ["/var/spool/cron"],
              "Quarantine the file", {"lynis": "SCHD-7704"})


class Collector(HTMLParser):
    def __init__(self):
        HTMLParser.__init__(self, convert_charrefs=True)
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def parse(html):
    collector = Collector()
    collector.feed(html)
    return collector


def hostile_report():
    finding = CHECK.fail(HOSTILE_SUBJECT, HOSTILE_EVIDENCE)
    return build_report({"findings": [finding], "areas": ["cron"]}, '<script>alert(6)</script>"onload=',
                        generated_at="2026-12-01T00:00:00Z")


def test_hostile_subject_and_evidence_come_out_escaped():
    html = render_html.render_host_html(hostile_report())
    page = parse(html)
    # no element or handler was injected: the only script-ish things are the page's own
    assert [t for t, _a in page.tags if t == "script"] == []
    assert not [(t, name) for t, attrs in page.tags for name in attrs if name.startswith("on")]
    assert "<script>alert" not in html and '" onload="' not in html and "' onmouseover='" not in html
    # ... and the hostile strings are all there, as text
    text = "".join(page.text)
    assert HOSTILE_SUBJECT in text
    assert '"onload=alert(3) x="' in text and "<script>alert(4)</script>" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34; onload=&#34;alert(2)" in html
    assert "&#39; onmouseover=&#39;alert(5)" in html


def test_hostile_host_name_in_the_fleet_page_is_escaped():
    report = hostile_report()
    entries = [{"host": report["host"], "state": "ok", "report": report},
               {"host": '"><svg onload=alert(7)>', "state": "missing", "report": None, "problems": ['"><b onclick=x>']}]
    summary = fleet.build_summary(entries, "20261201T000000Z", "2026-12-01T00:00:00Z",
                                  files_by_host={report["host"]: {"html": '"><i onfocus=x>.html'}})
    html = render_html.render_fleet_html(summary)
    page = parse(html)
    assert len([t for t, _a in page.tags if t == "script"]) == 1
    assert not [(t, name) for t, attrs in page.tags for name in attrs if name.startswith("on")]
    assert [a["href"] for t, a in page.tags if t == "a"] == ['"><i onfocus=x>.html']
    assert '"><svg onload=alert(7)>' in "".join(page.text)


def test_lone_surrogates_become_text_not_a_crash():
    finding = CHECK.fail("/x\udcff", {"name": "a\ud800b"})
    html = render_html.render_host_html(build_report({"findings": [finding]}, "h", generated_at="2026-12-01T00:00:00Z"))
    html.encode("utf-8")
    assert "/x\\udcff" in html


def test_environment_autoescapes_and_refuses_undefined_names():
    env = render_html.environment()
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    with pytest.raises(UndefinedError):
        env.from_string("{{ missing }}").render()


def test_templates_never_mark_data_safe():
    names = sorted(os.listdir(render_html.TEMPLATES))
    assert {"page.html.j2", "host.html.j2", "fleet.html.j2", "charts.html.j2", "macros.html.j2"} <= set(names)
    for name in names:
        with open(os.path.join(render_html.TEMPLATES, name), encoding="utf-8") as handle:
            source = handle.read()
        assert not re.search(r"\|\s*safe\b|autoescape\s+false|Markup\(", source), name


def test_csp_hashes_the_inline_style_and_script_the_page_carries():
    import base64
    import hashlib
    summary = fleet.build_summary([], "20261201T000000Z", "2026-12-01T00:00:00Z")
    html = render_html.render_fleet_html(summary)
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    script = re.search(r"<script>(.*?)</script>", html, re.S).group(1)
    csp = [a["content"] for t, a in parse(html).tags if t == "meta" and a.get("http-equiv")][0]
    for body in (style, script):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        assert "'sha256-%s'" % digest in csp
    assert csp.startswith("default-src 'none'; ")
