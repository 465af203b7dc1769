"""Benchmark: oom_events' kernel-log parser vs `grep -c 'Killed process'` on the same file.

Generates kern.log-style files (syslog prefix + dmesg stamp) of the given sizes: ordinary kernel
noise plus a few hundred full OOM incidents (trigger, stack, task table of 60 rows, summary,
kill line, reaper line), then times both tools on each file in the same run (file warm in the
page cache for both) and reads each child's peak RSS with wait4(). Deletes the files after.

    python3 bench/oom_events_bench.py --sizes-mib 100 1024 --incidents 300 --rounds 3

The machine is shared, so each round runs grep, the anchors grep (below) and oom_events back to back, and the table
gives the lowest CPU time of each tool over the rounds (the least disturbed run), the CPU ratio
of every round and their median, and the 1-minute load average before and after the rounds.

A second peer runs in the same rounds: `grep -c -F -e oom -e ocess`, grep given the scanner's own
two anchors (scanner.ANCHORS), i.e. the candidate-line search oom_events does before it parses
anything. Its CPU ratio (oom_events / anchors grep) says how far the parser is from grep doing
the same search; the first ratio says how far it is from grep's single-needle best case.
"""
import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NOISE = [
    "usb 1-1: new high-speed USB device number %d using xhci_hcd",
    "EXT4-fs (sda%d): mounted filesystem with ordered data mode. Quota mode: none.",
    "e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx",
    "audit: type=1400 audit(1700000000.%d:42): apparmor=\"STATUS\" operation=\"profile_load\" name=\"nvidia_modprobe\"",
    "IPv6: ADDRCONF(NETDEV_CHANGE): veth%d: link becomes ready",
    "br-1a2b3c: port %d(vethab12cd) entered forwarding state",
    "nf_conntrack: default automatic helper assignment has been turned off for security reasons",
    "TCP: request_sock_TCP: Possible SYN flooding on port %d. Sending cookies.",
    "perf: interrupt took too long (2503 > 2500), lowering kernel.perf_event_max_sample_rate to %d",
    "[UFW BLOCK] IN=eth0 OUT= MAC=00:16:3e:00:00:01 SRC=203.0.113.%d DST=198.51.100.7 LEN=40 PROTO=TCP SPT=4444 DPT=23",
    "device veth%d entered promiscuous mode",
    "systemd-journald[412]: Data hash table of /var/log/journal/system.journal has a fill level at 75.0 (%d of 8)",
    "workqueue: drm_fb_helper_damage_work hogged CPU for >10000us %d times, consider switching to WQ_UNBOUND",
    "kauditd_printk_skb: %d callbacks suppressed",
    "sd 2:0:0:0: [sda] Synchronizing SCSI cache %d",
]


def prefix(t):
    return "Apr 20 20:%02d:%02d bench1 kernel: [%6d.%06d] " % ((t // 60) % 60, t % 60, t, (t * 7919) % 1000000)


def incident(t, k):
    p = prefix(t)
    hog, victim = 40000 + k, 50000 + k
    out = [p + "app%d invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0" % k,
           p + "CPU: 1 PID: %d Comm: app%d Not tainted 6.1.0-18-amd64 #1 Debian 6.1.76-1" % (victim, k),
           p + "Call Trace:", p + " <TASK>", p + " dump_stack_lvl+0x44/0x5c", p + " dump_header+0x4a/0x211",
           p + " oom_kill_process.cold+0xb/0x10", p + " out_of_memory+0x1fd/0x4c0", p + " </TASK>",
           p + "Mem-Info:", p + "active_anon:12 inactive_anon:941203 isolated_anon:0",
           p + "Tasks state (memory values in pages):",
           p + "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name"]
    for r in range(60):
        pid = 1000 + r
        rss = 500 + r * 37
        out.append(p + "[%7d] %5d %5d %8d %8d %8d %8d %9d %8d %8d         %5d %s" % (pid, 0, pid, rss * 3, rss, rss - 100, 100, 0, 65536, 0, 0, "daemon%d" % r))
    out.append(p + "[%7d] %5d %5d %8d %8d %8d %8d %9d %8d %8d         %5d %s" % (hog, 0, hog, 2100000, 2000000, 1999000, 1000, 0, 16000000, 0, -1000, "hogger"))
    out.append(p + "[%7d] %5d %5d %8d %8d %8d %8d %9d %8d %8d         %5d %s"
                   % (victim, 1000, victim, 90000, 30000, 29000, 1000, 0, 500000, 0, 1000, "app%d" % k))
    out.append(p + "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/app%d.service,task=app%d,"
                   "pid=%d,uid=1000" % (k, k, victim))
    out.append(p + "Out of memory: Killed process %d (app%d) total-vm:360000kB, anon-rss:116000kB, file-rss:4000kB, shmem-rss:0kB, UID:1000 pgtables:488kB "
                   "oom_score_adj:1000" % (victim, k))
    out.append(p + "oom_reaper: reaped process %d (app%d), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB" % (victim, k))
    return "\n".join(out) + "\n"


def generate(path, size, incidents, seed=1):
    rnd = random.Random(seed)
    block_lines = []
    for i in range(40000):
        block_lines.append(prefix(i) + rnd.choice(NOISE).replace("%d", str(rnd.randint(1, 9999))))
    block = ("\n".join(block_lines) + "\n").encode()
    n_blocks = max(1, size // len(block))
    written = k = b = 0
    with open(path, "wb") as f:
        while written < size or k < incidents:
            if written < size:
                f.write(block)
                written += len(block)
            b += 1
            due = incidents if written >= size else min(incidents, (b * incidents) // n_blocks)
            while k < due:
                data = incident(b * 60 + k, k).encode()
                f.write(data)
                written += len(data)
                k += 1
    return written, k


def _hwm_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def run(argv, env=None):
    """Run one tool; return (wall s, CPU s, peak RSS MiB, stdout). CPU is user+sys from wait4
    (this machine is shared: wall time moves with other load). Peak RSS is the child's own
    VmHWM, sampled every 10 ms until it exits (ru_maxrss would carry this bigger parent's RSS
    over fork/exec)."""
    out = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env)
    peak = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        hwm = _hwm_kb(proc.pid)
        if hwm:
            peak = max(peak, hwm)
        time.sleep(0.01)
    secs = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit("%s exited %s" % (argv[0], proc.returncode))
    out.seek(0)
    return secs, usage.ru_utime + usage.ru_stime, peak / 1024.0, out.read().decode().strip()


PARSE = (
    "import sys, json\n"
    "sys.path.insert(0, %r)\n"
    "from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import kernlog\n"
    "r = kernlog.audit({'path': sys.argv[1], 'max_incidents': 20})\n"
    "c = r['facts']['counts']\n"
    "print(c.get('incidents', 0), c.get('verdict_innocent', 0), c.get('with_task_table', 0))\n"
) % os.path.join(REPO, ".collections")


def anchors_grep():
    """`grep -c -F -e A -e B`: grep given the scanner's own anchors (read from scanner.ANCHORS)."""
    sys.path.insert(0, os.path.join(REPO, ".collections"))
    from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import scanner
    argv = ["grep", "-c", "-F"]
    for anchor in scanner.ANCHORS:
        argv += ["-e", anchor.decode("ascii")]
    return argv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes-mib", type=int, nargs="+", default=[100, 1024])
    ap.add_argument("--incidents", type=int, default=300)
    ap.add_argument("--dir", default=None, help="where to write the generated log (default: a temp dir)")
    ap.add_argument("--rounds", type=int, default=3, help="grep + oom_events pairs per size (default 3)")
    ap.add_argument("--cached-bytecode", action="store_true",
                    help="let the oom_events child use compiled bytecode (a normal install) instead of compiling "
                         "the package on every run (PYTHONDONTWRITEBYTECODE, as from an AnsiballZ zip)")
    args = ap.parse_args()
    link = os.path.join(REPO, ".collections", "ansible_collections", "hostguard", "hardening")
    if not os.path.islink(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink("../../..", link)
    anchor_grep = anchors_grep()
    tmp = tempfile.mkdtemp(prefix="hg-kernlog-bench-", dir=args.dir)
    env = None
    if args.cached_bytecode:
        env = dict(os.environ, PYTHONPYCACHEPREFIX=os.path.join(tmp, "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([sys.executable, "-c", PARSE.split("r = kernlog")[0]], env=env, check=True)   # compile once
    rows = []
    try:
        for mib in args.sizes_mib:
            path = os.path.join(tmp, "kern-%dMiB.log" % mib)
            size, made = generate(path, mib << 20, args.incidents)
            subprocess.run(["cat", path], stdout=subprocess.DEVNULL, check=True)   # warm the page cache
            grep_runs, ours_runs, anchor_runs = [], [], []
            load0 = os.getloadavg()[0]
            for _round in range(max(1, args.rounds)):
                grep_runs.append(run(["grep", "-c", "Killed process", path]))
                anchor_runs.append(run(anchor_grep + [path]))
                ours_runs.append(run([sys.executable, "-c", PARSE, path], env))
                g_out, p_out = grep_runs[-1][3], ours_runs[-1][3]
                found, innocent, tables = (int(x) for x in p_out.split())
                if int(g_out) != made or found != made or innocent != made or tables != made:
                    raise SystemExit("wrong counts: grep %s, oom_events %s, expected %d" % (g_out, p_out, made))
            g_secs, g_cpu, g_rss, _g = min(grep_runs, key=lambda r: r[1])
            p_secs, p_cpu, p_rss, _p = min(ours_runs, key=lambda r: r[1])
            ratios = [o[1] / max(g[1], 1e-3) for g, o in zip(grep_runs, ours_runs)]
            a_cpu = min(r[1] for r in anchor_runs)
            a_ratios = [o[1] / max(a[1], 1e-3) for a, o in zip(anchor_runs, ours_runs)]
            load = (load0, os.getloadavg()[0])
            rows.append((size / 2.0 ** 20, made, g_secs, g_cpu, g_rss, p_secs, p_cpu, p_rss, ratios, load, a_cpu, a_ratios))
            os.unlink(path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.cached_bytecode:
        bytecode = "bytecode cached"
    elif os.environ.get("PYTHONDONTWRITEBYTECODE"):
        bytecode = "package compiled on every run"
    else:
        bytecode = "bytecode as the environment has it"
    grep_version = subprocess.run(["grep", "--version"], stdout=subprocess.PIPE, universal_newlines=True,
                                  check=False).stdout.split("\n")[0]
    print("python %s (%s), grep %s" % (sys.version.split()[0], bytecode, grep_version))
    print("| log size | incidents | grep -c wall / CPU | grep peak RSS | oom_events wall / CPU | "
          "oom_events peak RSS | ratio wall / CPU | CPU ratio per round | median | oom_events MiB/s (CPU) | load (1-min) | "
          "%s CPU | CPU ratio to it per round | median |" % " ".join(anchor_grep))
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for size, made, g_secs, g_cpu, g_rss, p_secs, p_cpu, p_rss, ratios, load, a_cpu, a_ratios in rows:
        print("| %.0f MiB | %d | %.2f s / %.2f s | %.1f MiB | %.2f s / %.2f s | %.1f MiB | %.1fx / %.2fx | %s | %.2fx | %.0f | %.1f-%.1f "
              "| %.2f s | %s | %.2fx |" % (
                  size, made, g_secs, g_cpu, g_rss, p_secs, p_cpu, p_rss, p_secs / g_secs, p_cpu / max(g_cpu, 1e-3),
                  " ".join("%.2fx" % r for r in ratios), statistics.median(ratios), size / max(p_cpu, 1e-3), load[0], load[1],
                  a_cpu, " ".join("%.2fx" % r for r in a_ratios), statistics.median(a_ratios)))


if __name__ == "__main__":
    main()
