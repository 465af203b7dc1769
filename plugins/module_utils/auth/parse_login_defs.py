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


def parse_umask(text):
    """An octal umask string -> int, or None."""
    text = str(text).strip()
    if not re.match(r"^[0-7]{1,4}$", text):
        return None
    return int(text, 8)


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


