"""Publishing a 500-host fleet: hostguard's publish (validate against the JSON Schema, write
JSON + JUnit + HTML per host, fleet.json + fleet.html, history) side by side with the floor an
operator's script would pay: json.load and json.dump of the same reports, nothing rendered.

Each side runs in a fresh Python child; wall time from the parent, peak RSS from wait4().
The synthetic reports come from tests/reportgen.py (realistic findings, OOM incidents).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOSTS = int(os.environ.get("HG_BENCH_HOSTS", "500"))

SETUP = """
import os, sys
sys.path.insert(0, os.path.join(%(repo)r, "tests"))
sys.path.insert(0, os.path.join(%(repo)r, ".collections"))
""" % {"repo": REPO}

HOSTGUARD = SETUP + """
from ansible_collections.hostguard.hardening.plugins.plugin_utils.publish import publish
res = publish(sys.argv[1], hosts=[n[:-5] for n in os.listdir(sys.argv[1]) if n.endswith('.json')])
print(res["totals"]["hosts_ok"])
"""

PEER = SETUP + """
import json
out = os.path.join(sys.argv[1], "peer-out"); os.makedirs(out)
n = 0
for name in os.listdir(sys.argv[1]):
    if name.endswith(".json"):
        with open(os.path.join(sys.argv[1], name)) as f:
            data = json.load(f)
        with open(os.path.join(out, name), "w") as f:
            json.dump(data, f)
        n += 1
print(n)
"""


def run(code, directory):
    start = time.time()
    proc = subprocess.Popen([sys.executable, "-c", code, directory], stdout=subprocess.PIPE,
                            universal_newlines=True)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.time() - start
    out = proc.stdout.read().strip()
    proc.stdout.close()
    return wall, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status), out


def main():
    sys.path.insert(0, os.path.join(REPO, "tests"))
    sys.path.insert(0, os.path.join(REPO, ".collections"))
    import conftest  # noqa: F401  (creates the .collections link)
    import reportgen
    work = tempfile.mkdtemp(prefix="hg-bench-reports-")
    try:
        size = 0
        for i in range(HOSTS):
            host = "host%03d.example" % i
            path = os.path.join(work, host + ".json")
            with open(path, "w") as handle:
                json.dump(reportgen.make_report(host, seed=i), handle)
            size += os.path.getsize(path)
        peer_dir = work + "-peer"
        shutil.copytree(work, peer_dir)
        rows = [("hostguard publish (validate + JSON/JUnit/HTML per host + fleet + history)",) + run(HOSTGUARD, work),
                ("peer: json.load + json.dump of each report (no validation, no rendering)",) + run(PEER, peer_dir)]
        shutil.rmtree(peer_dir)
        print("%d host reports, %.1f MiB of JSON in" % (HOSTS, size / 1048576.0))
        print("%-78s %8s %12s %5s %s" % ("tool", "wall s", "peak RSS MiB", "exit", "hosts"))
        for name, wall, rss, code, out in rows:
            print("%-78s %8.2f %12.1f %5d %s" % (name, wall, rss, code, out))
        fleet = [os.path.join(dp, f) for dp, _d, fs in os.walk(work) for f in fs if f.startswith("fleet.")]
        for path in sorted(fleet):
            print("%s: %.0f KiB" % (os.path.basename(path), os.path.getsize(path) / 1024.0))
        return 0 if all(code == 0 for _n, _w, _r, code, _o in rows) else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
