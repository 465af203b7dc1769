"""Seed 002 re-enacted on the real kernel, confined to a memory cgroup of our own.

A victim (python sleeping, oom_score_adj 1000, small) and a hog (python allocating 1 MiB
chunks, oom_score_adj -1000 when the machine allows it) share a 64 MiB memory cgroup. The
kernel kills the victim; oom_events must then find that incident in the real dmesg by the
victim's pid, judge it innocent and name the hog (by pid, with its adj) as the largest
consumer. The hog stops allocating at the memcg's first OOM kill (and after 200 MiB at most),
so the test always ends; everything is killed and the cgroup removed in finally.

On this machine CAP_SYS_RESOURCE is not in root's capability set, so writing -1000 fails with
EACCES; the hog then keeps 0 (the lowest it may set) and the victim's +1000 still makes it the
kernel's choice. The test asserts whatever adj the kernel actually had.
Never writes /proc/sys; vm.oom_dump_tasks is only read.
"""
import json
import os
import subprocess
import sys

import pytest

import oom_scene  # noqa: E402  (tests/oom_scene.py: the memory cgroup and the seed 002 processes)

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import kernlog

pytestmark = pytest.mark.real

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def memcg():
    with oom_scene.memory_cgroup("hg-kernlog", 64 << 20) as scene:
        yield scene


def test_seed002_reenacted_in_a_memcg(memcg):
    name, path, procs = memcg
    with open("/proc/sys/vm/oom_dump_tasks") as f:
        dump_tasks = int(f.read())
    scene = oom_scene.Scene(path, procs, max_mib=200, pause=0)
    scene.wait_for_the_kill(timeout=120)
    victim, hog, hog_adj = scene.victim, scene.hog, scene.hog_adj

    result = kernlog.audit({"source": "dmesg", "max_incidents": 500})
    assert result["facts"]["source_used"] == "dmesg"
    inc = oom_scene.incident_of(result, victim.pid)
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
    minc = oom_scene.incident_of(module_result, victim.pid)
    assert minc is not None and minc["verdict"]["verdict"] == inc["verdict"]["verdict"]

    # and through the journal, when this host has one
    jres = kernlog.audit({"source": "journal", "max_incidents": 500})
    if kernlog.journal_available():
        assert jres["facts"]["source_used"] == "journal"
        assert oom_scene.incident_of(jres, victim.pid) is not None
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
