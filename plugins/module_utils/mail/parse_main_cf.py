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


def expand_postfix(value, params, depth=0):
    """Expand $name, ${name}, $(name) from params (bounded)."""
    if depth > 5:
        return value

    def repl(match):
        name = match.group(1) or match.group(2) or match.group(3)
        if name in params:
            return expand_postfix(params[name], params, depth + 1)
        return match.group(0)
    return re.sub(r"\$(?:\{(\w+)\}|\((\w+)\)|(\w+))", repl, value)
