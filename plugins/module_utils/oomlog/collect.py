# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the kernel log comes from (read-only, bounded): a file under root, ``journalctl -k``,
``dmesg`` or /dev/kmsg; every source streams into a scanner.Scanner."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import stat
import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths, safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.scanner import CHUNK_BYTES
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.timestamps import to_int as _int

SOURCES = ("auto", "dmesg", "journal", "file")


def boot_epoch(root="/"):
    """Wall time of boot from /proc/stat btime (live host only)."""
    if root not in (None, "", "/"):
        return None
    try:
        data, _info, _trunc = safe_read.read_head("/proc/stat", 256 * 1024)
    except safe_read.SafeReadError:
        return None
    for line in data.splitlines():
        if line.startswith(b"btime "):
            return _int(line.split()[1].decode("ascii", "replace"))
    return None


MAX_JOURNAL_NAMES = 4096


def read_file_into(path, scanner, max_bytes, deadline=None, clock=time.monotonic, root=None):
    """Stream a regular file into ``scanner``, within a size and a time budget; returns a
    source-status dict.

    Size: a file larger than ``max_bytes`` is read from ``size - max_bytes`` to its end (the
    tail: the recent incidents; the partial line at the cut is skipped). Time: the read stops at
    the first chunk after ``deadline`` (``clock()``, monotonic), whatever is left unread. Either
    cut is said in the status (``truncated``, ``offset``, ``unread``, ``cut``) for the audit to
    report as a finding: never a silent partial (issue 17).

    With ``root``, ``path`` is as the audited system sees it and is resolved inside ``root`` by
    core.paths (a ``/var/log`` that is a link to a host directory is followed inside root,
    never by the host's kernel); without, a host path opened only when it is a regular file."""
    fd, info = safe_read.open_in_root(root, path) if root else safe_read.open_regular(path)
    size = info["size"]
    offset = size - max_bytes if size > max_bytes > 0 else 0
    read = 0
    skipping = offset > 0
    cut = "size" if offset else None
    try:
        if offset:
            os.lseek(fd, offset, os.SEEK_SET)
        while read < max_bytes:
            if deadline is not None and clock() > deadline:
                cut = "time"
                break
            chunk = os.read(fd, min(CHUNK_BYTES, max_bytes - read))
            if not chunk:
                break
            read += len(chunk)
            if skipping:              # the line the cut fell into is not a whole line
                nl = chunk.find(b"\n")
                if nl < 0:
                    continue
                chunk = chunk[nl + 1:]
                skipping = False
            scanner.feed(chunk)
    finally:
        os.close(fd)
    unread = max(0, size - offset - read)
    if cut is None and unread:
        cut = "size"                  # the file grew while read: its new end is not read
    return {"status": "read", "bytes": read, "size": size, "offset": offset, "unread": unread,
            "cut": cut, "truncated": bool(offset or unread)}


def scan_cut_message(status):
    """None, or "not fully scanned: ..." for a source read in part (size or time budget)."""
    if not status.get("truncated"):
        return None
    if status.get("source") == "file":
        parts = ["%d of %d bytes read" % (status.get("bytes") or 0, status.get("size") or 0)]
        if status.get("offset"):
            parts.append("the first %d bytes skipped (size budget max_read_bytes: the tail is read)"
                         % status["offset"])
        if status.get("unread"):
            parts.append("the last %d bytes not read (%s)" % (
                status["unread"], "time budget spent" if status.get("cut") == "time" else "file grew while read"))
        return "not fully scanned: %s: %s" % (status.get("path"), "; ".join(parts))
    why = "time budget (timeout) spent" if status.get("timed_out") else "size budget (max_read_bytes) reached"
    return "not fully scanned: %s: %d bytes read, then %s" % (
        status.get("command") or status.get("source"), status.get("bytes") or 0, why)


def run_into(argv, scanner, timeout, max_bytes):
    """Run a command, stream its stdout into ``scanner``; time-boxed and bounded."""
    import select       # the live sources only: a file audit does not pay for these imports
    import subprocess
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, close_fds=True)
    except OSError as exc:
        return {"status": "unavailable", "detail": "%s: %s" % (argv[0], os.strerror(exc.errno or 0))}
    deadline = time.time() + timeout
    read = 0
    timed_out = capped = False
    fd = proc.stdout.fileno()
    try:
        while True:
            left = deadline - time.time()
            if left <= 0:
                timed_out = True
                break
            ready, _w, _x = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(fd, CHUNK_BYTES)
            if not chunk:
                break
            read += len(chunk)
            scanner.feed(chunk)
            if read >= max_bytes:
                capped = True
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    rc = proc.returncode
    out = {"status": "read", "bytes": read, "command": " ".join(argv), "rc": rc,
           "timed_out": timed_out, "truncated": timed_out or capped}
    if not timed_out and not capped and rc not in (0, None) and read == 0:
        out["status"] = "unavailable"
        out["detail"] = "%s exited %s with no output (permission? dmesg_restrict?)" % (argv[0], rc)
    return out


def read_kmsg_into(scanner, timeout, max_bytes, path="/dev/kmsg"):
    """Read /dev/kmsg non-blocking until EAGAIN, as dmesg lines ('[secs] msg')."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return {"status": "unavailable", "detail": "%s: %s" % (path, os.strerror(exc.errno or 0))}
    deadline = time.time() + timeout
    read = 0
    batch = []
    size = 0
    try:
        while read < max_bytes and time.time() < deadline:
            try:
                rec = os.read(fd, 16384)
            except OSError as exc:
                if exc.errno == errno.EAGAIN:
                    break
                if exc.errno == errno.EPIPE:   # records overwritten while reading: go on
                    continue
                raise
            if not rec:
                break
            read += len(rec)
            head, _sep, body = rec.partition(b";")
            fields = head.split(b",")
            msg = body.split(b"\n", 1)[0]
            usec = _int(fields[2].decode("ascii", "replace")) if len(fields) > 2 else None
            if usec is not None:
                line = b"[%5d.%06d] %s\n" % (usec // 1000000, usec % 1000000, msg)
            else:
                line = msg + b"\n"
            batch.append(line)
            size += len(line)
            if size >= CHUNK_BYTES:
                scanner.feed(b"".join(batch))
                batch, size = [], 0
    finally:
        os.close(fd)
        if batch:
            scanner.feed(b"".join(batch))
    return {"status": "read", "bytes": read, "command": path, "truncated": read >= max_bytes}


def _is_dir(res):
    return res.ok and stat.S_ISDIR(res.st.st_mode)


def journal_dir(root):
    """The host path of root's /var/log/journal resolved inside root (its links followed there,
    so journalctl -D never reads the host's journal through a link), or None."""
    res = paths.resolve(root or "/", "/var/log/journal")
    return paths.host_path(root, res.path) if _is_dir(res) else None


def journal_available(root="/"):
    """A *.journal file in /run/log/journal or /var/log/journal (or one level below), listed
    inside root by core.paths (at most MAX_JOURNAL_NAMES names a directory)."""
    root = root or "/"
    for base in ("/run/log/journal", "/var/log/journal"):
        try:
            names, _cut, _res = paths.list_dir(root, base, MAX_JOURNAL_NAMES)
            for entry in names:
                if entry.endswith(".journal"):
                    return True
                if _is_dir(paths.resolve(root, base + "/" + entry, follow=False)):
                    sub, _cut, _res = paths.list_dir(root, base + "/" + entry, MAX_JOURNAL_NAMES)
                    if any(name.endswith(".journal") for name in sub):
                        return True
        except (paths.PathRefused, OSError):
            continue
    return False


def _journal_argv(root, since):
    argv = ["journalctl", "-k", "-o", "short-iso", "--no-pager", "-q"]
    if root not in (None, "", "/"):
        argv += ["-D", journal_dir(root) or safe_read.join_root(root, "/var/log/journal")]
    if since is not None:
        argv += ["--since", time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(since))]
    return argv


def plan_sources(options):
    """The ordered list of (kind, target) to try for ``source``."""
    source = options.get("source") or "auto"
    root = options.get("root") or "/"
    live = root in ("", "/")
    if options.get("path"):
        if source in ("auto", "file"):
            return [("file", options["path"])]
    if source == "file":
        return [("file", p) for p in ("/var/log/kern.log", "/var/log/messages")]
    if source == "dmesg":
        return [("dmesg", None)]
    if source == "journal":
        return [("journal", None)]
    plan = [("journal", None), ("file", "/var/log/kern.log"), ("file", "/var/log/messages")]
    if live:
        plan.append(("dmesg", None))
    return plan


def _collect(kind, target, options, scanner):
    root = options.get("root") or "/"
    timeout = float(options.get("timeout") or 30)
    max_bytes = int(options.get("max_read_bytes") or 8 * 1024 ** 3)
    if kind == "file":
        clock = options.get("_clock") or time.monotonic
        try:
            status = read_file_into(target, scanner, max_bytes, clock() + timeout, clock, root=root)
        except safe_read.SafeReadError as exc:
            return {"source": "file", "path": target, "status": "unavailable", "reason": exc.reason,
                    "detail": exc.message}
        status.update({"source": "file", "path": target})
        return status
    if kind == "journal":
        if not journal_available(root):
            return {"source": "journal", "status": "unavailable",
                    "detail": "no journal files under /run/log/journal or /var/log/journal"}
        status = run_into(_journal_argv(root, options.get("_since_epoch")), scanner, timeout, max_bytes)
        status["source"] = "journal"
        return status
    if kind == "dmesg":
        if root not in ("", "/"):
            return {"source": "dmesg", "status": "unavailable", "detail": "live kernel source with root != /"}
        status = run_into(["dmesg"], scanner, timeout, max_bytes)
        if status["status"] != "read":
            status = read_kmsg_into(scanner, timeout, max_bytes)
        status["source"] = "dmesg"
        return status
    return {"source": kind, "status": "unavailable", "detail": "unknown source"}
