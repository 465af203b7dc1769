# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Malicious command-line patterns, shared by every area that reads commands (cron, persistence).

``match_line(text, command)`` returns (pattern name, hit) for each pattern a line matches
(``hit.start()``/``hit.end()``/``hit.group()`` like a regex match); command-position patterns
are tried on ``command`` (the line without its schedule fields).

Linear time on any input (issue 17: one 4,000-byte line of ``python -c socket `` took 55 s with
the former single regexes, whose ``.*`` chains and ``[^|]*`` gaps backtracked from every start).
Each pattern is now a short program over *linear pieces*:
- every regex here is one of ``PIECES``: no nested or overlapping unbounded repeats, no leading
  unbounded repeat (tests/unit/plugins/module_utils/core/test_linematch_linear.py checks each with
  tests/regex_budget.py and counts the work of every pattern on adversarial lines);
- ``A.*B.*C`` is a staged search: the leftmost A, then B searched from A's end, then C; a
  later A can only see less of the line, so no start is retried;
- ``A[^|]*|B`` is a walk over the line's ``|`` segments, each looked at once;
- "where a command word starts" is found by a token walk (wrappers like sudo/nohup/timeout N,
  their options and one interpreter skipped, at most ``MAX_CHAIN`` tokens per start), with a
  token index so no token is rescanned;
- the quoted ``-c`` string of a shell (``sh -c '...'``, ``busybox sh -c "..."``) is walked once
  more as a command line of its own (one level, at most MAX_INNER characters, strings that do not
  overlap: each character of the line is walked at most twice).
Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import bisect
import posixpath
import re

MAX_CHAIN = 16   # wrapper/option/interpreter tokens skipped before a command word

_SH = r"(?:ba|da|z|k|tc|c|fi)?sh"
_INTERP = r"(?:" + _SH + r"|python[0-9.]*|perl|ruby|php[0-9.]*|node|lua)"
_DL = r"(?:curl|wget|fetch|lwp-download|lwp-request|GET|tftp|busybox\s+wget)"
TMPDIRS = ("/var/tmp", "/tmp", "/dev/shm", "/run/shm")
_TMP = r"(?:/var/tmp|/tmp|/dev/shm|/run/shm)"


def _syntax(arg_opts="", operands=0, command_opts=""):
    """How a wrapper finds the command it runs: its options that take the next token as their
    argument, the operands it takes before the command (timeout's duration, taskset's mask,
    flock's lock file, chroot's directory) and its options whose argument is itself a command
    line (``su -c``, ``flock -c``, ``env -S``)."""
    return frozenset(arg_opts.split()), operands, frozenset(command_opts.split())


# Programs that run the command after their options and operands, with their option syntax
# (from their manual pages: sudo(8), nice(1), env(1), timeout(1), stdbuf(1), flock(1), ...).
# Options not listed are flags; ``--opt=value`` and ``-nVALUE`` carry their value; ``--`` ends them.
WRAPPER_SYNTAX = {
    "sudo": _syntax("-u -g -C -D -h -p -r -t -U -T -R --user --group --close-from --chdir --host --prompt "
                    "--role --type --other-user --command-timeout --chroot"),
    "doas": _syntax("-u -C"),
    "nohup": _syntax(),
    "setsid": _syntax(),
    "exec": _syntax("-a"),
    "command": _syntax(),
    "builtin": _syntax(),
    "nice": _syntax("-n --adjustment"),
    "ionice": _syntax("-c -n -p -P -u --class --classdata --pid --pgid --uid"),
    "chrt": _syntax("", 1),
    "taskset": _syntax("", 1),
    "env": _syntax("-u -C --unset --chdir", 0, "-S --split-string"),
    "time": _syntax("-f -o --format --output"),
    "timeout": _syntax("-s -k --signal --kill-after", 1),
    "stdbuf": _syntax("-i -o -e --input --output --error"),
    "flock": _syntax("-w -E --timeout --conflict-exit-code", 1, "-c --command"),
    "chroot": _syntax("--userspec --groups", 1),
    "xargs": _syntax("-a -d -E -I -L -n -P -s --arg-file --delimiter --max-lines --max-args --max-procs --max-chars"),
    "watch": _syntax("-n --interval"),
    "nsenter": _syntax("-t -S -G --target --setuid --setgid"),
    "unshare": _syntax("--setuid --setgid --map-user --map-group"),
    "systemd-run": _syntax("-p -u -E -M -H --property --unit --setenv --machine --host --uid --gid --nice --slice "
                           "--description --working-directory --on-active --on-boot --on-startup --on-calendar "
                           "--on-unit-active --on-unit-inactive --timer-property --path-property --socket-property"),
    "busybox": _syntax(),
    "su": _syntax("-s -g -G -w --shell --group --supp-group --whitelist-environment", 0, "-c --command --session-command"),
    "runuser": _syntax("-u -g -G -s -w --user --group --supp-group --shell --whitelist-environment", 0,
                       "-c --command --session-command"),
}
WRAPPERS = frozenset(WRAPPER_SYNTAX)
# Wrappers that run nothing unless given a command string (``su bob`` is a login shell): their
# command is the argument of -c, wherever it stands among their operands.
COMMAND_STRING_ONLY = frozenset(("su",))
# Wrappers whose command-line option is a getopt option, so its argument may be in the option
# token (``env -S/tmp/x``, ``su -lc/tmp/x``); flock reads ``-c`` only as a word after its lock file.
GETOPT_COMMAND = frozenset(("env", "su", "runuser"))
# Variables whose value is run as code: the dynamic loader's (``LD_PRELOAD=/tmp/x.so /bin/true``) and
# the file a non-interactive bash sources first (``BASH_ENV=/tmp/x bash -c true``).
LOADER_VARIABLES = ("LD_PRELOAD=", "LD_AUDIT=", "BASH_ENV=")
# Words after which the shell reads the next word as a command (dash(1), "Lists and Compound
# Commands"): ``if true; then /tmp/x; fi``, ``! /tmp/x``; ``eval`` runs its operands as a command.
SHELL_KEYWORDS = frozenset(("if", "then", "else", "elif", "while", "until", "do", "!", "eval"))
# Shell options whose argument is the next word (``bash -o pipefail /tmp/x``, ``bash -O extglob``).
SHELL_ARG_OPTIONS = frozenset(("-o", "+o", "-O", "+O"))

# The linear pieces (name -> regex); every regex of this module is here.
PIECES = dict(
    dl_word=re.compile(r"\b" + _DL + r"\b"),
    pipe_to_interp=re.compile(r"\s*(?:sudo\s+)?(?:\S*/)?" + _INTERP + r"\b"),
    shell_word=re.compile(r"\b(?:" + _SH + r"|eval|python[0-9.]*)\s"),
    subst_download=re.compile(r"[\"']?\s*(?:\$\(|`|<\()\s*(?:\S*/)?" + _DL + r"\b"),
    base64_decode=re.compile(r"\bbase64\s+(-\w+|--decode)\b"),
    sh_c_subst=re.compile(r"\b" + _SH + r"\s+-c\s+[\"']?\$\("),
    base64_decode_prefix=re.compile(r"\bbase64\s+(-\w+|--decode)"),
    b64decode=re.compile(r"\bb64decode\b"),
    exec_eval_system=re.compile(r"\b(?:exec|eval|system)\b"),
    exec_eval=re.compile(r"\b(?:exec|eval)\b"),
    dev_tcp=re.compile(r"/dev/(?:tcp|udp)/[^/\s]+/\d+"),
    nc_word=re.compile(r"\b(?:nc|ncat|netcat|nc\.traditional|nc\.openbsd)\b"),
    nc_exec_opt=re.compile(r"\s(-\w+|--(?:sh-)?exec)\b"),
    ncat_word=re.compile(r"\bncat\b"),
    dash_c=re.compile(r"\s-c\b"),
    mkfifo=re.compile(r"\bmk(?:fifo|nod)\b"),
    fifo_peer=re.compile(r"\b(?:nc|ncat|netcat|telnet|socat|openssl\s+s_client)\b"),
    socat=re.compile(r"\bsocat\b", re.IGNORECASE),
    socat_exec=re.compile(r"\b(?:exec|system):", re.IGNORECASE),
    python=re.compile(r"\bpython[0-9.]*\b"),
    socket_word=re.compile(r"\bsocket\b"),
    socket_use=re.compile(r"connect|dup2|pty|subprocess|spawn"),
    perl=re.compile(r"\bperl\b"),
    dash_word=re.compile(r"\s(-\w+)\b"),
    perl_socket=re.compile(r"\bsocket\s*\(|IO::Socket|use\s+Socket"),
    perl_mio=re.compile(r"\bperl\s+-MIO\b"),
    ruby=re.compile(r"\bruby\b"),
    ruby_socket=re.compile(r"-rsocket|TCPSocket|Socket\.new"),
    php=re.compile(r"\bphp[0-9.]*\b"),
    dash_r=re.compile(r"\s-r\b"),
    php_socket=re.compile(r"\b(?:fsockopen|socket_create|stream_socket_client)\b"),
    lua=re.compile(r"\blua\b"),
    dash_e=re.compile(r"\s-e\b"),
    chmod=re.compile(r"\bchmod\s"),
    download_output=re.compile(r"\s(?:-O|-o|--output(?:-document)?=?)\s*[\"']?" + _TMP + r"/"),
    cd_tmp=re.compile(r"\bcd\s+" + _TMP + r"\b"),
    dots_dir=re.compile(r"/\.\.\.+(?:/|\s|$)"),
    chattr=re.compile(r"\bchattr\b"),
    plus_flags=re.compile(r"\s\+([a-zA-Z]*)"),
    word_end=re.compile(r"[;&|`]"),
    cryptominer=re.compile(r"\b(?:xmrig|minerd|cpuminer|xmr-stak|kdevtmpfsi|kinsing)\b"
                           r"|stratum\+(?:tcp|ssl)://"),
    token=re.compile(r"\S+"),
    command_sep=re.compile(r"[;&|`({]|\$\("),
    interp_word=re.compile(_INTERP),
    chmod_mode=re.compile(r"[ugoa]*\+([rwxst]*)|0?[1357][0-7]{2}"),
    option=re.compile(r"-\w+"),
    assignment=re.compile(r"[A-Za-z_]\w*="),
    redirect=re.compile(r"[0-9]*[<>](?:>|&|\||<-?)?"),
    cat_tmp=re.compile(r"\bcat\s+[\"']?" + _TMP + r"/"),
    pipe_sep=re.compile(r"[|\n]"),
    list_sep=re.compile(r"[|;&\n]"),
)
P = PIECES


class Hit(object):
    """Where a pattern matched: the regex-match subset callers use."""

    def __init__(self, text, start, end):
        self.string = text
        self._start = start
        self._end = max(start, end)

    def start(self):
        return self._start

    def end(self):
        return self._end

    def span(self):
        return self._start, self._end

    def group(self, index=0):
        return self.string[self._start:self._end]


def _staged(text, stages, pos=0, endpos=None):
    """Leftmost match of stage 1, then each next stage searched from the previous end
    (up to ``endpos``). A stage is a regex or (regex, accept(match)); returns (start, end)
    or None."""
    endpos = len(text) if endpos is None else endpos
    start = None
    for stage in stages:
        regex, accept = stage if isinstance(stage, tuple) else (stage, None)
        found = None
        for m in regex.finditer(text, pos, endpos):
            if accept is None or accept(m):
                found = m
                break
            if accept is not None and m.end() == m.start():
                break
        if found is None:
            return None
        if start is None:
            start = found.start()
        pos = found.end()
    return start, pos


def _segments(text, seps):
    """[(start, end)] of the pieces of ``text`` between separators: ``seps`` is "pipe"
    (| and newline) or "list" (| ; & and newline)."""
    out = []
    begin = 0
    for m in P[seps + "_sep"].finditer(text):
        out.append((begin, m.start()))
        begin = m.end()
    out.append((begin, len(text)))
    return out


class _Tokens(object):
    """Whitespace tokens of a line with O(log n) lookup of the token at a position."""

    def __init__(self, text):
        self.text = text
        self.spans = [m.span() for m in P["token"].finditer(text)]
        self.starts = [s for s, _e in self.spans]

    def at(self, pos):
        """(index, start, end) of the token at or after ``pos`` (a token may start at ``pos``
        inside a longer whitespace run-free token, after a separator)."""
        k = bisect.bisect_right(self.starts, pos) - 1
        if k >= 0 and self.spans[k][1] > pos:
            return k, pos, self.spans[k][1]
        k += 1
        if k < len(self.spans):
            return k, self.spans[k][0], self.spans[k][1]
        return None

    def skip_options(self, text, pos):
        """The first token at or after ``pos`` that is not a ``-option`` (at most MAX_CHAIN
        skipped), as (index, start, end), or None."""
        found = self.at(pos)
        for _step in range(MAX_CHAIN):
            if found is None or not P["option"].fullmatch(text, found[1], found[2]):
                return found
            index = found[0] + 1
            found = (index,) + self.spans[index] if index < len(self.spans) else None
        return found


def _option_argument(tok, arg_opts, command_opts):
    """What the token after a wrapper's option ``tok`` is: "arg" (``-u`` or ``--user`` listed,
    no ``=``; a cluster ``-Eu`` whose first argument-taking letter ends it, as getopt reads it),
    "command" (the same for a command-line option: ``-c``, ``-lc``), or None (a flag, or the
    value is in the token: ``--user=bob``, ``-ubob``, ``-n5``)."""
    if tok.startswith("--"):
        if "=" in tok:
            return None
        return "command" if tok in command_opts else "arg" if tok in arg_opts else None
    for pos in range(1, len(tok)):
        opt = "-" + tok[pos]
        if opt in arg_opts or opt in command_opts:
            if pos != len(tok) - 1:
                return None
            return "command" if opt in command_opts else "arg"
    return None


def _glued_command(tok, arg_opts, command_opts):
    """Offset of the command line inside an option token that carries it (``env -S/tmp/x``,
    ``su -lc/tmp/x``, ``flock --command=/tmp/x``, as getopt reads them), or None."""
    if tok.startswith("--"):
        opt, equals, _value = tok.partition("=")
        return len(opt) + 1 if equals and opt in command_opts else None
    for pos in range(1, len(tok)):
        opt = "-" + tok[pos]
        if opt in arg_opts:
            return None
        if opt in command_opts:
            return pos + 1 if pos + 1 < len(tok) else None
    return None


def _after_wrapper(text, tokens, index, name):
    """(index of the token a wrapper at token ``index`` runs as its command (or env's first
    ``NAME=value``, which _command_words reads), after its options, their arguments and its
    operands; where the command starts inside an option token, or None), or None (nothing left,
    or more than MAX_CHAIN tokens of options). An option whose argument is a command line
    (``su -c``) gives that argument's index; with the argument in the option token
    (``env -S/tmp/x``), that token and the argument's position."""
    arg_opts, operands, command_opts = WRAPPER_SYNTAX[name]
    spans = tokens.spans
    i = index + 1
    string_only = name in COMMAND_STRING_ONLY
    user_given = False          # runuser -u USER: the next word is the command
    for _step in range(MAX_CHAIN):
        if i >= len(spans):
            return None
        start, end = spans[i]
        tok = text[start:min(end, start + 40)]
        if tok == "--":
            i += 1
            break
        if tok.startswith("-") and len(tok) > 1:
            kind = _option_argument(tok, arg_opts, command_opts)
            if kind == "command":
                return (i + 1, None) if i + 1 < len(spans) else None
            glued = _glued_command(tok, arg_opts, command_opts) if name in GETOPT_COMMAND else None
            if glued is not None:
                return i, start + glued
            user_given = user_given or (name == "runuser" and kind == "arg" and tok in ("-u", "--user"))
            i += 2 if kind == "arg" else 1
        elif tok == "-" or string_only or (name == "runuser" and not user_given):
            i += 1      # su's "-", a user name: the command, if any, is -c's argument
        else:
            break
    else:
        return None
    if string_only:
        return None
    i += operands
    return (i, None) if i < len(spans) else None


_NOT_SIMPLE = frozenset("$`(){}\\")


def _simple_value(text, start, end):
    """The value of an assignment ends with its token: no substitution, brace or escape in it and
    its quotes closed (``A=$(mktemp /tmp/x)`` and ``A="a b" cmd`` go on past the token, so the
    next token is no command word)."""
    if end - start > PATH_MAX:
        return False
    value = text[start:end]
    return not any(c in _NOT_SIMPLE for c in value) and value.count("'") % 2 == 0 and value.count('"') % 2 == 0


def _loader_elements(text, start, end):
    """Spans of the elements of a loader variable's value in its token (ld.so splits LD_PRELOAD
    at blanks and colons, LD_AUDIT at colons: ``LD_PRELOAD=/lib/a.so:/tmp/x.so``), at most
    MAX_CHAIN, within PATH_MAX characters; the first keeps a leading quote (_word strips it)."""
    limit = min(end, start + PATH_MAX)
    out = []
    while start < limit and len(out) < MAX_CHAIN:
        colon = text.find(":", start, limit)
        stop = limit if colon < 0 else colon
        out.append((start, stop))
        start = stop + 1
    return out


def _after_assignment(text, tokens, index, start, end):
    """Index of the token after an assignment whose value starts at ``start`` in token ``index``:
    the next one for a plain value, the one after the closing quote for a quoted value with
    blanks in it (``A="a b" /tmp/x``: the quote closes within PATH_MAX characters, no ``$`` or
    backquote inside), else None (a substitution: the value goes on past the token)."""
    if _simple_value(text, start, end):
        return index + 1
    quote = text[start:start + 1]
    if quote not in ("'", '"') or text.find(quote, start + 1, end) >= 0:
        return None
    close = text.find(quote, end, min(len(text), end + PATH_MAX))
    if close < 0 or (quote == '"' and any(c in text[start:close] for c in "$`\\")):
        return None
    found = tokens.at(close + 1)
    if found is None or found[1] != tokens.spans[found[0]][0]:
        return None         # the closing quote is not the end of its token (A="a b"c)
    return found[0]


def _program_name(text, start, end):
    """The program a command word names: the last path component of the word _word reads
    (``/usr/bin/nohup`` is ``nohup``, ``"/bin/sh"`` is ``sh``), without quotes, at most 24
    characters."""
    return _word(text, start, end)[1].rsplit("/", 1)[-1][:24].rstrip("\"'")


_REDIRECT_FIRST = frozenset("0123456789<>")


def _redirection(text, tokens, index, start, end, after_interp):
    """(tokens a redirection at token ``index`` takes, the span of a script it feeds an
    interpreter or None), or (0, None) for no redirection: an operator alone (``>``, ``2>``,
    ``<``) takes the next token as its target, ``>/dev/null`` and ``2>&1`` carry it. The shell
    performs it and goes on to the command word (``>/dev/null /tmp/x`` runs /tmp/x); after an
    interpreter, ``<`` names its script (``sh < /tmp/x``)."""
    m = P["redirect"].match(text, start, end) if text[start] in _REDIRECT_FIRST else None
    if not m:
        return 0, None
    width = 2 if m.end() == end else 1
    script = None
    if after_interp and m.group() in ("<", "0<"):
        if width == 1:
            script = (m.end(), end)
        elif index + 1 < len(tokens.spans):
            script = tokens.spans[index + 1]
    return width, script


def _command_words(text, tokens=None):
    """(start, end) of every word in command position: after line start or ; & | ` ( { $(,
    after ``NAME=value`` assignments, redirections (``>/dev/null``, ``2> f``) and the shell's
    reserved words (``then``, ``do``, ``!``, SHELL_KEYWORDS), after each wrapper (by its program
    name: ``/usr/bin/nice`` is ``nice``, ``/bin/sh`` is ``sh``) (sudo, nohup, nice -n N,
    timeout -s 9 N, env -i A=1, flock FILE, su -c ..., see WRAPPER_SYNTAX) with its options and
    operands, and after one interpreter (sh, python, ...) or ``source``/``.`` and its flags (a
    shell's ``-o name``); at most MAX_CHAIN tokens per start. The value of
    ``LD_PRELOAD=``/``LD_AUDIT=`` is a command word too (the loader runs it), and so is the file
    an interpreter reads its script from (``sh < /tmp/x``)."""
    tokens = tokens or _Tokens(text)
    starts = [0] + [m.end() for m in P["command_sep"].finditer(text)]
    seen = set()
    for begin in starts:
        found = tokens.at(begin)
        if found is None:
            continue
        index, start, end = found
        first = index
        interp = None
        for _step in range(MAX_CHAIN):
            if (start, end) not in seen:
                seen.add((start, end))
                yield start, end
            word = text[start:min(end, start + 16)]
            name = _program_name(text, start, end)
            nxt = None
            width, script = _redirection(text, tokens, index, start, end, interp is not None)
            assigned = not width and P["assignment"].match(text, start, end)
            if script is not None and script not in seen:
                seen.add(script)
                yield script
            if width:
                nxt = index + width
            elif assigned:
                if any(text.startswith(var, start) for var in LOADER_VARIABLES):
                    for span in _loader_elements(text, assigned.end(), end):
                        if span not in seen:
                            seen.add(span)
                            yield span
                nxt = _after_assignment(text, tokens, index, assigned.end(), end)
            elif name in WRAPPERS:
                after = _after_wrapper(text, tokens, index, name)
                nxt = after[0] if after is not None else None
                if after is not None and after[1] is not None:
                    span = (after[1], tokens.spans[after[0]][1])
                    if span not in seen:
                        seen.add(span)
                        yield span
                    nxt = None      # the rest of the command line is in that token
            elif end - start <= 5 and text[start:end] in SHELL_KEYWORDS:
                nxt = index + 1
            elif interp is None and (word in ("source", ".") or
                                     (P["interp_word"].fullmatch(name) and len(name) < 16)):
                interp = name
                nxt = index + 1
            elif _step > 0 and (word.startswith("-") or (interp in SHELLS and word.startswith("+"))):
                shell_arg = interp in SHELLS and text[start:end] in SHELL_ARG_OPTIONS
                nxt = index + (2 if shell_arg else 1)
            if nxt is None or nxt >= len(tokens.spans) or nxt - first > 2 * MAX_CHAIN:
                break       # (the walk from one start covers at most 2 * MAX_CHAIN tokens)
            index = nxt
            start, end = tokens.spans[index]


PATH_MAX = 4096   # execve(2) refuses a longer path (ENAMETOOLONG): no longer word is run


def _word(text, start, end):
    """A command word without one leading quote, up to the first ``;&|``` (which ends a command)
    and at most PATH_MAX characters. Command starts are separated by such characters, so the
    words of all starts never overlap: a 1 MiB run of ``&&&`` (one token, 1 Mi starts) used to
    slice to the token's end from every start, quadratic (issue 17)."""
    if text[start:start + 1] in ("\"", "'"):
        start += 1
    stop = P["word_end"].search(text, start, min(end, start + PATH_MAX))
    return start, text[start:stop.start() if stop else min(end, start + PATH_MAX)]


_NOT_LITERAL = frozenset("$*?[(){}")


def _plain_words(word):
    """The word as written, then as the shell reads it (quotes and backslashes removed:
    ``'/tm'p/x``, ``"/tmp"/x``, ``\\/tmp/x`` run /tmp/x), then as the kernel resolves it
    (``//``, ``.`` and ``..`` folded: ``/usr/../tmp/x``, ``//tmp/x``, ``/./tmp/x``); each
    different from the one before; a word with an expansion, glob or parenthesis in it (``$``,
    ``*?[``, ``(){}``) is only checked as written (it is no literal path: a perl regex
    ``{ ! /\\.bs$/ }`` in a hook script is no command ``/.bs``). At most PATH_MAX characters."""
    yield word
    if any(c in _NOT_LITERAL for c in word):
        return
    plain = word
    if "'" in plain or '"' in plain or "\\" in plain:
        plain = plain.replace("'", "").replace('"', "").replace("\\", "")
        yield plain
    if plain.startswith("/") and ("//" in plain or "/." in plain):
        folded = posixpath.normpath("/" + plain.lstrip("/"))
        if folded != plain:
            yield folded


def _temp_exec_word(word):
    return any(word.startswith(d + "/") and len(word) > len(d) + 1 for d in TMPDIRS)


def _hidden_exec_word(word):
    """An absolute path with a component that starts with '.' (not '.', '..', a quote)."""
    if not word.startswith("/"):
        return False
    for cut in ";|&":
        pos = word.find(cut)
        if pos >= 0:
            word = word[:pos]
    parts = word.split("/")
    for index, comp in enumerate(parts[1:], 1):
        if not comp.startswith("."):
            continue
        last = index == len(parts) - 1
        rest = comp[1:]
        cands = [rest] + ([rest[1:]] if rest.startswith(".") else [])
        if any(c == "" or (last and c in ("\"", "'")) for c in cands):
            continue
        return True
    return False


# --- the patterns ---------------------------------------------------------------------------

def _pipe_into_interp(text, first_piece, accept=None):
    """``X ... | [sudo] [/path/]interp``: X in a pipe segment, the interpreter right after."""
    segs = _segments(text, "pipe")
    for k, (s, e) in enumerate(segs[:-1]):
        hit = None
        for m in first_piece.finditer(text, s, e):
            if accept is None or accept(m):
                hit = m
                break
        if hit is None or text[e:e + 1] != "|":
            continue
        nxt_s, nxt_e = segs[k + 1]
        tail = P["pipe_to_interp"].match(text, nxt_s, nxt_e)
        if tail:
            return hit.start(), tail.end()
    return None


def download_piped_to_shell(text, command):
    return _pipe_into_interp(text, P["dl_word"])


def shell_runs_download(text, command):
    tokens = None
    for m in P["shell_word"].finditer(text):
        tokens = tokens or _Tokens(text)
        found = tokens.skip_options(text, m.end())
        if found is None:
            continue
        tail = P["subst_download"].match(text, found[1])
        if tail:
            return m.start(), tail.end()
    return None


def _has_d(m):
    opt = m.group(1)
    return opt == "--decode" or "d" in opt[1:]


def base64_decode_to_shell(text, command):
    hit = _pipe_into_interp(text, P["base64_decode"], _has_d)
    if hit:
        return hit
    decodes = [m.start() for m in P["base64_decode_prefix"].finditer(text) if _has_d(m)]
    if decodes:
        for m in P["sh_c_subst"].finditer(text):
            close = text.find(")", m.end())
            close = len(text) if close < 0 else close
            k = bisect.bisect_left(decodes, m.end())
            if k < len(decodes) and decodes[k] < close:
                return m.start(), decodes[k] + 6
    return (_staged(text, (P["b64decode"], P["exec_eval_system"]))
            or _staged(text, (P["exec_eval"], P["b64decode"])))


def dev_tcp_reverse_shell(text, command):
    m = P["dev_tcp"].search(text)
    return m.span() if m else None


def _in_segments(text, seps, stages):
    for s, e in _segments(text, seps):
        hit = _staged(text, stages, pos=s, endpos=e)
        if hit:
            return hit
    return None


def netcat_exec(text, command):
    exec_opt = (P["nc_exec_opt"], lambda m: m.group(1).startswith("--") or m.group(1).endswith("e"))
    return (_in_segments(text, "list", (P["nc_word"], exec_opt))
            or _in_segments(text, "list", (P["ncat_word"], P["dash_c"])))


def fifo_netcat_shell(text, command):
    return _staged(text, (P["mkfifo"], P["fifo_peer"]))


def socat_exec(text, command):
    return _staged(text, (P["socat"], P["socat_exec"]))


def script_socket_oneliner(text, command):
    dash_e_word = (P["dash_word"], lambda m: m.group(1).endswith("e"))
    for stages in ((P["python"], P["dash_c"], P["socket_word"], P["socket_use"]),
                   (P["perl"], dash_e_word, P["perl_socket"]),
                   (P["perl_mio"],),
                   (P["ruby"], P["ruby_socket"]),
                   (P["php"], P["dash_r"], P["php_socket"]),
                   (P["lua"], P["dash_e"], P["socket_word"])):
        hit = _staged(text, stages)
        if hit:
            return hit
    return None


def _chmod_tmp(text, tokens):
    for m in P["chmod"].finditer(text):
        found = tokens.skip_options(text, m.end())
        if found is not None:
            index, start, end = found
            mode = P["chmod_mode"].fullmatch(text, start, end)
            if mode and (mode.group(1) is None or "x" in mode.group(1)) and index + 1 < len(tokens.spans):
                t_start, t_end = tokens.spans[index + 1]
                _s, word = _word(text, t_start, t_end)
                if any(word.startswith(d + "/") for d in TMPDIRS):
                    return m.start(), t_end
    return None


def _cd_tmp_then_dot_slash(text, tokens):
    dot_starts = None
    for s, e in _segments(text, "list"):
        m = P["cd_tmp"].search(text, s, e)
        if not m:
            continue
        if text[e:e + 1] == ";":
            after = e + 1
        elif text[e:e + 2] == "&&":
            after = e + 2
        else:
            continue
        rest = text[after:].lstrip()
        if rest.startswith("./"):
            return m.start(), len(text) - len(rest) + 2
        if dot_starts is None:
            dot_starts = [ts for ts, _te in tokens.spans if text.startswith("./", ts)]
        k = bisect.bisect_left(dot_starts, after)
        if k < len(dot_starts):
            return m.start(), dot_starts[k] + 2
    return None


MAX_INNER = 4096  # characters of one quoted ``-c`` string walked as a command line
SHELLS = frozenset(("sh", "bash", "dash", "zsh", "ksh", "mksh", "ash"))


def _shell_at(text, tokens, index):
    """Index of the first token after a shell word at token ``index`` (``sh``, ``/bin/bash``,
    ``busybox sh``), or None when that token is no shell."""
    start, end = tokens.spans[index]
    if end - start > 64:
        return None
    name = _word(text, start, end)[1].rsplit("/", 1)[-1]
    if name == "busybox" and index + 1 < len(tokens.spans):
        index += 1
        start, end = tokens.spans[index]
        name = text[start:min(end, start + 8)]
    return index + 1 if name in SHELLS else None


def _dash_c_string(text, tokens, index):
    """(start, end) of the contents of the quoted command string after a shell's options
    starting at token ``index`` (``-c``, ``-ec``, ``-o pipefail -c``, ``--norc -c``), or None:
    no ``-c``, or the string is not quoted (an unquoted one is a command word already)."""
    dash_c = False
    for _step in range(MAX_CHAIN):
        if index >= len(tokens.spans):
            return None
        start, end = tokens.spans[index]
        first = text[start:start + 1]
        if first not in ("-", "+"):
            break
        opt = text[start:min(end, start + 16)]
        if opt in ("-o", "+o", "-O", "+O"):
            index += 1
        elif not opt.startswith("--") and "c" in opt:
            dash_c = True
        index += 1
    else:
        return None
    quote = text[start:start + 1]
    if not dash_c or quote not in ("'", "\""):
        return None
    limit = min(len(text), start + 1 + MAX_INNER)
    close = text.find(quote, start + 1, limit)
    return start + 1, close if close >= 0 else limit


def _dash_c_span(text, tokens, start):
    """The quoted ``-c`` string of a shell whose word starts at ``start``, or None."""
    found = tokens.at(start)
    after = _shell_at(text, tokens, found[0]) if found is not None else None
    return _dash_c_string(text, tokens, after) if after is not None else None


def _walk_command_words(text, tokens, check):
    """(start, end) of the first command word ``check`` accepts: on the line, then in each
    quoted ``-c`` string of a shell in command position (one level: in line order, none
    overlapping an earlier one, so a string inside a string is not walked again)."""
    spans = set()
    for start, end in _command_words(text, tokens):
        word_start, word = _word(text, start, end)
        if any(check(w) for w in _plain_words(word)):
            return word_start, end
        inner = _dash_c_span(text, tokens, start)
        if inner is not None:
            spans.add(inner)
    done = 0
    for offset, stop in sorted(spans):
        if offset < done:
            continue
        done = stop
        inner = text[offset:stop]
        for start, end in _command_words(inner):
            word_start, word = _word(inner, start, end)
            if any(check(w) for w in _plain_words(word)):
                return offset + word_start, offset + end
    return None


def _cat_tmp_into_interp(text):
    """``cat /tmp/x | sh``: a temp-dir file piped into an interpreter that reads its script from
    stdin (reads_stdin_script: ``| sudo bash -s``, ``| python3``; not ``| python3 -m json.tool``)."""
    segs = _segments(text, "pipe")
    for k, (s, e) in enumerate(segs[:-1]):
        m = P["cat_tmp"].search(text, s, e)
        if m is not None and text[e:e + 1] == "|" and reads_stdin_script(text[segs[k + 1][0]:segs[k + 1][1]]):
            return m.start(), segs[k + 1][1]
    return None


def exec_from_temp_dir(text, command):
    tokens = _Tokens(text)
    return (_walk_command_words(text, tokens, _temp_exec_word)
            or _cat_tmp_into_interp(text)
            or _chmod_tmp(text, tokens)
            or _in_segments(text, "list", (P["dl_word"], P["download_output"]))
            or _cd_tmp_then_dot_slash(text, tokens))


_NOT_IN_CASE_PATTERN = frozenset(" \t;&()`'\"$\\")


def _case_pattern_line(text):
    """A line that is only a shell ``case`` pattern list, ``/|/usr|/.dev|/proc/*)`` (Debian's
    initscripts umountfs: a list of mount points, no command): two or more alternatives, no
    blank, quote, ``$``, ``;&()`` or backquote in them, nothing after the closing ``)``."""
    line = text.strip()
    if not line.endswith(")") or "|" not in line:
        return False
    body = line[:-1]
    return not any(c in _NOT_IN_CASE_PATTERN for c in body) and all(body.split("|"))


def exec_from_hidden_path(text, command):
    if _case_pattern_line(text):
        return None
    hit = _walk_command_words(text, _Tokens(text), _hidden_exec_word)
    if hit:
        return hit
    m = P["dots_dir"].search(text)
    return m.span() if m else None


def chattr_immutable(text, command):
    flags = (P["plus_flags"], lambda m: "i" in m.group(1) or "a" in m.group(1))
    return _in_segments(text, "list", (P["chattr"], flags))


def cryptominer(text, command):
    m = P["cryptominer"].search(text)
    return m.span() if m else None


MALICIOUS_PATTERNS = (
    ("download_piped_to_shell", download_piped_to_shell),
    ("shell_runs_download", shell_runs_download),
    ("base64_decode_to_shell", base64_decode_to_shell),
    ("dev_tcp_reverse_shell", dev_tcp_reverse_shell),
    ("netcat_exec", netcat_exec),
    ("fifo_netcat_shell", fifo_netcat_shell),
    ("socat_exec", socat_exec),
    ("script_socket_oneliner", script_socket_oneliner),
    ("exec_from_temp_dir", exec_from_temp_dir),
    ("exec_from_hidden_path", exec_from_hidden_path),
    ("chattr_immutable", chattr_immutable),
    ("cryptominer", cryptominer),
)

# Patterns that only make sense where a command word starts.
COMMAND_POSITION = ("exec_from_temp_dir", "exec_from_hidden_path")


def _per_line(function, text):
    """Run ``function`` on each line of ``text`` (``.`` never crossed a newline)."""
    if "\n" not in text:
        return function(text, text)
    offset = 0
    for line in text.split("\n"):
        hit = function(line, line)
        if hit:
            return hit[0] + offset, hit[1] + offset
        offset += len(line) + 1
    return None


def match_line(text, command=None):
    """(pattern name, Hit) for each malicious pattern a line matches (command-position ones
    on ``command``)."""
    hits = []
    for name, function in MALICIOUS_PATTERNS:
        subject = (command if command is not None else text) if name in COMMAND_POSITION else text
        span = _per_line(function, subject)
        if span:
            hits.append((name, Hit(subject, span[0], span[1])))
    return hits


def reads_stdin_script(text):
    """Whether the last command of ``text`` (after its last ``| ; &``) is an interpreter that
    reads its script from stdin: a shell or interpreter word in command position (past wrappers:
    ``sudo -u bob sh``, ``/bin/bash -s``, ``python3 -``) with nothing but flags after it. Used for
    the stdin a crontab's ``%`` gives a job (``sh %/tmp/x%``)."""
    tail = text[max(text.rfind(c) for c in "|;&") + 1:]
    tokens = _Tokens(tail)
    for start, end in _command_words(tail, tokens):
        name = _program_name(tail, start, end)
        if len(name) < 16 and (name in SHELLS or P["interp_word"].fullmatch(name)):
            index = tokens.at(start)[0]
            return all(tail[s:s + 1] in ("-", "+") for s, _e in tokens.spans[index + 1:index + 1 + MAX_CHAIN]) \
                and len(tokens.spans) - index - 1 <= MAX_CHAIN
    return False
