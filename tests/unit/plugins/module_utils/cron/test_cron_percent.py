"""A crontab command's ``%``: Debian cron and cronie cut the command at the first unescaped ``%``
(the rest is the job's stdin, other ``%`` newlines); busybox crond runs the whole line."""
import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.cron import audit as cron
from ansible_collections.hostguard.hardening.plugins.module_utils.cron import crontab_command as C
from cron_tree import base_tree, write

CUTTING = ["debian_cron", "cronie_debian", "cronie_rhel"]


@pytest.mark.parametrize("command,before,stdin", [
    ("true", "true", None),
    ("true % /tmp/x", "true ", " /tmp/x"),
    ("mail -s hi root %line1%line2", "mail -s hi root ", "line1\nline2"),
    ("date +\\%Y-\\%m", "date +\\%Y-\\%m", None),                  # escaped: no cut
    ("cat %a\\%b%c", "cat ", "a%b\nc"),                            # \\% in stdin is a plain %
    ("x \\\\%y", "x \\\\", "y"),                                   # \\\\ escapes itself: the % cuts
])
def test_split_percent_as_the_daemons_do(command, before, stdin):
    assert C.split_percent(command) == (before, stdin)


def test_subjects_per_build():
    assert C.subjects("true %; /tmp/x", CUTTING) == ["true "]
    assert C.subjects("true %; /tmp/x", ["busybox_crond"]) == ["true %; /tmp/x"]
    assert C.subjects("true %; /tmp/x", CUTTING + ["busybox_crond"]) == ["true ", "true %; /tmp/x"]
    assert C.subjects("sh %/tmp/x%", CUTTING) == ["sh ", "/tmp/x"]
    assert C.subjects("sudo -u bob /bin/bash -s % /tmp/x", CUTTING) == ["sudo -u bob /bin/bash -s ", " /tmp/x"]
    assert C.subjects("sh -c 'cat' %/tmp/x", CUTTING) == ["sh -c 'cat' "]      # stdin is data
    assert C.subjects("python3 -m json.tool %/tmp/x", CUTTING) == ["python3 -m json.tool "]


def test_subjects_are_bounded():
    line = "sh " + "%/tmp/x" * 100000
    assert len(C.subjects(line, CUTTING)) == 1 + C.MAX_STDIN_LINES


def _patterns(tmp_path, line, daemons):
    base_tree(tmp_path)
    write(tmp_path, "etc/cron.d/job", line + "\n")
    result = cron.audit({"root": str(tmp_path), "daemons": daemons})
    out = []
    for f in result["findings"]:
        if f["id"] == "HG-CRON-010" and f["status"] == "fail" and f["subject"] == "/etc/cron.d/job":
            ev = f["evidence"]
            out += [ev["pattern"]] + [m["pattern"] for m in ev["matches"]]
    return out


@pytest.mark.parametrize("line,cutting,busybox", [
    # stdin data, no command: was reported as exec_from_temp_dir
    ("* * * * * root cat % ; /tmp/x is data", [], ["exec_from_temp_dir"]),
    ("* * * * * root mail -s full root %/var/tmp/.x is full", [], []),
    # a shell reading its script from stdin: was missed
    ("* * * * * root sh %/tmp/x%", ["exec_from_temp_dir"], []),
    ("* * * * * root /bin/bash -s % /tmp/x", ["exec_from_temp_dir"], []),
    # before the first %: the command, as before
    ("* * * * * root /tmp/x %input", ["exec_from_temp_dir"], ["exec_from_temp_dir"]),
])
def test_percent_in_the_audit(tmp_path, line, cutting, busybox):
    assert _patterns(tmp_path / "d", line, ["debian_cron"]) == cutting
    assert _patterns(tmp_path / "b", line, ["busybox_crond"]) == busybox


def test_subjects_are_linear_on_hostile_lines():
    """1 MiB lines of %, backslashes and wrappers before a %: well under a second each."""
    import time
    size = 1 << 20
    for line in ("sh " + "\\%" * (size // 2), "sh %" + "%" * size, "sudo " * (size // 5) + "%x",
                 ";sh -s" * (size // 6) + "%/tmp/x"):
        started = time.time()
        C.subjects(line, CUTTING + ["busybox_crond"])
        assert time.time() - started < 1.0, line[:20]
