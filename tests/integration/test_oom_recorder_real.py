"""Issue 14's real proof: the OOM flight recorder as a plain process (nothing installed on the
host) watches a memory cgroup of our own in which seed 002 is re-enacted: a hog growing at seed
002's 20 MB/s (1 MiB every 50 ms, oom_score_adj -1000 when the machine allows it, else what the
test runs with) and a sleeping victim with oom_score_adj 1000. The kernel kills the victim.

Then oom_events is given the real kernel log filtered to the kill line alone (what a host with
vm.oom_dump_tasks=0 keeps): without the recorder it can only say "likely innocent"; with the
recorder's ring it names the hog as the largest consumer and the victim as innocent.

Robust on a loaded machine, without a wall-clock limit: every step waits for an event, bounded
by a count of events, never for a time.
- The recorder prints every record (--stdout); a reader thread drains the pipe (the recorder
  never blocks on it) and the test waits for the record it needs among at most N records.
- The hog (tests/oom_scene.py) grows at 20 MB/s but stops at two checkpoints in the headroom
  zone (82 % and 92 % of the limit: the recorder snapshots every second there) until the test
  has seen the recorder's snapshot naming it at that size. A starved recorder (load 50 on 2
  cores) is waited for instead of outrun; on a quiet machine each stop lasts about one tick.
- The hog stops growing as soon as the memcg's own OOM kill counter (memory.oom_control
  oom_kill) moves: the kill is done before the allocation that caused it returns. Watching the
  victim's /proc entry instead let the hog, while a starved victim was still exiting, fill the
  memory it freed and be killed itself.
- The victim and the hog block on their stdin (no timers): closing it ends them.
- The recorder's --max-seconds is only a backstop against a hung test (it ends the pipe).
- The kill line is found in dmesg by pid *and* by the kernel time of the recorder's kill record
  (pid_max is 32768 here: pids come round), and the kernel's own "oom-kill:" summary line is
  rate limited machine-wide (10 per 5 s): when another OOM storm ate that budget the recorder's
  kill record has no "info", and the test checks that dmesg has none either.

The machine's sysctls are never written. The hog holds at most 400 MiB; the processes, the
cgroup and the ring directory are removed in finally.
"""
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import pytest

import oom_scene  # noqa: E402  (tests/oom_scene.py: the memory cgroup and the seed 002 processes)

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import AREA
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import recorder

pytestmark = pytest.mark.real

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROGRAM = os.path.join(REPO, "roles", "oom_recorder", "files", "hostguard-oom-recorder")
LIMIT = 128 << 20
CHECKPOINTS = (0.82, 0.92)    # fractions of the limit; the recorder's headroom zone starts at 0.80
BACKSTOP_S = "1800"           # the recorder ends itself (and its pipe) if the test hangs
MAX_RECORDS = 400             # no wait consumes more records than this (the recorder writes <= 1 snapshot/s)


class RecordStream:
    """The recorder's --stdout records, drained by a thread; ``expect`` waits for one among at most
    ``max_records`` new records (an event count, not a time)."""

    def __init__(self, pipe):
        self.queue = queue.Queue()
        self.seen = []
        self.thread = threading.Thread(target=self._drain, args=(pipe,), daemon=True)
        self.thread.start()

    def _drain(self, pipe):
        for line in pipe:
            try:
                self.queue.put(json.loads(line))
            except ValueError:
                self.queue.put({"kind": "unparsable", "line": line[:200]})
        self.queue.put(None)

    def expect(self, what, pred, max_records=MAX_RECORDS):
        for rec in self.seen:
            if pred(rec):
                return rec
        for _count in range(max_records):
            rec = self.queue.get()
            if rec is None:
                raise AssertionError("the recorder ended before %s; its records: %s" % (what, self.kinds()))
            self.seen.append(rec)
            if pred(rec):
                return rec
        raise AssertionError("no %s in %d records: %s" % (what, max_records, self.kinds()))

    def kinds(self):
        return [(r.get("kind"), r.get("reason"), r.get("seq")) for r in self.seen][-40:]


def _snapshot_naming(pid, min_rss_kb, reason_prefix=""):
    def pred(rec):
        return rec.get("kind") == "snapshot" and rec["reason"].startswith(reason_prefix) and any(
            p["pid"] == pid and (p.get("rss_kb") or 0) >= min_rss_kb for p in rec["top"])
    return pred


def _ring_records(state):
    return list(reversed(recorder.read_ring("/", state)["records"]))   # file order: oldest first


def _ring_has(state, pred, max_reads=600):
    """The ring writer thread fsyncs behind the stdout print: read until ``pred`` holds (bounded)."""
    for _read in range(max_reads):
        recs = _ring_records(state)
        if any(pred(r) for r in recs):
            return recs
        time.sleep(0.05)
    raise AssertionError("the ring never held the record: %s" % [(r["kind"], r.get("seq")) for r in _ring_records(state)])


DMESG_TIME = re.compile(r"^\[\s*(\d+\.\d+)\]")


def _kernel_lines(needle, near_uptime, slack=5.0):
    """dmesg lines containing ``needle`` printed within ``slack`` s of ``near_uptime``."""
    lines = []
    for line in oom_scene.dmesg_lines():
        m = DMESG_TIME.match(line)
        if needle in line and m and abs(float(m.group(1)) - near_uptime) <= slack:
            lines.append(line)
    return lines


def _has_cap_sys_resource():
    with open("/proc/self/status") as f:
        caps = next(line for line in f if line.startswith("CapEff:")).split()[1]
    return bool((int(caps, 16) >> 24) & 1)     # CAP_SYS_RESOURCE is capability 24


def _stop(proc):
    """The recorder ends on SIGTERM; the others are killed."""
    if proc.args[1] == PROGRAM:
        proc.send_signal(signal.SIGTERM)
    else:
        proc.kill()


@pytest.fixture
def scene():
    state = tempfile.mkdtemp(prefix="recorder-ring-")
    try:
        with oom_scene.memory_cgroup("recorder", LIMIT, stop=_stop) as (name, path, procs):
            yield name, path, state, procs
    finally:
        shutil.rmtree(state, ignore_errors=True)
        if os.path.exists(state + ".kill-line-only.log"):
            os.unlink(state + ".kill-line-only.log")


def test_recorder_catches_seed002_and_oom_events_uses_it(scene):
    name, path, state, procs = scene
    rec_proc = subprocess.Popen([sys.executable, PROGRAM, "--state-dir", state, "--watch-cgroup", name,
                                 "--top", "8", "--stdout", "--max-seconds", BACKSTOP_S],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    procs.append(rec_proc)
    stream = RecordStream(rec_proc.stdout)
    start = stream.expect("the start record", lambda r: r["kind"] == "start")
    assert start["kmsg"]["open"] is True, start
    assert start["psi"][0]["armed"] is True, start    # the PSI trigger is really armed (poll POLLPRI)
    # without CAP_SYS_RESOURCE the kernel takes only 2 s windows: the same ratio over 2 s
    assert start["psi"][0]["trigger"] == ("some 150000 1000000" if _has_cap_sys_resource() else "some 300000 2000000")
    stream.expect("the start snapshot", lambda r: r["kind"] == "snapshot")   # the loop runs, kmsg is read

    # seed 002's rate: 1 MiB every 50 ms = 20 MB/s, with two checkpoints
    scene = oom_scene.Scene(path, procs, max_mib=400, pause=0.05, checkpoints=CHECKPOINTS)
    victim, hog, hog_adj = scene.victim, scene.hog, scene.hog_adj

    # at each checkpoint the recorder's snapshot names the hog at that size (the second one woken
    # by the watched cgroup's headroom), then the hog goes on
    checkpoints = []
    for number in range(len(CHECKPOINTS)):
        kb = scene.checkpoint()
        snap = stream.expect("a snapshot naming the hog at %d kB" % kb,
                             _snapshot_naming(hog.pid, kb, "cgroup_" if number else ""))
        checkpoints.append((kb, snap["seq"]))
        scene.go()
    scene.wait_for_the_kill(timeout=600)     # backstop only: the hog's "done" line comes after the kill

    # the recorder saw the kill on /dev/kmsg and took a snapshot right after it
    kill = stream.expect("the victim's oom_kill record", lambda r: r["kind"] == "oom_kill" and r["pid"] == victim.pid)
    after = stream.expect("the after-kill snapshot", lambda r: r["kind"] == "snapshot"
                          and (r.get("after_kill") or {}).get("pid") == victim.pid)
    assert stream.seen.index(after) > stream.seen.index(kill) and after["mono"] >= kill["mono"]   # same ms at times
    kill_lines = _kernel_lines("Killed process %d (" % victim.pid, kill["kernel_uptime"])
    assert len(kill_lines) == 1, kill_lines
    if "info" in kill:
        assert kill["info"]["oom_memcg"] == "/" + name
    else:   # the kernel's oom-kill: summary is rate limited machine-wide; then it is not in dmesg either
        assert not _kernel_lines("pid=%d," % victim.pid, kill["kernel_uptime"]), kill

    recs = _ring_has(state, lambda r: r["kind"] == "snapshot" and r["seq"] == after["seq"])
    rec_proc.send_signal(signal.SIGTERM)
    rec_proc.wait(timeout=600)
    assert rec_proc.returncode == 0, rec_proc.stderr.read()[-2000:]
    # the ring holds what the recorder printed, but for the records it counted as dropped (a full
    # writer queue on a stalled disk: it never blocks the sampling loop)
    printed = [r["seq"] for r in stream.seen if r["kind"] == "snapshot" and r["seq"] <= after["seq"]]
    ringed = [r["seq"] for r in recs if r["kind"] == "snapshot" and r["seq"] <= after["seq"]]
    assert set(ringed) <= set(printed) and len(printed) - len(ringed) <= after["dropped"], (printed, ringed)
    assert [r for r in recs if r["kind"] == "oom_kill" and r["pid"] == victim.pid] == [kill]

    # before the kill: snapshots naming the hog (a watched-cgroup member) with a growing RSS
    before = [r for r in stream.seen if r["kind"] == "snapshot" and r["mono"] < kill["mono"]]
    assert set(seq for _kb, seq in checkpoints) <= set(r["seq"] for r in before)
    hog_rss = [p["rss_kb"] for s in before for p in s["top"] if p["pid"] == hog.pid]
    assert len(hog_rss) >= 2, [(s["reason"], [p["pid"] for p in s["top"]]) for s in before]
    assert hog_rss == sorted(hog_rss) and hog_rss[-1] > hog_rss[0] + 8 * 1024, hog_rss
    second = next(s for s in before if s["seq"] == checkpoints[1][1])
    assert any(g["pid"] == hog.pid and g["delta_kb"] > 0 for g in second["growth"]), second["growth"]
    assert second["reason"] in ("cgroup_headroom:" + name, "cgroup_rising:" + name)   # the headroom sampling
    last = before[-1]
    hog_row = next(p for p in last["top"] if p["pid"] == hog.pid)
    assert hog_row["watched"] == name and hog_row["cgroup"] == "/" + name
    assert hog_row["oom_score_adj"] == hog_adj
    assert all(os.stat(os.path.join(state, f)).st_mode & 0o777 == 0o600 for f in os.listdir(state))

    # the real kernel log, filtered to the kill line alone (vm.oom_dump_tasks=0)
    log = os.path.join(os.path.dirname(state), os.path.basename(state) + ".kill-line-only.log")
    with open(log, "w") as f:
        f.write(kill_lines[0] + "\n")

    without = AREA.run({"root": "/", "source": "file", "path": log, "recorder_dir": ""})
    inc0 = oom_scene.incident_of(without, victim.pid)
    assert inc0 is not None and inc0["task_table"] is None
    assert inc0["verdict"]["verdict"] == "likely_innocent" and inc0["verdict"]["largest_consumer"] is None

    result = AREA.run({"root": "/", "source": "file", "path": log, "recorder_dir": state})
    assert result["facts"]["recorder"]["status"] == "read" and result["facts"]["recorder"]["correlated"] >= 1
    inc = oom_scene.incident_of(result, victim.pid)
    assert inc is not None and inc["task_table"] is None
    verdict = inc["verdict"]
    assert verdict["source"] == "recorder", verdict
    assert verdict["verdict"] == "innocent", verdict
    assert verdict["largest_consumer"]["pid"] == hog.pid
    assert verdict["largest_consumer"]["source"] == "recorder"
    assert verdict["largest_consumer"]["held_kb"] >= checkpoints[1][0] - 1024
    assert verdict["largest_consumer"]["oom_score_adj"] == hog_adj
    assert verdict["fastest_growing"]["pid"] == hog.pid
    if hog_adj == -1000:
        assert verdict["likely_culprit"]["pid"] == hog.pid
    else:
        assert "likely_culprit" not in verdict
    assert inc["recorder"]["kill_record"] is True
    assert inc["recorder"]["before"]["offset_s"] <= 0 < inc["recorder"]["after"]["offset_s"]
    ids = [f["id"] for f in result["findings"] if str(victim.pid) in f["subject"]]
    assert "HG-OOMLOG-002" in ids and "HG-OOMLOG-001" in ids
    json.dumps(result)     # the module returns it as JSON
