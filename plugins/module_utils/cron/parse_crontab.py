# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Crontab line parsers, pure functions, ported from the daemons' own code.

Two dialects:
- vixie (Debian cron 3.0pl1 and cronie, both descendants of Vixie cron 3/4): ``load_env`` decides
  whether a line is an environment assignment, ``load_entry``/``get_list``/``get_range``/
  ``get_number`` parse the five time fields, then the user field (system crontabs) and the
  command. Sources: Debian cron env.c load_env, entry.c load_entry/get_range/get_number;
  cronie src/env.c, src/entry.c (same structure).
- busybox (miscutils/crond.c 1.35): ``config_read`` splits a line into at most 6 tokens on
  blanks, a ``#`` ends the line; ``ParseField`` parses each time field and, on a parse error,
  keeps what it already filled in (so ``61`` fills every minute, ``bad`` none).

Lines are bytes; every function is total (never raises on any input).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

BLANKS = b" \t"
# (name, low, high, names) per time field, vixie numbering (entry.c FIRST_/LAST_ constants)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
VIXIE_FIELDS = (("minute", 0, 59, None), ("hour", 0, 23, None), ("day-of-month", 1, 31, None),
                ("month", 1, 12, MONTHS), ("day-of-week", 0, 7, DAYS))
SPECIALS = ("reboot", "yearly", "annually", "monthly", "weekly", "daily", "midnight", "hourly")


def split_lines(data):
    """(lines, ends_with_newline): physical lines of ``data`` (bytes), without their newline."""
    if not data:
        return [], True
    ends = data.endswith(b"\n")
    lines = data.split(b"\n")
    if ends:
        lines.pop()
    return lines, ends


def is_blank_or_comment(line):
    stripped = line.lstrip(BLANKS)
    return not stripped or stripped.startswith(b"#") or stripped in (b"\r",)


def is_env(line):
    """vixie load_env(): is this line a NAME=VALUE assignment (else it is parsed as an entry)?"""
    c = line.lstrip(BLANKS)
    i = 0
    n = len(c)
    quote = None
    if i < n and c[i:i + 1] in (b"'", b'"'):
        quote = c[i:i + 1]
        i += 1
    # NAME
    while i < n:
        ch = c[i:i + 1]
        if quote:
            if ch == quote:
                i += 1
                break
            if ch == b"=":
                return False
        else:
            if ch in (b" ", b"\t", b"\r", b"\v", b"\f"):
                break
            if ch == b"=":
                break
        i += 1
    else:
        return False
    # EQ1: blanks then '='
    while i < n and c[i:i + 1] in (b" ", b"\t", b"\r", b"\v", b"\f"):
        i += 1
    if i >= n or c[i:i + 1] != b"=":
        return False
    i += 1
    # EQ2: blanks, then a value must start (an empty value leaves the state at EQ2: not an env)
    while i < n and c[i:i + 1] in (b" ", b"\t", b"\r", b"\v", b"\f"):
        i += 1
    return i < n


def env_value(line):
    """(name, value) of an assignment line (quotes stripped as load_env does), or None."""
    if not is_env(line):
        return None
    text = line.lstrip(BLANKS)
    name, _eq, value = text.partition(b"=")
    name = name.strip().strip(b"'\"")
    value = value.strip()
    if len(value) >= 2 and value[:1] in (b"'", b'"') and value[-1:] == value[:1]:
        value = value[1:-1]
    return name, value


def _number(token, pos, names, low):
    """vixie get_number: alnum run at pos -> (value, new pos) or (None, pos)."""
    end = pos
    while end < len(token) and token[end:end + 1].isalnum():
        end += 1
    word = token[pos:end]
    if not word:
        return None, pos
    if names:
        lowered = word.lower()
        for index, name in enumerate(names):
            if lowered == name.encode():
                return index + low, end
    if word.isdigit():
        return int(word), end
    return None, pos


def vixie_field(token, low, high, names, strict=False):
    """vixie get_list on one blank-free token: True when it parses (values in range).

    Debian (``strict=False``, entry.c get_list/get_range): after a complete range the rest of the
    token up to the next blank is skipped. cronie (``strict=True``, src/entry.c get_range): a
    range must end at ',' or a blank, and ``[n]~[m]`` picks a random value.
    """
    pos = 0
    while True:
        if token[pos:pos + 1] == b"*":
            num1, num2 = low, high
            pos += 1
            if strict and token[pos:pos + 1] not in (b"", b",", b"/"):
                return False
        elif strict and token[pos:pos + 1] == b"~":
            num1, num2 = low, high
            pos += 1
            if token[pos:pos + 1] not in (b"", b","):
                num2, pos = _number(token, pos, names, low)
                if num2 is None or num1 > num2:
                    return False
        else:
            num1, pos2 = _number(token, pos, names, low)
            if num1 is None:
                return False
            pos = pos2
            nxt = token[pos:pos + 1]
            if strict and nxt == b"~":
                num2, pos = (high, pos + 1) if token[pos + 1:pos + 2] in (b"", b",") else \
                    _number(token, pos + 1, names, low)
                if num2 is None or num1 > num2:
                    return False
            elif nxt != b"-":
                if nxt == b"/":
                    return False             # "1/20": step without a range (both daemons)
                if not low <= num1 <= high:
                    return False
                num2 = None
            else:
                num2, pos2 = _number(token, pos + 1, names, low)
                if num2 is None:
                    return False
                pos = pos2
                if strict and num1 > num2 and num2 == 0:
                    num2 = 7 if high == 7 else num2     # cronie: "5-0" day-of-week means 5-7
        if num2 is not None:
            if token[pos:pos + 1] == b"/":
                step, pos2 = _number(token, pos + 1, None, 0)
                if step is None or step <= 0:
                    return False
                pos = pos2
            if not (low <= num1 <= high and low <= num2 <= high):
                return False
        if token[pos:pos + 1] == b",":
            pos += 1
            continue
        if strict and pos < len(token):
            return False
        return True          # Debian: anything after a complete range up to the next blank is skipped


def split_fields(line, count):
    """``count`` blank-separated tokens and the rest of the line (leading blanks removed)."""
    tokens = []
    rest = line.lstrip(BLANKS)
    for _token in range(count):
        if not rest:
            break
        match = re.match(br"[^ \t]+", rest)
        token = match.group(0)
        tokens.append(token)
        rest = rest[len(token):].lstrip(BLANKS)
    return tokens, rest


def vixie_entry(line, system, strict=False):
    """Parse one non-env, non-comment vixie line.

    Returns (error, user, command): ``error`` is the daemon's ecode text ("bad minute",
    "bad username" is left to the caller, who knows the accounts) or None; ``user`` is the user
    field of a system crontab (bytes) or None.
    """
    stripped = line.lstrip(BLANKS)
    if stripped.startswith(b"@"):
        word = re.match(br"@([^ \t]*)", stripped).group(1)
        if word.decode("latin-1") not in SPECIALS:
            return "bad time specifier", None, None
        rest = stripped[1 + len(word):].lstrip(BLANKS)
    else:
        tokens, rest = split_fields(stripped, 5)
        for index, (fname, low, high, names) in enumerate(VIXIE_FIELDS):
            if index >= len(tokens) or not vixie_field(tokens[index], low, high, names, strict):
                return "bad " + fname, None, None
    user = None
    if system:
        tokens, rest = split_fields(rest, 1)
        if not tokens or not rest:
            return "bad command", None, None
        user = tokens[0]
    elif rest.startswith(b"*"):
        return "bad command", None, None
    return None, user, rest


# --- busybox ----------------------------------------------------------------------------------
BB_MONTHS = "janfebmaraprmayjunjulaugsepoctnovdec"
BB_DAYS = "sunmontuewedthufrisat"
# (modvalue, off, names) for Mins, Hrs, Days, Mons, Dow (crond.c load_crontab)
BB_FIELDS = ((60, 0, None), (24, 0, None), (32, 0, None), (12, -1, BB_MONTHS), (7, 0, BB_DAYS))
_STRTOL = re.compile(br"[ \t\n\r\f\v]*([+-]?[0-9]+)")


def _cmod(a, b):
    """C's % (truncating), as the daemon computes it."""
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        q = -q
    return a - b * q


def busybox_field(token, modvalue, off, names):
    """Port of busybox crond ParseField: (bits, error). Bits filled before an error are kept."""
    ary = [0] * modvalue
    ptr = 0
    n1 = -1
    n2 = -1
    s = token
    while True:
        skip = 0
        ch = s[ptr:ptr + 1]
        if ch == b"*":
            n1 = 0
            n2 = modvalue - 1
            skip = 1
            ptr += 1
        elif ch.isdigit():
            match = re.match(br"[0-9]+", s[ptr:])
            value = int(match.group(0)) + off
            if n1 < 0:
                n1 = value
            else:
                n2 = value
            ptr += len(match.group(0))
            skip = 1
        elif names:
            for i in range(0, len(names), 3):
                if s[ptr:ptr + 3].lower() == names[i:i + 3].encode():
                    ptr += 3
                    if n1 < 0:
                        n1 = i // 3
                    else:
                        n2 = i // 3
                    skip = 1
                    break
        if skip == 0:
            return ary, "parse error"
        if s[ptr:ptr + 1] == b"-" and n2 < 0:
            ptr += 1
            continue
        if n2 < 0:
            n2 = n1
        if s[ptr:ptr + 1] == b"/":
            match = _STRTOL.match(s, ptr + 1)
            if match:
                skip = int(match.group(1))
                ptr = match.end()
            else:
                skip = 0
                ptr = ptr + 1
        s0 = 1
        failsafe = 1024
        n1 -= 1
        while True:
            n1 = _cmod(n1 + 1, modvalue)
            s0 -= 1
            if s0 == 0:
                index = _cmod(n1, modvalue)
                if index >= 0:
                    ary[index] = 1
                s0 = skip
            failsafe -= 1
            if failsafe == 0:
                return ary, "parse error"
            if n1 == n2:
                break
        if s[ptr:ptr + 1] != b",":
            break
        ptr += 1
        n1 = -1
        n2 = -1
    if ptr < len(s):
        return ary, "parse error"
    return ary, None


def busybox_tokens(line):
    """config_read(parser, tokens, 6, 1, "# \\t", PARSE_NORMAL): up to 6 tokens, '#' ends the line."""
    line = line.split(b"\0", 1)[0]
    tokens = []
    rest = line.lstrip(BLANKS)
    if not rest or rest.startswith(b"#"):
        return []
    while rest and not rest.startswith(b"#") and len(tokens) < 6:
        if len(tokens) == 5:
            token = rest.split(b"#", 1)[0].rstrip(BLANKS)
            tokens.append(token)
            break
        match = re.match(br"[^ \t#]+", rest)
        token = match.group(0)
        tokens.append(token)
        rest = rest[len(token):]
        if rest.startswith(b"#"):
            break
        rest = rest.lstrip(BLANKS)
    return tokens


def busybox_line(line):
    """(kind, detail): kind is "job" (can fire), "dead" (loaded, never fires), "env", "skip"."""
    tokens = busybox_tokens(line)
    if not tokens:
        return "skip", None
    first = tokens[0]
    if first.startswith(b"MAILTO=") or first.startswith(b"SHELL=") or first.startswith(b"PATH="):
        return "env", first
    if first.startswith(b"@"):
        if len(tokens) < 2:
            return "skip", "too few fields"
        word = first[1:].decode("latin-1")
        if word in SPECIALS:            # @reboot runs once when the daemon starts
            return "job", None
        return "skip", "unknown @ keyword"
    if len(tokens) < 6:
        return "skip", "fewer than 6 fields"
    arrays = []
    errors = []
    for token, (modvalue, off, names) in zip(tokens[:5], BB_FIELDS):
        bits, error = busybox_field(token, modvalue, off, names)
        arrays.append(bits)
        if error:
            errors.append(token.decode("utf-8", "backslashreplace"))
    mins, hrs, days, mons, dow = arrays
    # FixDayDow: when exactly one of day-of-month / day-of-week is restricted, the other is cleared.
    week_used = 0 in dow
    days_used = 0 in days
    if week_used != days_used:
        if week_used:
            days = [0] * len(days)
        else:
            dow = [0] * len(dow)
    fires = any(mins) and any(hrs) and any(mons) and (any(days[1:]) or any(dow))
    detail = ("parse error at " + ", ".join(errors)) if errors else None
    return ("job" if fires else "dead"), detail
