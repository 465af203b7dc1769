#!/usr/bin/env python3
"""Benchmark: hostguard baseline audit vs Lynis on this machine, side by side, one run.

Lynis is run twice: the full `audit system --quick` and restricted to the overlapping tests
(`--tests`). Wall time and peak RSS of the child (ru_maxrss) are printed. Read-only for the
host: Lynis writes its report and log into a temp dir.
"""
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OVERLAP = "SSH-7408 AUTH-9286 AUTH-9328 FILE-6310 USB-1000 STRG-1846 NAME-4406 MAIL-8818 FIRE-4513 FIRE-4590"
OURS = ("import sys; sys.path.insert(0, %r);"
        "from ansible_collections.hostguard.hardening.plugins.module_utils.core import registry, runner;"
        "from ansible_collections.hostguard.hardening.plugins.module_utils.core.lynis_categories import lynis_areas;"
        "r = runner.audit_host(lynis_areas(registry.area_names()), root='/'); print(len(r['findings']))" % os.path.join(REPO, ".collections"))


def measure(argv):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
    wall = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024.0, proc.returncode


def main():
    if not shutil.which("lynis"):
        sys.exit("lynis is not installed (apt-get install lynis)")
    tmp = tempfile.mkdtemp(prefix="hg-baseline-bench-")
    try:
        rows = [("hostguard baseline_audit (root=/)", measure([sys.executable, "-c", OURS]))]
        base = ["lynis", "audit", "system", "--quick", "--no-colors",
                "--report-file", os.path.join(tmp, "r.dat"), "--log-file", os.path.join(tmp, "l.log")]
        rows.append(("lynis --tests <overlap>", measure(base + ["--tests", OVERLAP])))
        rows.append(("lynis audit system (full)", measure(base)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%-36s %10s %14s %4s" % ("tool", "wall s", "peak RSS MiB*", "rc"))
    for name, (wall, rss, rc) in rows:
        print("%-36s %10.2f %14.1f %4d" % (name, wall, rss, rc))
    print("* ru_maxrss of the largest child so far (monotonic across rows)")


if __name__ == "__main__":
    main()
