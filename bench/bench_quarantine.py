"""Benchmark: hostguard's quarantine (lstat, O_NOFOLLOW, sha256, move, manifest) side by side
with the shell peer an operator would type (`sha256sum FILE && mv FILE DEST`), for the seed-000
case of a large Redis dump in a cron spool.

Two cases: same filesystem (rename) and across filesystems (/tmp disk -> /dev/shm tmpfs:
copy + fsync + re-hash + unlink vs `cp && sha256sum && rm`). Prints wall seconds and peak RSS
(ru_maxrss of the child that did the work). Sizes: HG_BENCH_MIB (default 256).
Runs only in private temporary directories; nothing else is touched.
"""
import os
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, ".collections"))

MIB = int(os.environ.get("HG_BENCH_MIB", "256"))

CHILD = r"""
import sys, time, resource
sys.path.insert(0, %r)
from ansible_collections.hostguard.hardening.plugins.module_utils.remediation.quarantine import quarantine
t = time.time()
quarantine(sys.argv[1], sys.argv[2], ["HG-CRON-001"])
print("%%.3f %%d" %% (time.time() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
""" % os.path.join(REPO, ".collections")


def make_file(path):
    chunk = os.urandom(1 << 20)
    with open(path, "wb") as fh:
        fh.write(b"REDIS0009")
        for _mib in range(MIB):
            fh.write(chunk)
        fh.flush()
        os.fsync(fh.fileno())


def run_hostguard(src, batch):
    out = subprocess.check_output([sys.executable, "-c", CHILD, src, batch]).decode().split()
    return float(out[0]), int(out[1])


PEER = r"""
import resource, subprocess, sys, time
t = time.time()
subprocess.check_call(["/bin/sh", "-c", sys.argv[1]], stdout=subprocess.DEVNULL)
print("%.3f %d" % (time.time() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
"""


def run_peer(cmd):
    # a fresh parent, so that ru_maxrss covers only the peer's own processes
    out = subprocess.check_output([sys.executable, "-c", PEER, cmd]).decode().split()
    return float(out[0]), int(out[1])


def main():
    rows = []
    for label, dest_base in (("same fs (rename)", None), ("cross fs (copy+verify)", "/dev/shm")):
        work = tempfile.mkdtemp(prefix="hg-remediate-bench-", dir="/tmp")
        other = tempfile.mkdtemp(prefix="hg-remediate-bench-", dir=dest_base) if dest_base else work
        try:
            a = os.path.join(work, "a.rdb")
            make_file(a)
            hg = run_hostguard(a, os.path.join(other, "batch-hg"))
            b = os.path.join(work, "b.rdb")
            make_file(b)
            dest = os.path.join(other, "peer")
            os.makedirs(dest)
            if dest_base:
                peer_cmd = "cp -p %s %s/ && sync && sha256sum %s/b.rdb && sha256sum %s && rm %s" % (b, dest, dest, b, b)
            else:
                peer_cmd = "sha256sum %s && mv %s %s/" % (b, b, dest)
            peer = run_peer(peer_cmd)
            rows.append((label, hg, peer))
        finally:
            shutil.rmtree(work, ignore_errors=True)
            if other != work:
                shutil.rmtree(other, ignore_errors=True)
    print("quarantine of a %d MiB Redis dump: hostguard vs shell peer" % MIB)
    print("%-24s %12s %12s %14s %14s" % ("case", "hg seconds", "peer seconds", "hg maxrss KiB", "peer maxrss KiB"))
    for label, hg, peer in rows:
        print("%-24s %12.3f %12.3f %14d %14d" % (label, hg[0], peer[0], hg[1], peer[1]))


if __name__ == "__main__":
    main()
