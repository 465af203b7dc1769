"""authorized_keys lines removed one by one: file kept, backup in quarantine, never a lockout."""
import hashlib
import json
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.remediation.key_lines import (
    remove_key_lines, restore_key_file, valid_fingerprints)
from ansible_collections.hostguard.hardening.plugins.module_utils.remediation.quarantine import QuarantineError

from conftest import write
import persistence_tree as pt

BATCH = "/var/lib/hostguard/quarantine/T1"


def read(root, rel):
    with open(os.path.join(str(root), rel.lstrip("/")), "rb") as handle:
        return handle.read()


def test_planted_key_removed_real_key_kept_backup_byte_identical(tmp_path):
    original = (pt.key_line("real") + "\n# ops\n" + pt.key_line("planted") + "\n").encode()
    write(tmp_path, "/root/.ssh/authorized_keys", original, mode=0o600)
    res = remove_key_lines("/root/.ssh/authorized_keys", BATCH, [pt.fingerprint("planted")], protect=True,
                           root=str(tmp_path))
    assert res["status"] == "lines_removed" and res["entry"]["removed"] == [
        {"line": 3, "fingerprint": pt.fingerprint("planted")}]
    now = read(tmp_path, "/root/.ssh/authorized_keys")
    assert valid_fingerprints(now) == [pt.fingerprint("real")] and b"# ops" in now
    assert oct(os.stat(os.path.join(str(tmp_path), "root/.ssh/authorized_keys")).st_mode & 0o777) == "0o600"
    backup = read(tmp_path, res["entry"]["quarantined_path"])
    assert backup == original
    manifest = json.loads(read(tmp_path, BATCH + "/manifest.json"))
    assert manifest["entries"][0]["method"] == "lines_removed"
    # idempotent: nothing left to remove
    again = remove_key_lines("/root/.ssh/authorized_keys", BATCH, [pt.fingerprint("planted")], protect=True,
                             root=str(tmp_path))
    assert again["changed"] is False and again["status"] == "unchanged"
    # restore puts the original back
    back = restore_key_file(BATCH, res["entry"], root=str(tmp_path))
    assert back["status"] == "restored" and read(tmp_path, "/root/.ssh/authorized_keys") == original


def test_rdb_dump_lines_removed_when_another_file_keeps_a_key(tmp_path):
    write(tmp_path, "/root/.ssh/authorized_keys", pt.rdb_with_key("attacker"))
    write(tmp_path, "/etc/ssh/authorized_keys/root", pt.key_line("real") + "\n")
    res = remove_key_lines("/root/.ssh/authorized_keys", BATCH, [pt.fingerprint("attacker")],
                           remove_unparsable=True, protect=True,
                           protect_key_files=["/etc/ssh/authorized_keys/root"], root=str(tmp_path))
    assert res["changed"]
    now = read(tmp_path, "/root/.ssh/authorized_keys")
    assert b"REDIS" not in now and not valid_fingerprints(now) and now.strip() == b""


def test_last_key_of_connected_user_is_refused_and_nothing_changes(tmp_path):
    original = pt.rdb_with_key("attacker")
    write(tmp_path, "/root/.ssh/authorized_keys", original)
    with pytest.raises(QuarantineError) as err:
        remove_key_lines("/root/.ssh/authorized_keys", BATCH, [pt.fingerprint("attacker")],
                         remove_unparsable=True, protect=True, root=str(tmp_path))
    assert err.value.reason == "last_key"
    assert read(tmp_path, "/root/.ssh/authorized_keys") == original
    assert not os.path.exists(os.path.join(str(tmp_path), BATCH.lstrip("/")))
    # another user's file: no protection needed
    res = remove_key_lines("/root/.ssh/authorized_keys", BATCH, [pt.fingerprint("attacker")],
                           remove_unparsable=True, protect=False, root=str(tmp_path))
    assert res["changed"]


def test_check_mode_writes_nothing(tmp_path):
    original = (pt.key_line("real") + "\n" + pt.key_line("planted") + "\n").encode()
    write(tmp_path, "/root/.ssh/authorized_keys", original)
    res = remove_key_lines("/root/.ssh/authorized_keys", BATCH, [pt.fingerprint("planted")], root=str(tmp_path),
                           check_mode=True)
    assert res["changed"] and read(tmp_path, "/root/.ssh/authorized_keys") == original
    assert not os.path.exists(os.path.join(str(tmp_path), BATCH.lstrip("/")))


def test_symlink_and_too_large_are_refused(tmp_path):
    write(tmp_path, "/etc/shadow", "root:x:::\n")
    pt.symlink(tmp_path, "/root/.ssh/authorized_keys", os.path.join(str(tmp_path), "etc/shadow"))
    with pytest.raises(QuarantineError) as err:
        remove_key_lines("/root/.ssh/authorized_keys", BATCH, [], remove_unparsable=True, root=str(tmp_path))
    assert err.value.reason == "symlink"
    os.unlink(os.path.join(str(tmp_path), "root/.ssh/authorized_keys"))
    with open(os.path.join(str(tmp_path), "root/.ssh/authorized_keys"), "wb") as handle:
        handle.truncate(1 << 30)
    with pytest.raises(QuarantineError) as err:
        remove_key_lines("/root/.ssh/authorized_keys", BATCH, [], remove_unparsable=True, root=str(tmp_path))
    assert err.value.reason == "too_large"


def test_restore_refuses_a_file_changed_since(tmp_path):
    write(tmp_path, "/root/.ssh/authorized_keys", (pt.key_line("a") + "\n" + pt.key_line("b") + "\n").encode())
    res = remove_key_lines("/root/.ssh/authorized_keys", BATCH, [pt.fingerprint("b")], root=str(tmp_path))
    write(tmp_path, "/root/.ssh/authorized_keys", pt.key_line("c") + "\n")
    with pytest.raises(QuarantineError) as err:
        restore_key_file(BATCH, res["entry"], root=str(tmp_path))
    assert err.value.reason == "occupied"
    assert hashlib.sha256(read(tmp_path, res["entry"]["quarantined_path"])).hexdigest() == res["entry"]["sha256"]
