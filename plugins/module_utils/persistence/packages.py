# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which package owns a file, and whether the file still has the packaged checksum.

Read from dpkg's database files under ``root`` (``/var/lib/dpkg/info/<pkg>.list`` and
``<pkg>.md5sums``), never by running dpkg or rpm against an alternate root. Only the paths asked
about are kept: every ``.list`` is streamed line by line (memory O(asked paths)), the total bytes
read are capped (``max_package_db_bytes``); when the cap is hit ownership becomes unknown
(None), never "unowned". Conffiles have no md5sums line (dpkg keeps their sums in status): an
admin's edit of /etc/profile is not a checksum difference.

rpm: ``/var/lib/rpm`` (rpmdb.sqlite / Packages) holds header blobs that need rpm's own
parser; it is detected and reported, ownership stays unknown.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import itertools
import os
import stat

from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import (
    SafeReadError, decode_line, iter_line_blocks, iter_lines, join_root, open_regular)
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.locate import list_dir, resolve

DPKG_INFO = "/var/lib/dpkg/info"
RPM_DIRS = ("/var/lib/rpm", "/usr/lib/sysimage/rpm")
MERGED = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
MAX_DB_FILES = 100000
MAX_DB_LINE = 8192


def aliases(path):
    """The names dpkg may have recorded for ``path`` on a merged-/usr system."""
    out = [path]
    parts = path.split("/")
    if len(parts) > 2 and parts[1] == "usr" and parts[2] in MERGED:
        out.append("/" + "/".join(parts[2:]))
    elif len(parts) > 1 and parts[1] in MERGED:
        out.append("/usr" + path)
    return out


def detect(root):
    """Which package databases exist under root: {"dpkg": bool, "rpm": bool}."""
    dpkg = resolve(root, DPKG_INFO)
    rpm = [d for d in RPM_DIRS if resolve(root, d)["status"] == "ok"]
    return {"dpkg": dpkg["status"] == "ok" and dpkg["info"]["type"] == "directory",
            "rpm": bool(rpm)}


def _stream(root, path, budget):
    """Lines of one database file (bytes), charging ``budget``; stops when it is spent."""
    res = resolve(root, path, follow=False)
    if res["status"] != "ok" or res["info"]["type"] != "file":
        return
    size = res["info"]["size"]
    if size > budget["left"]:
        budget["exhausted"] = True
        return
    budget["left"] -= size
    try:
        for _no, raw, _cut in iter_lines(join_root(root, path), size, MAX_DB_LINE):
            yield raw
    except SafeReadError:
        budget["errors"] += 1


def _stream_blocks(directory, name, budget):
    """The lines of one database file ``name`` of the already resolved directory (host path)
    as lists (one per chunk read), charging ``budget`` as _stream does; ``\r`` line ends
    stripped. Anything but a regular file is passed over, as _stream does."""
    host = os.path.join(directory, name)
    try:
        st = os.lstat(host)
    except OSError:
        return
    if not stat.S_ISREG(st.st_mode):
        return
    if st.st_size > budget["left"]:
        budget["exhausted"] = True
        return
    budget["left"] -= st.st_size
    try:
        fd, _info = open_regular(host)
    except SafeReadError:
        budget["errors"] += 1
        return
    try:
        for _first, lines, _cut in iter_line_blocks(fd, st.st_size, MAX_DB_LINE):
            yield list(map(bytes.rstrip, lines, itertools.repeat(b"\r", len(lines))))
    except OSError:
        budget["errors"] += 1
    finally:
        os.close(fd)


def lookup(root, paths, max_bytes):
    """({path: {"package", "sum"}} for the owned paths of ``paths`` (inside root), summary).
    A path not in the result is unowned when ``summary["complete"]``, else unknown."""
    summary = {"dpkg": False, "rpm": False, "complete": False, "lists_read": 0,
               "bytes_read": 0, "note": None}
    result = {}     # only owned paths (memory: 10,000+ asked paths are mostly unowned)
    dbs = detect(root)
    summary.update(dbs)
    if not dbs["dpkg"]:
        summary["note"] = ("rpm database present: ownership not evaluated (needs rpm's header "
                           "parser)" if dbs["rpm"] else "no package database under root")
        return result, summary
    wanted = {}
    for p in paths:
        for alias in aliases(p):
            wanted.setdefault(alias.encode("utf-8", "surrogateescape"), []).append(p)
    names, total, info_dir = list_dir(root, DPKG_INFO, MAX_DB_FILES)
    budget = {"left": max_bytes, "exhausted": total > MAX_DB_FILES, "errors": 0}
    owners = {}
    for name in names:
        if not name.endswith(".list"):
            continue
        package = name[:-5]
        summary["lists_read"] += 1
        for lines in _stream_blocks(info_dir["host"], name, budget):
            # one C-level set intersection per chunk: dpkg lists hold ~100,000 lines
            for raw in wanted.keys() & set(lines):
                for p in wanted[raw]:
                    owners.setdefault(p, package)
        if budget["exhausted"]:
            break
    summary["complete"] = not budget["exhausted"] and budget["errors"] == 0
    # md5sums: "<md5>  <path without leading slash>", only for the owning packages.
    by_package = {}
    for p, package in owners.items():
        by_package.setdefault(package, set()).add(p)
    sums = {}
    for package, owned in sorted(by_package.items()):
        want = {}
        for p in owned:
            for alias in aliases(p):
                want[alias.lstrip("/").encode("utf-8", "surrogateescape")] = p
        for raw in _stream(root, DPKG_INFO + "/" + package + ".md5sums", budget):
            digest, _sep, rel = raw.partition(b"  ")
            p = want.get(rel.rstrip(b"\r"))
            if p is not None:
                sums[p] = decode_line(digest.strip())
    summary["bytes_read"] = max_bytes - budget["left"]
    for p, package in owners.items():
        result[p] = {"package": package, "sum": sums.get(p)}
    return result, summary


def apply(entries, owners, summary):
    """Set ``package``/``modified``/``owned_known`` on every scanned entry from lookup()."""
    for e in entries:
        if e.get("status") != "ok":
            continue
        own = owners.get(e.get("real"))
        if own is None:
            e["package"] = None
            e["owned_known"] = summary["complete"]
            continue
        e["package"] = own["package"]
        e["owned_known"] = True
        if own["package"] and own.get("sum") and e.get("md5"):
            e["modified"] = own["sum"] != e["md5"]
