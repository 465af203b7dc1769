"""Seed 002 re-enacted on the real kernel in a memory cgroup of the test's own (shared by
tests/integration/test_oom_kill_real.py and test_oom_recorder_real.py).

A victim (python sleeping, oom_score_adj 1000, small) and a hog (python allocating 1 MiB
chunks, oom_score_adj -1000 when the machine allows it) share a cgroup v1 memory cgroup. The
kernel kills the victim; the hog stops allocating as soon as the victim is gone (and after
``max_mib`` at most), so a scene always ends.

On this machine CAP_SYS_RESOURCE is not in root's capability set, so writing -1000 fails with
EACCES; the hog then keeps 0 (the lowest it may set) and the victim's +1000 still makes it the
kernel's choice. Callers assert whatever adj the kernel actually had (``Scene.hog_adj``).
Never writes /proc/sys. Every process is stopped and waited for, and the cgroup removed, when
the ``memory_cgroup`` block ends.
"""
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid

MEMCG_ROOT = "/sys/fs/cgroup/memory"

HOG = r"""
import sys, time
vpid = int(sys.argv[1])
max_mib, pause, rounds = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
chunks = []
def victim_alive():
    try:
        with open("/proc/%d/stat" % vpid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
for i in range(max_mib):
    chunks.append(bytearray(1 << 20))
    if not victim_alive():
        break
    if pause:
        time.sleep(pause)
print("done %d %d" % (len(chunks), int(victim_alive())), flush=True)
for _ in range(rounds):
    time.sleep(0.2)
"""


def victim_program(rounds):
    """A victim that sleeps ``rounds`` x 0.2 s (then exits: a scene never outlives it much)."""
    return "import time\nfor _ in range(%d):\n    time.sleep(0.2)\n" % rounds


def enter(cgroup, adj_wanted):
    """preexec_fn: join ``cgroup`` and ask for ``adj_wanted`` (kept as inherited when refused)."""
    def pre():
        with open(os.path.join(cgroup, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
        try:
            with open("/proc/self/oom_score_adj", "w") as f:
                f.write(str(adj_wanted))
        except OSError:
            pass  # no CAP_SYS_RESOURCE: keep the inherited (lowest allowed) value
    return pre


def oom_adj(pid):
    with open("/proc/%d/oom_score_adj" % pid) as f:
        return int(f.read())


def _kill(proc):
    proc.kill()


@contextlib.contextmanager
def memory_cgroup(prefix, limit_bytes, stop=_kill):
    """A new memory cgroup ``<prefix>-<random>`` limited to ``limit_bytes`` (no swap on this
    machine: memory.memsw.limit_in_bytes is left unlimited on purpose). Yields (name, path,
    procs); every process appended to ``procs`` is stopped with ``stop(proc)`` (default kill)
    and waited for (killed when it does not stop within 30 s), then the cgroup is removed."""
    assert os.path.isdir(MEMCG_ROOT), "the cgroup v1 memory controller is required"
    name = "%s-%s" % (prefix, uuid.uuid4().hex[:10])
    path = os.path.join(MEMCG_ROOT, name)
    os.mkdir(path)
    procs = []
    try:
        with open(os.path.join(path, "memory.limit_in_bytes"), "w") as f:
            f.write(str(limit_bytes))
        yield name, path, procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                stop(proc)
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
        assert not os.path.exists(path), "could not remove %s" % path


class Scene(object):
    """The victim and the hog of one re-enactment, started in the cgroup at ``path``."""

    def __init__(self, path, procs, victim_rounds, max_mib, pause, hog_rounds):
        self.victim = subprocess.Popen([sys.executable, "-c", victim_program(victim_rounds)],
                                       preexec_fn=enter(path, 1000))
        procs.append(self.victim)
        for _attempt in range(100):                      # the victim is in the cgroup with its adj
            if oom_adj(self.victim.pid) == 1000:
                break
            time.sleep(0.05)
        self.hog = subprocess.Popen([sys.executable, "-c", HOG, str(self.victim.pid), str(max_mib), str(pause),
                                     str(hog_rounds)], preexec_fn=enter(path, -1000),
                                    stdout=subprocess.PIPE, universal_newlines=True)
        procs.append(self.hog)
        self.hog_adj = oom_adj(self.hog.pid)

    def wait_for_the_kill(self, timeout):
        """The kernel killed the victim, the hog stopped because of it and was spared.
        Returns the hog's "done" line as words."""
        assert self.hog_adj in (-1000, 0)
        assert self.victim.wait(timeout=timeout) == -signal.SIGKILL
        done = self.hog.stdout.readline().split()
        assert done[0] == "done" and done[2] == "0", done   # the hog stopped because the victim died
        assert self.hog.poll() is None                      # the kernel spared the hog
        return done


def incident_of(result, pid):
    """The oomlog incident whose victim is ``pid`` in an oomlog result, or None."""
    for inc in result["facts"]["incidents"]:
        if (inc.get("victim") or {}).get("pid") == pid:
            return inc
    return None
