"""Area auth: the Lynis AUTH tests added for issue 15 (9234 9250 9252 9264 9266 9268 9278 9308
9408) on fixture trees."""
import os

from ansible_collections.hostguard.hardening.plugins.module_utils.auth import inventory, single_user, sudoers
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host
from conftest import write  # noqa: E402


def by_id(findings):
    return dict((f["id"], f) for f in findings)


def test_sudoers_permissions_lynis_patterns(tmp_path):
    f = by_id(sudoers.sudoers_findings(str(tmp_path)))
    assert f["HG-AUTH-016"]["evidence"]["files"] == [] and f["HG-AUTH-017"]["status"] == "skip"
    write(tmp_path, "/etc/sudoers", "root ALL=(ALL) ALL\n", mode=0o440)
    write(tmp_path, "/etc/sudoers.d/README", "#\n", mode=0o440)
    os.chmod(str(tmp_path / "etc/sudoers.d"), 0o750)
    uid, gid = os.stat(str(tmp_path / "etc/sudoers")).st_uid, os.stat(str(tmp_path / "etc/sudoers")).st_gid
    f = by_id(sudoers.sudoers_findings(str(tmp_path)))
    # owned 0:0 only when the test runs as root: otherwise the owner alone makes it unsafe
    assert f["HG-AUTH-017"]["status"] == ("pass" if (uid, gid) == (0, 0) else "fail")
    write(tmp_path, "/etc/sudoers.d/weak", "x ALL=(ALL) NOPASSWD: ALL\n", mode=0o664)
    f = by_id(sudoers.sudoers_findings(str(tmp_path)))
    assert f["HG-AUTH-017"]["status"] == "fail"
    assert any(item.startswith("/etc/sudoers.d/weak 0664") for item in f["HG-AUTH-017"]["evidence"]["unsafe"])


def test_sudoers_mode_rules_are_lynis_s():
    class St(object):
        def __init__(self, mode, uid=0, gid=0):
            self.st_mode, self.st_uid, self.st_gid = mode, uid, gid
    assert sudoers.file_ok(St(0o100440)) and sudoers.file_ok(St(0o100640)) and sudoers.file_ok(St(0o100600))
    assert not sudoers.file_ok(St(0o100444)) and not sudoers.file_ok(St(0o100040)) and not sudoers.file_ok(St(0o100540))
    assert not sudoers.file_ok(St(0o100440, uid=1))
    assert sudoers.dir_ok(St(0o40750)) and sudoers.dir_ok(St(0o40700)) and not sudoers.dir_ok(St(0o40755))
    assert not sudoers.dir_ok(St(0o41750)) and not sudoers.dir_ok(St(0o40650))


def test_inventory(tmp_path):
    write(tmp_path, "/etc/login.defs", "UID_MIN 500\n")
    write(tmp_path, "/etc/passwd", "root:x:0:0::/root:/bin/bash\nbin:x:2:2::/bin:/usr/sbin/nologin\n"
                                   "alice:x:500:500::/home/alice:/bin/bash\nnobody:x:65534:65534::/:/bin/false\n")
    write(tmp_path, "/etc/pam.conf", "# comment\n\nother auth required pam_deny.so\n")
    write(tmp_path, "/etc/pam.d/common-auth", "auth sufficient pam_ldap.so\nauth required pam_unix.so\n")
    write(tmp_path, "/etc/pam.d/login.pam-old", "x\n")
    write(tmp_path, "/lib/x86_64-linux-gnu/security/pam_faillock.so", "\x7fELF")
    write(tmp_path, "/lib/x86_64-linux-gnu/security/pam_unix.so", "\x7fELF")
    os.makedirs(str(tmp_path / "var/run/faillock"))
    f = by_id(inventory.inventory_findings(Host(str(tmp_path))))
    assert f["HG-AUTH-018"]["evidence"]["users"] == ["root,0", "alice,500"]
    assert f["HG-AUTH-019"]["evidence"] == {"exists": True, "lines": 1}
    assert f["HG-AUTH-020"]["evidence"]["files"] == ["common-auth"]
    assert f["HG-AUTH-021"]["evidence"]["modules"] == ["pam_faillock.so", "pam_unix.so"]
    assert f["HG-AUTH-022"]["evidence"] == {"ldap": True, "files": ["/etc/pam.d/common-auth"]}
    assert f["HG-AUTH-023"]["evidence"]["tooling"] == ["pam_faillock"]
    assert set(x["status"] for x in f.values()) == {"pass"}


def test_single_user_mode_reads_the_unit_systemd_loads(tmp_path):
    write(tmp_path, "/lib/systemd/system/rescue.service", "[Service]\nExecStart=-/lib/systemd/systemd-sulogin-shell rescue\n")
    write(tmp_path, "/lib/systemd/system/emergency.service", "[Service]\nExecStart=-/bin/sh\n")
    assert single_user.single_user_findings(Host(str(tmp_path)))[0]["status"] == "pass"
    # a drop-in that resets ExecStart to a plain shell: no password any more (Lynis reads /lib only)
    write(tmp_path, "/etc/systemd/system/rescue.service.d/shell.conf", "[Service]\nExecStart=\nExecStart=-/bin/bash\n")
    f = single_user.single_user_findings(Host(str(tmp_path)))[0]
    assert f["status"] == "fail" and f["evidence"]["units"]["rescue.service"] == "-/bin/bash"


def test_single_user_mode_without_systemd(tmp_path):
    assert single_user.single_user_findings(Host(str(tmp_path)))[0]["status"] == "skip"
    write(tmp_path, "/etc/inittab", "id:2:initdefault:\n")
    assert single_user.single_user_findings(Host(str(tmp_path)))[0]["status"] == "fail"
    write(tmp_path, "/etc/inittab", "~~:S:wait:/sbin/sulogin\n")
    assert single_user.single_user_findings(Host(str(tmp_path)))[0]["status"] == "pass"


def test_nsswitch_nis_nisplus_ldap_as_lynis_greps(tmp_path):
    from ansible_collections.hostguard.hardening.plugins.module_utils.auth import nsswitch
    f = by_id(nsswitch.nsswitch_findings(Host(str(tmp_path))))
    assert f["HG-AUTH-027"]["evidence"] == {"exists": False} and f["HG-AUTH-030"]["status"] == "skip"
    write(tmp_path, "/etc/nsswitch.conf", "passwd:         files systemd\ngroup: files\n")
    f = by_id(nsswitch.nsswitch_findings(Host(str(tmp_path))))
    assert not f["HG-AUTH-027"]["evidence"]["nisplus"] and not f["HG-AUTH-028"]["evidence"]["nis"]
    assert not f["HG-AUTH-029"]["evidence"]["ldap"] and f["HG-AUTH-030"]["status"] == "skip"
    write(tmp_path, "/etc/nsswitch.conf", "passwd: compat\npasswd_compat: nis\n")
    f = by_id(nsswitch.nsswitch_findings(Host(str(tmp_path))))
    assert f["HG-AUTH-028"]["evidence"]["nis"] and not f["HG-AUTH-027"]["evidence"]["nisplus"]
    write(tmp_path, "/etc/nsswitch.conf", "passwd: files nisplus\n")
    f = by_id(nsswitch.nsswitch_findings(Host(str(tmp_path))))
    assert f["HG-AUTH-027"]["evidence"]["nisplus"] and not f["HG-AUTH-028"]["evidence"]["nis"]
    write(tmp_path, "/etc/nsswitch.conf", "passwd: files ldap\n")
    write(tmp_path, "/etc/ldap/ldap.conf", "BASE dc=example\nhost ldap1.example ldap2.example\n")
    f = by_id(nsswitch.nsswitch_findings(Host(str(tmp_path))))
    assert f["HG-AUTH-029"]["evidence"]["ldap"] and f["HG-AUTH-030"]["status"] == "pass"
    assert f["HG-AUTH-030"]["evidence"] == {"files": ["/etc/ldap/ldap.conf"], "servers": ["ldap1.example"]}
    assert all(x["severity"] == "info" for x in f.values())


def test_pwck_grpck_are_asked_on_the_live_system_only(tmp_path):
    from ansible_collections.hostguard.hardening.plugins.module_utils.auth import consistency
    f = by_id(consistency.consistency_findings(Host(str(tmp_path))))
    assert f["HG-AUTH-031"]["status"] == "skip" and "root is not /" in f["HG-AUTH-031"]["detail"]
    assert f["HG-AUTH-032"]["status"] == "skip"

    class Live(object):
        live = True

        def __init__(self, rc, out=""):
            self.rc, self.out, self.argv = rc, out, []

        def is_file(self, path):
            return path == "/usr/sbin/pwck"

        def which(self, name):
            return "/usr/sbin/" + name

        def run(self, argv):
            self.argv.append(argv)
            return {"rc": self.rc, "stdout": self.out, "stderr": "", "error": None}
    host = Live(2, "invalid password file entry\ndelete line 'x'? No\n")
    f = by_id(consistency.consistency_findings(host))
    assert host.argv == [["/usr/sbin/pwck", "-q", "-r"], ["/usr/sbin/grpck", "-r"]]
    assert f["HG-AUTH-031"]["status"] == "fail" and f["HG-AUTH-031"]["evidence"]["rc"] == 2
    assert "invalid password file entry" in f["HG-AUTH-031"]["detail"]
    f = by_id(consistency.consistency_findings(Live(0)))
    assert f["HG-AUTH-031"]["status"] == "pass" and f["HG-AUTH-032"]["status"] == "pass"
