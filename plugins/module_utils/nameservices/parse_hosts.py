# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""hosts(5) lines: which map the host name together with localhost (pure)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.values import duplicates


LOCALHOST_ADDRESSES = ("127.0.0.1", "::1")


def hosts_lines_mapping_hostname(lines, hostname):
    """Lines of /etc/hosts that map the hostname together with localhost.

    Lynis NAME-4406 greps lines starting with ``localhost`` or ``::1`` that hold the short
    hostname as a word; an IPv4 ``127.0.0.1 localhost myhost`` line never matches its
    pattern. We flag any line whose address is 127.0.0.1 or ::1 or whose names include
    ``localhost``, and which also names the host (short or full name, any case).
    """
    if not hostname:
        return []
    short = hostname.split(".")[0].lower()
    names_wanted = set([hostname.lower(), short])
    hits = []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        fields = text.split()
        if len(fields) < 2:
            continue
        address = fields[0]
        names = [n.lower() for n in fields[1:]]
        names_short = set(n.split(".")[0] for n in names)
        localhost_line = address in LOCALHOST_ADDRESSES or "localhost" in names
        if not localhost_line:
            continue
        if short == "localhost":
            continue
        if names_wanted & set(names) or short in names_short - set(["localhost"]):
            hits.append({"line": number, "text": text[:200]})
    return hits


def duplicate_pairs(lines):
    """Lynis NAME-4402: ``awk '{print $1, $2}' | egrep -v '^(#|$)' | egrep '[a-f0-9]' | sort | uniq -d``:
    address + first name pairs that appear on more than one line."""
    pairs = []
    for line in lines:
        fields = line.split()
        pair = " ".join(fields[:2])
        if not pair or pair.startswith("#"):
            continue
        if not any(ch in "abcdef0123456789" for ch in pair):
            continue
        pairs.append(pair)
    return duplicates(pairs)


def lines_naming_host(lines, short_name):
    """Lynis NAME-4404: lines not starting with #, ::1 or localhost (and not empty) that hold the
    short host name (case-insensitive substring, as ``grep -i``)."""
    wanted = short_name.lower()
    hits = []
    for number, line in enumerate(lines, 1):
        if not line or line.startswith(("#", "localhost")) or line.startswith("::1 ") or line.startswith("::1\t"):
            continue
        if wanted and wanted in line.lower():
            hits.append({"line": number, "text": line.strip()[:200]})
    return hits
