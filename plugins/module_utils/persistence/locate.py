# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every path this area builds from a name or a link under ``root`` goes through here.

``resolve(root, path)`` walks the path component by component inside ``root`` with
core/paths.py (an absolute link restarts at ``root``, ``..`` never climbs above it), so that
with ``root=/mnt/image`` a link ``/lib -> /usr/lib`` or ``.ssh -> /etc`` reaches the image's
file, never the auditing host's. This module only adapts its result to the dict the area uses.
Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths
from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import stat_to_info

_STATUS = {paths.OK: "ok", paths.MISSING: "missing", paths.LOOP: "loop", paths.TOO_DEEP: "loop",
           paths.NOT_DIR: "not_dir"}


def resolve(root, path, follow=True):
    """{"status": ok|missing|loop|not_dir|error, "path": path inside root, "host": host path,
    "info": stat_to_info of the final object or None, "links": [(link, text)]}.

    ``follow``: follow a symlink in the last component too (else its lstat is returned).
    core/paths.py does the walk (root-confined, component by component)."""
    res = paths.resolve(root or "/", path, follow=follow)
    status = _STATUS.get(res.status, "error")
    ok = status == "ok" and res.st is not None
    return {"status": status if ok or status != "ok" else "error", "path": res.path,
            "host": paths.host_path(root, res.path) if ok else None,
            "info": stat_to_info(res.st) if ok else None, "links": [tuple(x) for x in res.links]}


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
