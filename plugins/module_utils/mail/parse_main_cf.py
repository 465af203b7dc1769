# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Postfix main.cf(5): parameters and $name expansion (pure)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


def parse_main_cf(lines):
    """Postfix main.cf: ``name = value`` with continuation lines (leading blank); last wins."""
    values = {}
    current = None
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[:1] in (" ", "\t") and current:
            values[current] += " " + line.strip()
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            current = name.strip()
            values[current] = value.strip()
    return values


MAX_EXPANDED_CHARS = 4096
MIN_SHARE_CHARS = 256
_PARAM_REF = re.compile(r"\$(?:\{(\w+)\}|\((\w+)\)|(\w+))")


def expand_postfix(value, params, notes=None, budget=MAX_EXPANDED_CHARS):
    """Expand $name, ${name}, $(name) from ``params``, bounded in work and size.

    Each parameter is expanded once (memoised), a parameter that refers to itself (directly or
    through others) is left as written (postfix refuses such a loop too). The budget is per
    reference, not first come (issue 17: no evasion by budget): the text written around the
    references is always kept, and each reference's expansion is cut to its share of
    ``budget`` (``budget`` / the text's references, at least MIN_SHARE_CHARS), so a huge
    ``$mail_name`` cannot push the ``(Debian/GNU)`` written after it out of the result. A
    result is at most its own text plus max(budget, MIN_SHARE_CHARS x references): linear in
    the input. What was cut or looped is appended to ``notes`` (a list) when given."""
    memo = {}
    active = set()
    notes = notes if notes is not None else []

    def note(what):
        if what not in notes:
            notes.append(what)

    def expand_text(text):
        refs = list(_PARAM_REF.finditer(text))
        if not refs:
            return text
        share = max(MIN_SHARE_CHARS, budget // len(refs))
        out = []
        last = 0
        for match in refs:
            out.append(text[last:match.start()])
            last = match.end()
            name = match.group(1) or match.group(2) or match.group(3)
            if name in active:
                note("loop")
                out.append(match.group(0))
            elif name in params:
                if name not in memo:
                    active.add(name)
                    memo[name] = expand_text(str(params[name]))
                    active.discard(name)
                piece = memo[name]
                if len(piece) > share:
                    note("cut")
                    piece = piece[:share]
                out.append(piece)
            else:
                out.append(match.group(0))
        out.append(text[last:])
        return "".join(out)
    return expand_text(str(value))
