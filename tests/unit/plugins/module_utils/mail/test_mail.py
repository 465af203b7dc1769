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


def test_huge_mail_name_cannot_push_the_rest_of_the_banner_out(tmp_path):
    """Issue 17 item 3: the expansion budget is per reference. A 20,000-character mail_name
    (continuation lines) before ``(Debian/GNU)`` in smtpd_banner: the OS words written after
    the reference are still seen; the size stays bounded (counted, not timed)."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.mail import parse_main_cf
    filler = "\n".join("  " + "A" * 999 for _index in range(20))
    write(tmp_path, "/etc/postfix/main.cf", "mail_name = Mail\n" + filler + "\n"
                                            "smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)\n")
    f = mail_finding({"root": str(tmp_path)})
    assert f["status"] == "fail" and "os:debian" in f["evidence"]["reveals"]
    assert f["evidence"]["expansion"] == ["cut"]
    notes = []
    value = parse_main_cf.expand_postfix("$a tail", {"a": "x" * 100000}, notes)
    assert value.endswith(" tail") and len(value) == parse_main_cf.MAX_EXPANDED_CHARS + 5
    assert notes == ["cut"]


def test_cut_expansion_without_a_hit_is_never_a_pass(tmp_path):
    filler = "\n".join("  " + "A" * 999 for _index in range(20))
    write(tmp_path, "/etc/postfix/main.cf", "mail_name = Mail\n" + filler + " Postfix\n"
                                            "smtpd_banner = ${myhostname} ESMTP $mail_name\n")
    f = mail_finding({"root": str(tmp_path)})
    assert f["status"] == "error" and "not fully scanned" in f["detail"]


def test_property_expansion_keeps_the_text_and_stays_bounded():
    from hypothesis import given, settings, strategies as st
    from ansible_collections.hostguard.hardening.plugins.module_utils.mail import parse_main_cf
    names = st.sampled_from(["a", "b", "c", "mail_name"])
    text = st.lists(st.one_of(names.map(lambda n: "$" + n), st.text("xy (/)", max_size=50)), max_size=12).map("".join)

    @settings(max_examples=150, deadline=None)
    @given(value=text, params=st.dictionaries(names, text, max_size=4), big=st.integers(0, 20000))
    def check(value, params, big):
        params = dict(params, c="z" * big)
        out = parse_main_cf.expand_postfix(value, params)
        refs = len(parse_main_cf._PARAM_REF.findall(value))
        literal = parse_main_cf._PARAM_REF.sub("", value)
        assert len(out) <= len(value) + max(parse_main_cf.MAX_EXPANDED_CHARS, parse_main_cf.MIN_SHARE_CHARS * refs)
        assert all(ch in out for ch in set(literal))
    check()
