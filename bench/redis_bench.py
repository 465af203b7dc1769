"""Benchmark (not a test): redis_audit vs Lynis DBS-1880..1888 on this host, one run each.

Starts one throw-away redis-server on a free 127.0.0.1 port, runs both, prints wall time,
peak RSS and what each saw. Usage: python bench/redis_bench.py
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
sys.path.insert(0, os.path.join(REPO, ".collections"))

from redis_helpers import RedisInstance, free_port  # noqa: E402


def run_ours(port):
    code = ("import json,sys;from ansible_collections.hostguard.hardening.plugins.module_utils.redis import audit as redis;"
            "r=redis.audit({'endpoints':['127.0.0.1:%d']});"
            "print(json.dumps({'findings':len(r['findings']),'fail':sum(f['status']=='fail' for f in r['findings'])}))" % port)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code], cwd=os.path.join(REPO, ".collections"),
                          capture_output=True, timeout=300, check=False)
    wall = time.monotonic() - start
    return wall, json.loads(proc.stdout.decode() or "{}")


def run_lynis(tmp):
    start = time.monotonic()
    proc = subprocess.run(["lynis", "audit", "system", "--tests", "DBS-1880 DBS-1882 DBS-1884 DBS-1886 DBS-1888",
                           "--quick", "--no-colors", "--logfile", os.path.join(tmp, "lynis.log"),
                           "--report-file", os.path.join(tmp, "lynis-report.dat")],
                          capture_output=True, timeout=600, check=False)
    wall = time.monotonic() - start
    lines = [l for l in open(os.path.join(tmp, "lynis-report.dat"), errors="replace")
             if l.startswith(("redis_", "suggestion[]=DBS", "warning[]=DBS"))] if proc.returncode == 0 else []
    return wall, lines


def main():
    with tempfile.TemporaryDirectory(prefix="hg-redis-bench-") as tmp:
        inst = RedisInstance(tmp, ["bind 127.0.0.1"], free_port())
        try:
            inst.start()
            ours_wall, ours = run_ours(inst.port)
            ours_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            lynis_wall, lynis = run_lynis(tmp)
            lynis_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        finally:
            inst.stop()
    print("%-28s %10s %14s  %s" % ("tool", "wall s", "peak RSS KiB*", "result"))
    print("%-28s %10.2f %14d  %s" % ("hostguard redis.audit", ours_wall, ours_rss, ours))
    print("%-28s %10.2f %14d  %d report lines: %s" % ("lynis DBS-1880..1888", lynis_wall, lynis_rss, len(lynis),
                                                      "; ".join(l.strip() for l in lynis)[:300]))
    print("* peak RSS of the largest child so far (getrusage RUSAGE_CHILDREN)")


if __name__ == "__main__":
    main()
