# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sysctl.d(5) lines -> entries (pure; systemd-sysctl's syntax)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.parse_key import normalize_key, normalize_value


def parse_conf_lines(lines, source):
    """Parse sysctl.d lines into a list of entries (in file order).

    Entry: {key, value, glob, exclude, ignore_errors, file, line}. ``exclude`` entries carry
    no value ("-key" with no "=")."""
    out = []
    for lineno, raw in lines:
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        ignore = line.startswith("-")
        if ignore:
            line = line[1:].lstrip()
        key, sep, value = line.partition("=")
        key = normalize_key(key)
        if not key:
            continue
        entry = {"key": key, "value": normalize_value(value) if sep else None,
                 "glob": any(c in key for c in "*?["), "exclude": ignore and not sep,
                 "ignore_errors": ignore, "file": source, "line": lineno}
        if not sep and not entry["exclude"]:
            continue  # a line without "=" that is not an exclusion: systemd ignores it
        out.append(entry)
    return out
