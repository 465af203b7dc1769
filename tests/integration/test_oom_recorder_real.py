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
import uuid

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import AREA
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import recorder

pytestmark = pytest.mark.real

MEMCG_ROOT = "/sys/fs/cgroup/memory"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROGRAM = os.path.join(REPO, "roles", "oom_recorder", "files", "hostguard-oom-recorder")

VICTIM = "import time\nfor _ in range(900):\n    time.sleep(0.2)\n"
HOG = r"""
import sys, time
vpid = int(sys.argv[1])
chunks = []
def victim_alive():
    try:
        with open("/proc/%d/stat" % vpid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
for i in range(400):
    chunks.append(bytearray(1 << 20))     # seed 002: 1 MiB every 50 ms = 20 MB/s
    if not victim_alive():
        break
    time.sleep(0.05)
print("done %d %d" % (len(chunks), int(victim_alive())), flush=True)
for _ in range(900):
    time.sleep(0.2)
"""


def _enter(cgroup, adj_wanted):
    def pre():
        with open(os.path.join(cgroup, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
        try:
            with open("/proc/self/oom_score_adj", "w") as f:
                f.write(str(adj_wanted))
        except OSError:
            pass  # no CAP_SYS_RESOURCE: keep the inherited (lowest allowed) value
    return pre


def _adj(pid):
    with open("/proc/%d/oom_score_adj" % pid) as f:
        return int(f.read())


def _records(state):
    return list(reversed(recorder.read_ring("/", state)["records"]))   # file order: oldest first


def _wait_for(state, pred, seconds, step=0.1):
    for _attempt in range(int(seconds / step)):
        recs = _records(state)
        if pred(recs):
            return recs
        time.sleep(step)
    return _records(state)


@pytest.fixture
def scene():
    assert os.path.isdir(MEMCG_ROOT), "the cgroup v1 memory controller is required"
    name = "recorder-%s" % uuid.uuid4().hex[:10]
    path = os.path.join(MEMCG_ROOT, name)
    state = tempfile.mkdtemp(prefix="recorder-ring-")
    os.mkdir(path)
    procs = []
    try:
        with open(os.path.join(path, "memory.limit_in_bytes"), "w") as f:
            f.write(str(128 << 20))
        yield name, path, state, procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM) if proc.args[1] == PROGRAM else proc.kill()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
        for _attempt in range(50):
            try:
                os.rmdir(path)
                break
            except OSError:
                time.sleep(0.1)
        shutil.rmtree(state, ignore_errors=True)
        if os.path.exists(state + ".kill-line-only.log"):
            os.unlink(state + ".kill-line-only.log")
        assert not os.path.exists(path), "could not remove %s" % path


def _incident(result, pid):
    for inc in result["facts"]["incidents"]:
        if (inc.get("victim") or {}).get("pid") == pid:
            return inc
    return None


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

    victim = subprocess.Popen([sys.executable, "-c", VICTIM], preexec_fn=_enter(path, 1000))
    procs.append(victim)
    for _attempt in range(100):
        if _adj(victim.pid) == 1000:
            break
        time.sleep(0.05)
    hog = subprocess.Popen([sys.executable, "-c", HOG, str(victim.pid)], preexec_fn=_enter(path, -1000),
                           stdout=subprocess.PIPE, universal_newlines=True)
    procs.append(hog)
    hog_adj = _adj(hog.pid)
    assert hog_adj in (-1000, 0)
    assert victim.wait(timeout=180) == -signal.SIGKILL
    done = hog.stdout.readline().split()
    assert done[0] == "done" and done[2] == "0", done
    assert hog.poll() is None                                  # the kernel spared the hog

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
    inc0 = _incident(without, victim.pid)
    assert inc0 is not None and inc0["task_table"] is None
    assert inc0["verdict"]["verdict"] == "likely_innocent" and inc0["verdict"]["largest_consumer"] is None

    result = AREA.run({"root": "/", "source": "file", "path": log, "recorder_dir": state})
    assert result["facts"]["recorder"]["status"] == "read" and result["facts"]["recorder"]["correlated"] >= 1
    inc = _incident(result, victim.pid)
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
