"""Benchmark: hostguard-oom-recorder beside atop recording at a 1-second interval, in one run.

1. Idle cost: the recorder (default options, its own ring in a temp dir) and `atop -w FILE 1`
   run side by side for --idle-seconds; CPU = (utime+stime) delta over the window from
   /proc/<pid>/stat, RSS = VmRSS (and VmHWM) at the end.
2. Snapshot time at 100 / 1,000 / 5,000 processes: that many sleeping processes (/bin/sleep,
   spawned with posix_spawn, killed after) on top of what the host runs; the recorder's
   snapshot() timed in-process (median and max of --rounds), and atop's CPU per 1-second sample
   over the same population (its CPU over --atop-seconds divided by the samples it wrote).
3. Trigger-to-snapshot latency: real memcg OOM kills (seed 002: a 20 MB/s hog and an
   oom_score_adj 1000 victim in /sys/fs/cgroup/memory/recorder-bench-*, 128 MiB limit); the
   kernel's timestamp of the kill line vs the recorder's kill record and its after-kill snapshot
   (both on CLOCK_MONOTONIC, which printk uses here), plus the headroom snapshots taken before.

Root only (cgroup v1 memory controller, /dev/kmsg). Never writes a sysctl. Everything it starts
is killed and every cgroup/temp dir removed in finally.

    python3 bench/oom_recorder_bench.py --idle-seconds 120 --kills 3
"""
import argparse
import importlib.machinery
import importlib.util
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAM = os.path.join(REPO, "roles", "oom_recorder", "files", "hostguard-oom-recorder")
TICK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
MEMCG = "/sys/fs/cgroup/memory"


def load_recorder():
    loader = importlib.machinery.SourceFileLoader("hostguard_oom_recorder", PROGRAM)
    spec = importlib.util.spec_from_loader("hostguard_oom_recorder", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_kb(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def io_counters(pid):
    """/proc/<pid>/io: wchar (bytes passed to write()) and write_bytes (bytes sent to storage)."""
    out = {}
    with open("/proc/%d/io" % pid) as f:
        for line in f:
            key, _sep, value = line.partition(":")
            if key in ("wchar", "write_bytes"):
                out[key] = int(value)
    return out


def io_delta(before, after):
    return dict((k, after[k] - before.get(k, 0)) for k in after)


def spawn_sleepers(n):
    pids = []
    for _round in range(n):
        pids.append(os.posix_spawn("/bin/sleep", ["sleep", "900"], os.environ))
    return pids


def reap(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for pid in pids:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def start_atop(path):
    if not shutil.which("atop"):
        return None
    return subprocess.Popen(["atop", "-w", path, "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def atop_samples(path):
    """Samples in an atop raw file (atop -r FILE -P CPU prints one CPU line per sample)."""
    out = subprocess.run(["atop", "-r", path, "-P", "CPU"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         universal_newlines=True, timeout=120, check=False).stdout
    return sum(1 for line in out.splitlines() if line.startswith("CPU "))


def stop(proc):
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


def idle(seconds, tmp):
    state = os.path.join(tmp, "ring-idle")
    rec = subprocess.Popen([sys.executable, "-I", "-S", PROGRAM, "--state-dir", state], stdout=subprocess.DEVNULL)
    atop_file = os.path.join(tmp, "atop-idle.raw")
    atop = start_atop(atop_file)
    try:
        time.sleep(3)                    # past start-up (imports, the start snapshot)
        c0 = cpu_seconds(rec.pid)
        a0 = cpu_seconds(atop.pid) if atop else None
        rio0 = io_counters(rec.pid)
        aio0 = io_counters(atop.pid) if atop else None
        t0 = time.monotonic()
        time.sleep(seconds)
        dt = time.monotonic() - t0
        out = {"window_s": round(dt, 1),
               "recorder_cpu_pct": round(100.0 * (cpu_seconds(rec.pid) - c0) / dt, 3),
               "recorder_rss": rss_kb(rec.pid), "recorder_io": io_delta(rio0, io_counters(rec.pid))}
        if atop:
            out["atop_cpu_pct"] = round(100.0 * (cpu_seconds(atop.pid) - a0) / dt, 3)
            out["atop_rss"] = rss_kb(atop.pid)
            out["atop_io"] = io_delta(aio0, io_counters(atop.pid))
        ring = os.listdir(state)
        out["recorder_ring_bytes"] = sum(os.path.getsize(os.path.join(state, f)) for f in ring)
        kinds = {}
        for record in read_ring(state):     # what the idle recorder wrote, and why (kills, PSI on a busy host)
            key = record["kind"] + (":" + record["reason"].split(":")[0] if record["kind"] == "snapshot" else "")
            kinds[key] = kinds.get(key, 0) + 1
        out["recorder_records"] = kinds
        if atop:
            stop(atop)
            out["atop_file_bytes"] = os.path.getsize(atop_file)
        return out
    finally:
        stop(rec)
        stop(atop)


def snapshot_times(mod, counts, rounds, atop_seconds, tmp):
    cfg = dict(mod.DEFAULTS)
    rows = []
    for n in counts:
        pids = spawn_sleepers(n)
        try:
            time.sleep(1)
            r = mod.Recorder(cfg, emit=None)
            r.snapshot("warm")
            times, cpu = [], []
            nprocs = None
            for _round in range(rounds):
                t0, c0 = time.perf_counter(), time.process_time()
                snap = r.snapshot("bench")
                times.append((time.perf_counter() - t0) * 1000.0)
                cpu.append((time.process_time() - c0) * 1000.0)
                nprocs = snap["nprocs"]
            line = json.dumps(snap)
            row = {"sleepers": n, "processes": nprocs, "median_ms": round(statistics.median(times), 1),
                   "min_ms": round(min(times), 1), "max_ms": round(max(times), 1),
                   "median_cpu_ms": round(statistics.median(cpu), 1), "snapshot_bytes": len(line)}
            if shutil.which("atop"):
                path = os.path.join(tmp, "atop-%d.raw" % n)
                atop = start_atop(path)
                try:
                    time.sleep(1)
                    a0 = cpu_seconds(atop.pid)
                    time.sleep(atop_seconds)
                    used = cpu_seconds(atop.pid) - a0
                    rss = rss_kb(atop.pid)
                finally:
                    stop(atop)
                samples = max(1, atop_samples(path) - 1)
                row.update(atop_ms_per_sample=round(1000.0 * used / atop_seconds, 1), atop_samples=samples,
                           atop_rss_kb=rss.get("VmRSS"), atop_bytes_per_sample=os.path.getsize(path) // samples)
            rows.append(row)
        finally:
            reap(pids)
    return rows


HOG = r"""
import sys, time
vpid, oom_control = int(sys.argv[1]), sys.argv[2]
chunks = []
def alive():
    try:
        with open("/proc/%d/stat" % vpid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
def kills():
    # the memcg's own count of OOM kills (v1 memory.oom_control "oom_kill N"): the kill is done
    # before the allocation that caused it returns, so the hog stops at once, however slowly the
    # victim exits (else it can fill the freed memory and be killed itself)
    with open(oom_control) as f:
        return int(dict(line.split() for line in f if line.strip()).get("oom_kill", 0))
base = kills()
for i in range(400):
    chunks.append(bytearray(1 << 20))
    if kills() > base or not alive():
        break
    time.sleep(0.05)
time.sleep(2)
"""


def enter(path, adj):
    def pre():
        with open(os.path.join(path, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write(str(adj))
    return pre


def read_ring(state):
    recs = []
    for name in sorted(os.listdir(state)):
        with open(os.path.join(state, name)) as f:
            recs.extend(json.loads(line) for line in f if line.strip())
    return recs


def latency(kills, tmp):
    name = "recorder-bench-%s" % uuid.uuid4().hex[:8]
    path = os.path.join(MEMCG, name)
    state = os.path.join(tmp, "ring-latency")
    os.mkdir(path)
    procs = []
    try:
        with open(os.path.join(path, "memory.limit_in_bytes"), "w") as f:
            f.write(str(128 << 20))
        rec = subprocess.Popen([sys.executable, "-I", "-S", PROGRAM, "--state-dir", state, "--watch-cgroup", name,
                                "--max-seconds", "600"], stdout=subprocess.DEVNULL)
        procs.append(rec)
        time.sleep(2)
        victims = []
        for _round in range(kills):
            victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                                      preexec_fn=enter(path, 1000))
            procs.append(victim)
            time.sleep(0.5)
            hog = subprocess.Popen([sys.executable, "-c", HOG, str(victim.pid), os.path.join(path, "memory.oom_control")],
                                   preexec_fn=enter(path, 0))
            procs.append(hog)
            victim.wait(timeout=120)
            hog.wait(timeout=120)
            victims.append(victim.pid)
            time.sleep(3)
        stop(rec)
        recs = read_ring(state)
        rows = []
        for vpid in victims:
            kill = next((r for r in recs if r["kind"] == "oom_kill" and r["pid"] == vpid), None)
            if kill is None:
                rows.append({"victim": vpid, "seen": False})
                continue
            after = next((r for r in recs if r["kind"] == "snapshot" and (r.get("after_kill") or {}).get("pid") == vpid),
                         None)
            before = [r for r in recs if r["kind"] == "snapshot" and r["reason"].startswith("cgroup_")
                      and kill["kernel_uptime"] - 15 < r["mono"] < kill["kernel_uptime"]]
            rows.append({"victim": vpid, "seen": True,
                         "kmsg_read_ms": round((kill["mono"] - kill["kernel_uptime"]) * 1000.0, 1),
                         "kill_to_snapshot_ms": round((after["mono"] - kill["kernel_uptime"]) * 1000.0, 1) if after else None,
                         "snapshot_cost_ms": after["cost_ms"] if after else None,
                         "headroom_snapshots_before": len(before),
                         "last_before_ms": round((kill["kernel_uptime"] - before[-1]["mono"]) * 1000.0, 1) if before else None})
        return rows
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=30)
        for _round in range(50):
            try:
                os.rmdir(path)
                break
            except OSError:
                time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    ap.add_argument("--idle-seconds", type=float, default=120)
    ap.add_argument("--counts", type=int, nargs="+", default=[100, 1000, 5000])
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--atop-seconds", type=float, default=10)
    ap.add_argument("--kills", type=int, default=3)
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("root is needed (memory cgroup, /dev/kmsg)")
    tmp = tempfile.mkdtemp(prefix="recorder-bench-")
    mod = load_recorder()
    try:
        print("atop:", subprocess.run(["atop", "-V"], stdout=subprocess.PIPE, universal_newlines=True, check=False).stdout.strip()
              if shutil.which("atop") else "not installed (apt-get install atop)")
        print("load average before:", open("/proc/loadavg").read().split()[:3])
        print("\n== idle, %ss side by side" % args.idle_seconds)
        print(json.dumps(idle(args.idle_seconds, tmp), indent=1))
        print("\n== snapshot time")
        for row in snapshot_times(mod, args.counts, args.rounds, args.atop_seconds, tmp):
            print(json.dumps(row))
        print("\n== trigger to snapshot (real memcg OOM kills)")
        for row in latency(args.kills, tmp):
            print(json.dumps(row))
        print("load average after:", open("/proc/loadavg").read().split()[:3])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
