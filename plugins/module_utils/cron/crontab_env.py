# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Crontab environment lines (``NAME=value``) as each cron daemon build reads them.

Debian cron 3.0pl1 (env.c load_env with Debian's patches) and cronie (src/env.c load_env) run
the same state machine: blanks before the line are skipped (misc.c skip_comments), the name is
unquoted up to a blank or ``=`` (or in one pair of quotes, without ``=``), blanks around ``=``,
the value in one pair of matching quotes (then only blanks may follow) or unquoted to the end
of the line (trailing blanks trimmed). They differ in three ways, modelled here:

- an empty unquoted value (``PATH=``): cronie sets ``PATH=``; Debian cron does not take it as an
  environment line at all (state EQ2 is not accepted, the line then fails as a job);
- Debian cron strips one more pair of matching quotes after the state machine (``"'x'"`` is
  ``x``), and reads at most 998 characters of the line (get_string into MAX_ENVSTR - 1);
- cronie reads up to MAX_ENVSTR (131072) characters.

Both keep every such line in the job's environment (env_set), after PAM's (build_env: the
crontab wins); SHELL, HOME and PATH are defaults only when the crontab sets none (entry.c
load_entry), LOGNAME (and for cronie USER) are always the job user's. Neither removes LD_*,
BASH_ENV or anything else; the job is ``execle($SHELL, "-c", cmd, env)`` after the user switch,
so the dynamic loader honours LD_PRELOAD/LD_AUDIT/LD_LIBRARY_PATH (no secure-execution mode).

busybox crond (miscutils/crond.c load_crontab) splits a line into at most 6 tokens at blanks,
``#`` ending it; only a first token ``MAILTO=..`` or ``SHELL=..`` is an environment line, every
other ``NAME=value`` line has fewer than 6 tokens and is skipped: its jobs keep crond's own PATH
and environment. Linear in the line length, stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath

from ansible_collections.hostguard.hardening.plugins.module_utils.core.linematch import TMPDIRS

_BLANKS = " \t\n\r\f\v"           # isspace() in the C locale
_QUOTES = ("'", '"')
DEBIAN_LINE_CHARS = 998            # get_string(envstr, MAX_ENVSTR - 1, ...) with MAX_ENVSTR 1000
CRONIE_LINE_CHARS = 131071

KNOWN_SHELLS = frozenset(("sh", "bash", "rbash", "dash", "posh", "zsh", "ksh", "ksh93", "mksh", "lksh", "oksh",
                          "loksh", "ash", "yash", "csh", "tcsh", "fish", "busybox", "sash", "rc", "es", "pwsh",
                          "nu", "elvish", "xonsh"))
# Variables whose value names files or directories a job's processes load or run, and how the
# value splits: glibc's ld.so splits LD_PRELOAD at blanks and colons, LD_AUDIT at colons,
# LD_LIBRARY_PATH at colons and semicolons (an empty element is the current directory, as in
# PATH); bash reads BASH_ENV as one file name (split here like LD_PRELOAD: an element that
# is a temp-dir path is reported either way).
ENV_NAMES = ("PATH", "LD_PRELOAD", "LD_AUDIT", "LD_LIBRARY_PATH", "BASH_ENV")
_SEPARATORS = {"PATH": ":", "LD_LIBRARY_PATH": ":;", "LD_PRELOAD": " \t:", "LD_AUDIT": ":", "BASH_ENV": " \t:"}
_EMPTY_IS_CWD = ("PATH", "LD_LIBRARY_PATH")

# Daemon builds (cron/daemons.py NAMES) -> how findings name them.
LABELS = (("debian_cron", "Debian cron"), ("cronie_debian", "cronie"), ("cronie_rhel", "cronie"),
          ("busybox_crond", "busybox crond"))
LOAD_ENV_BUILDS = ("debian_cron", "cronie_debian", "cronie_rhel")


def load_env(line, debian):
    """(name, value) of a crontab line that load_env takes as an environment setting, or None.

    ``debian``: Debian cron 3.0pl1's variant, else cronie's (see the module docstring)."""
    s = line.lstrip(" \t")
    if debian:
        s = s[:DEBIAN_LINE_CHARS]
    else:
        s = s[:CRONIE_LINE_CHARS]
    if not s:
        return None
    # NAMEI / NAME
    if s[0] in _QUOTES:
        end = s.find(s[0], 1)
        if end < 0 or "=" in s[1:end]:
            return None                 # unterminated (state NAME) or '=' in a quoted name (ERROR)
        name, pos = s[1:end], end + 1
    else:
        pos = 0
        n = len(s)
        while pos < n and s[pos] != "=" and s[pos] not in _BLANKS:
            pos += 1
        if pos == n:
            return None                 # ends in NAME: no '='
        name = s[:pos]
        if s[pos] != "=":
            pos += 1                    # the blank that ends the name
    # EQ1: blanks, then '='
    rest = s[pos:].lstrip(_BLANKS)
    if not rest.startswith("="):
        return None
    # EQ2: blanks after '='
    rest = rest[1:].lstrip(_BLANKS)
    if not rest:
        if debian:
            return None                 # state EQ2 is no env setting for Debian cron
        return name, ""
    # VALUEI / VALUE / FINI
    if rest[0] in _QUOTES:
        end = rest.find(rest[0], 1)
        if end < 0 or rest[end + 1:].strip(_BLANKS):
            return None                 # unterminated quote, or text after the closing quote
        value = rest[1:end]
    else:
        value = rest.rstrip(_BLANKS)
    if debian:
        value = value.rstrip(_BLANKS)   # strdtb
        if len(value) >= 2 and value[0] in _QUOTES and value[-1] == value[0]:
            value = value[1:-1]
        if len(name) + 1 + len(value) >= DEBIAN_LINE_CHARS + 1:
            return None
    return name, value


def busybox_shell(line):
    """The SHELL of a busybox crond ``SHELL=..`` line (its first token: up to a blank or '#'), or None.
    Quotes are not removed: ``SHELL="/bin/sh"`` execs a file named ``"`` .. relative to the job's
    directory, which does not exist: the jobs fail; such a value is None here (not modelled)."""
    s = line.lstrip(" \t")
    if not s.startswith("SHELL=") or s[6:7] in _QUOTES:
        return None
    end = len(s)
    for sep in (" ", "\t", "#"):
        i = s.find(sep, 6)
        if 0 <= i < end:
            end = i
    return s[6:end]


def untrusted_shell(value):
    """Why a crontab's SHELL= value is no trusted shell (relative, in a temp directory, a hidden
    or ``..`` component, not a known shell's name), or None (also for an empty value: the jobs
    then fail to start, nothing runs)."""
    if not value:
        return None
    if not value.startswith("/"):
        return "not an absolute path"
    if any(value.startswith(d + "/") for d in TMPDIRS):
        return "in a world-writable temp directory"
    if any(comp.startswith(".") for comp in value.split("/")[1:]):
        return "a hidden or relative path component"
    if value.rsplit("/", 1)[-1] not in KNOWN_SHELLS:
        return "not a known shell"
    return None


def _split(value, seps):
    parts = [value]
    for sep in seps:
        parts = [p for part in parts for p in part.split(sep)]
    return parts


_SEARCHED = ("LD_PRELOAD", "LD_AUDIT")
_ORIGIN = ("$ORIGIN", "${ORIGIN}")


def _origin(name, elem):
    """An LD_* element starting with ``$ORIGIN``, which ld.so expands to the directory of the
    program it loads (ld.so(8), dynamic string tokens): absolute, with what follows folded as if
    that directory were one level deep (``$ORIGIN/../lib`` is clean, ``$ORIGIN/../../tmp/x.so``
    is /tmp/x.so)."""
    if name.startswith("LD_"):
        for token in _ORIGIN:
            if elem == token or elem.startswith(token + "/"):
                return posixpath.normpath("/origin/" + elem[len(token):])
    return elem


def _relative(name, elem):
    """Why a relative element is one, in the words of the program that reads it."""
    if name == "BASH_ENV" and ("$" in elem or "`" in elem):
        return ("an element bash expands when the job's shell starts (%s: parameter expansion and "
                "command substitution), not a fixed file" % elem)
    if name.startswith("LD_") and "$" in elem:
        return ("a relative element (%s: ld.so expands $ORIGIN to the program's directory, $LIB and "
                "$PLATFORM to relative names, nothing else)" % elem)
    if "$" in elem or elem.startswith("~"):
        return ("a relative element (%s: no cron daemon expands $ or ~ in a crontab line, so it names "
                "a directory of that literal name under the job's working directory, its HOME)" % elem)
    return "a relative element (%s)" % elem


def untrusted_path(name, value):
    """Why the value of a crontab ``name=`` line (one of ENV_NAMES) names an untrusted file or
    directory, or None: an element that is empty (PATH, LD_LIBRARY_PATH: the current directory),
    relative (not starting with ``/``, ``.`` too; a bare LD_PRELOAD/LD_AUDIT name such as
    ``libjemalloc.so.2`` is searched in the library path, not the job's directory, and not
    flagged), in a temp directory, or with a hidden or ``..`` component. An empty PATH is one
    empty element (dash and bash then look in the current directory); another empty value is
    None (glibc ignores an empty LD_LIBRARY_PATH)."""
    if not value:
        return "an empty value (the current directory)" if name == "PATH" else None
    for elem in _split(value, _SEPARATORS[name]):
        if not elem:
            if name in _EMPTY_IS_CWD:
                return "an empty element (the current directory)"
            continue
        elem = _origin(name, elem)
        if name in _SEARCHED and "/" not in elem:
            continue                    # ld.so searches the library path for a bare name
        if not elem.startswith("/"):
            return _relative(name, elem[:100])
        if any(elem == d or elem.startswith(d + "/") for d in TMPDIRS):
            return "an element in a world-writable temp directory (%s)" % elem[:100]
        if any(comp.startswith(".") for comp in elem.split("/")[1:]):
            return "an element with a hidden or .. component (%s)" % elem[:100]
    return None


def _labels(builds):
    out = []
    for build, label in LABELS:
        if build in builds and label not in out:
            out.append(label)
    if len(out) > 1:
        return ", ".join(out[:-1]) + " and " + out[-1]
    return out[0] if out else ""


def check_line(text, builds):
    """(pattern, why) for a crontab line that sets an untrusted SHELL or one of ENV_NAMES for
    at least one of ``builds`` (daemon build names), or None. Cheap for other lines: only a line
    whose first non-blank character could start such a name (or a quote) is parsed."""
    s = text.lstrip(" \t")
    if not s or s[0] not in "SPLB'\"":
        return None
    parsed = {}
    for build in builds:
        if build in LOAD_ENV_BUILDS:
            debian = build == "debian_cron"
            if debian not in parsed:
                parsed[debian] = load_env(s, debian)
    honour = {}                       # (pattern, value, reason) -> builds
    for build in builds:
        if build in LOAD_ENV_BUILDS:
            pair = parsed[build == "debian_cron"]
            if pair is None:
                continue
            name, value = pair
        elif build == "busybox_crond":
            name, value = "SHELL", busybox_shell(s)
            if value is None:
                continue
        else:
            continue
        if name == "SHELL":
            reason = untrusted_shell(value)
            key = ("crontab_shell_untrusted", name, value, reason)
        elif name in ENV_NAMES:
            reason = untrusted_path(name, value)
            key = ("crontab_env_untrusted", name, value, reason)
        else:
            continue
        if reason:
            honour.setdefault(key, []).append(build)
    if not honour:
        return None
    (pattern, name, value, reason), who = sorted(honour.items(), key=lambda kv: -len(kv[1]))[0]
    labels = _labels(who)
    plural = " and " in labels
    if pattern == "crontab_shell_untrusted":
        return pattern, "SHELL=%s is %s: %s %s every later job of this crontab with it" % (
            value[:200], reason, labels, "run" if plural else "runs")
    return pattern, "%s=%s has %s: %s %s it in the environment of every later job of this crontab" % (
        name, value[:200], reason, labels, "put" if plural else "puts")
