"""Every literal regular expression of the target code is linear on any input (issue 17),
counted by tests/regex_budget.py's VM, never timed.

The patterns are found in the source (``re.compile/match/search/findall/finditer/sub/split/
fullmatch`` with a literal pattern, in every file of plugins/module_utils); core/linematch and
the oomlog parsers have their own, finer tests (test_linematch_linear.py, oomlog/
test_regex_linear.py) and are left to them. Each pattern is run on adversarial inputs built from
its own atoms at 10 KiB here and at HOSTGUARD_FUZZ_BIG (1 MiB in ``make fuzz``), under a budget of
64 VM steps a character; the way the code applies it (``match`` at one position or ``search``
from every position) comes from the call, or from USE for a compiled pattern. The static
analyser (nested or overlapping unbounded repeats) must also be clean, except where ANALYSER_OK
says why the overlap cannot backtrack; the step budget still applies to those."""
import ast
import os
import re

import pytest

import regex_budget as RB
from conftest import MODULE_UTILS

BIG = int(os.environ.get("HOSTGUARD_FUZZ_BIG", 10 * 1024))
SIZES = tuple(sorted(set((10 * 1024, BIG))))
OWN_TESTS = ("core/linematch.py", "oomlog/prefixes.py", "oomlog/messages.py", "oomlog/timestamps.py")
CALLS = {"match": "match", "fullmatch": "match", "search": "search", "findall": "search",
         "finditer": "search", "sub": "search", "subn": "search", "split": "search"}

# compiled patterns: how the code applies them
USE = {
    r"^(linux-image-[0-9]|raspberrypi-kernel|pve-kernel-[0-9])": "match",
    r"[ \t\n\r\f\v]*([+-]?[0-9]+)": "match",                  # _STRTOL.match(s, pos)
    r"^[a-zA-Z0-9_-]+$": "match",
    r"^_?([a-z0-9_.]+-)+[a-z0-9]+$": "match",
    r"^[a-z0-9-].*dpkg-(old|dist)$": "match",
    r"^[a-z0-9][a-z0-9-]*$": "match",
    r"^ring-(\d{8})\.jsonl$": "match",
    r"^\[(\d+):(\d+)\]\s+-A\s+(\S+)\s*(.*)$": "match",
    r"^:(\S+)\s+(\S+)\s+\[(\d+):(\d+)\]": "match",
    r"^#\s*atrun\s+uid=(\d+)\s+gid=(\d+)": "match",
    r"^[a-zA-Z0-9_-]+$|^_?(?:[a-z0-9_.]+-)+[a-z0-9]+$|^[a-z0-9]+$": "match",
}
# where the analyser's structural warning cannot turn into backtracking (the VM count still runs)
ANALYSER_OK = {
    # each group ends with '-', which the inner class cannot match: one way to split any name
    r"^_?([a-z0-9_.]+-)+[a-z0-9]+$": "groups are delimited by '-', not in [a-z0-9_.]",
    r"^[a-zA-Z0-9_-]+$|^_?(?:[a-z0-9_.]+-)+[a-z0-9]+$|^[a-z0-9]+$": "groups delimited by '-'",
    # anchored once; (.*)$ takes the rest of the line, \s* before it gives back at most its run
    r"^\[(\d+):(\d+)\]\s+-A\s+(\S+)\s*(.*)$": "anchored, tail (.*)$ always matches",
    # re.split/sub continue after each run of separators: every character is consumed once
    r"[\s:]+": "split: a run of separators is consumed once",
}
# patterns built at run time, and why they are linear
DYNAMIC = {
    "ssh/lynis_table.py": "Lynis' SSH-7408 value patterns: fixed alternations of words",
    "mail/banner.py": "re.escape(word) between two one-character lookarounds",
}


def literal_patterns():
    """[(file:line, call, pattern, flags)] of every literal pattern in plugins/module_utils."""
    out, dynamic = [], set()
    for base, _dirs, files in os.walk(MODULE_UTILS):
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = os.path.join(base, name)
            rel = os.path.relpath(path, MODULE_UTILS)
            if rel in OWN_TESTS:
                continue
            with open(path) as handle:
                tree = ast.parse(handle.read())
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                        and (node.func.attr in CALLS or node.func.attr == "compile") and node.args):
                    continue
                arg = node.args[0]
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, (str, bytes))):
                    dynamic.add(rel)
                    continue
                flags = 0
                for extra in list(node.args[1:]) + [k.value for k in node.keywords if k.arg == "flags"]:
                    if isinstance(extra, ast.Attribute) and extra.attr in ("I", "IGNORECASE", "S", "DOTALL"):
                        flags |= getattr(re, extra.attr)
                out.append(("%s:%d" % (rel, node.lineno), node.func.attr, arg.value, flags))
    return out, dynamic


PATTERNS, DYNAMIC_FOUND = literal_patterns()


def _text(pattern):
    return pattern.decode("latin-1") if isinstance(pattern, bytes) else pattern


@pytest.mark.parametrize("where,call,pattern,flags", PATTERNS, ids=[p[0] for p in PATTERNS])
def test_literal_pattern_is_linear(where, call, pattern, flags):
    text = _text(pattern)
    mode = USE.get(text, CALLS.get(call, "search"))
    compiled = re.compile(text, flags & ~re.IGNORECASE)
    problems = RB.check_linear(compiled, mode=mode, sizes=SIZES, factor=64)
    if text in ANALYSER_OK:
        problems = [p for p in problems if p.startswith(("over budget", "program too large"))]
    assert problems == [], (where, problems)


def test_the_collector_sees_the_code():
    wheres = [w for w, _c, _p, _f in PATTERNS]
    assert len(PATTERNS) >= 60
    assert any(w.startswith("core/redact.py") for w in wheres)
    assert any(w.startswith("cron/parse_crontab.py") for w in wheres)
    assert DYNAMIC_FOUND <= set(DYNAMIC), DYNAMIC_FOUND - set(DYNAMIC)
    assert set(USE) <= set(_text(p) for _w, _c, p, _f in PATTERNS) | set(ANALYSER_OK)


@pytest.mark.parametrize("text,mode", [
    (r"\b(readonly|typeset -r|declare -r)\b.*\bTMOUT\b", "search"),      # shells, before
    (r"do_symlinks.*=.*No", "search"),                                   # kernel, before
    (r"\[(\S+)\]", "search"),                                            # kernel, before
])
def test_the_former_superlinear_patterns_are_caught(text, mode):
    assert RB.check_linear(re.compile(text), mode=mode, sizes=(2048,), factor=64) != []
