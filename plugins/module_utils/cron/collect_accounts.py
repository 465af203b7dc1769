# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Accounts as the cron daemons see them: passwd entries, shadow ageing fields, home directories.

Facts only, bounded reads through core.paths. From /etc/shadow only the ageing numbers are kept
(lstchg, max, inact, expire): the password field is never stored, returned or logged.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths

MAX_ACCOUNT_FILE_BYTES = 8 * 1024 * 1024


def read_bounded(root, path, limit):
    """(bytes, complete) of a regular file under root, or (None, False)."""
    try:
        fd, res = paths.open_file(root, path)
    except (paths.PathRefused, OSError):
        return None, False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None, False
        chunks = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(65536, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
        return data[:limit], len(data) <= limit
    except OSError:
        return None, False
    finally:
        os.close(fd)


def _int(text, default=-1):
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


def parse_passwd(data):
    users = {}
    for raw in (data or b"").split(b"\n"):
        parts = raw.decode("utf-8", "surrogateescape").split(":")
        if len(parts) < 7 or not parts[0] or parts[0].startswith(("#", "+", "-")):
            continue
        uid, gid = _int(parts[2], None), _int(parts[3], None)
        if uid is None or gid is None:
            continue
        users.setdefault(parts[0], {"uid": uid, "gid": gid, "home": parts[5], "shell": parts[6]})
    return users


def parse_shadow_ageing(data):
    """name -> {lstchg, max, inact, expire}; the password field (2nd) is skipped, never kept."""
    out = {}
    for raw in (data or b"").split(b"\n"):
        parts = raw.decode("utf-8", "surrogateescape").split(":")
        if len(parts) < 8 or not parts[0]:
            continue
        out.setdefault(parts[0], {"lstchg": _int(parts[2]), "max": _int(parts[4]),
                                  "inact": _int(parts[6]), "expire": _int(parts[7])})
    return out


def load_accounts(root, now=None):
    passwd, _c = read_bounded(root, "/etc/passwd", MAX_ACCOUNT_FILE_BYTES)
    shadow, _c2 = read_bounded(root, "/etc/shadow", MAX_ACCOUNT_FILE_BYTES)
    users = parse_passwd(passwd)
    cache = {}

    def home_ok(home, pw):
        """chdir(home) as the job's user would succeed (exists, a directory, searchable)."""
        key = (home, pw["uid"], pw["gid"])
        if key not in cache:
            res = paths.resolve(root, home or "/nonexistent") if (home or "").startswith("/") else None
            ok = bool(res is not None and res.ok and stat.S_ISDIR(res.st.st_mode))
            if ok and pw["uid"] != 0:
                st = res.st
                bit = 0o100 if st.st_uid == pw["uid"] else (0o010 if st.st_gid == pw["gid"] else 0o001)
                ok = bool(st.st_mode & bit)
            cache[key] = ok
        return cache[key]

    return {"users": users, "shadow": parse_shadow_ageing(shadow), "home_ok": home_ok,
            "today": int((now if now is not None else time.time()) // 86400),
            "sources": {"passwd": passwd is not None, "shadow": shadow is not None}}
