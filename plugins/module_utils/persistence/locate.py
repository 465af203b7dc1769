# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every path this area builds from a name or a link under ``root`` goes through here.

``resolve(root, path)`` walks the path component by component inside ``root`` (an absolute
link restarts at ``root``, ``..`` never climbs above it), so that with ``root=/mnt/image`` a
link ``/lib -> /usr/lib`` or ``.ssh -> /etc`` reaches the image's file, never the auditing
host's. It is the one place to swap for core/paths.py (issue 11/17) once it lands.
Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import (
    join_root, stat_to_info)

MAX_LINKS = 40


def _parts(text):
    return [p for p in text.split("/") if p not in ("", ".")]


def resolve(root, path, follow=True):
    """{"status": ok|missing|loop|not_dir|error, "path": path inside root, "host": host path,
    "info": stat_to_info of the final object or None, "links": [(link, text)]}.

    ``follow``: follow a symlink in the last component too (else its lstat is returned)."""
    done = []
    todo = _parts(path)
    links = []
    while todo:
        comp = todo.pop(0)
        if comp == "..":
            if done:
                done.pop()
            continue
        cand = done + [comp]
        host = join_root(root, "/" + "/".join(cand))
        try:
            st = os.lstat(host)
        except OSError as exc:
            status = "not_dir" if getattr(exc, "errno", None) == 20 else "missing"
            return {"status": status, "path": "/" + "/".join(cand + todo), "host": None,
                    "info": None, "links": links}
        if stat.S_ISLNK(st.st_mode) and (todo or follow):
            if len(links) >= MAX_LINKS:
                return {"status": "loop", "path": "/" + "/".join(cand + todo), "host": None,
                        "info": None, "links": links}
            try:
                text = os.readlink(host)
            except OSError:
                return {"status": "error", "path": "/" + "/".join(cand), "host": None,
                        "info": None, "links": links}
            links.append(("/" + "/".join(cand), text))
            if text.startswith("/"):
                done = []
            todo = _parts(text) + todo
            continue
        if todo and not stat.S_ISDIR(st.st_mode):
            return {"status": "not_dir", "path": "/" + "/".join(cand + todo), "host": None,
                    "info": None, "links": links}
        done = cand
    inside = "/" + "/".join(done)
    host = join_root(root, inside)
    try:
        st = os.lstat(host)
    except OSError:
        return {"status": "missing", "path": inside, "host": None, "info": None, "links": links}
    return {"status": "ok", "path": inside, "host": host, "info": stat_to_info(st), "links": links}


def list_dir(root, path, limit):
    """(sorted names, total count, resolved dict) of a directory under root; names capped at
    ``limit`` (the count says how many there were). A missing directory gives ([], 0, res)."""
    res = resolve(root, path)
    if res["status"] != "ok" or res["info"]["type"] != "directory":
        return [], 0, res
    names = []
    total = 0
    try:
        with os.scandir(res["host"]) as it:
            for entry in it:
                total += 1
                if len(names) < limit:
                    names.append(entry.name)
    except OSError as exc:
        res = dict(res, status="error", error=os.strerror(exc.errno or 0))
        return [], 0, res
    names.sort()
    return names, total, res
