# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""login.defs(5), octal and symbolic umasks, umask commands in shell profiles: pure parsers."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


def parse_login_defs(lines):
    """login.defs keys -> value. shadow-utils getdef.c skips leading blanks and comments;
    a later line overrides an earlier one (putdef_str replaces). Returns (values, dup_keys)."""
    values = {}
    dups = set()
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = stripped.split(None, 1)
        key = parts[0]
        value = parts[1].strip().strip('"') if len(parts) > 1 else ""
        if key in values:
            dups.add(key)
        values[key] = value
    return values, sorted(dups)


def to_int(value):
    try:
        return int(str(value).strip(), 10)
    except (TypeError, ValueError):
        return None


SYMBOLIC_BASE_UMASK = 0o022     # what "+"/"-" clauses start from (the usual inherited umask)
_WHO_SHIFT = {"u": (6,), "g": (3,), "o": (0,), "a": (6, 3, 0)}
_PERM_BITS = {"r": 4, "w": 2, "x": 1}


def parse_symbolic_umask(text, base=SYMBOLIC_BASE_UMASK):
    """A symbolic umask (``u=rwx,g=rx,o=``, as ``umask -S`` prints and bash/dash accept) -> the
    octal mask it sets, or None. The symbolic form names the permissions *kept*:
    ``u=rwx,g=rx,o=`` keeps rwx for the owner, r-x for the group, nothing for others = 027.
    ``+``/``-`` clauses change ``base`` (the umask the shell inherited: 022 unless known)."""
    allowed = 0o777 & ~base
    if not text:
        return None
    for clause in text.split(","):
        who = ""
        pos = 0
        while pos < len(clause) and clause[pos] in "ugoa":
            who += clause[pos]
            pos += 1
        shifts = set()
        for w in who or "a":
            shifts.update(_WHO_SHIFT[w])
        if pos >= len(clause):
            return None
        while pos < len(clause):
            op = clause[pos]
            if op not in "=+-":
                return None
            pos += 1
            bits = 0
            while pos < len(clause) and clause[pos] in _PERM_BITS:
                bits |= _PERM_BITS[clause[pos]]
                pos += 1
            for shift in shifts:
                if op == "=":
                    allowed = (allowed & ~(7 << shift)) | (bits << shift)
                elif op == "+":
                    allowed |= bits << shift
                else:
                    allowed &= ~(bits << shift)
    return 0o777 & ~allowed


def parse_umask(text):
    """An octal (``027``) or symbolic (``u=rwx,g=rx,o=``) umask string -> int, or None."""
    text = str(text).strip()
    if re.match(r"^[0-7]{1,4}$", text):
        return int(text, 8)
    if text and all(ch in "ugoa=+-rwx," for ch in text):
        return parse_symbolic_umask(text)
    return None


def umask_is_strict(text):
    """Lynis AUTH-9328 accepts exactly 027, 077, 0027, 0077. We accept any umask that masks
    at least group-write and all of other (mask & 027 == 027): 037, 0057... are strict too."""
    value = parse_umask(text)
    return value is not None and (value & 0o027) == 0o027


_UMASK_CMD = re.compile(r"(?:^|[;&|{(\s])umask\s+(?:-S\s+)?([0-7]{3,4}|[ugoa=,+\-rwx]+)(?=$|[\s;&|)}])")


def umasks_in_shell(lines):
    """umask values set by a shell script: ``umask 027`` commands outside comments."""
    found = []
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        code = stripped.split(" #", 1)[0]
        for match in _UMASK_CMD.finditer(code):
            found.append(match.group(1))
    return found
