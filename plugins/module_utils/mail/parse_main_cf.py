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
_PARAM_REF = re.compile(r"\$(?:\{(\w+)\}|\((\w+)\)|(\w+))")


def expand_postfix(value, params, notes=None, budget=MAX_EXPANDED_CHARS):
    """Expand $name, ${name}, $(name) from ``params``, bounded in work and size.

    Each parameter is expanded once (memoised), a parameter that refers to itself (directly or
    through others) is left as written (postfix refuses such a loop too), and every result is
    cut at ``budget`` characters, so ``mail_name = $mail_name $mail_name ...`` costs one pass.
    What was cut or looped is appended to ``notes`` (a list) when given."""
    memo = {}
    active = set()
    notes = notes if notes is not None else []

    def expand_text(text):
        out = []
        size = 0
        last = 0
        for match in _PARAM_REF.finditer(text):
            pieces = [text[last:match.start()]]
            last = match.end()
            name = match.group(1) or match.group(2) or match.group(3)
            if name in active:
                if "loop" not in notes:
                    notes.append("loop")
                pieces.append(match.group(0))
            elif name in params:
                if name not in memo:
                    active.add(name)
                    memo[name] = expand_text(str(params[name]))
                    active.discard(name)
                pieces.append(memo[name])
            else:
                pieces.append(match.group(0))
            for piece in pieces:
                out.append(piece)
                size += len(piece)
            if size > budget:
                if "cut" not in notes:
                    notes.append("cut")
                return "".join(out)[:budget]
        out.append(text[last:])
        result = "".join(out)
        if len(result) > budget:
            if "cut" not in notes:
                notes.append("cut")
            return result[:budget]
        return result
    return expand_text(str(value))
