# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The redaction gate: secrets never reach a report.

``redact(text)`` masks credentials that may sit in a command line or a config excerpt.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# Credentials that may sit in a command line: masked in excerpts (reports hold no secrets).
_SECRET_PATTERNS = (
    (re.compile(r"(://[^:/\s@]+:)[^@\s]+@"), r"\1***@"),
    (re.compile(r"(\bredis-cli\b[^\n]*?\s-a\s+)\S+"), r"\1***"),
    (re.compile(r"(--?(?:pass(?:word)?|requirepass|auth|token|secret)[= ]\s*)\S+", re.IGNORECASE), r"\1***"),
    (re.compile(r"(\brequirepass\s+)\S+", re.IGNORECASE), r"\1***"),
    (re.compile(r"(\s-u\s+[^:\s]+:)\S+"), r"\1***"),
    (re.compile(r"(\bAUTH\s+)\S+"), r"\1***"),
)


def redact(text):
    for pattern, repl in _SECRET_PATTERNS:
        text = pattern.sub(repl, text)
    return text
