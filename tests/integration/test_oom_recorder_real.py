"""Issue 14's real proof: the OOM flight recorder as a plain process (nothing installed on the
host) watches a memory cgroup of our own in which seed 002 is re-enacted: a hog growing at seed
002's 20 MB/s (1 MiB every 50 ms, oom_score_adj -1000 when the machine allows it, else 0) and a
sleeping victim with oom_score_adj 1000. The kernel kills the victim.

Then oom_events is given the real kernel log filtered to the kill line alone (what a host with
vm.oom_dump_tasks=0 keeps): without the recorder it can only say "likely innocent"; with the
recorder's ring it names the hog as the largest consumer and the victim as innocent.

The machine's sysctls are never written. The hog stops as soon as the victim is gone (400 MiB at
most); the recorder runs with --max-seconds; every wait is bounded by count and time; the
processes, the cgroup and the ring directory are removed in finally.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

import oom_scene  # noqa: E402  (tests/oom_scene.py: the memory cgroup and the seed 002 processes)

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import AREA
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import recorder

pytestmark = pytest.mark.real

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROGRAM = os.path.join(REPO, "roles", "oom_recorder", "files", "hostguard-oom-recorder")


def _records(state):
    return list(reversed(recorder.read_ring("/", state)["records"]))   # file order: oldest first


def _wait_for(state, pred, seconds, step=0.1):
    for _attempt in range(int(seconds / step)):
        recs = _records(state)
        if pred(recs):
            return recs
        time.sleep(step)
    return _records(state)


def _stop(proc):
    """The recorder ends on SIGTERM (and writes its stop record); the others are killed."""
    if proc.args[1] == PROGRAM:
        proc.send_signal(signal.SIGTERM)
    else:
        proc.kill()


@pytest.fixture
def scene():
    state = tempfile.mkdtemp(prefix="recorder-ring-")
    try:
        with oom_scene.memory_cgroup("recorder", 128 << 20, stop=_stop) as (name, path, procs):
            yield name, path, state, procs
    finally:
        shutil.rmtree(state, ignore_errors=True)
        if os.path.exists(state + ".kill-line-only.log"):
            os.unlink(state + ".kill-line-only.log")


def test_recorder_catches_seed002_and_oom_events_uses_it(scene):
    name, path, state, procs = scene
    rec_proc = subprocess.Popen([sys.executable, PROGRAM, "--state-dir", state, "--watch-cgroup", name,
                                 "--top", "8", "--max-seconds", "240"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    procs.append(rec_proc)
    recs = _wait_for(state, lambda r: any(x["kind"] == "snapshot" for x in r), 60)
    start = [r for r in recs if r["kind"] == "start"]
    assert start and start[0]["kmsg"]["open"] is True, start
    assert start[0]["psi"][0]["armed"] is True, start    # the PSI trigger is really armed (poll POLLPRI)

    # seed 002's rate: 1 MiB every 50 ms = 20 MB/s
    scene = oom_scene.Scene(path, procs, victim_rounds=900, max_mib=400, pause=0.05, hog_rounds=900)
    scene.wait_for_the_kill(timeout=180)
    victim, hog, hog_adj = scene.victim, scene.hog, scene.hog_adj

    # the recorder saw the kill on /dev/kmsg and took a snapshot right after it
    recs = _wait_for(state, lambda r: any(x["kind"] == "snapshot" and (x.get("after_kill") or {}).get("pid")
                                          == victim.pid for x in r), 60)
    kills = [r for r in recs if r["kind"] == "oom_kill" and r["pid"] == victim.pid]
    assert len(kills) == 1, [r for r in recs if r["kind"] == "oom_kill"]
    assert kills[0]["info"]["oom_memcg"] == "/" + name
    after = [r for r in recs if r["kind"] == "snapshot" and (r.get("after_kill") or {}).get("pid") == victim.pid]
    assert after and after[0]["mono"] > kills[0]["mono"]
    rec_proc.send_signal(signal.SIGTERM)
    rec_proc.wait(timeout=30)
    assert rec_proc.returncode == 0, rec_proc.stderr.read()[-2000:]

    # before the kill: snapshots naming the hog (a watched-cgroup member) with a growing RSS
    before = [r for r in recs if r["kind"] == "snapshot" and r["mono"] < kills[0]["mono"]]
    hog_rss = [p["rss_kb"] for s in before for p in s["top"] if p["pid"] == hog.pid]
    assert len(hog_rss) >= 2, [(s["reason"], [p["pid"] for p in s["top"]]) for s in before]
    assert hog_rss == sorted(hog_rss) and hog_rss[-1] > hog_rss[0] + 16 * 1024, hog_rss
    assert any(g["pid"] == hog.pid and g["delta_kb"] > 0 for s in before for g in s["growth"])
    assert any(s["reason"].startswith("cgroup_") for s in before)      # woken by the headroom sampling
    last = before[-1]
    hog_row = next(p for p in last["top"] if p["pid"] == hog.pid)
    assert hog_row["watched"] == name and hog_row["cgroup"] == "/" + name
    assert hog_row["oom_score_adj"] == hog_adj
    assert all(os.stat(os.path.join(state, f)).st_mode & 0o777 == 0o600 for f in os.listdir(state))

    # the real kernel log, filtered to the kill line alone (vm.oom_dump_tasks=0)
    dmesg = subprocess.run(["dmesg"], stdout=subprocess.PIPE, universal_newlines=True, timeout=60, check=False).stdout
    lines = [ln for ln in dmesg.splitlines() if "Killed process %d (" % victim.pid in ln]
    assert len(lines) == 1, lines
    log = os.path.join(os.path.dirname(state), os.path.basename(state) + ".kill-line-only.log")
    with open(log, "w") as f:
        f.write(lines[0] + "\n")

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
    assert verdict["largest_consumer"]["held_kb"] > 16 * 1024
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
