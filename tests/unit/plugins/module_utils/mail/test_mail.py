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


def test_self_referencing_mail_name_is_expanded_once_and_bounded(tmp_path):
    from ansible_collections.hostguard.hardening.plugins.module_utils.mail import parse_main_cf
    calls = []
    real = parse_main_cf._PARAM_REF

    class Counting(object):
        def finditer(self, text):
            calls.append(len(text))
            return real.finditer(text)
    parse_main_cf._PARAM_REF = Counting()
    try:
        notes = []
        value = parse_main_cf.expand_postfix("$mail_name", {"mail_name": " ".join(["$mail_name"] * 20)}, notes)
        assert "loop" in notes and len(value) <= parse_main_cf.MAX_EXPANDED_CHARS
        assert len(calls) <= 3            # the banner and mail_name, each scanned once
        notes = []
        big = parse_main_cf.expand_postfix("$a", {"a": "$b$b$b$b", "b": "$c$c$c$c", "c": "x" * 3000}, notes)
        assert notes == ["cut"] and len(big) == parse_main_cf.MAX_EXPANDED_CHARS
    finally:
        parse_main_cf._PARAM_REF = real
    write(tmp_path, "/etc/postfix/main.cf", "mail_name = " + " ".join(["$mail_name"] * 20) + " Postfix\n")
    f = mail_finding({"root": str(tmp_path)})
    assert f["status"] == "fail" and f["evidence"]["expansion"] == ["loop"]
