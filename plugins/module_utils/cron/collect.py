# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Facts for the daemon-build models: crontab entries and accounts. Bounded I/O, no verdicts.

Every read goes through core.paths (inside root, never the host's kernel following a link).
Entries: lstat, followed stat and a bounded head of each crontab path, read once and shared by
all builds. Accounts as the cron daemons see them: passwd entries, shadow ageing fields, home
directories. From /etc/shadow only the ageing numbers are kept (lstchg, max, inact, expire): the
password field is never stored, returned or logged.
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


def _info(st):
    if st is None:
        return None
    mode = st.st_mode
    kind = ("symlink" if stat.S_ISLNK(mode) else "file" if stat.S_ISREG(mode) else
            "directory" if stat.S_ISDIR(mode) else "fifo" if stat.S_ISFIFO(mode) else
            "socket" if stat.S_ISSOCK(mode) else "char_device" if stat.S_ISCHR(mode) else
            "block_device" if stat.S_ISBLK(mode) else "unknown")
    return {"type": kind, "uid": st.st_uid, "gid": st.st_gid, "mode": stat.S_IMODE(mode), "nlink": st.st_nlink}


class EntryReader(object):
    """Reads each crontab path once (lstat, followed stat, bounded content), shared by all builds."""

    def __init__(self, root, max_read_bytes):
        self.root = root
        self.max_read_bytes = max_read_bytes
        self.cache = {}

    def entry(self, where, path, name):
        key = path
        if key not in self.cache:
            link = paths.resolve(self.root, path, follow=False)
            target = paths.resolve(self.root, path, follow=True) if link.ok else link
            data, complete = None, False
            if target.ok and stat.S_ISREG(target.st.st_mode):
                data, complete = read_bounded(self.root, target.path, self.max_read_bytes)
            self.cache[key] = {"path": path, "name": name, "link": _info(link.st) if link.ok else None,
                               "target": _info(target.st) if target.ok else None,
                               "target_status": target.status, "resolved": target.path,
                               "data": data, "complete": complete}
        entry = dict(self.cache[key])
        entry["where"] = where
        return entry


def crontab_entries(root, build, reader, max_entries):
    """(where, path, name) of every entry one build reads; directories listed (bounded)."""
    out = []
    cut = []
    for where, location in build.LOCATIONS:
        if where == "crontab":
            if paths.resolve(root, location, follow=False).ok:
                out.append((where, location, os.path.basename(location)))
            continue
        try:
            names, truncated, _res = paths.list_dir(root, location, max_entries)
        except (paths.PathRefused, OSError):
            continue
        if truncated:
            cut.append(location)
        for name in names:
            out.append((where, location.rstrip("/") + "/" + name, name))
    return out, cut
