"""SELinux labels on real extended attributes (docs/platforms.md, "SELinux").

This machine runs no SELinux policy, but root can read and write the ``security.selinux``
attribute of files on its ext4 filesystem, which is where an SELinux kernel keeps the label.
So the kernel's own rules for the attribute are real here: rename keeps it, a new inode has
none until one is set. Not covered: the policy's checks (a label the policy does not know is
refused by a real SELinux kernel; the role then reports `run restorecon`)."""
import os

from ansible_collections.hostguard.hardening.plugins.module_utils.remediation import key_lines
from ansible_collections.hostguard.hardening.plugins.module_utils.remediation import quarantine as q
from ansible_collections.hostguard.hardening.plugins.module_utils.remediation import selinux
from conftest import write

BATCH = "/var/lib/hostguard/quarantine/20261202T010000Z"
CRON = "system_u:object_r:user_cron_spool_t:s0"
VARLIB = "system_u:object_r:var_lib_t:s0"
SSH = "unconfined_u:object_r:ssh_home_t:s0"


def test_labels_survive_quarantine_and_restore_on_the_real_filesystem(tmp_path):
    crontab = write(tmp_path, "var/spool/cron/crontabs/root", "* * * * * root x\n", mode=0o600)
    assert selinux.set_label(str(crontab), CRON) is True, "root cannot write security.selinux here"
    batch = tmp_path / BATCH.lstrip("/")
    os.makedirs(str(batch))
    assert selinux.set_label(str(batch), VARLIB)
    res = q.quarantine("/var/spool/cron/crontabs/root", BATCH, ["HG-CRON-010"], root=str(tmp_path))
    kept = tmp_path / res["entry"]["quarantined_path"].lstrip("/")
    assert res["entry"]["selinux_context"] == CRON
    # the files/... directories the move created carry no label on this kernel, so the copy
    # keeps its own: what it had is recorded, nothing is invented
    assert selinux.label(str(kept)) == (res["entry"].get("quarantine_context") or CRON)
    back = q.restore_entry(BATCH, "/var/spool/cron/crontabs/root", root=str(tmp_path))
    assert back["selinux_relabelled"] is True
    assert selinux.label(str(crontab)) == CRON


def test_a_labelled_quarantine_directory_relabels_the_copy(tmp_path):
    crontab = write(tmp_path, "etc/cron.d/evil", "* * * * * root x\n", mode=0o644)
    selinux.set_label(str(crontab), CRON)
    files = tmp_path / BATCH.lstrip("/") / "files" / "etc" / "cron.d"
    os.makedirs(str(files))
    assert selinux.set_label(str(files), VARLIB)
    res = q.quarantine("/etc/cron.d/evil", BATCH, ["HG-CRON-010"], root=str(tmp_path))
    assert res["entry"]["quarantine_context"] == VARLIB
    assert selinux.label(str(files / "evil")) == VARLIB


def test_a_rewritten_authorized_keys_keeps_its_label_on_the_new_inode(tmp_path):
    keyfile = write(tmp_path, "root/.ssh/authorized_keys",
                    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHgQm1k2bG9x3+1QyqZ9dHk1fWqCq0xvYk5y0b9b2n3x ok\n"
                    "REDIS0009 junk line\n", mode=0o600)
    assert selinux.set_label(str(keyfile), SSH)
    ino = os.stat(str(keyfile)).st_ino
    res = key_lines.remove_key_lines("/root/.ssh/authorized_keys", BATCH, [], True, root=str(tmp_path))
    assert res["changed"] and os.stat(str(keyfile)).st_ino != ino
    assert selinux.label(str(keyfile)) == SSH
