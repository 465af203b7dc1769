"""Area auth: the Lynis account tests (AUTH-9204..9288, 9230, 9262) on fixture trees."""
import os

from ansible_collections.hostguard.hardening.plugins.module_utils.auth.audit import auth_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.auth import parse_accounts
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.accounts import check_shadow
from conftest import write  # noqa: E402

PASSWD = ("root:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/root:/bin/sh\nbin:x:2:2::/bin:/usr/sbin/nologin\n"
          "alice:x:1000:1000::/home/alice:/bin/bash\nbob:x:1000:1001::/home/bob:/bin/bash\n"
          "+::0:0:::\n")


def by_id(findings):
    return dict((f["id"], f) for f in findings)


def test_passwd_group_and_login_defs_rules(tmp_path):
    write(tmp_path, "/etc/passwd", PASSWD)
    write(tmp_path, "/etc/group", "root:x:0:\nwheel:x:10:\nwheel:x:11:\nstaff:x:10:\n")
    write(tmp_path, "/etc/login.defs", "SHA_CRYPT_MIN_ROUNDS 10000\nSHA_CRYPT_MAX_ROUNDS 6000\n")
    f = by_id(auth_findings({"root": str(tmp_path)}))
    assert f["HG-AUTH-005"]["status"] == "fail" and f["HG-AUTH-005"]["evidence"]["accounts"] == ["toor"]
    assert f["HG-AUTH-006"]["status"] == "fail" and f["HG-AUTH-006"]["evidence"]["uids"] == ["0", "1000"]
    assert f["HG-AUTH-007"]["evidence"]["duplicates"] == ["10"]
    assert f["HG-AUTH-008"]["evidence"]["duplicates"] == ["wheel"]
    assert f["HG-AUTH-015"]["status"] == "pass" and f["HG-AUTH-015"]["evidence"]["rounds"] == 6000
    assert f["HG-AUTH-014"]["status"] == "fail"
    for cid in ("HG-AUTH-009", "HG-AUTH-011", "HG-AUTH-013"):
        assert f[cid]["status"] == "skip"            # no /etc/shadow in the fixture
    write(tmp_path, "/usr/lib/x86_64-linux-gnu/security/pam_pwquality.so", "")
    write(tmp_path, "/etc/login.defs", "PASS_MAX_DAYS 90\n")
    f = by_id(auth_findings({"root": str(tmp_path)}))
    assert f["HG-AUTH-014"]["status"] == "pass" and f["HG-AUTH-015"]["status"] == "fail"


def test_pam_module_symlink_out_of_root_is_not_followed_on_the_host(tmp_path):
    os.makedirs(str(tmp_path / "usr/lib"))
    os.symlink("/usr/lib", str(tmp_path / "lib"))          # absolute: resolves inside root
    f = by_id(auth_findings({"root": str(tmp_path)}))
    assert f["HG-AUTH-014"]["status"] == "fail"


def test_shadow_rules_like_passwd_status(tmp_path):
    write(tmp_path, "/etc/passwd", PASSWD + "carol:x:1002:1002::/home/carol:/bin/bash\n")
    write(tmp_path, "/etc/shadow", "root:$6$salt$hash:19000:0:99999:7:::\n"
                                   "alice::19000:0:90:7:::\n"
                                   "bob:$1$abc$def:100:0:30:7:::\n"
                                   "carol:!$y$j9T$x:19000:0:99999:7:::\n"
                                   "bin:*:19000:0:99999:7:::\n")
    f = by_id(check_shadow(str(tmp_path), now=19500 * 86400))
    assert f["HG-AUTH-009"]["evidence"]["found"] == ["md5crypt", "sha256crypt/sha512crypt(default=5000rounds)"]
    assert f["HG-AUTH-010"]["evidence"]["found"] == ["root"]
    assert f["HG-AUTH-011"]["evidence"]["found"] == ["alice"]
    assert f["HG-AUTH-012"]["evidence"]["found"] == ["carol"]
    assert f["HG-AUTH-013"]["evidence"]["found"] == ["alice", "bob"]
    assert parse_accounts.poor_hash("$6$rounds=656000$s$h") is None
    assert parse_accounts.poor_hash("$6$rounds=1000$s$h") == "sha256crypt/sha512crypt(<5000rounds)"
    assert parse_accounts.poor_hash("abcdefghijklm") == "bigcrypt/descrypt"
