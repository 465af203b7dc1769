"""Unit tests for plugins/module_utils/quarantine.py on fixture trees (tmp_path as /)."""
import hashlib
import json
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.remediation import quarantine as q
from conftest import other_device

BATCH = "/var/lib/hostguard/quarantine/20261122T000000Z"


def _sha(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


@pytest.fixture
def tree(tmp_path):
    spool = tmp_path / "var/spool/cron"
    spool.mkdir(parents=True)
    dump = spool / "dump.rdb"
    dump.write_bytes(b"REDIS0009\xfa\x09redis-ver\x057.0.15" + os.urandom(4096) + b"\n*/1 * * * * root x\n")
    os.chmod(str(dump), 0o4755)
    os.utime(str(dump), (1000000000, 1000000000))
    return tmp_path


def test_quarantine_then_restore_is_byte_identical(tree):
    dump = tree / "var/spool/cron/dump.rdb"
    before_sha = _sha(str(dump))
    st = os.lstat(str(dump))
    res = q.quarantine("/var/spool/cron/dump.rdb", BATCH, ["HG-CRON-001"], root=str(tree))
    assert res["changed"] and res["status"] == "quarantined"
    assert not dump.exists()
    kept = tree / BATCH.lstrip("/") / "files/var/spool/cron/dump.rdb"
    assert _sha(str(kept)) == before_sha
    assert oct(os.lstat(str(kept)).st_mode & 0o7777) == oct(0o600)  # setuid defused
    manifest = json.loads((tree / BATCH.lstrip("/") / "manifest.json").read_text())
    entry = manifest["entries"][0]
    assert entry["sha256"] == before_sha and entry["mode"] == "4755"
    assert entry["finding_ids"] == ["HG-CRON-001"] and entry["size"] == st.st_size
    # second run: nothing left to do
    again = q.quarantine("/var/spool/cron/dump.rdb", BATCH, ["HG-CRON-001"], root=str(tree))
    assert again["changed"] is False and again["status"] == "absent"
    back = q.restore_entry(BATCH, "/var/spool/cron/dump.rdb", root=str(tree))
    assert back["changed"] and _sha(str(dump)) == before_sha
    st2 = os.lstat(str(dump))
    assert (st2.st_mode & 0o7777) == 0o4755 and st2.st_uid == st.st_uid and int(st2.st_mtime) == 1000000000
    assert not kept.exists()
    again = q.restore_entry(BATCH, "/var/spool/cron/dump.rdb", root=str(tree))
    assert again["changed"] is False and again["status"] == "already_restored"
    manifest = json.loads((tree / BATCH.lstrip("/") / "manifest.json").read_text())
    assert manifest["entries"][0]["restored_at"]


def test_check_mode_changes_nothing(tree):
    dump = tree / "var/spool/cron/dump.rdb"
    res = q.quarantine("/var/spool/cron/dump.rdb", BATCH, ["HG-CRON-001"], root=str(tree), check_mode=True)
    assert res["changed"] and dump.exists()
    assert not (tree / BATCH.lstrip("/")).exists()


def test_symlink_refused_and_not_followed(tree):
    target = tree / "etc/shadow"
    target.parent.mkdir(parents=True)
    target.write_text("secret")
    link = tree / "var/spool/cron/root"
    os.symlink(str(target), str(link))
    with pytest.raises(q.QuarantineError) as exc:
        q.quarantine("/var/spool/cron/root", BATCH, [], root=str(tree))
    assert exc.value.reason == "symlink"
    assert os.path.islink(str(link)) and target.read_text() == "secret"


def test_fifo_refused_without_blocking(tree):
    fifo = tree / "var/spool/cron/pipe"
    os.mkfifo(str(fifo))
    with pytest.raises(q.QuarantineError) as exc:
        q.quarantine("/var/spool/cron/pipe", BATCH, [], root=str(tree))
    assert exc.value.reason == "not_regular"
    assert fifo.exists()


def test_restore_refuses_when_original_occupied(tree):
    q.quarantine("/var/spool/cron/dump.rdb", BATCH, [], root=str(tree))
    (tree / "var/spool/cron/dump.rdb").write_text("other")
    with pytest.raises(q.QuarantineError) as exc:
        q.restore_entry(BATCH, "/var/spool/cron/dump.rdb", root=str(tree))
    assert exc.value.reason == "occupied"
    assert (tree / "var/spool/cron/dump.rdb").read_text() == "other"


def test_restore_refuses_tampered_copy(tree):
    q.quarantine("/var/spool/cron/dump.rdb", BATCH, [], root=str(tree))
    kept = tree / BATCH.lstrip("/") / "files/var/spool/cron/dump.rdb"
    kept.write_bytes(b"tampered")
    with pytest.raises(q.QuarantineError) as exc:
        q.restore_entry(BATCH, "/var/spool/cron/dump.rdb", root=str(tree))
    assert exc.value.reason == "verify_failed"
    assert not (tree / "var/spool/cron/dump.rdb").exists()


def test_cross_filesystem_copy_path_verifies(tree, monkeypatch):
    """Force the copy branch (as across filesystems) and check the result is identical."""
    dump = tree / "var/spool/cron/dump.rdb"
    before = _sha(str(dump))
    other_device(monkeypatch, q.os, "files/var/spool/cron")
    res = q.quarantine("/var/spool/cron/dump.rdb", BATCH, [], root=str(tree))
    assert res["entry"]["method"] == "copy"
    assert not dump.exists()
    assert _sha(str(tree / BATCH.lstrip("/") / "files/var/spool/cron/dump.rdb")) == before


def test_path_inside_quarantine_refused(tree):
    q.quarantine("/var/spool/cron/dump.rdb", BATCH, [], root=str(tree))
    with pytest.raises(q.QuarantineError) as exc:
        q.quarantine(BATCH + "/files/var/spool/cron/dump.rdb", BATCH, [], root=str(tree))
    assert exc.value.reason == "inside_quarantine"


def test_bad_manifest_is_an_error_not_a_crash(tree):
    mdir = tree / BATCH.lstrip("/")
    mdir.mkdir(parents=True)
    (mdir / "manifest.json").write_bytes(b"\xff{not json")
    with pytest.raises(q.QuarantineError) as exc:
        q.quarantine("/var/spool/cron/dump.rdb", BATCH, [], root=str(tree))
    assert exc.value.reason == "bad_manifest"
    assert (tree / "var/spool/cron/dump.rdb").exists()
