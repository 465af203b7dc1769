"""Benchmark: oom_audit / sysctl_audit on this host, side by side with procps peers.

Peers: `ps -eo pid,rss,oom,oomadj,comm --sort=-oom` (the top-victims view) and `sysctl -a`.
Prints mean wall time per run and the audit's peak RSS (ru_maxrss of this process).
"""
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                ".collections"))
from ansible_collections.hostguard.hardening.plugins.module_utils.oom import audit as oom
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl import audit as sysctl  # noqa: E402

RUNS = 20


def timed(fn):
    start = time.perf_counter()
    for _round in range(RUNS):
        fn()
    return (time.perf_counter() - start) / RUNS * 1000.0


def run(cmd):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def main():
    procs = len([p for p in os.listdir("/proc") if p.isdigit()])
    rows = [
        ("oom_audit (module_utils)", timed(lambda: oom.audit({"use_systemctl": "no"}))),
        ("ps -eo pid,rss,oom,oomadj --sort=-oom", timed(lambda: run(
            ["ps", "-eo", "pid,rss,oom,oomadj,comm", "--sort=-oom"]))),
        ("sysctl_audit (module_utils)", timed(lambda: sysctl.audit({}))),
        ("sysctl -a", timed(lambda: run(["sysctl", "-a"]))),
    ]
    print("processes on host: %d, runs: %d" % (procs, RUNS))
    for name, ms in rows:
        print("%-42s %8.2f ms/run" % (name, ms))
    print("peak RSS of the auditing process: %.1f MiB"
          % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0))


if __name__ == "__main__":
    main()
