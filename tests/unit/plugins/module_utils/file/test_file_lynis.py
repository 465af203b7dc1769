"""Area file: the Lynis FILE tests added for issue 15 (6323 6332 6336 6344 6354 6368 6372 6374
6376 6394 6410 6430 7524) on fixture trees."""
import os
import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host
from ansible_collections.hostguard.hardening.plugins.module_utils.file import (
    filesystem_modules, locate_db, mount_options, permissions, swappiness, tmp_age)
from ansible_collections.hostguard.hardening.plugins.module_utils.file.audit import audit
from conftest import write  # noqa: E402

MOUNTS = ("/dev/sda1 / ext4 rw,relatime 0 0\nproc /proc proc rw,nosuid,nodev,noexec,hidepid=invisible 0 0\n"
          "tmpfs /tmp tmpfs rw,nosuid,nodev 0 0\ntmpfs /dev/shm tmpfs rw,nosuid,nodev,noexec 0 0\n"
          "tmpfs /run tmpfs rw,nosuid,nodev 0 0\n")


def by_id(findings):
    out = {}
    for f in findings:
        out.setdefault(f["id"], []).append(f)
    return out


def test_mount_options_from_the_live_table(tmp_path):
    write(tmp_path, "/proc/mounts", MOUNTS)
    write(tmp_path, "/etc/fstab", "# swap was on /dev/sda5\n/dev/sda5 none swap sw 0 0\n/swapfile none swap nofail 0 0\n"
                                  "UUID=1 / ext4 errors=remount-ro 0 1\n/tmp /var/tmp none bind 0 0\n")
    f = by_id(mount_options.mount_option_findings(str(tmp_path)))
    opts = dict((x["subject"], x) for x in f["HG-FILE-010"])
    # /tmp lacks noexec (fail), /dev/shm and /run carry all of Lynis's expected options; /boot is no mount
    assert opts["/tmp"]["status"] == "fail" and opts["/tmp"]["evidence"]["missing"] == ["noexec"]
    assert opts["/dev/shm"]["status"] == "pass" and opts["/run"]["status"] == "pass" and "/boot" not in opts
    assert f["HG-FILE-004"][0]["evidence"]["ext"] == ["/ (ext4)"]
    assert f["HG-FILE-007"][0]["evidence"] == {"source": "/proc/mounts", "hidepid": "invisible", "restricted": True}
    # FILE-6332 lists both swaps, FILE-6336 flags the one whose options lack "sw"
    assert f["HG-FILE-005"][0]["evidence"]["swap"] == ["/dev/sda5", "/swapfile"]
    assert f["HG-FILE-006"][0]["status"] == "fail" and f["HG-FILE-006"][0]["evidence"]["entries"] == ["/swapfile (nofail)"]
    assert f["HG-FILE-009"][0]["evidence"]["options"] == "errors=remount-ro"
    assert f["HG-FILE-011"][0]["evidence"] == {"in_fstab": True, "bind": True}
    assert f["HG-FILE-008"][0]["evidence"]["acl"].startswith("ext default")


def test_mount_options_without_any_table_are_skipped_not_passed(tmp_path):
    f = by_id(mount_options.mount_option_findings(str(tmp_path)))
    assert set(x["status"] for fs in f.values() for x in fs) == {"skip"}


def test_swap_defaults_passes_and_root_acl_on_xfs(tmp_path):
    write(tmp_path, "/proc/mounts", "/dev/vda / xfs rw,no_acl 0 0\n")
    write(tmp_path, "/etc/fstab", "/dev/vdb none swap defaults 0 0\n")
    f = by_id(mount_options.mount_option_findings(str(tmp_path)))
    assert f["HG-FILE-006"][0]["status"] == "pass"
    assert f["HG-FILE-008"][0]["evidence"]["acl"] == "disabled"


def test_old_files_in_tmp_by_access_time(tmp_path):
    old = write(tmp_path, "/tmp/a/old.txt", "x")
    write(tmp_path, "/tmp/new.txt", "y")
    os.mkfifo(str(tmp_path / "tmp" / "fifo"))
    now = time.time()
    os.utime(old, (now - 95 * 86400, now))
    f = tmp_age.tmp_age_findings(str(tmp_path), now=now)[0]
    assert f["status"] == "fail" and f["evidence"]["old"] == ["/tmp/a/old.txt (95 days)"]
    os.utime(old, (now - 90.5 * 86400, now))      # find -atime +90: 90 whole days is not older
    assert tmp_age.tmp_age_findings(str(tmp_path), now=now)[0]["status"] == "pass"


def test_tmp_walk_is_bounded(tmp_path):
    for i in range(30):
        write(tmp_path, "/tmp/d%02d/f" % i, "x")
    _found, seen, cut = tmp_age.old_files(str(tmp_path / "tmp"), time.time(), max_entries=10)
    assert cut is True and seen == 10
    deep = str(tmp_path / "tmp" / "/".join("d" * 5))
    os.makedirs(deep)
    _found, _seen, cut = tmp_age.old_files(str(tmp_path / "tmp"), time.time(), max_depth=3)
    assert cut is True
    assert tmp_age.tmp_age_findings(str(tmp_path / "nothing"))[0]["status"] == "skip"


def test_swappiness(tmp_path):
    write(tmp_path, "/proc/sys/vm/swappiness", "0\n")
    assert swappiness.swappiness_findings(str(tmp_path))[0]["status"] == "fail"
    write(tmp_path, "/proc/sys/vm/swappiness", "80\n")
    write(tmp_path, "/proc/swaps", "Filename Type Size Used Priority\n/dev/sda2 partition 100 0 -2\n")
    os.makedirs(str(tmp_path / "sys/devices/pci0/sda/sda2"))
    write(tmp_path, "/sys/devices/pci0/sda/queue/rotational", "1\n")
    os.makedirs(str(tmp_path / "sys/class/block"))
    os.symlink("../../devices/pci0/sda/sda2", str(tmp_path / "sys/class/block/sda2"))
    f = swappiness.swappiness_findings(str(tmp_path))[0]
    assert f["status"] == "fail" and f["evidence"]["swap_rotational"] == {"/dev/sda2": True}
    write(tmp_path, "/sys/devices/pci0/sda/queue/rotational", "0\n")     # an SSD: Lynis says nothing
    assert swappiness.swappiness_findings(str(tmp_path))[0]["status"] == "pass"
    write(tmp_path, "/proc/sys/vm/swappiness", "60\n")
    assert swappiness.swappiness_findings(str(tmp_path))[0]["status"] == "pass"


def test_locate_database(tmp_path):
    assert locate_db.locate_findings(Host(str(tmp_path)))[0]["status"] == "skip"
    write(tmp_path, "/usr/bin/locate", "#!/bin/sh\n", mode=0o755)
    assert locate_db.locate_findings(Host(str(tmp_path)))[0]["status"] == "fail"
    write(tmp_path, "/var/lib/plocate/plocate.db", "db")
    assert locate_db.locate_findings(Host(str(tmp_path)))[0]["status"] == "pass"


def test_rare_filesystem_modules(tmp_path, monkeypatch):
    monkeypatch.setattr(filesystem_modules, "loaded_modules", lambda root: {"squashfs", "ext4", "hfsplus"})
    write(tmp_path, "/etc/modprobe.d/fs.conf", "install squashfs /bin/true\n")
    f = filesystem_modules.unused_fs_findings(str(tmp_path))[0]
    assert f["status"] == "fail" and f["evidence"] == {"loaded": ["hfsplus", "squashfs"], "disabled_in_modprobe_d": ["squashfs"]}
    monkeypatch.setattr(filesystem_modules, "loaded_modules", lambda root: None)
    assert filesystem_modules.unused_fs_findings(str(tmp_path))[0]["status"] == "pass"


def test_permissions_of_lynis_profile_paths(tmp_path):
    write(tmp_path, "/etc/crontab", "x", mode=0o644)
    write(tmp_path, "/etc/passwd", "root:x:0:0::/root:/bin/sh\n", mode=0o644)
    write(tmp_path, "/etc/issue", "x", mode=0o4644)          # setuid: more than rw-r--r--
    os.makedirs(str(tmp_path / "etc/cron.d"))
    os.chmod(str(tmp_path / "etc/cron.d"), 0o700)
    write(tmp_path, "/etc/cron.daily/x", "x")
    os.chmod(str(tmp_path / "etc/cron.daily"), 0o755)
    write(tmp_path, "/real/motd", "x", mode=0o600)
    os.symlink("/real/motd", str(tmp_path / "etc/motd"))     # followed inside root
    f = permissions.permission_findings(str(tmp_path))[0]
    assert f["status"] == "fail" and f["evidence"]["checked"] == 6
    assert f["evidence"]["too_open"] == ["/etc/crontab 0644 (at most 0600)", "/etc/issue 4644 (at most 0644)",
                                         "/etc/cron.daily 0755 (at most 0700)"]
    assert permissions.too_open(0o511, 0o600) == 0o111      # Lynis's decimal compare would pass 511 <= 600


def test_area_runs_every_new_check(tmp_path):
    write(tmp_path, "/proc/mounts", MOUNTS)
    write(tmp_path, "/etc/fstab", "UUID=1 / ext4 defaults 0 1\n")
    os.makedirs(str(tmp_path / "tmp"))
    ids = set(f["id"] for f in audit({"root": str(tmp_path), "separate_mounts": ["/tmp"]})["findings"])
    assert set("HG-FILE-%03d" % n for n in range(1, 17)) <= ids      # each check says something (skip included)
