"""Area mail: MAIL-8818 on fixture trees."""
from ansible_collections.hostguard.hardening.plugins.module_utils.mail.banner import mail_finding
from conftest import write  # noqa: E402


# ------------------------------------------------------------------ MAIL-8818

def test_postfix_banner(tmp_path):
    assert mail_finding({"root": str(tmp_path)})["status"] == "skip"
    write(tmp_path, "/etc/postfix/main.cf", "myhostname = mx\n")
    f = mail_finding({"root": str(tmp_path)})
    assert f["status"] == "fail" and "software:postfix" in f["evidence"]["reveals"]
    write(tmp_path, "/etc/postfix/main.cf", "smtpd_banner = $myhostname ESMTP $mail_name\n"
                                            "  (Debian/GNU)\n")
    f = mail_finding({"root": str(tmp_path)})
    assert "os:debian" in f["evidence"]["reveals"]
    write(tmp_path, "/etc/postfix/main.cf", "smtpd_banner = ${myhostname} ESMTP\n")
    assert mail_finding({"root": str(tmp_path)})["status"] == "pass"


