"""Seed 002 re-enacted on the real kernel, confined to a memory cgroup of our own.

A victim (python sleeping, oom_score_adj 1000, small) and a hog (python allocating 1 MiB
chunks, oom_score_adj -1000 when the machine allows it) share a 64 MiB memory cgroup. The
kernel kills the victim; oom_events must then find that incident in the real dmesg by the
victim's pid, judge it innocent and name the hog (by pid, with its adj) as the largest
consumer. The hog stops allocating as soon as the victim is gone (and after 200 MiB at most),
so the test always ends; everything is killed and the cgroup removed in finally.

On this machine CAP_SYS_RESOURCE is not in root's capability set, so writing -1000 fails with
EACCES; the hog then keeps 0 (the lowest it may set) and the victim's +1000 still makes it the
kernel's choice. The test asserts whatever adj the kernel actually had.
Never writes /proc/sys; vm.oom_dump_tasks is only read.
"""
import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import kernlog

pytestmark = pytest.mark.real

MEMCG_ROOT = "/sys/fs/cgroup/memory"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

VICTIM = "import time\nfor _ in range(600):\n    time.sleep(0.2)\n"
HOG = r"""
import os, sys, time
vpid = int(sys.argv[1])
chunks = []
def victim_alive():
    try:
        with open("/proc/%d/stat" % vpid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
for i in range(200):
    chunks.append(bytearray(1 << 20))
    if not victim_alive():
        break
print("done %d %d" % (len(chunks), int(victim_alive())), flush=True)
for _ in range(600):
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


@pytest.fixture
def memcg():
    assert os.path.isdir(MEMCG_ROOT), "the cgroup v1 memory controller is required"
    name = "hg-kernlog-%s" % uuid.uuid4().hex[:10]
    path = os.path.join(MEMCG_ROOT, name)
    os.mkdir(path)
    procs = []
    try:
        with open(os.path.join(path, "memory.limit_in_bytes"), "w") as f:
            f.write(str(64 << 20))
        # no swap on this machine: memory.memsw.limit_in_bytes is left unlimited on purpose
        yield name, path, procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        for _attempt in range(50):
            try:
                os.rmdir(path)
                break
            except OSError:
                time.sleep(0.1)
        assert not os.path.exists(path), "could not remove %s" % path


def _incident_for(result, pid):
    for inc in result["facts"]["incidents"]:
        if (inc.get("victim") or {}).get("pid") == pid:
            return inc
    return None


def test_seed002_reenacted_in_a_memcg(memcg):
    name, path, procs = memcg
    with open("/proc/sys/vm/oom_dump_tasks") as f:
        dump_tasks = int(f.read())
    victim = subprocess.Popen([sys.executable, "-c", VICTIM], preexec_fn=_enter(path, 1000))
    procs.append(victim)
    for _attempt in range(100):                      # the victim is in the cgroup with its adj
        if _adj(victim.pid) == 1000:
            break
        time.sleep(0.05)
    hog = subprocess.Popen([sys.executable, "-c", HOG, str(victim.pid)], preexec_fn=_enter(path, -1000),
                           stdout=subprocess.PIPE, universal_newlines=True)
    procs.append(hog)
    hog_adj = _adj(hog.pid)
    assert hog_adj in (-1000, 0)
    assert victim.wait(timeout=120) == -signal.SIGKILL
    done = hog.stdout.readline().split()
    assert done[0] == "done" and done[2] == "0", done   # the hog stopped because the victim died
    assert hog.poll() is None                            # the kernel spared the hog

    result = kernlog.audit({"source": "dmesg", "max_incidents": 500})
    assert result["facts"]["source_used"] == "dmesg"
    inc = _incident_for(result, victim.pid)
    assert inc is not None, "no incident for victim pid %d in dmesg" % victim.pid
    assert inc["killer"] == "kernel"
    assert inc["victim"]["oom_score_adj"] == 1000
    assert inc["constraint"] == "CONSTRAINT_MEMCG"
    assert inc["memcg"]["oom_memcg"] == "/" + name
    assert inc["trigger"]["pid"] == hog.pid
    if dump_tasks:
        verdict = inc["verdict"]
        assert verdict["verdict"] == "innocent", verdict
        assert verdict["largest_consumer"]["pid"] == hog.pid
        assert verdict["largest_consumer"]["oom_score_adj"] == hog_adj
        assert verdict["largest_consumer"]["held_kb"] > 16 * 1024
        if hog_adj == -1000:
            assert [r["pid"] for r in verdict["immune_holders"]] == [hog.pid]
        ids = [f["id"] for f in result["findings"]
               if str(victim.pid) in f["subject"]]
        assert "HG-OOMLOG-002" in ids and "HG-OOMLOG-001" in ids
    else:   # only the kill line: the adj of the victim is the evidence left
        assert inc["verdict"]["verdict"] == "likely_innocent"

    # the same through the Ansible module (one real module run)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".collections"),
               ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="json")
    ansible = os.path.join(os.path.dirname(sys.executable), "ansible")
    out = subprocess.run([ansible, "localhost", "-i", os.path.join(REPO, "inventory", "localhost.yml"),
                          "-m", "hostguard.hardening.oom_events", "-a", "source=dmesg max_incidents=500"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300,
                         universal_newlines=True, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    module_result = json.loads(out.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    assert module_result["changed"] is False
    minc = _incident_for(module_result, victim.pid)
    assert minc is not None and minc["verdict"]["verdict"] == inc["verdict"]["verdict"]

    # and through the journal, when this host has one
    jres = kernlog.audit({"source": "journal", "max_incidents": 500})
    if kernlog.journal_available():
        assert jres["facts"]["source_used"] == "journal"
        assert _incident_for(jres, victim.pid) is not None
    else:
        assert jres["facts"]["sources"][0]["status"] == "unavailable"
        assert jres["findings"][0]["status"] == "skip"
        assert "journal" in jres["findings"][0]["detail"]


def test_kmsg_fallback_reads_the_same_ring_buffer():
    parser = kernlog.Parser(source="dmesg", max_incidents=500)
    scanner = kernlog.Scanner(parser)
    status = kernlog.read_kmsg_into(scanner, timeout=30, max_bytes=256 << 20)
    scanner.finish()
    assert status["status"] == "read" and status["bytes"] > 0
    parser2 = kernlog.Parser(source="dmesg", max_incidents=500)
    scanner2 = kernlog.Scanner(parser2)
    kernlog.run_into(["dmesg"], scanner2, 30, 256 << 20)
    scanner2.finish()
    pids = [(i["victim"] or {}).get("pid") for i in parser.result_incidents()]
    pids2 = [(i["victim"] or {}).get("pid") for i in parser2.result_incidents()]
    assert pids and pids == pids2   # the first test of this file put an OOM kill in the ring buffer
