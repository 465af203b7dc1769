# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local accounts of the audited system (``<root>/etc/passwd``), read through safe_read.

Only names and ids: nothing from /etc/shadow. Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.safe_read import (
    SafeReadError, join_root, read_head)

MAX_PASSWD_BYTES = 4 * 1024 * 1024


def parse_passwd(text):
    """uid -> user name from passwd(5) text; the first entry of a uid wins (as getpwuid)."""
    out = {}
    for line in (text or "").splitlines():
        parts = line.split(":")
        if len(parts) >= 3:
            try:
                out.setdefault(int(parts[2]), parts[0])
            except ValueError:
                continue
    return out


def passwd_names(root="/"):
    """uid -> user name from ``<root>/etc/passwd`` (bounded read; {} when unreadable)."""
    try:
        data, _info, _trunc = read_head(join_root(root, "/etc/passwd"), MAX_PASSWD_BYTES)
    except (SafeReadError, OSError):
        return {}
    return parse_passwd(data.decode("utf-8", "backslashreplace"))
