"""Seed 002 re-enacted on the real kernel in a memory cgroup of the test's own (shared by
tests/integration/test_oom_kill_real.py and test_oom_recorder_real.py).

A victim (python asleep on its stdin holding 8 MiB, oom_score_adj 1000) and a hog (python allocating
1 MiB chunks, oom_score_adj -1000 when the machine allows it) share a cgroup v1 memory cgroup.
The kernel kills the victim; the hog stops allocating as soon as the memcg's own OOM kill
counter moves (memory.oom_control ``oom_kill``; the kill is done before the allocation that
caused it returns) or the victim is gone, and after ``max_mib`` at most, so a scene always ends.
Watching only the victim's /proc entry let the hog, while a starved victim was still exiting on a
loaded machine, fill the memory the kill freed and be killed itself.

Nothing waits on a timer: the victim and the hog block on their stdin (the test closes or kills
them), and the hog can stop at ``checkpoints`` (fractions of the limit) until the test says
``go`` (Scene.checkpoint / Scene.go): a slow observer is waited for, not outrun.

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
vpid, memcg, max_mib, pause = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
gates = [float(g) for g in sys.argv[5].split(",") if g]
def read(name):
    with open(memcg + "/" + name) as f:
        return f.read()
def oom_kills():
    return int(dict(line.split() for line in read("memory.oom_control").splitlines() if line.strip())["oom_kill"])
def rss_kb():
    with open("/proc/self/status") as f:
        return int(next(line for line in f if line.startswith("VmRSS:")).split()[1])
def victim_alive():
    try:
        with open("/proc/%d/stat" % vpid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
limit = int(read("memory.limit_in_bytes"))
chunks = []
for i in range(max_mib):
    chunks.append(bytearray(1 << 20))
    if oom_kills() or not victim_alive():
        break
    if gates and int(read("memory.usage_in_bytes")) >= gates[0] * limit:
        gates.pop(0)
        print("checkpoint %d" % rss_kb(), flush=True)
        if sys.stdin.readline() != "go\n":
            sys.exit(3)
    if pause:
        time.sleep(pause)
print("done %d %d" % (len(chunks), oom_kills()), flush=True)
sys.stdin.read()                          # hold the memory until stdin closes (or a kill)
"""

# Small (8 MiB touched), asleep until killed or its stdin closes. Its 8 MiB are the headroom its
# death gives back, so it says "ready" once they are touched and the hog starts only then: a
# victim chosen before that (~2.5 MiB, still starting up on a loaded machine) freed too little,
# and the kernel killed the hog too (dmesg 2026-12-02 06:48:46: the victim, then the hog).
VICTIM = "import sys\nheld = bytearray(8 << 20)\nprint('ready', flush=True)\nsys.stdin.read()\n"


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
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                if pipe is not None:
                    pipe.close()
        for _attempt in range(50):
            try:
                os.rmdir(path)
                break
            except OSError:
                time.sleep(0.1)
        assert not os.path.exists(path), "could not remove %s" % path


class Scene(object):
    """The victim and the hog of one re-enactment, started in the cgroup at ``path``: the hog
    grows ``max_mib`` at most, sleeping ``pause`` s after each MiB, stopping at each of
    ``checkpoints`` (fractions of the memcg's limit) until go()."""

    def __init__(self, path, procs, max_mib, pause, checkpoints=()):
        self.victim = subprocess.Popen([sys.executable, "-c", VICTIM], preexec_fn=enter(path, 1000),
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, universal_newlines=True)
        procs.append(self.victim)
        assert oom_adj(self.victim.pid) == 1000          # in the cgroup with its adj before exec
        ready = self.victim.stdout.readline()            # its memory touched before the hog grows
        assert ready == "ready\n", ready
        self.hog = subprocess.Popen([sys.executable, "-c", HOG, str(self.victim.pid), path, str(max_mib), str(pause),
                                     ",".join(str(c) for c in checkpoints)], preexec_fn=enter(path, -1000),
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, universal_newlines=True)
        procs.append(self.hog)
        self.hog_adj = oom_adj(self.hog.pid)

    def checkpoint(self):
        """Wait for the hog's next checkpoint; -> its RSS (kB) there."""
        line = self.hog.stdout.readline().split()
        assert line and line[0] == "checkpoint", line
        return int(line[1])

    def go(self):
        self.hog.stdin.write("go\n")
        self.hog.stdin.flush()

    def wait_for_the_kill(self, timeout):
        """The kernel killed the victim (one OOM kill in the memcg), the hog stopped on it and was
        spared. ``timeout`` is a backstop for a hung scene, not a measure. -> the "done" words."""
        assert self.hog_adj in (-1000, oom_adj(os.getpid()))
        done = self.hog.stdout.readline().split()
        if not done:                                        # the hog died: say how, with the kernel's word
            self.hog.wait(timeout=timeout)
            raise AssertionError("the hog (pid %d) ended without 'done': returncode %s; kernel: %s"
                                 % (self.hog.pid, self.hog.returncode, kernel_lines_naming(self.hog.pid)))
        assert done[0] == "done" and int(done[2]) == 1, done   # stopped on the one kill
        assert self.victim.wait(timeout=timeout) == -signal.SIGKILL
        assert self.hog.poll() is None                      # the kernel spared the hog
        return done


def dmesg_lines():
    """The kernel log as lines (the real dmesg, read once per call)."""
    return subprocess.run(["dmesg"], stdout=subprocess.PIPE, universal_newlines=True, errors="replace", check=False,
                          timeout=120).stdout.splitlines()


def kernel_lines_naming(pid, limit=8):
    """The newest dmesg lines naming ``pid`` as a killed or invoking task (for a failure message)."""
    try:
        lines = dmesg_lines()
    except (OSError, subprocess.SubprocessError) as exc:
        return "dmesg unreadable: %s" % exc
    marks = ("Killed process %d " % pid, "pid=%d," % pid, "PID: %d " % pid)
    return [line for line in lines if any(m in line for m in marks)][-limit:]


def incident_of(result, pid):
    """The newest oomlog incident whose victim is ``pid`` in an oomlog result, or None (pid_max is
    32768 here: an older kill in the same dmesg may name the same pid)."""
    found = None
    for inc in result["facts"]["incidents"]:
        if (inc.get("victim") or {}).get("pid") == pid:
            found = inc
    return found
