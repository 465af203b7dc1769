# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The accounts whose home directories Lynis HOME-9304/9306 look at (pure)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Lynis: egrep -v '^(daemon|git|halt|root|shutdown|sync)' /etc/passwd | awk -F: '($7 !~ "/(false|nologin)$")'
SKIPPED_PREFIXES = ("daemon", "git", "halt", "root", "shutdown", "sync")
NO_LOGIN_SHELLS = ("/false", "/nologin")


def login_accounts(lines):
    """[(user, uid, home)] of accounts with a login shell, as Lynis selects them."""
    out = []
    for line in lines:
        if line.startswith(SKIPPED_PREFIXES):
            continue
        fields = line.split(":")
        if len(fields) < 7 or not fields[0]:
            continue
        if fields[6].strip().endswith(NO_LOGIN_SHELLS):
            continue
        uid = int(fields[2]) if fields[2].isdigit() else None
        out.append((fields[0], uid, fields[5]))
    return out
