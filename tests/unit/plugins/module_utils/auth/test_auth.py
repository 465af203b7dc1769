"""Area auth: login.defs and profile umasks on fixture trees."""
import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.auth.audit import auth_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.auth import login_defs, parse_login_defs
from conftest import write  # noqa: E402


# ------------------------------------------------------------------ login.defs / umask

def test_password_aging_rules():
    assert login_defs.check_pass_max_days(None)[0] is False
    assert login_defs.check_pass_max_days("99999")[0] is False
    assert login_defs.check_pass_max_days("-1")[0] is False
    assert login_defs.check_pass_max_days("365")[0] is True
    assert login_defs.check_pass_max_days("400", limit=365)[0] is False
    assert login_defs.check_pass_min_days("0")[0] is False
    assert login_defs.check_pass_min_days("1")[0] is True
    values, dups = parse_login_defs.parse_login_defs(["PASS_MAX_DAYS 10", "  PASS_MAX_DAYS 90", "#UMASK 077"])
    assert values == {"PASS_MAX_DAYS": "90"} and dups == ["PASS_MAX_DAYS"]


@pytest.mark.parametrize("mask,strict", [("027", True), ("0077", True), ("037", True),
                                         ("022", False), ("002", False), ("bad", False)])
def test_umask_strictness(mask, strict):
    assert parse_login_defs.umask_is_strict(mask) is strict


def test_auth_findings(tmp_path):
    write(tmp_path, "/etc/login.defs", "PASS_MAX_DAYS 90\nPASS_MIN_DAYS 0\nUMASK 027\n")
    write(tmp_path, "/etc/profile", "if true; then umask 022; fi\n# umask 077\n")
    write(tmp_path, "/etc/profile.d/good.sh", "umask 027\n")
    write(tmp_path, "/etc/profile.d/notsourced.csh", "umask 002\n")
    f = dict((x["id"], x) for x in auth_findings({"root": str(tmp_path)}))
    assert f["HG-AUTH-001"]["status"] == "pass"
    assert f["HG-AUTH-002"]["status"] == "fail"
    assert f["HG-AUTH-003"]["status"] == "pass"
    assert f["HG-AUTH-004"]["status"] == "fail"
    assert [u["umask"] for u in f["HG-AUTH-004"]["evidence"]["umasks"]] == ["022", "027"]


def test_auth_missing_login_defs_and_no_umask(tmp_path):
    f = dict((x["id"], x) for x in auth_findings({"root": str(tmp_path)}))
    assert f["HG-AUTH-001"]["status"] == "skip"
    assert f["HG-AUTH-004"]["status"] == "skip"
    write(tmp_path, "/etc/login.defs", "PASS_MAX_DAYS 90\n")
    f = dict((x["id"], x) for x in auth_findings({"root": str(tmp_path)}))
    assert f["HG-AUTH-003"]["status"] == "fail"   # no UMASK: login falls back to 022


@pytest.mark.parametrize("text,mask", [("u=rwx,g=rx,o=", 0o027), ("u=rwx,g=,o=", 0o077),
                                       ("u=rwx,g=rx,o=rx", 0o022), ("a=rx,u+w", 0o022),
                                       ("o-rwx", 0o027), ("g-w,o=", 0o027), ("0027", 0o027),
                                       ("u=rwx,g=rx,o=,", None), ("q=rwx", None), ("u", None)])
def test_symbolic_umask_is_the_octal_mask_it_sets(text, mask):
    assert parse_login_defs.parse_umask(text) == mask


def test_symbolic_umask_in_a_profile_is_graded_by_its_value(tmp_path):
    write(tmp_path, "/etc/login.defs", "PASS_MAX_DAYS 90\nPASS_MIN_DAYS 1\nUMASK 027\n")
    write(tmp_path, "/etc/profile", "umask u=rwx,g=rx,o=\n")
    f = dict((x["id"], x) for x in auth_findings({"root": str(tmp_path)}))
    assert f["HG-AUTH-004"]["status"] == "pass"
    write(tmp_path, "/etc/profile", "umask -S u=rwx,g=rwx,o=rx\n")
    f = dict((x["id"], x) for x in auth_findings({"root": str(tmp_path)}))
    assert f["HG-AUTH-004"]["status"] == "fail"
