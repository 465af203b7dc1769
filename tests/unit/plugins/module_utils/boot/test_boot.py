"""Area boot: fixture roots for every check that can fail."""
import os

from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.boot import AREA
from ansible_collections.hostguard.hardening.plugins.module_utils.boot.exposure import exposure, merge_service


def by_id(result, check_id):
    return [f for f in result["findings"] if f["id"] == check_id]


def test_empty_root_every_check_reports(tmp_path):
    result = AREA.run({"root": str(tmp_path)})
    assert set(f["id"] for f in result["findings"]) == set(c.id for c in AREA.checks)
    assert not [f for f in result["findings"] if f["status"] == "error"]


def test_grub_password(tmp_path):
    write(tmp_path, "boot/grub/grub.cfg", "menuentry 'Debian' {\n}\n")
    assert by_id(AREA.run({"root": str(tmp_path)}), "HG-BOOT-006")[0]["status"] == "fail"
    write(tmp_path, "etc/grub.d/40_custom", 'set superusers="root"\npassword_pbkdf2 root grub.pbkdf2.sha512.10000.AA\n')
    assert by_id(AREA.run({"root": str(tmp_path)}), "HG-BOOT-006")[0]["status"] == "pass"


def test_grub_password_commented_out_is_no_password(tmp_path):
    write(tmp_path, "boot/grub/grub.cfg", '# set superusers="root"\n# password_pbkdf2 root x\n')
    assert by_id(AREA.run({"root": str(tmp_path)}), "HG-BOOT-006")[0]["status"] == "fail"


def test_world_writable_startup_script(tmp_path):
    write(tmp_path, "etc/init.d/ok", "#!/bin/sh\n", mode=0o755)
    assert by_id(AREA.run({"root": str(tmp_path)}), "HG-BOOT-013")[0]["status"] == "pass"
    write(tmp_path, "etc/rc.local", "#!/bin/sh\n", mode=0o777)
    found = by_id(AREA.run({"root": str(tmp_path)}), "HG-BOOT-013")[0]
    assert found["status"] == "fail" and found["evidence"]["world_writable"] == ["/etc/rc.local"]


def test_startup_script_symlink_out_of_root_not_followed(tmp_path):
    outside = tmp_path / "outside"
    write(outside, "evil", "x", mode=0o777)
    root = tmp_path / "root"
    os.makedirs(str(root / "etc/init.d"))
    os.symlink(str(outside / "evil"), str(root / "etc/init.d/evil"))
    assert by_id(AREA.run({"root": str(root)}), "HG-BOOT-013")[0]["status"] == "pass"


def test_rescue_sulogin(tmp_path):
    write(tmp_path, "usr/lib/systemd/system/rescue.service", "[Service]\nExecStart=-/bin/sh\n")
    assert by_id(AREA.run({"root": str(tmp_path)}), "HG-BOOT-015")[0]["status"] == "fail"
    write(tmp_path, "usr/lib/systemd/system/rescue.service",
          "[Service]\nExecStart=-/usr/lib/systemd/systemd-sulogin-shell rescue\n")
    assert by_id(AREA.run({"root": str(tmp_path)}), "HG-BOOT-015")[0]["status"] == "pass"


def test_lilo_without_password(tmp_path):
    write(tmp_path, "etc/lilo.conf", "image=/vmlinuz\n")
    assert by_id(AREA.run({"root": str(tmp_path)}), "HG-BOOT-007")[0]["status"] == "fail"
    write(tmp_path, "etc/lilo.conf", "password=secret\nimage=/vmlinuz\n")
    assert by_id(AREA.run({"root": str(tmp_path)}), "HG-BOOT-007")[0]["status"] == "pass"


def test_exposure_bare_unit_is_unsafe_and_sandboxed_is_not():
    bare = exposure(merge_service([("ExecStart", "/usr/sbin/cron")]))
    assert bare[1] in ("UNSAFE", "DANGEROUS") and bare[0] >= 90
    hardened = exposure(merge_service([
        ("DynamicUser", "yes"), ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"), ("PrivateDevices", "yes"), ("PrivateNetwork", "yes"), ("PrivateUsers", "yes"),
        ("ProtectKernelTunables", "yes"), ("ProtectKernelModules", "yes"), ("ProtectKernelLogs", "yes"),
        ("ProtectControlGroups", "yes"), ("ProtectClock", "yes"), ("ProtectHostname", "yes"),
        ("RestrictNamespaces", "yes"), ("RestrictRealtime", "yes"), ("RestrictSUIDSGID", "yes"),
        ("LockPersonality", "yes"), ("MemoryDenyWriteExecute", "yes"), ("RemoveIPC", "yes"),
        ("CapabilityBoundingSet", ""), ("RestrictAddressFamilies", "AF_UNIX"), ("SystemCallArchitectures", "native"),
        ("SystemCallFilter", "@system-service"), ("IPAddressDeny", "any"), ("UMask", "0077"),
        ("ProtectProc", "invisible"), ("ProcSubset", "pid"), ("PrivateMounts", "yes"), ("RootDirectory", "/srv/x")]))
    assert hardened[0] < bare[0] and hardened[1] in ("PERFECT", "SAFE", "OK", "MEDIUM")


def test_enabled_service_exposure_from_unit_files(tmp_path):
    write(tmp_path, "lib/systemd/system/demo.service", "[Service]\nExecStart=/bin/demo\n")
    os.makedirs(str(tmp_path / "etc/systemd/system/multi-user.target.wants"))
    os.symlink("/lib/systemd/system/demo.service", str(tmp_path / "etc/systemd/system/multi-user.target.wants/demo.service"))
    found = by_id(AREA.run({"root": str(tmp_path)}), "HG-BOOT-016")[0]
    assert found["status"] == "fail" and found["evidence"]["exposed"] == ["demo.service"]
