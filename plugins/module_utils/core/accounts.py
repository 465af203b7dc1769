# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local accounts of the audited system (``<root>/etc/passwd``), read through safe_read.

Only names and ids: nothing from /etc/shadow. Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import (
    SafeReadError, read_in_root)

MAX_PASSWD_BYTES = 4 * 1024 * 1024


def parse_id_file(text):
    """(name -> id, id -> name) from passwd(5) or group(5) text.

    The first entry of a name or id wins (as getpwnam/getpwuid); comments and NIS
    ``+``/``-`` lines are skipped."""
    by_name, by_id = {}, {}
    for line in (text or "").splitlines():
        parts = line.split(":")
        if len(parts) < 3 or not parts[0] or parts[0].startswith(("#", "+", "-")):
            continue
        try:
            num = int(parts[2])
        except ValueError:
            continue
        by_name.setdefault(parts[0], num)
        by_id.setdefault(num, parts[0])
    return by_name, by_id


def load_id_map(root, path, max_bytes=MAX_PASSWD_BYTES):
    """(name -> id, id -> name, error) for ``path`` resolved inside ``root`` (core.paths: links
    followed there, never by the host's kernel); error is a SafeReadError or None."""
    try:
        data, _info, _trunc = read_in_root(root, path, max_bytes)   # links inside root (core.paths)
    except SafeReadError as exc:
        return {}, {}, exc
    return parse_id_file(data.decode("utf-8", "surrogateescape")) + (None,)


def parse_passwd(text):
    """uid -> user name from passwd(5) text; the first entry of a uid wins (as getpwuid)."""
    return parse_id_file(text)[1]


def passwd_names(root="/"):
    """uid -> user name from ``<root>/etc/passwd`` (bounded read; {} when unreadable)."""
    return load_id_map(root, "/etc/passwd")[1]


def parse_passwd_entries(text, limit=None):
    """[{name, uid, gid, home, shell}] from passwd(5) text, first entry of a name wins;
    at most ``limit`` entries (None: all)."""
    out = []
    seen = set()
    for line in (text or "").splitlines():
        parts = line.split(":")
        if len(parts) < 7 or not parts[0] or parts[0].startswith(("#", "+", "-")) or parts[0] in seen:
            continue
        try:
            uid, gid = int(parts[2]), int(parts[3])
        except ValueError:
            continue
        seen.add(parts[0])
        out.append({"name": parts[0], "uid": uid, "gid": gid, "home": parts[5], "shell": parts[6]})
        if limit is not None and len(out) >= limit:
            break
    return out


def load_users(root="/", limit=None, max_bytes=MAX_PASSWD_BYTES):
    """(users, error) from ``<root>/etc/passwd``: parse_passwd_entries of a bounded read."""
    try:
        data, _info, _trunc = read_in_root(root, "/etc/passwd", max_bytes)
    except SafeReadError as exc:
        return [], exc
    return parse_passwd_entries(data.decode("utf-8", "surrogateescape"), limit), None
