# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One bounded read per file, and the checks every persistence location shares.

``scan_file`` resolves the path inside ``root`` (locate.resolve), opens only a regular file
(safe_read: lstat, O_NOFOLLOW|O_NONBLOCK, fstat), reads at most ``max_read_bytes`` in one
streamed pass that also keeps the first bytes (magic sniffing) and the md5 (package checksum
comparison), and either hands each line to ``on_line`` or keeps at most ``MAX_KEPT_LINES``
non-blank lines. Memory is O(max_line_bytes + chunk) per file whatever the file holds.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os

from ansible_collections.hostguard.hardening.plugins.module_utils.core.redact import redact
from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import (
    SafeReadError, decode_line, iter_lines_fd, looks_binary, open_regular)
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.locate import resolve
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.spec import CHECKS

SNIFF_BYTES = 8192
MAX_KEPT_LINES = 10000
EXCERPT_CHARS = 200
RDB_MAGIC = b"REDIS"
PSEUDO_FS = ("/dev", "/proc", "/sys")


def excerpt(text, limit=EXCERPT_CHARS):
    """A redacted, bounded excerpt of one line (reports hold no secrets)."""
    text = redact(text.strip())
    return text if len(text) <= limit else text[:limit] + "..."


def is_rdb(head):
    """A Redis RDB dump starts with ``REDIS`` and four version digits."""
    return head[:5] == RDB_MAGIC and head[5:9].isdigit()


def scan_file(root, path, params, on_line=None, keep_lines=True):
    """Read ``path`` once. Returns an entry dict:

    path, real (inside root), status (ok|missing|not_regular|symlink_loop|unreadable|escapes),
    type, info (lstat of the final file), link (first link text or None), head (bytes),
    binary, rdb, truncated (not read to the end), md5 (None when truncated), lines
    ([(lineno, text, cut)], non-blank, at most MAX_KEPT_LINES), lines_capped, long_lines, error."""
    entry = {"path": path, "real": path, "status": "ok", "type": None, "info": None,
             "link": None, "head": b"", "binary": False, "rdb": False, "truncated": False,
             "md5": None, "lines": [], "lines_capped": False, "long_lines": 0, "error": None}
    res = resolve(root, path)
    if res["links"]:
        entry["link"] = res["links"][0][1]
    entry["real"] = res["path"]
    if res["status"] != "ok":
        if res["links"] and res["status"] == "missing":
            entry["status"] = "broken_link"
        else:
            entry["status"] = "symlink_loop" if res["status"] == "loop" else "missing"
        return entry
    info = res["info"]
    entry["info"] = info
    entry["type"] = info["type"]
    if res["links"] and any(res["path"] == p or res["path"].startswith(p + "/") for p in PSEUDO_FS):
        entry["status"] = "escapes"
        return entry
    if info["type"] != "file":
        entry["status"] = "not_regular"
        return entry
    try:
        fd, info = open_regular(res["host"])
    except SafeReadError as exc:
        entry["status"] = "unreadable" if exc.reason != "missing" else "missing"
        entry["error"] = exc.message
        return entry
    entry["info"] = info
    digest = hashlib.md5()
    head = bytearray()

    def chunk_seen(chunk):
        digest.update(chunk)
        if len(head) < SNIFF_BYTES:
            head.extend(chunk[:SNIFF_BYTES - len(head)])

    read = 0
    try:
        for lineno, raw, cut in iter_lines_fd(fd, params["max_read_bytes"], params["max_line_bytes"],
                                              on_chunk=chunk_seen):
            if cut:
                entry["long_lines"] += 1
            if not raw.strip():
                continue
            text = decode_line(raw)
            if on_line is not None:
                on_line(lineno, text, cut)
            if keep_lines:
                if len(entry["lines"]) < MAX_KEPT_LINES:
                    entry["lines"].append((lineno, text, cut))
                else:
                    entry["lines_capped"] = True
        read = os.lseek(fd, 0, os.SEEK_CUR)
    except OSError as exc:
        entry["status"] = "unreadable"
        entry["error"] = os.strerror(exc.errno or 0)
    finally:
        os.close(fd)
    head = bytes(head)
    entry["truncated"] = info["size"] > read
    entry["md5"] = None if entry["truncated"] else digest.hexdigest()
    entry["binary"] = looks_binary(head)
    entry["rdb"] = is_rdb(head)
    entry["head"] = head[:16]
    return entry


def file_facts(entry):
    """The small, JSON-safe part of an entry for the inventory."""
    info = entry.get("info") or {}
    out = {"path": entry["path"], "status": entry["status"]}
    if entry.get("real") != entry["path"]:
        out["real"] = entry.get("real")
    if info:
        out.update({"uid": info.get("uid"), "mode": info.get("mode"), "size": info.get("size"),
                    "mtime": info.get("mtime")})
    if entry.get("package") is not None:
        out["package"] = entry["package"]
    if entry.get("modified") is not None:
        out["modified"] = entry["modified"]
    return out


def is_recent(entry, params, now):
    info = entry.get("info") or {}
    days = params.get("recent_days") or 0
    return bool(days and info.get("mtime") is not None and now - info["mtime"] < days * 86400)


def is_executable(entry):
    info = entry.get("info") or {}
    return bool(info.get("mode")) and int(info["mode"], 8) & 0o111 != 0


def package_evidence(entry):
    """What the package database says about a file (for findings' evidence)."""
    return {"package": entry.get("package"), "modified": entry.get("modified")}


@CHECKS.check("HG-PERS-040", "high", "Non-regular entry or escaping symlink in a persistence location", attack="T1543.002",
              reads="lstat and readlink of every entry (never followed outside root)",
              remediation="Remove the FIFO, device or link after checking what created it: readers of "
                          "this location can block, or be pointed at another file")
@CHECKS.check("HG-PERS-041", "medium", "Oversized persistence file (only its head was scanned)", reads="lstat size; the bounded head read",
              remediation="Inspect the file: units, hooks and key files are small; the audit read only "
                          "max_read_bytes of it")
@CHECKS.check("HG-PERS-042", "medium", "Unreadable persistence location", reads="open/opendir errors",
              remediation="Run the audit as root, or find why root cannot read it (FUSE, NFS root_squash)")
def file_findings(non_regular, oversized, unreadable, entry, params, label):
    """Findings about the file itself (type, size, readability), whatever its content."""
    status = entry["status"]
    ev = {"path": entry["path"], "location": label}
    if entry.get("link"):
        ev["link"] = entry["link"]
    if status in ("not_regular", "escapes"):
        ev["type"] = entry.get("type")
        return [non_regular.fail(entry["path"], ev)]
    if status == "symlink_loop":
        return [non_regular.fail(entry["path"], dict(ev, type="symlink loop"))]
    if status == "unreadable":
        return [unreadable.fail(entry["path"], dict(ev, error=entry.get("error")))]
    if status != "ok":
        return []
    size = (entry.get("info") or {}).get("size") or 0
    if size > params["max_file_size"] or entry.get("lines_capped") or entry.get("long_lines"):
        ev.update({"size": size, "scanned_bytes": min(size, params["max_read_bytes"]),
                   "long_lines": entry.get("long_lines", 0)})
        return [oversized.fail(entry["path"], ev)]
    return []


@CHECKS.check("HG-PERS-043", "medium", "Persistence directory with more entries than max_entries", reads="directory listing (bounded)",
              remediation="A unit or hook directory with that many entries is abnormal: inspect it; raise "
                          "max_entries to audit every entry")
def directory_findings(too_many, path, total, params, res):
    unreadable = CHECKS["HG-PERS-042"]   # declared above file_findings
    if res.get("status") == "error":
        return [unreadable.fail(path, {"path": path, "error": res.get("error")})]
    if total > params["max_entries"]:
        return [too_many.fail(path, {"path": path, "entries": total, "max_entries": params["max_entries"]})]
    return []


@CHECKS.check("HG-PERS-044", "high", "Packaged file differs from the package's checksum", attack="T1543.002",
              reads="/var/lib/dpkg/info/<package>.md5sums under root vs the file's md5",
              remediation="Reinstall the package (apt-get install --reinstall <package>) after keeping a "
                          "copy of the changed file for forensics")
def check_modified(check, entry, label):
    if entry.get("modified") is True:
        return check.fail(entry["path"], {"path": entry["path"], "location": label,
                                          "package": entry.get("package")})
    return None


@CHECKS.check("HG-PERS-045", "high", "Persistence file writable by a user other than its runner", attack="T1543.002", reads="lstat owner and mode",
              remediation="chown root:root and chmod go-w: whoever can write it runs code as root "
                          "(user files: owner the user, mode go-w)")
def check_writable(check, entry, label, allowed_uids=(0,)):
    info = entry.get("info") or {}
    if entry["status"] != "ok" or not info:
        return None
    mode = int(info["mode"], 8)
    if info["uid"] not in allowed_uids or mode & 0o022:
        return check.fail(entry["path"], {"path": entry["path"], "location": label,
                                          "uid": info["uid"], "mode": info["mode"]})
    return None
