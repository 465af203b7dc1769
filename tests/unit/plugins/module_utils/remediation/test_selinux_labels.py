"""SELinux labels through quarantine, restore and an authorized_keys rewrite (remediation/selinux.py).

The xattr layer is a fixture that behaves like the kernel's: labels belong to the inode (a
rename keeps them, a new file gets its directory's label, as the default type transition does).
The same flow runs on real ext4 extended attributes in
tests/integration/test_selinux_labels_real.py."""
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.remediation import key_lines
from ansible_collections.hostguard.hardening.plugins.module_utils.remediation import quarantine as q
from ansible_collections.hostguard.hardening.plugins.module_utils.remediation import selinux
from conftest import write

BATCH = "/var/lib/hostguard/quarantine/20261202T000000Z"
CRON = "system_u:object_r:user_cron_spool_t:s0"
VARLIB = "system_u:object_r:var_lib_t:s0"
SSH = "unconfined_u:object_r:ssh_home_t:s0"


class FakeXattr(object):
    """security.selinux per inode; a new inode inherits its directory's label."""

    def __init__(self):
        self.labels = {}

    def _key(self, target, follow_symlinks=True):
        st = os.fstat(target) if isinstance(target, int) else (os.stat(target) if follow_symlinks else os.lstat(target))
        return (st.st_dev, st.st_ino)

    def getxattr(self, target, name, follow_symlinks=True):
        assert name == "security.selinux"
        key = self._key(target, follow_symlinks)
        if key not in self.labels:
            parent = None if isinstance(target, int) else os.path.dirname(os.path.abspath(target))
            if not parent or parent == os.path.abspath(target):
                raise OSError(61, "No data available")
            self.labels[key] = self.getxattr(parent, name)      # created in a labelled directory
        return self.labels[key]

    def setxattr(self, target, name, value, follow_symlinks=True):
        assert name == "security.selinux" and value.endswith(b"\x00")
        self.labels[self._key(target, follow_symlinks)] = value


@pytest.fixture
def xattr(monkeypatch):
    fake = FakeXattr()
    monkeypatch.setattr(os, "getxattr", fake.getxattr, raising=False)
    monkeypatch.setattr(os, "setxattr", fake.setxattr, raising=False)
    return fake


def labelled(xattr, path, value):
    xattr.setxattr(str(path), "security.selinux", value.encode() + b"\x00")


def test_quarantine_records_the_label_relabels_the_copy_and_restore_puts_it_back(tmp_path, xattr):
    dump = write(tmp_path, "var/spool/cron/root", "* * * * * root x\n", mode=0o600)
    labelled(xattr, tmp_path / "var/spool/cron", CRON)
    labelled(xattr, dump, CRON)
    os.makedirs(str(tmp_path / BATCH.lstrip("/")))
    labelled(xattr, tmp_path / "var/lib", VARLIB)
    for part in ("var/lib/hostguard", "var/lib/hostguard/quarantine", BATCH.lstrip("/")):
        labelled(xattr, tmp_path / part, VARLIB)
    res = q.quarantine("/var/spool/cron/root", BATCH, ["HG-CRON-010"], root=str(tmp_path))
    entry = res["entry"]
    assert entry["selinux_context"] == CRON
    assert entry["quarantine_context"] == VARLIB
    kept = tmp_path / entry["quarantined_path"].lstrip("/")
    assert selinux.label(str(kept)) == VARLIB           # not left with the cron spool's type
    back = q.restore_entry(BATCH, "/var/spool/cron/root", root=str(tmp_path))
    assert back["selinux_relabelled"] is True
    assert selinux.label(str(dump)) == CRON
    assert "restorecon" not in back["msg"]


def test_a_refused_relabel_on_restore_is_reported_with_the_fix(tmp_path, xattr, monkeypatch):
    dump = write(tmp_path, "var/spool/cron/root", "* * * * * root x\n", mode=0o600)
    labelled(xattr, dump, CRON)
    q.quarantine("/var/spool/cron/root", BATCH, ["HG-CRON-010"], root=str(tmp_path))

    def refuse(*_a, **_k):
        raise OSError(13, "Permission denied")
    monkeypatch.setattr(os, "setxattr", refuse)
    back = q.restore_entry(BATCH, "/var/spool/cron/root", root=str(tmp_path))
    assert back["status"] == "restored" and back["selinux_relabelled"] is False
    assert "restorecon /var/spool/cron/root" in back["msg"]


def test_without_selinux_nothing_is_recorded_or_set(tmp_path, monkeypatch):
    def absent(*_a, **_k):
        raise OSError(95, "Operation not supported")
    monkeypatch.setattr(os, "getxattr", absent, raising=False)
    monkeypatch.setattr(os, "setxattr", absent, raising=False)
    write(tmp_path, "etc/cron.d/evil", "* * * * * root x\n", mode=0o644)
    res = q.quarantine("/etc/cron.d/evil", BATCH, ["HG-CRON-010"], root=str(tmp_path))
    assert res["entry"]["selinux_context"] is None and "quarantine_context" not in res["entry"]
    back = q.restore_entry(BATCH, "/etc/cron.d/evil", root=str(tmp_path))
    assert back["selinux_relabelled"] is None and back["status"] == "restored"


def test_an_authorized_keys_rewrite_keeps_the_label_of_the_file(tmp_path, xattr):
    keyfile = write(tmp_path, "root/.ssh/authorized_keys",
                    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHgQm1k2bG9x3+1QyqZ9dHk1fWqCq0xvYk5y0b9b2n3x ok\n"
                    "REDIS0009 junk line\n", mode=0o600)
    labelled(xattr, keyfile, SSH)
    ino = os.stat(str(keyfile)).st_ino
    res = key_lines.remove_key_lines("/root/.ssh/authorized_keys", BATCH, [], True, root=str(tmp_path))
    assert res["changed"]
    assert os.stat(str(keyfile)).st_ino != ino          # a new inode replaced the file
    assert selinux.label(str(keyfile)) == SSH
