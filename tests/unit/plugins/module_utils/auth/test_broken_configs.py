"""What a real admin breaks (issue 15, the oracle's `broken` configuration): PAM lines libpam
cannot use (HG-AUTH-025), sudoers lines sudo cannot parse (HG-AUTH-026), fstab lines libmount
ignores (HG-FILE-017), sysctl.d lines systemd-sysctl ignores (HG-SYSCTL-003): a finding each,
never a crash or a silent pass."""
from ansible_collections.hostguard.hardening.plugins.module_utils.auth import pam_syntax, sudoers, sudoers_syntax
from ansible_collections.hostguard.hardening.plugins.module_utils.file import fstab_lines
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl import collect as sysctl_collect
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.config_checks import check_config_files
from conftest import write  # noqa: E402

DEBIAN_COMMON_PASSWORD = """# /etc/pam.d/common-password
password\t[success=1 default=ignore]\tpam_unix.so obscure yescrypt
password\trequisite\t\t\tpam_deny.so
password\trequired\t\t\tpam_permit.so
-password optional pam_gnome_keyring.so
"""


def pam_tree(tmp_path, common_password=DEBIAN_COMMON_PASSWORD):
    for module in ("pam_unix.so", "pam_deny.so", "pam_permit.so", "pam_env.so"):
        write(tmp_path, "/lib/x86_64-linux-gnu/security/" + module, "")
    write(tmp_path, "/etc/pam.d/common-password", common_password)
    write(tmp_path, "/etc/pam.d/passwd", "@include common-password\n")
    write(tmp_path, "/etc/pam.d/login", "auth  [user_unknown=ignore success=ok ignore=ignore default=bad]"
                                        " pam_env.so\nauth include common-password\n"
                                        "session optional \\\n  pam_env.so\n")
    return str(tmp_path)


def test_pam_stock_debian_lines_pass(tmp_path):
    [f] = pam_syntax.pam_line_findings(pam_tree(tmp_path))
    assert f["status"] == "pass" and f["evidence"]["files"] == 3, f
    assert f["evidence"]["module_dirs"] == ["/lib/x86_64-linux-gnu/security"]


def test_pam_junk_lines_fail_each_named(tmp_path):
    root = pam_tree(tmp_path, DEBIAN_COMMON_PASSWORD + "this is not a pam line\npassword requisite\n"
                    "auth required pam_hg_missing.so\nauth bogus pam_unix.so\n@include nowhere\n")
    [f] = pam_syntax.pam_line_findings(root)
    assert f["status"] == "fail" and f["severity"] == "high"
    problems = f["evidence"]["problems"]
    assert problems == [
        "/etc/pam.d/common-password:6: unknown module type 'this': every stack of this service fails",
        "/etc/pam.d/common-password:7: no module: the password stack fails",
        "/etc/pam.d/common-password:8: module pam_hg_missing.so not found: the auth stack fails",
        "/etc/pam.d/common-password:9: bad control flag 'bogus': the auth stack fails",
        "/etc/pam.d/common-password:10: @include nowhere: no such file in /etc/pam.d"], problems


def test_pam_modules_unknown_location_says_nothing_about_modules(tmp_path):
    write(tmp_path, "/etc/pam.d/other", "auth required pam_whatever.so\n")
    [f] = pam_syntax.pam_line_findings(str(tmp_path))
    assert f["status"] == "pass" and f["evidence"]["module_dirs"] == []
    assert pam_syntax.pam_line_findings(str(tmp_path / "nothing"))[0]["status"] == "skip"


def test_sudoers_truncated_dropin_fails(tmp_path):
    write(tmp_path, "/etc/sudoers", "Defaults\tenv_reset\nDefaults secure_path=\"/usr/sbin:/usr/bin\"\n"
                                    "root\tALL=(ALL:ALL) ALL\n%sudo ALL=(ALL:ALL) ALL # admins\n"
                                    "#1000 ALL=(ALL) ALL\nCmnd_Alias X = /bin/a, \\\n  /bin/b\n"
                                    "@includedir /etc/sudoers.d\n", mode=0o440)
    write(tmp_path, "/etc/sudoers.d/README", "# comment only\n", mode=0o440)
    write(tmp_path, "/etc/sudoers.d/old.bak", "garbage (\n", mode=0o440)   # sudo skips names with a dot
    f = dict((x["id"], x) for x in sudoers.sudoers_findings(str(tmp_path)))
    assert f["HG-AUTH-026"]["status"] == "pass", f["HG-AUTH-026"]
    write(tmp_path, "/etc/sudoers.d/hg-truncated", "root ALL=(ALL", mode=0o440)
    write(tmp_path, "/etc/sudoers.d/hg-noeq", "User_Alias ADMINS alice\nbob ALL\n", mode=0o440)
    f = dict((x["id"], x) for x in sudoers.sudoers_findings(str(tmp_path)))
    assert f["HG-AUTH-026"]["status"] == "fail"
    assert f["HG-AUTH-026"]["evidence"]["problems"] == [
        "/etc/sudoers.d/hg-noeq:1: an alias without '='",
        "/etc/sudoers.d/hg-noeq:2: a user specification without '='",
        "/etc/sudoers.d/hg-truncated:1: unbalanced parentheses"]
    assert sudoers_syntax.line_problem("x ALL=(ALL) ALL", True).startswith("a '\\' continuation")


def test_sudoers_absent_is_a_skip_with_the_reason(tmp_path):
    f = dict((x["id"], x) for x in sudoers.sudoers_findings(str(tmp_path)))
    assert f["HG-AUTH-026"]["status"] == "skip" and "no sudoers file" in f["HG-AUTH-026"]["detail"]


def test_fstab_line_with_two_fields_fails(tmp_path):
    write(tmp_path, "/etc/fstab", "# UNCONFIGURED FSTAB\n/dev/sda1 / ext4 defaults 0 1\n/dev/sdb1 /srv ext4\n")
    assert fstab_lines.fstab_line_findings(str(tmp_path))[0]["status"] == "pass"
    write(tmp_path, "/etc/fstab", "/dev/sda1 / ext4 defaults 0 1\n/dev/hg-missing /mnt/hg-broken\n")
    [f] = fstab_lines.fstab_line_findings(str(tmp_path))
    assert f["status"] == "fail" and f["evidence"]["unparsable"] == ["line 2: /dev/hg-missing /mnt/hg-broken"]
    assert fstab_lines.fstab_line_findings(str(tmp_path / "none"))[0]["status"] == "skip"


def test_sysctl_garbage_lines_are_a_fail(tmp_path):
    write(tmp_path, "/etc/sysctl.d/98-garbage.conf", b"\xff\xfegarbage\nnet.ipv4.ip_forward\n= 1\n"
          b"kernel.hg_no_such_key = 1\n; comment\n")
    errors = []
    entries = sysctl_collect.read_conf(str(tmp_path), "/etc/sysctl.d/98-garbage.conf", errors)
    assert [e["key"] for e in entries] == ["kernel.hg_no_such_key"]
    assert errors == [{"file": "/etc/sysctl.d/98-garbage.conf", "reason": "not_an_assignment",
                       "message": "3 line(s) systemd-sysctl ignores (not an assignment): line 1, 2, 3"}]
    [f] = check_config_files(errors, [])
    assert f["status"] == "fail" and f["id"] == "HG-SYSCTL-003"


def test_lvm_inventory_from_device_mapper(tmp_path, monkeypatch):
    from ansible_collections.hostguard.hardening.plugins.module_utils.file import lvm
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host
    assert lvm.split_dm_name("my--vg-root--lv") == ("my-vg", "root-lv") and lvm.split_dm_name("crypt") is None
    host = Host(str(tmp_path))
    f = dict((x["id"], x) for x in lvm.lvm_findings(host))
    assert f["HG-FILE-018"]["status"] == "skip" and "no vgdisplay" in f["HG-FILE-018"]["detail"]
    write(tmp_path, "/usr/sbin/vgdisplay", "", mode=0o755)
    write(tmp_path, "/sys/block/dm-0/dm/uuid", "LVM-abcdef\n")
    write(tmp_path, "/sys/block/dm-0/dm/name", "vg0-root\n")
    write(tmp_path, "/sys/block/dm-1/dm/uuid", "CRYPT-LUKS2-xyz\n")
    write(tmp_path, "/sys/block/dm-1/dm/name", "cryptswap\n")
    host = Host(str(tmp_path))
    host.live = True       # the fixture tree stands for a live /sys
    f = dict((x["id"], x) for x in lvm.lvm_findings(host))
    assert f["HG-FILE-018"]["evidence"]["volume_groups"] == ["vg0"]
    assert f["HG-FILE-019"]["evidence"]["volumes"] == ["vg0/root"]
