"""Area file: FILE-6310 on fixture trees."""
import os

from ansible_collections.hostguard.hardening.plugins.module_utils.file.audit import mount_findings
from conftest import write  # noqa: E402


def by_subject(findings, prefix="HG-"):
    return dict((f["subject"], f) for f in findings if f["id"].startswith(prefix))


# ------------------------------------------------------------------ FILE-6310

def test_mounts_from_fstab_and_symlink(tmp_path):
    write(tmp_path, "/etc/fstab", "UUID=1 / ext4 defaults 0 1\nUUID=2 /home ext4 defaults 0 2\n"
                                  "/swap none swap sw 0 0\n")
    os.makedirs(str(tmp_path / "home"))
    os.makedirs(str(tmp_path / "srv/var"))
    os.symlink("/srv/var", str(tmp_path / "var"))
    f = by_subject(mount_findings({"root": str(tmp_path)}))
    assert f["/home"]["status"] == "pass" and f["/home"]["evidence"]["source"] == "/etc/fstab"
    assert f["/tmp"]["status"] == "skip"                 # no /tmp directory
    assert f["/var"]["status"] == "fail" and f["/var"]["evidence"]["symlink_to"] == "/srv/var"


def test_mounts_prefer_proc(tmp_path):
    write(tmp_path, "/proc/mounts", "tmpfs /tmp tmpfs rw 0 0\n/dev/x /my\\040home ext4 rw 0 0\n")
    for d in ("tmp", "my home", "var"):
        os.makedirs(str(tmp_path / d))
    f = by_subject(mount_findings({"root": str(tmp_path),
                                   "separate_mounts": ["/tmp", "/my home", "/var"]}))
    assert f["/tmp"]["status"] == "pass"
    assert f["/my home"]["status"] == "pass"
    assert f["/var"]["status"] == "fail"


def test_sticky_bits_on_tmp_and_var_tmp(tmp_path):
    from ansible_collections.hostguard.hardening.plugins.module_utils.file.sticky import sticky_findings
    os.makedirs(str(tmp_path / "tmp"))
    os.chmod(str(tmp_path / "tmp"), 0o1777)
    os.makedirs(str(tmp_path / "var"))
    os.symlink("/tmp", str(tmp_path / "var" / "tmp"))
    f = dict((x["id"], x) for x in sticky_findings(str(tmp_path)))
    assert f["HG-FILE-002"]["status"] == "pass" and f["HG-FILE-003"]["status"] == "skip"
    os.chmod(str(tmp_path / "tmp"), 0o777)
    f = dict((x["id"], x) for x in sticky_findings(str(tmp_path)))
    assert f["HG-FILE-002"]["status"] == "fail" and f["HG-FILE-002"]["evidence"]["mode"] == "0777"
