"""host_audit (every area) over a hostile root inside a real memory cgroup (issue 17).

The root (tests/hostile_root.py) holds FIFOs, /dev/zero links, link loops, multi-GB sparse files
(4 GiB crontab and drop-ins, 2 GiB Redis dump and authorized_keys), a 100,000-entry directory,
300-file Include chains (sshd, Redis), a glob over self-links, systemd drop-ins, invalid UTF-8 in
content and names, 1 MiB lines and a secret on a process command line. The module file runs the
way AnsiballZ runs it (arguments on stdin) in a child process placed in a memory cgroup of our
own with a 192 MiB limit. It must complete (exit 0, no HG-CORE-001), name every hostile part and
still report every malicious file, never be OOM-killed (the cgroup's own oom_kill counter), and
its peak usage (memory.max_usage_in_bytes on cgroup v1, memory.peak on v2) and peak RSS must stay
under the limit. The cgroup is removed in finally; the machine's kernel settings are not touched
(no /proc/sys write; swap accounting is left as it is).
"""
import json
import os
import shutil
import subprocess
import sys
import uuid

import pytest

from hostile_root import HOSTILE_PARTS, MALICIOUS, hostile_root

pytestmark = pytest.mark.real

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULE = os.path.join(REPO, "plugins", "modules", "host_audit.py")
V1 = "/sys/fs/cgroup/memory"
V2 = "/sys/fs/cgroup/unified"
LIMIT = 192 << 20
# Runs the module file as its __main__ and, at exit, writes its own peak RSS (VmHWM, KiB).
WRAPPER = """import atexit, runpy, sys
def hwm(path=sys.argv[2]):
    with open('/proc/self/status') as status, open(path, 'w') as out:
        out.write([l.split()[1] for l in status if l.startswith('VmHWM:')][0])
atexit.register(hwm)
sys.argv = sys.argv[1:2]
runpy.run_path(sys.argv[0], run_name='__main__')
"""
# Options that would make an area read the live machine instead of the tree.
OPTIONS = {"oom": {"use_systemctl": "no"}, "redis": {"probe": False},
           "oomlog": {"source": "file", "path": "/var/log/kern.log"}, "ssh": {"use_sshd_t": False}}


class MemoryCgroup(object):
    """A memory cgroup of this test (v1 memory controller, else cgroup v2 with memory)."""

    def __init__(self, limit):
        name = "hostile-memcg-%s" % uuid.uuid4().hex[:10]
        if os.path.isdir(V1):
            self.v2 = False
            self.path = os.path.join(V1, name)
        else:
            with open(os.path.join(V2, "cgroup.controllers")) as handle:
                assert "memory" in handle.read().split(), "no memory controller on this machine"
            self.v2 = True
            self.path = os.path.join(V2, name)
        os.mkdir(self.path)
        self._write("memory.max" if self.v2 else "memory.limit_in_bytes", str(limit))

    def _write(self, name, value):
        with open(os.path.join(self.path, name), "w") as handle:
            handle.write(value)

    def read(self, name):
        with open(os.path.join(self.path, name)) as handle:
            return handle.read()

    def enter(self):
        """preexec_fn: the child joins the cgroup before it execs Python."""
        procs = os.path.join(self.path, "cgroup.procs")

        def pre():
            with open(procs, "w") as handle:
                handle.write(str(os.getpid()))
        return pre

    def limit(self):
        return int(self.read("memory.max" if self.v2 else "memory.limit_in_bytes"))

    def peak(self):
        return int(self.read("memory.peak" if self.v2 else "memory.max_usage_in_bytes"))

    def oom_kills(self):
        text = self.read("memory.events" if self.v2 else "memory.oom_control")
        fields = dict(line.split() for line in text.splitlines() if len(line.split()) == 2)
        return int(fields.get("oom_kill", 0))

    def remove(self):
        for pid in self.read("cgroup.procs").split():
            try:
                os.kill(int(pid), 9)
            except OSError:
                pass
        for _attempt in range(50):
            try:
                os.rmdir(self.path)
                return
            except OSError:
                os.sched_yield()
                subprocess.run(["sleep", "0.1"], check=False)
        assert not os.path.exists(self.path), "could not remove %s" % self.path


@pytest.fixture
def hostile(tmp_path):
    root = tmp_path / "rootfs"
    root.mkdir()
    try:
        yield hostile_root(str(root), entries=100000, chain=300)
    finally:
        shutil.rmtree(str(root), ignore_errors=True)


def test_host_audit_over_a_hostile_root_stays_inside_a_memory_cgroup(hostile, tmp_path):
    cgroup = MemoryCgroup(LIMIT)
    out_path = tmp_path / "result.json"
    try:
        assert cgroup.limit() == LIMIT
        env = dict(os.environ, PYTHONPATH=os.path.join(REPO, ".collections"))
        args = json.dumps({"ANSIBLE_MODULE_ARGS": {"root": hostile, "options": OPTIONS}})
        with open(str(out_path), "w") as out:
            proc = subprocess.Popen([sys.executable, "-c", WRAPPER, MODULE, str(tmp_path / "hwm")],
                                    stdin=subprocess.PIPE, stdout=out,
                                    stderr=subprocess.PIPE, env=env, cwd=str(tmp_path),
                                    preexec_fn=cgroup.enter())
            _out, err = proc.communicate(args.encode())
        child_rss = int((tmp_path / "hwm").read_text()) << 10 if (tmp_path / "hwm").exists() else LIMIT
        peak, oom_kills = cgroup.peak(), cgroup.oom_kills()
        stat = dict(line.split() for line in cgroup.read("memory.stat").splitlines())
    finally:
        cgroup.remove()
    print("\nhost_audit over the hostile root: exit %d, cgroup peak %.1f MiB of %.0f MiB, peak RSS "
          "%.1f MiB, oom_kill %d; at exit: %s" % (
              proc.returncode, peak / 2.0 ** 20, LIMIT / 2.0 ** 20, child_rss / 2.0 ** 20, oom_kills,
              ", ".join("%s %.1f MiB" % (k, int(stat[k]) / 2.0 ** 20) for k in ("rss", "cache", "anon", "file")
                        if k in stat)))
    # peak counts the page cache of what was read (reclaimable); the reads are bounded, so it
    # stays under the limit too
    assert oom_kills == 0 and proc.returncode == 0, err.decode()[-3000:]
    assert peak < LIMIT and child_rss < LIMIT
    result = json.loads(out_path.read_text())
    assert not result.get("failed"), result.get("msg")
    findings = result["findings"]
    assert [f for f in findings if f["id"] == "HG-CORE-001"] == []
    assert set(result["areas"]) >= set(area for area, _c, _s in MALICIOUS + HOSTILE_PARTS)
    for area, check_id, subject in MALICIOUS:
        hits = [f for f in findings if f["id"] == check_id and f["subject"] == subject]
        assert [f["status"] for f in hits] == ["fail"], (area, check_id, subject, hits)
    for area, check_id, subject in HOSTILE_PARTS:
        hits = [f for f in findings if f["id"] == check_id and f["subject"] == subject]
        assert hits and hits[0]["status"] in ("fail", "error"), (area, check_id, subject)
    listed = [f for f in findings if f["id"] == "HG-CRON-013" and f["subject"] == "/etc/cron.weekly"][0]
    assert listed["evidence"]["not_listed"] >= 100000 - 1000
    text = out_path.read_text()
    assert "hostile-secret-1" not in text and "\u202e" not in text
