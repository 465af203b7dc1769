"""Every regular expression of the oomlog package is linear on any input up to the line cap, shown
by counting work (tests/regex_budget.py), not by timing; the patterns issue 17 found superlinear
are caught by the same helper (so the check can fail)."""
import re

import pytest

import regex_budget as RB
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import (
    messages, prefixes, timestamps)

# how the code applies each pattern: (mode, input cap); default ("match", None) = anchored at one
# position of a line of any length (the line cap is an option, so no cap is assumed)
USE = {
    "prefixes.RE_INNER_STAMP": ("search", prefixes.MAX_PREFIX_SCAN),
    "messages.RE_OOMD_PRESSURE": ("search", 300),
    "timestamps.RE_SINCE_REL": ("match", 64),
}


def patterns():
    out = []
    for mod in (prefixes, messages, timestamps):
        for name in sorted(vars(mod)):
            value = getattr(mod, name)
            if isinstance(value, re.Pattern):
                out.append(("%s.%s" % (mod.__name__.rsplit(".", 1)[-1], name), value))
    return out


@pytest.mark.parametrize("name,pattern", patterns(), ids=[n for n, _p in patterns()])
def test_pattern_is_linear(name, pattern):
    mode, cap = USE.get(name, ("match", None))
    assert RB.check_linear(pattern, mode=mode, cap=cap) == []


def test_the_package_has_patterns_to_check():
    names = [n for n, _p in patterns()]
    assert len(names) >= 20 and "prefixes.RE_SYSLOG" in names and "messages.RE_STACK_PID" in names


# the kernlog patterns of issue 17 (before this rewrite), with how they were used
OLD = [
    (r"([A-Za-z_-]+):(-?\d+)", "findall"),                                        # RE_FIELDS
    (r"(\w+)=(\([^)]*\)|[^,\s(]+)(?:\(([^)]*)\))?", "findall"),                    # RE_KV
    (r",task=(?P<task>.*),pid=(?P<pid>\d+),uid=(?P<uid>\d+)\s*$", "search"),      # RE_SUMMARY_TASK
    (r"^(?:(?P<msg>.*?): )?Killed process (?P<pid>\d+)(?:, UID (?P<uid>\d+),)? "
     r"\((?P<name>.*)\)(?P<rest>(?: |,|\.|$).*)$", "match"),                       # RE_KILLED
    (r"sending (?P<sig>SIG\w+|0 \(no-op signal\)|\?) to process (?P<pid>\d+) uid (?P<uid>\d+) "
     r"\"(?P<name>.*)\": (?P<rest>.*)$", "search"),                                # RE_EARLYOOM
]


@pytest.mark.parametrize("text,mode", OLD)
def test_the_old_superlinear_patterns_are_caught(text, mode):
    assert RB.check_linear(re.compile(text), mode=mode, sizes=(2048,), factor=64) != []


def test_vm_agrees_with_re_on_small_inputs():
    cases = [(r"a{1,3}b", "aab"), (r"(?:ab|a)c", "ac"), (r"x*?y", "xxy"), (r"[^\]]{1,5}\]", "abc]"),
             (r"\d{1,3}\.\d{1,3}$", "12.5"), (r"\s{0,2}Path: (\S{1,8})", "  Path: /a")]
    for text, subject in cases:
        assert RB.run_counted(re.compile(text), subject)[0] == bool(re.match(text, subject)), text
        assert RB.run_counted(re.compile(text), "zz" + subject, "search")[0] == bool(re.search(text, "zz" + subject))
