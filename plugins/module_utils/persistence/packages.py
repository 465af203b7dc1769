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

rpm: the SQLite rpmdb under ``root`` is read by rpmdb.py (stdlib sqlite3, read-only and
immutable: nothing written); a BerkeleyDB or ndb database is reported as not read (ownership
unknown). A host with both databases gets both: dpkg first, rpm for the paths dpkg does not own.
rpm's %config files, like dpkg's conffiles, are not compared (an admin's edit is no difference).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import itertools
import os
import stat

from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import (
    SafeReadError, decode_line, iter_line_blocks, iter_lines, open_regular)
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence import rpmdb
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.locate import list_dir, resolve
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.spec import CHECKS

DPKG_INFO = "/var/lib/dpkg/info"
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
    return {"dpkg": dpkg["status"] == "ok" and dpkg["info"]["type"] == "directory",
            "rpm": bool(rpmdb.find_databases(root))}


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
        for _no, raw, _cut in iter_lines(res["host"], size, MAX_DB_LINE):   # as resolved inside root
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
    """({path: {"package", "sum", "algo", "db"}} for the owned paths of ``paths`` (inside
    root), summary). A path not in the result is unowned when ``summary["complete"]``, else
    unknown."""
    summary = {"dpkg": False, "rpm": False, "complete": False, "lists_read": 0,
               "bytes_read": 0, "note": None, "rpm_databases": []}
    dbs = detect(root)
    summary.update(dbs)
    if not dbs["dpkg"] and not dbs["rpm"]:
        summary["note"] = "no package database under root"
        return {}, summary
    wanted = {}
    for p in paths:
        for alias in aliases(p):
            wanted.setdefault(alias.encode("utf-8", "surrogateescape"), []).append(p)
    budget = {"left": max_bytes, "exhausted": False, "errors": 0}
    result = {}     # only owned paths (memory: 10,000+ asked paths are mostly unowned)
    if dbs["dpkg"]:
        result = _dpkg_lookup(root, wanted, budget, summary)
    if dbs["rpm"]:
        rest = dict((k, [p for p in v if p not in result]) for k, v in wanted.items())
        owners, reports = rpmdb.lookup(root, dict((k, v) for k, v in rest.items() if v), budget)
        for p, own in owners.items():
            result[p] = {"package": own["package"], "db": "rpm", "algo": own["algo"],
                         "sum": None if own["config"] or own["ghost"] else own["sum"]}
        summary["rpm_databases"] = reports
        notes = [r["note"] for r in reports if r.get("note")]
        if notes:
            summary["note"] = "; ".join(notes)
    summary["complete"] = not budget["exhausted"] and budget["errors"] == 0
    summary["bytes_read"] = max_bytes - budget["left"]
    return result, summary


def _dpkg_lookup(root, wanted, budget, summary):
    """dpkg's .list files (owner) then the owners' .md5sums (sum)."""
    names, total, info_dir = list_dir(root, DPKG_INFO, MAX_DB_FILES)
    if total > MAX_DB_FILES:
        budget["exhausted"] = True
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
    return dict((p, {"package": package, "sum": sums.get(p), "algo": "md5", "db": "dpkg"})
                for p, package in owners.items())


def file_digest(root, path, algo, max_bytes):
    """Hex digest (hashlib ``algo``) of a regular file inside root, None when it cannot be
    read whole within ``max_bytes`` (a digest of part of a file would be a false difference)."""
    res = resolve(root, path)
    if res["status"] != "ok" or res["info"]["type"] != "file" or res["info"]["size"] > max_bytes:
        return None
    try:
        digest = hashlib.new(algo)
        fd, _info = open_regular(res["host"])
    except (ValueError, SafeReadError):
        return None
    try:
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(65536, left))
            if not chunk:
                break
            left -= len(chunk)
            digest.update(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return digest.hexdigest() if left > 0 else None


def apply(entries, owners, summary, root="/", max_bytes=1048576):
    """Set ``package``/``modified``/``owned_known`` on every scanned entry from lookup().
    dpkg sums are md5 (the scan's own digest); rpm's are in the header's algorithm (sha256
    on current rpm): the file is hashed again with it."""
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
        if not own["package"] or not own.get("sum") or not e.get("md5"):
            continue
        if own.get("algo", "md5") == "md5":
            e["modified"] = own["sum"] != e["md5"]
        elif own.get("algo"):
            mine = file_digest(root, e["real"], own["algo"], max_bytes)
            if mine is not None:
                e["modified"] = own["sum"] != mine


@CHECKS.check("HG-PERS-046", "low", "Package database present but not read: ownership and checksums unknown",
              reads="/usr/lib/sysimage/rpm and /var/lib/rpm (rpmdb.sqlite, BerkeleyDB Packages, ndb "
                    "Packages.db), rpmdb.sqlite-wal",
              remediation="Ownership (HG-PERS-003/032) and checksum (HG-PERS-044) verdicts are missing for "
                          "this database's files: verify them with the package manager itself (rpm -Va), "
                          "or convert the database (rpmdb --rebuilddb with rpm >= 4.16 writes SQLite)")
def db_findings(check, summary):
    """One error result per package database the lookup could not read in full."""
    out = []
    for report in summary.get("rpm_databases") or ():
        if report.get("read") and not report.get("note") and not report.get("bad_headers"):
            continue
        ev = {"path": report["path"], "format": report["format"], "read": report.get("read", False),
              "note": report.get("note")}
        if report.get("bad_headers"):
            ev["bad_headers"] = report["bad_headers"]
        out.append(check.error(report["path"], report.get("note") or "%d header(s) not parsable"
                               % report.get("bad_headers", 0), ev))
    return out
