"""Crontab environment lines (HG-CRON-010 crontab_env_untrusted, crontab_shell_untrusted): parsed
as Debian cron's and cronie's load_env parse them, reported for the daemon builds that honour them."""
import json
import time

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.cron import audit as cron
from ansible_collections.hostguard.hardening.plugins.module_utils.cron import crontab_env, daemons
from cron_tree import ALICE, base_tree, write

ALL = list(daemons.NAMES)
LOAD_ENV = ["debian_cron", "cronie_debian", "cronie_rhel"]


def run(root, **opts):
    opts["root"] = str(root)
    result = cron.audit(opts)
    json.dumps(result)
    return result


def findings(result, subject):
    return [f for f in result["findings"] if f["status"] == "fail" and f["id"] == "HG-CRON-010"
            and f["subject"] == subject]


def env_patterns(result, subject):
    """The crontab environment-line patterns of ``subject``'s HG-CRON-010 finding, in line order."""
    out = []
    for f in findings(result, subject):
        ev = f["evidence"]
        out.extend(p for p in [ev["pattern"]] + [m["pattern"] for m in ev["matches"]]
                   if p in ("crontab_env_untrusted", "crontab_shell_untrusted"))
    return out


# --------------------------------------------------------------------------- load_env, both variants
@pytest.mark.parametrize("line,debian,cronie", [
    ("PATH=/a", ("PATH", "/a"), ("PATH", "/a")),
    ("  PATH =  /a b  ", ("PATH", "/a b"), ("PATH", "/a b")),        # skip_comments, blanks, trailing trim
    ('PATH="/a b "', ("PATH", "/a b"), ("PATH", "/a b ")),            # Debian's strdtb trims inside too
    ("PATH='/a'  ", ("PATH", "/a"), ("PATH", "/a")),
    ("PATH='/a'x", None, None),                                       # text after the closing quote: ERROR
    ('PATH="/a', None, None),                                         # unterminated quote
    ("PATH=", None, ("PATH", "")),                                    # state EQ2: cronie only
    ("PATH =  ", None, ("PATH", "")),
    ('PATH=""', ("PATH", ""), ("PATH", "")),
    ("PATH=\"'/a'\"", ("PATH", "/a"), ("PATH", "'/a'")),              # Debian strips a second pair
    ('"PATH"=/a', ("PATH", "/a"), ("PATH", "/a")),                    # a quoted name
    ('"PA=TH"=/a', None, None),                                       # '=' in a quoted name
    ("PATH /a", None, None),                                          # no '=' after the name
    ("PATH=/a#b c", ("PATH", "/a#b c"), ("PATH", "/a#b c")),          # '#' is part of the value
    ("PATH=a\"b'", ("PATH", "a\"b'"), ("PATH", "a\"b'")),             # inner quotes are kept
    ("* * * * * PATH=/tmp/x cmd", None, None),                        # a job, not an env line
    ("\tLD_PRELOAD\t=\t/x.so", ("LD_PRELOAD", "/x.so"), ("LD_PRELOAD", "/x.so")),
])
def test_load_env_as_each_daemon_parses_it(line, debian, cronie):
    assert crontab_env.load_env(line, True) == debian
    assert crontab_env.load_env(line, False) == cronie


def test_debian_reads_998_characters_of_an_env_line():
    """get_string(envstr, MAX_ENVSTR - 1): the rest of a long line is not part of the value."""
    line = "PATH=/usr/bin:" + "/usr/x" * 200 + ":/tmp/x"
    assert crontab_env.load_env(line, True)[1] == line[5:998]
    assert crontab_env.load_env(line, False)[1] == line[5:]
    assert crontab_env.check_line(line, ["debian_cron"]) is None
    assert crontab_env.check_line(line, ["cronie_debian"])[0] == "crontab_env_untrusted"


# --------------------------------------------------------------------------- which lines, which builds
@pytest.mark.parametrize("line,reason", [
    ("PATH=/var/tmp/hgo-bin:/usr/bin:/bin", "world-writable temp directory"),
    ("PATH=/usr/bin:.", "relative element (.)"),
    ("PATH=bin:/usr/bin", "relative element (bin)"),
    ("PATH=/usr/bin::/bin", "empty element"),
    ("PATH=:/usr/bin", "empty element"),
    ("PATH=/usr/bin:", "empty element"),
    ("PATH=/usr/bin:/tmp", "world-writable temp directory"),
    ("PATH=/usr/bin:/dev/shm/x", "world-writable temp directory"),
    ("PATH=/usr/bin:/opt/../tmp/x", "hidden or .. component"),
    ("PATH=/usr/bin:/home/a/.local/bin", "hidden or .. component"),
    ("PATH=$PATH:/opt/bin", "relative element ($PATH: no cron daemon expands $ or ~"),           # no daemon expands it: a directory named $PATH
    ('PATH = "/usr/bin:/tmp/x"', "world-writable temp directory"),
    ("LD_PRELOAD=/var/tmp/hgo-lib/x.so", "world-writable temp directory"),
    ("LD_PRELOAD=/usr/lib/a.so /tmp/b.so", "world-writable temp directory"),
    ("LD_PRELOAD=lib/x.so", "relative element"),           # a slash: relative to the job's directory
    ("LD_PRELOAD=./x.so", "relative element"),
    ("LD_LIBRARY_PATH=${ORIGIN}/../../tmp/l", "world-writable temp directory (/tmp/l)"),
    ("LD_PRELOAD=$ORIGIN/../.x/y.so", "hidden or .. component"),
    ("LD_PRELOAD=$LIB/x.so", "ld.so expands $ORIGIN to the program's directory"),
    ("PATH=$HOME/bin:$PATH", "($HOME/bin: no cron daemon expands $ or ~ in a crontab line"),
    ("PATH=~/bin:/usr/bin", "(~/bin: no cron daemon expands $ or ~"),
    ("BASH_ENV=$(/tmp/x)", "an element bash expands when the job's shell starts ($(/tmp/x)"),
    ("LD_AUDIT=/usr/lib/a.so:/dev/shm/b.so", "world-writable temp directory"),
    ("LD_LIBRARY_PATH=/opt/lib:", "empty element"),
    ("LD_LIBRARY_PATH=/opt/lib;/tmp/l", "world-writable temp directory"),
    ("BASH_ENV=/tmp/.x/env", "world-writable temp directory"),
    ("BASH_ENV=.bashrc", "relative element"),
])
def test_untrusted_env_lines(line, reason):
    pattern, why = crontab_env.check_line(line, ALL)
    assert pattern == "crontab_env_untrusted"
    assert reason in why
    assert "Debian cron and cronie" in why and "busybox" not in why
    # busybox crond skips every NAME=value line but SHELL= and MAILTO= (fewer than 6 tokens)
    assert crontab_env.check_line(line, ["busybox_crond"]) is None
    assert crontab_env.check_line(line, ["cronie_rhel"])[1].endswith("cronie puts it in the environment of every later job of this crontab")


def test_empty_path_only_for_cronie():
    """``PATH=`` is an empty PATH for cronie (bare commands run from the job's directory); Debian
    cron does not take it as an environment line."""
    assert crontab_env.check_line("PATH=", ["debian_cron"]) is None
    assert "empty value" in crontab_env.check_line("PATH=", ["cronie_debian"])[1]
    assert crontab_env.check_line("LD_LIBRARY_PATH=", ALL) is None       # glibc ignores it


@pytest.mark.parametrize("line", [
    "PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin",   # Debian /etc/crontab (bookworm)
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",   # Debian /etc/crontab (trixie)
    "PATH=/sbin:/bin:/usr/sbin:/usr/bin",                                  # RHEL /etc/crontab, 0hourly
    "PATH=/usr/lib/sysstat:/usr/sbin:/usr/sbin:/usr/bin:/sbin:/bin",        # Debian sysstat
    "PATH=/usr/local/bin:/usr/bin:/bin/",
    'PATH="/usr/bin:/bin"',
    "PATH=/usr/bin:/bin # comment",          # '#' is in the value: the element '/bin # comment' is absolute
    "MAILTO=root", "MAILTO=", "SHELL=/bin/sh", "SHELL=/bin/bash", "HOME=/", "LANG=C.UTF-8",
    "LD_LIBRARY_PATH=/opt/oracle/lib:/usr/lib", "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
    "LD_PRELOAD=libjemalloc.so.2", "LD_AUDIT=libaudit.so",       # a bare name: ld.so searches the library path
    "LD_LIBRARY_PATH=$ORIGIN/../lib",                            # ld.so: the program's directory
    "BASH_ENV=/etc/profile", "PATHX=/tmp/x", "XPATH=/tmp/x", "CRON_TZ=UTC", "RANDOM_DELAY=5",
    "17 * * * * root PATH=/tmp/x run", "@reboot PATH=. x", "# PATH=/tmp/x",
])
def test_stock_env_lines_are_not_flagged(line):
    assert crontab_env.check_line(line, ALL) is None


@pytest.mark.parametrize("line,builds,who", [
    ("SHELL=/tmp/x/sh", ALL, "Debian cron, cronie and busybox crond run"),
    ("SHELL = /tmp/x/sh", ALL, "Debian cron and cronie run"),           # busybox: tokens[0] is "SHELL"
    ('SHELL="/tmp/x/sh"', ALL, "Debian cron and cronie run"),           # busybox keeps the quotes
    ("SHELL=/tmp/x/sh", ["busybox_crond"], "busybox crond runs"),
    ("SHELL=/tmp/x/sh#c", ["busybox_crond"], "busybox crond runs"),
    ("SHELL=/tmp/x/sh", ["debian_cron"], "Debian cron runs"),
])
def test_shell_names_the_builds_that_honour_it(line, builds, who):
    pattern, why = crontab_env.check_line(line, builds)
    assert pattern == "crontab_shell_untrusted"
    assert who in why


def test_busybox_shell_token():
    assert crontab_env.busybox_shell("SHELL=/bin/sh x") == "/bin/sh"
    assert crontab_env.busybox_shell("  SHELL=/a#b") == "/a"
    assert crontab_env.busybox_shell("SHELL =/a") is None
    assert crontab_env.busybox_shell('SHELL="/a"') is None


def test_check_line_is_linear():
    """1 MiB lines (a long PATH, an unterminated quote, blanks) take well under a second."""
    lines = ["PATH=" + "/usr/bin:" * 116508, 'PATH="' + "a" * (1 << 20), "PATH" + " " * (1 << 20) + "=/tmp/x",
             "LD_PRELOAD=" + "/usr/lib/a.so " * 74898, "S" * (1 << 20)]
    for line in lines:
        started = time.time()
        crontab_env.check_line(line, ALL)
        assert time.time() - started < 1.0, line[:40]


# --------------------------------------------------------------------------- the audit
@pytest.mark.parametrize("rel", ["etc/crontab", "etc/cron.d/job", "var/spool/cron/alice", "var/spool/cron/crontabs/alice"])
def test_env_line_is_a_malicious_line(tmp_path, rel):
    base_tree(tmp_path)
    uid = ALICE if "spool" in rel else 0
    write(tmp_path, rel, "MAILTO=root\nPATH=/var/tmp/.b:/usr/bin:/bin\n17 * * * * %s/usr/bin/true\n" % ("" if uid else "root "),
          mode=0o600 if uid else 0o644, uid=uid, gid=uid)
    bad = findings(run(tmp_path), "/" + rel)
    assert bad and bad[0]["severity"] == "critical"
    ev = bad[0]["evidence"]
    assert ev["pattern"] == "crontab_env_untrusted" and ev["line"] == 2
    assert ev["excerpt"] == "PATH=/var/tmp/.b:/usr/bin:/bin"
    assert "world-writable temp directory (/var/tmp/.b)" in ev["why"] and "busybox" not in ev["why"]
    assert "Debian cron and cronie" in ev["why"]
    assert ev["why"] in bad[0]["detail"]


def test_env_line_for_busybox_only_is_not_reported(tmp_path):
    """A host judged for busybox crond only: PATH= is inert there, SHELL= is not."""
    base_tree(tmp_path)
    write(tmp_path, "var/spool/cron/crontabs/root", "PATH=/tmp/b:/bin\nLD_PRELOAD=/tmp/x.so\n* * * * * true\n",
          mode=0o600)
    # (core.linematch's own rule may still see LD_PRELOAD=/tmp/.. as exec_from_temp_dir)
    assert env_patterns(run(tmp_path, daemons=["busybox_crond"]), "/var/spool/cron/crontabs/root") == []
    write(tmp_path, "var/spool/cron/crontabs/root", "PATH=/tmp/b:/bin\nSHELL=/tmp/sh\n* * * * * true\n", mode=0o600)
    bad = findings(run(tmp_path, daemons=["busybox_crond"]), "/var/spool/cron/crontabs/root")
    assert [f["evidence"]["pattern"] for f in bad] == ["crontab_shell_untrusted"]
    assert bad[0]["evidence"]["line"] == 2 and "busybox crond runs" in bad[0]["evidence"]["why"]
    both = run(tmp_path, daemons=["busybox_crond", "debian_cron"])
    assert env_patterns(both, "/var/spool/cron/crontabs/root") == ["crontab_env_untrusted", "crontab_shell_untrusted"]


def test_env_line_finding_replaces_the_exec_from_temp_dir_match(tmp_path):
    """One line, one fact: LD_PRELOAD=/tmp/x.so is crontab_env_untrusted, not also exec_from_temp_dir."""
    base_tree(tmp_path)
    write(tmp_path, "etc/cron.d/job", "LD_PRELOAD=/tmp/x.so\n17 * * * * root /usr/bin/true\n")
    ev = findings(run(tmp_path), "/etc/cron.d/job")[0]["evidence"]
    assert ev["pattern"] == "crontab_env_untrusted" and ev["match_count"] == 1 and ev["matches"] == []


def test_env_line_in_a_runparts_script_is_not_a_cron_env_line(tmp_path):
    base_tree(tmp_path)
    write(tmp_path, "etc/cron.daily/job", "#!/bin/sh\nPATH=/tmp/x:$PATH\nLD_PRELOAD=/tmp/x.so\n", mode=0o755)
    for f in findings(run(tmp_path), "/etc/cron.daily/job"):       # other patterns may match a command
        ev = f["evidence"]
        assert not {"crontab_env_untrusted", "crontab_shell_untrusted"} & set(
            [ev["pattern"]] + [m["pattern"] for m in ev["matches"]])
