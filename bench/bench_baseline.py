"""Benchmark: hostguard's full audit vs Lynis on this machine, side by side, one run.

Rows: hostguard `baseline_audit` (every Lynis-category area through core.runner), hostguard's full
`host_audit` (every registered area), and Lynis `audit system --quick` (the full run). For each:
wall time, CPU time (user+sys of the child and its children) and peak RSS. The targets of
issue 15: hostguard's full audit <= 1/40 of Lynis's wall time, and <= 1 s of CPU on the target.
Read-only for the host: Lynis writes its report and log into a temp dir.
"""
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(REPO, ".collections")
OURS = ("import sys, json; sys.path.insert(0, %r);"
        "from ansible_collections.hostguard.hardening.plugins.module_utils.core import registry, runner;"
        "from ansible_collections.hostguard.hardening.plugins.module_utils.core.lynis_categories import lynis_areas;"
        "names = %s;"
        "r = runner.audit_host(names, root='/');"
        "print(json.dumps({'findings': len(r['findings']), 'errors': len(r['errors']), 'areas': len(r['areas'])}))")


def measure(argv):
    """(wall s, cpu s, peak RSS MiB of the largest child so far, rc, stdout tail) of one child."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1800, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024.0, proc.returncode, proc.stdout.decode(errors="replace").strip()[-200:]


def main():
    if not shutil.which("lynis"):
        sys.exit("lynis is not installed (apt-get install lynis)")
    tmp = tempfile.mkdtemp(prefix="hg-baseline-bench-")
    try:
        rows = [
            ("hostguard baseline_audit (Lynis-category areas)",
             measure([sys.executable, "-c", OURS % (COLLECTIONS, "lynis_areas(registry.area_names())")])),
            ("hostguard host_audit (every area)",
             measure([sys.executable, "-c", OURS % (COLLECTIONS, "registry.area_names()")])),
        ]
        base = ["lynis", "audit", "system", "--quick", "--no-colors",
                "--report-file", os.path.join(tmp, "r.dat"), "--log-file", os.path.join(tmp, "l.log")]
        rows.append(("lynis audit system --quick (full)", measure(base)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%-50s %8s %8s %14s %4s  %s" % ("tool", "wall s", "cpu s", "peak RSS MiB*", "rc", "output"))
    for name, (wall, cpu, rss, rc, out) in rows:
        print("%-50s %8.2f %8.2f %14.1f %4d  %s" % (name, wall, cpu, rss, rc, out if "hostguard" in name else ""))
    lynis_wall = rows[-1][1][0]
    for name, (wall, cpu, _rss, _rc, _out) in rows[:-1]:
        print("%s: %.4f of Lynis's wall time (target <= %.4f), %.2f s CPU (target <= 1 s)"
              % (name, wall / lynis_wall if lynis_wall else float("nan"), 1 / 40.0, cpu))
    print("* ru_maxrss of the largest child so far (monotonic across rows)")


if __name__ == "__main__":
    main()
