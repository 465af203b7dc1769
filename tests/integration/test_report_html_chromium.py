"""Open the generated host and fleet pages in real headless Chromium (Debian ``chromium``).

Chromium is driven over the DevTools protocol on ``--remote-debugging-pipe`` (fd 3 in, fd 4
out, NUL-separated JSON): no TCP port, no websocket client needed. For each page we check:
- it renders (a full-page screenshot PNG is kept in tests/output/ as an artifact);
- the charts are drawn: SVG charts present with non-zero boxes, bars with width, the gauge
  arc with a length, OOM incident circles;
- the console has no error: Runtime.consoleAPICalled error/warning, Runtime.exceptionThrown,
  Log.entryAdded at error level (CSP violations land here), no JavaScript dialog (alert());
- no network request leaves the page: every Network.requestWillBeSent URL is file:, data:
  or about:, DNS is mapped to nothing (--host-resolver-rules) and no src/href in the DOM is
  an http(s) URL.
Chromium missing is a failure, not a skip (scripts/install-system-deps.sh installs it).
"""
import base64
import datetime
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import reportgen  # noqa: E402

from ansible_collections.hostguard.hardening.plugins.plugin_utils import publish  # noqa: E402

pytestmark = pytest.mark.real

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUTPUT = os.path.join(REPO, "tests", "output")
SAFETY_SECONDS = 120   # a bound on waiting, not a performance assertion
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--remote-debugging-pipe"]


class Chromium(object):
    """A headless Chromium with a DevTools pipe; one page session."""

    def __init__(self, binary, user_data_dir):
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire():
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([binary] + FLAGS + ["--user-data-dir=%s" % user_data_dir, "about:blank"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.stderr,
                                     preexec_fn=wire, pass_fds=(3, 4), start_new_session=True)
        os.close(to_child_r)
        os.close(from_child_w)
        self._buf = b""
        self._next_id = 0
        self.events = []
        self.session = None

    def close(self):
        try:
            if self.proc.poll() is None:
                try:
                    self.send("Browser.close", session=False, wait=False)
                except OSError:
                    pass
                try:
                    self.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait(timeout=15)
        finally:
            for fd in (self._to_child, self._from_child):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.stderr.close()

    def _read_message(self, deadline):
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no DevTools message within %ds" % SAFETY_SECONDS)
            ready, _writable, _errored = select.select([self._from_child], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    raise AssertionError("chromium closed the DevTools pipe (exit %s)" % self.proc.poll())
                self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw.decode("utf-8"))

    def send(self, method, params=None, session=True, wait=True):
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self._to_child, json.dumps(msg).encode("utf-8") + b"\0")
        if not wait:
            return None
        deadline = time.monotonic() + SAFETY_SECONDS
        for _message in range(100000):
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise AssertionError("%s failed: %s" % (method, reply["error"]))
                return reply.get("result", {})
            self.events.append(reply)
        raise AssertionError("no reply to %s" % method)

    def wait_event(self, method):
        deadline = time.monotonic() + SAFETY_SECONDS
        for event in self.events:
            if event.get("method") == method:
                return event
        for _message in range(100000):
            event = self._read_message(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event
        raise AssertionError("no %s event" % method)

    def open_page(self):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(domain + ".enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": False})

    def navigate(self, url):
        self.events = []
        self.send("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")
        # one more round trip so late console events are delivered before we look
        self.evaluate("document.readyState")

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise AssertionError("page script failed: %s" % result["exceptionDetails"])
        return result["result"].get("value")

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})["data"]
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(data))
        return path

    def problems(self):
        """Console errors, exceptions, dialogs and non-local requests seen since navigate()."""
        out = []
        for ev in self.events:
            method, params = ev.get("method"), ev.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                out.append("console %s: %s" % (params["type"], params.get("args")))
            elif method == "Runtime.exceptionThrown":
                out.append("exception: %s" % params.get("exceptionDetails"))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                out.append("log: %s" % params["entry"].get("text"))
            elif method == "Page.javascriptDialogOpening":
                out.append("dialog: %s" % params.get("message"))
            elif method == "Network.requestWillBeSent":
                url = params.get("request", {}).get("url", "")
                if not url.split(":", 1)[0] in ("file", "data", "about"):
                    out.append("network request: %s" % url)
        return out

    def requests(self):
        return [ev["params"]["request"]["url"] for ev in self.events if ev.get("method") == "Network.requestWillBeSent"]


CHART_PROBE = r"""
(() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
  const charts = Array.from(document.querySelectorAll('svg.chart')).map(
      e => ({cls: e.getAttribute('class'), size: box(e)}));
  const bars = Array.from(document.querySelectorAll('svg rect.bar')).filter(r => r.getBBox().width > 0).length;
  const gauge = Array.from(document.querySelectorAll('svg path.gauge-value')).map(p => p.getTotalLength());
  const incidents = Array.from(document.querySelectorAll('svg circle.incident')).filter(c => c.r.baseVal.value > 0).length;
  const external = Array.from(document.querySelectorAll('[src],[href]')).map(
      e => e.getAttribute('src') || e.getAttribute('href')).filter(u => /^\s*(https?:)?\/\//i.test(u));
  return {charts, bars, gauge, incidents, external, scripts: document.scripts.length,
          hostileTags: document.querySelectorAll('img, iframe, object, embed').length,
          xssFlag: typeof window.__hg_xss !== 'undefined'};
})()
"""


@pytest.fixture(scope="module")
def chromium_binary():
    binary = shutil.which("chromium")
    assert binary, "Debian package 'chromium' is not installed: run scripts/install-system-deps.sh"
    return binary


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Two runs over 500 synthetic hosts + a hostile host + one with OOM incidents."""
    report_dir = tmp_path_factory.mktemp("reports-html")
    hosts = ["node%04d.example" % i for i in range(500)]

    def write(host, report):
        with open(os.path.join(str(report_dir), host + ".json"), "w") as handle:
            json.dump(report, handle)
    for run in range(2):
        for i, host in enumerate(hosts):
            write(host, reportgen.make_report(host, run, fail_rate=(i % 10) / 12.0))
        write("oom.example", reportgen.make_report("oom.example", 0, fail_rate=0.5, n_incidents=12))
        write("evil.example", reportgen.hostile_report("evil.example"))
        when = datetime.datetime(2026, 11, 22, 10, run, 0, tzinfo=datetime.timezone.utc)
        out = publish.publish(str(report_dir), hosts + ["oom.example", "evil.example", "down.example"],
                              fail_on="high", keep_runs=5, when=when)
    assert out["previous_run_id"] and out["new_count"] > 0 and out["resolved_count"] > 0
    run_dir = out["run_dir"]
    return {"fleet": os.path.join(run_dir, "fleet.html"),
            "oom": os.path.join(run_dir, "hosts", "oom.example.html"),
            "evil": os.path.join(run_dir, "hosts", "evil.example.html")}


@pytest.fixture
def browser(chromium_binary):
    user_data = tempfile.mkdtemp(prefix="reports-chromium-")
    chrome = Chromium(chromium_binary, user_data)
    try:
        chrome.open_page()
        yield chrome
    finally:
        chrome.close()
        shutil.rmtree(user_data, ignore_errors=True)


def check_page(browser, path, name):
    browser.navigate("file://" + path)
    os.makedirs(OUTPUT, exist_ok=True)
    shot = browser.screenshot(os.path.join(OUTPUT, "report-%s.png" % name))
    with open(shot, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    assert os.path.getsize(shot) > 10000
    probe = browser.evaluate(CHART_PROBE)
    assert probe["charts"], "no SVG chart in %s" % name
    for chart in probe["charts"]:
        assert chart["size"][0] > 0 and chart["size"][1] > 0, chart
    assert probe["bars"] > 0
    assert probe["external"] == []
    assert probe["hostileTags"] == 0 and not probe["xssFlag"]
    assert browser.problems() == []
    assert browser.requests() and all(u.startswith("file://") for u in browser.requests())
    return probe


def test_host_page_renders_with_charts(browser, pages):
    probe = check_page(browser, pages["oom"], "host")
    assert probe["scripts"] == 0
    assert probe["incidents"] == 12
    assert len(probe["gauge"]) == 1 and probe["gauge"][0] > 0
    assert {"chart gauge", "chart bars", "chart stacked", "chart timeline"} <= set(c["cls"] for c in probe["charts"])


def test_hostile_host_page_is_inert(browser, pages):
    probe = check_page(browser, pages["evil"], "host-hostile")
    assert probe["scripts"] == 0
    text = browser.evaluate("document.body.innerText")
    assert "<script>alert(1)</script>" in text          # shown as text, not run
    assert browser.evaluate("document.querySelectorAll('script, img, svg[onload]').length") == 0


def test_fleet_page_paginates_500_hosts(browser, pages):
    probe = check_page(browser, pages["fleet"], "fleet")
    assert probe["scripts"] == 1
    assert browser.evaluate("document.body.getAttribute('data-fleet-ready')") == "503"
    visible = "Array.from(document.querySelectorAll('#hosts tbody tr')).filter(r => !r.hidden).length"
    first = "Array.from(document.querySelectorAll('#hosts tbody tr')).find(r => !r.hidden).cells[0].textContent"
    assert browser.evaluate(visible) == 50
    assert browser.evaluate("document.getElementById('page-info').textContent").startswith("page 1 of 11")
    page1 = browser.evaluate(first)
    browser.evaluate("document.getElementById('page-next').click()")
    assert browser.evaluate("document.getElementById('page-info').textContent").startswith("page 2 of 11")
    assert browser.evaluate(first) != page1
    # sort by index, ascending then filter: the script works on real data
    browser.evaluate("document.querySelectorAll('#hosts thead th')[2].click()")
    browser.evaluate("document.querySelectorAll('#hosts thead th')[2].click()")
    idx = browser.evaluate("Array.from(document.querySelectorAll('#hosts tbody tr')).filter(r => !r.hidden)"
                           ".map(r => parseFloat(r.cells[2].getAttribute('data-v')))")
    assert idx == sorted(idx) and len(idx) == 50
    browser.evaluate("const f = document.getElementById('host-filter'); f.value = 'evil.example';"
                     "f.dispatchEvent(new Event('input'))")
    assert browser.evaluate(visible) == 1
    assert browser.problems() == []


def test_probes_catch_a_bad_page(browser, tmp_path):
    """The checks above can fail: a page with a console error, an exception, an external
    image and an alert() is caught by every probe."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><body><svg class="chart" width="10" height="10"><rect class="bar" '
                   'width="5" height="5"/></svg><img src="http://example.invalid/x.png">'
                   '<script>console.error("boom"); alert(1); undefinedCall();</script></body></html>')
    browser.send("Page.navigate", {"url": "file://%s" % bad})
    browser.wait_event("Page.javascriptDialogOpening")
    browser.send("Page.handleJavaScriptDialog", {"accept": True})
    browser.wait_event("Page.loadEventFired")
    problems = "\n".join(browser.problems())
    assert "console error" in problems and "exception" in problems and "dialog" in problems
    assert "network request: http://example.invalid/x.png" in problems
    assert browser.evaluate(CHART_PROBE)["external"] == ["http://example.invalid/x.png"]
