# -*- coding: utf-8 -*-
"""fstab_options run as Ansible runs it (a subprocess with its arguments file)."""
import os

from conftest import REPO, run_module_file  # noqa: E402
MODULE = os.path.join(REPO, "plugins", "modules", "fstab_options.py")
WANTED = [{"path": "/tmp", "options": ["nodev", "nosuid", "noexec"]},
          {"path": "/home", "options": ["nodev", "nosuid"]}]
FSTAB = b"# static\nUUID=1 / ext4 errors=remount-ro 0 1\ntmpfs  /tmp  tmpfs  nosuid  0 0\n/dev/sda3 none swap pri=5 0 0\n"


def run_module(tmp_path, args, check=False):
    args = dict(args, _ansible_check_mode=check, _ansible_diff=True, _ansible_tmpdir=str(tmp_path))
    return run_module_file(MODULE, tmp_path, args)


def setup(tmp_path, data=FSTAB, table="tmpfs /tmp tmpfs rw,nosuid 0 0\n"):
    etc = tmp_path / "etc"
    etc.mkdir()
    fstab = etc / "fstab"
    fstab.write_bytes(data)
    os.chmod(str(fstab), 0o640)
    mounts = tmp_path / "mounts"
    mounts.write_text(table)
    return fstab, {"path": str(fstab), "mounts": WANTED, "mount_table": str(mounts)}


def test_check_mode_reports_and_writes_nothing(tmp_path):
    fstab, args = setup(tmp_path)
    res = run_module(tmp_path, args, check=True)
    assert not res.get("failed"), res
    assert res["changed"] is True and fstab.read_bytes() == FSTAB
    assert sorted(os.listdir(str(tmp_path / "etc"))) == ["fstab"]
    assert "tmpfs  /tmp  tmpfs  nosuid,nodev,noexec  0 0" in res["diff"]["after"]
    assert res["pending"] == {"/tmp": ["nodev", "noexec"]} and res["remounted"] == []
    assert res["absent"] == ["/home"] and res["refusals"] == []


def test_converge_backs_up_keeps_mode_and_is_idempotent(tmp_path):
    fstab, args = setup(tmp_path)
    res = run_module(tmp_path, args)
    assert res["changed"] is True and not res.get("failed"), res
    assert open(res["backup_file"], "rb").read() == FSTAB
    new = fstab.read_bytes()
    assert new == FSTAB.replace(b"tmpfs  nosuid  0", b"tmpfs  nosuid,nodev,noexec  0").replace(b"pri=5", b"pri=5,sw")
    assert oct(os.stat(str(fstab)).st_mode & 0o777) == "0o640"
    if res.get("findmnt") is not None:
        assert res["findmnt"]["candidate"] <= res["findmnt"]["current"]
    again = run_module(tmp_path, args)
    assert again["changed"] is False and again["changes"] == [] and fstab.read_bytes() == new
    assert "backup_file" not in again


def test_symlink_is_refused_not_followed(tmp_path):
    fstab, args = setup(tmp_path)
    link = tmp_path / "etc" / "fstab.link"
    link.symlink_to(fstab)
    res = run_module(tmp_path, dict(args, path=str(link)))
    assert res["changed"] is False and not res.get("failed")
    assert "symlink" in res["refusals"][0] and fstab.read_bytes() == FSTAB


def test_unparsable_file_is_refused(tmp_path):
    fstab, args = setup(tmp_path, data=b"tmpfs /tmp\n")
    res = run_module(tmp_path, args)
    assert res["changed"] is False and not res.get("failed")
    assert "unparsable" in res["refusals"][0] and fstab.read_bytes() == b"tmpfs /tmp\n"


def test_absent_entry_of_a_failing_live_mount_is_a_refusal_and_no_line_is_invented(tmp_path):
    data = b"UUID=1 / ext4 defaults 0 1\n"
    fstab, args = setup(tmp_path, data=data, table="/dev/sda2 /home ext4 rw 0 0\n")
    res = run_module(tmp_path, dict(args, remount=True))
    assert res["changed"] is False and fstab.read_bytes() == data
    assert res["refusals"] == ["/home is mounted without nodev,nosuid but has no %s entry; "
                               "hostguard does not invent one" % fstab]
    assert res["remounted"] == []


def test_remount_in_check_mode_lists_only_the_missing_options(tmp_path):
    _fstab, args = setup(tmp_path)
    res = run_module(tmp_path, dict(args, remount=True), check=True)
    assert res["remounted"] == [{"mount_point": "/tmp", "options": ["nodev", "noexec"]}]
    assert res["pending"] == {}
