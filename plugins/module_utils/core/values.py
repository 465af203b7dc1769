# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small pure functions over values that several areas use (areas never import each other)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


def duplicates(values):
    """Values that occur more than once, sorted (Lynis's ``sort | uniq -d``)."""
    seen, dups = set(), set()
    for value in values:
        if value in seen:
            dups.add(value)
        seen.add(value)
    return sorted(dups)


def text_table(text, columns):
    """The rows of a table written as text, one row a line (blank lines skipped): each row the
    tuple of its ``columns`` blank-separated fields, the last field taking the rest of the line."""
    rows = tuple(tuple(line.split(None, columns - 1)) for line in text.splitlines() if line.strip())
    for row in rows:
        if len(row) != columns:
            raise ValueError("table row %r: %d fields, not %d" % (" ".join(row), len(row), columns))
    return rows
