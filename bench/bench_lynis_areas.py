"""Benchmark: the 19 Lynis-category areas (boot ... kernel) vs Lynis's own tests of the same
categories, side by side, one run.

Prints, for each, wall time and the CPU (user+sys) of the child: hostguard's areas through
core.runner.audit_host on root=/ (once with the pre-existing areas only, once with the 19
added: the difference is what the new areas cost), and `lynis audit system --quick --tests`
restricted to the Lynis IDs the 19 areas reference. Lynis writes its report/log to a temp dir.

``--before CHECKOUT`` adds the full audit of another checkout (its own .collections link; e.g. a
``git worktree`` of the commit before a speed change), measured in the same rounds.
``--rounds N`` (default 3): best of N for each hostguard row.
"""
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, ".collections"))
from ansible_collections.hostguard.hardening.plugins.module_utils.core import registry  # noqa: E402

NEW = ["boot", "logs", "networking", "packages", "file_integrity", "malware", "tooling", "debian", "crypto",
       "banners", "hardening", "mac", "processes", "shells", "timesync", "insecure_services", "accounting",
       "usb", "kernel"]
OLD = [a for a in registry.area_names() if a not in NEW]
SNIPPET = ("import sys, time; sys.path.insert(0, %r);"
           "from ansible_collections.hostguard.hardening.plugins.module_utils.core import runner;"
           "runner.audit_host(%%r, root='/')" % os.path.join(REPO, ".collections"))
FULL_SNIPPET = ("import sys; sys.path.insert(0, %r);"
                "from ansible_collections.hostguard.hardening.plugins.module_utils.core import registry, runner;"
                "runner.audit_host(registry.area_names(), root='/')")


def option(name, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def measure(argv):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=1800, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.returncode


def main():
    ids = sorted(set(c.references["lynis"] for n in NEW for c in registry.REGISTRY[n].checks
                     if c.references.get("lynis")))
    rows = []
    before = option("--before")
    for _round in range(int(option("--rounds", "3"))):     # best of N: other jobs share the machine
        rows.append(("old", measure([sys.executable, "-c", SNIPPET % OLD])))
        rows.append(("all", measure([sys.executable, "-c", SNIPPET % (OLD + NEW)])))
        if before:
            rows.append(("before", measure([sys.executable, "-c", FULL_SNIPPET % os.path.join(before, ".collections")])))
    old = min((r[1] for r in rows if r[0] == "old"), key=lambda m: m[1])
    new = min((r[1] for r in rows if r[0] == "all"), key=lambda m: m[1])
    print("%-58s %8s %8s" % ("", "wall s", "cpu s"))
    print("%-58s %8.2f %8.3f" % ("hostguard audit_host, areas before issue 15 (%d)" % len(OLD), old[0], old[1]))
    print("%-58s %8.2f %8.3f" % ("hostguard audit_host, + the 19 Lynis-category areas", new[0], new[1]))
    print("%-58s %8s %8.3f" % ("  added by the 19 areas", "", new[1] - old[1]))
    print("  every round's CPU, all areas: %s" % " ".join("%.3f" % r[1][1] for r in rows if r[0] == "all"))
    if before:
        prev = min((r[1] for r in rows if r[0] == "before"), key=lambda m: m[1])
        print("%-58s %8.2f %8.3f" % ("hostguard full host_audit of %s" % os.path.basename(before.rstrip("/")),
                                     prev[0], prev[1]))
        print("  every round's CPU, before: %s" % " ".join("%.3f" % r[1][1] for r in rows if r[0] == "before"))
    if shutil.which("lynis") and "--no-lynis" not in sys.argv:
        tmp = tempfile.mkdtemp(prefix="hg-lynis-bench-")
        try:
            wall, cpu, _rc = measure(["lynis", "audit", "system", "--quick", "--no-colors", "--tests", " ".join(ids),
                                      "--report-file", os.path.join(tmp, "r.dat"), "--log-file", os.path.join(tmp, "l.log")])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        print("%-58s %8.2f %8.3f" % ("lynis --tests <the %d IDs of these areas>" % len(ids), wall, cpu))


if __name__ == "__main__":
    main()
