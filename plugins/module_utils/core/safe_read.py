# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bounded, symlink-safe file access for auditors that must survive hostile trees.

Rules (seed 000: an agent read a 600 MB dump.rdb whole and was OOM-killed in a loop):
- ``lstat`` first; only regular files are ever opened; FIFOs, sockets and devices never are.
- open with ``O_NOFOLLOW | O_NONBLOCK``, then ``fstat`` the descriptor and refuse anything
  that is not the regular file we stat'ed (closes the swap-after-stat race).
- read at most a head (default 1 MiB); stream lines in chunks with a per-line cap.
- every failure is a ``SafeReadError`` with a machine-readable ``reason``.
Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import stat

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths

DEFAULT_MAX_READ_BYTES = 1024 * 1024
DEFAULT_MAX_LINE_BYTES = 4096
DEFAULT_MAX_FILE_SIZE = 256 * 1024   # over this a config, unit, hook or key file is "oversized"
CHUNK_BYTES = 64 * 1024


def scan_options(max_entries):
    """The option spec (argument_spec format) of an area that walks directories and reads their
    files with this module's bounds (cron, persistence): head read per file, the size that makes
    a file oversized, the per-line cap, and names listed per directory (the area's default)."""
    return dict(
        max_read_bytes=dict(type="int", default=DEFAULT_MAX_READ_BYTES),
        max_file_size=dict(type="int", default=DEFAULT_MAX_FILE_SIZE),
        max_line_bytes=dict(type="int", default=DEFAULT_MAX_LINE_BYTES),
        max_entries=dict(type="int", default=max_entries),
    )


FILE_TYPES = (
    (stat.S_ISREG, "file"),
    (stat.S_ISDIR, "directory"),
    (stat.S_ISLNK, "symlink"),
    (stat.S_ISFIFO, "fifo"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "char_device"),
    (stat.S_ISBLK, "block_device"),
)


class PathError(Exception):
    """Something about ``path`` refused or failed: a machine-readable ``reason`` and a
    ``message`` for people (base of SafeReadError and remediation's QuarantineError)."""

    def __init__(self, path, reason, message):
        super(PathError, self).__init__("%s: %s" % (path, message))
        self.path = path
        self.reason = reason
        self.message = message


class SafeReadError(PathError):
    """A file we refuse or fail to read. ``reason`` is one of:
    missing, permission, not_regular, symlink, changed, io_error, invalid_path."""


def file_type(mode):
    for predicate, name in FILE_TYPES:
        if predicate(mode):
            return name
    return "unknown"


def check_path(path):
    """A SafeReadError for a path no file can have (a NUL byte, from hostile file content)."""
    if isinstance(path, bytes):
        bad = b"\x00" in path
    else:
        bad = "\x00" in str(path)
    if bad:
        raise SafeReadError(path, "invalid_path", "path holds a NUL byte")


def lstat_info(path):
    """``lstat`` as a small dict, or a SafeReadError. Never follows a symlink."""
    check_path(path)
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise _os_error(path, exc)
    return stat_to_info(st)


def stat_to_info(st):
    return {
        "type": file_type(st.st_mode),
        "size": st.st_size,
        "uid": st.st_uid,
        "gid": st.st_gid,
        "mode": "%04o" % stat.S_IMODE(st.st_mode),
        "mtime": int(st.st_mtime),
        "inode": st.st_ino,
        "dev": st.st_dev,
        "nlink": st.st_nlink,
        # sparse files: blocks actually allocated on disk, in bytes
        "allocated": getattr(st, "st_blocks", 0) * 512,
    }


def _os_error(path, exc):
    if exc.errno == errno.ENOENT:
        return SafeReadError(path, "missing", "does not exist")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return SafeReadError(path, "permission", "permission denied")
    if exc.errno == errno.ELOOP:
        return SafeReadError(path, "symlink", "is a symlink (not followed)")
    if exc.errno == errno.ENOTDIR:
        return SafeReadError(path, "missing", "a parent is not a directory")
    return SafeReadError(path, "io_error", os.strerror(exc.errno or 0) or str(exc))


def open_regular(path):
    """Open ``path`` read-only if and only if it is a regular file; return (fd, stat_info)."""
    before = lstat_info(path)
    if before["type"] == "symlink":
        raise SafeReadError(path, "symlink", "is a symlink (not followed)")
    if before["type"] != "file":
        raise SafeReadError(path, "not_regular", "is a %s, not a regular file" % before["type"])
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _os_error(path, exc)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_ino != before["inode"] or st.st_dev != before["dev"]:
            raise SafeReadError(path, "changed", "changed between stat and open")
    except BaseException:
        os.close(fd)
        raise
    return fd, stat_to_info(st)


def read_head(path, max_bytes=DEFAULT_MAX_READ_BYTES):
    """Return (data, info, truncated): at most ``max_bytes`` of a regular file."""
    fd, info = open_regular(path)
    try:
        chunks = []
        remaining = max(0, int(max_bytes))
        while remaining > 0:
            try:
                chunk = os.read(fd, min(CHUNK_BYTES, remaining))
            except OSError as exc:
                raise _os_error(path, exc)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
    finally:
        os.close(fd)
    truncated = info["size"] > len(data)
    return data, info, truncated


def open_in_root(root, path):
    """(fd, info) of the regular file ``path`` (as the audited system sees it, possibly named
    by file content) resolved inside ``root`` by core.paths: links followed inside root, never
    by the host's kernel; NUL and over-long names refused. The caller closes ``fd``. Raises
    SafeReadError like ``read_in_root``."""
    try:
        paths.check_untrusted(path)
    except paths.UntrustedPath as exc:
        raise SafeReadError(path, "invalid_path", exc.reason)
    try:
        fd, _res = paths.open_file(root or "/", path)
    except paths.PathRefused as exc:
        raise SafeReadError(path, exc.resolved.status, exc.resolved.reason or "cannot open")
    except OSError as exc:
        raise _os_error(path, exc)
    try:
        info = stat_to_info(os.fstat(fd))
    except OSError as exc:
        os.close(fd)
        raise _os_error(path, exc)
    if info["type"] != "file":
        os.close(fd)
        raise SafeReadError(path, "not_regular", "is a %s, not a regular file" % info["type"])
    return fd, info


def iter_lines_in_root(root, path, max_bytes=DEFAULT_MAX_READ_BYTES, max_line=DEFAULT_MAX_LINE_BYTES):
    """(info, lines): ``open_in_root`` then the lines (lineno, bytes, cut) of at most
    ``max_bytes``, as a list (the descriptor is closed on return)."""
    fd, info = open_in_root(root, path)
    try:
        return info, list(iter_lines_fd(fd, max_bytes, max_line))
    except OSError as exc:
        raise _os_error(path, exc)
    finally:
        os.close(fd)


def read_in_root(root, path, max_bytes=DEFAULT_MAX_READ_BYTES):
    """(data, info, truncated) of ``path`` (as the audited system sees it, possibly named by
    file content) resolved inside ``root`` by core.paths: links followed inside root, never by
    the host's kernel; NUL and over-long names refused; regular files only; at most
    ``max_bytes`` read. Raises SafeReadError (reason: invalid_path, missing, loop, not_dir,
    denied, not_regular, io_error ...)."""
    fd, info = open_in_root(root, path)
    try:
        chunks = []
        remaining = max(0, int(max_bytes))
        while remaining > 0:
            chunk = os.read(fd, min(CHUNK_BYTES, remaining))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise _os_error(path, exc)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    # /proc files report size 0: a short read of such a file is not a cut
    return data, info, info["size"] > len(data)


def iter_line_blocks(fd, max_bytes=DEFAULT_MAX_READ_BYTES, max_line=DEFAULT_MAX_LINE_BYTES,
                     on_chunk=None):
    """Yield (first_lineno, lines, cut) per chunk read from an open descriptor: ``lines`` is
    the list of the chunk's complete lines (bytes, without the newline), ``cut`` the set of
    indexes in it of lines longer than ``max_line``, cut to ``max_line`` bytes (the rest of
    such a line is skipped, not buffered).

    Reads at most ``max_bytes`` in chunks of CHUNK_BYTES; memory stays O(max_line +
    CHUNK_BYTES) whatever the file holds. ``on_chunk(bytes)``, if given, sees every chunk read
    (e.g. to hash or sniff the head in the same single pass). The split is done by
    ``bytes.split`` (C), so callers that only test membership never loop in Python per line.
    """
    lineno = 0
    pending = b""
    skipping = False  # inside an over-long line whose head was already yielded
    consumed = 0
    limit = max(0, int(max_bytes)) if max_bytes is not None else None
    while limit is None or consumed < limit:
        want = CHUNK_BYTES if limit is None else min(CHUNK_BYTES, limit - consumed)
        chunk = os.read(fd, want)
        if not chunk:
            break
        consumed += len(chunk)
        if on_chunk is not None:
            on_chunk(chunk)
        parts = chunk.split(b"\n")
        tail = parts.pop()
        if parts:
            if skipping:            # the end of an over-long line: dropped
                skipping = False
                del parts[0]
            elif pending:
                parts[0] = pending + parts[0]
            pending = b""
            cut = set(i for i, line in enumerate(parts) if len(line) > max_line) \
                if max(map(len, parts), default=0) > max_line else set()
            for i in cut:
                parts[i] = parts[i][:max_line]
            if parts:
                yield lineno + 1, parts, cut
                lineno += len(parts)
        if not skipping:
            pending += tail
            if len(pending) > max_line:
                lineno += 1
                yield lineno, [pending[:max_line]], {0}
                pending = b""
                skipping = True
    if pending and not skipping:
        lineno += 1
        yield lineno, [pending[:max_line]], {0} if len(pending) > max_line else set()


def iter_lines_fd(fd, max_bytes=DEFAULT_MAX_READ_BYTES, max_line=DEFAULT_MAX_LINE_BYTES,
                  on_chunk=None):
    """Yield (lineno, line_bytes, cut) from an open descriptor (iter_line_blocks, one line at
    a time): a line longer than ``max_line`` is cut to ``max_line`` bytes and ``cut`` is True."""
    for first, lines, cut in iter_line_blocks(fd, max_bytes, max_line, on_chunk):
        if cut:
            for index, line in enumerate(lines):
                yield first + index, line, index in cut
        else:
            for index, line in enumerate(lines, first):
                yield index, line, False


def iter_lines(path, max_bytes=DEFAULT_MAX_READ_BYTES, max_line=DEFAULT_MAX_LINE_BYTES):
    """Yield (lineno, line_bytes, cut) of a regular file, reading at most ``max_bytes``."""
    fd, _info = open_regular(path)
    try:
        yield from iter_lines_fd(fd, max_bytes, max_line)
    finally:
        os.close(fd)


def decode_line(data):
    """Text for a line of unknown encoding: invalid UTF-8 becomes \\xNN escapes."""
    return data.decode("utf-8", "backslashreplace")


def looks_binary(data):
    """True if a sample holds NUL bytes or mostly non-text bytes."""
    if not data:
        return False
    if b"\x00" in data:
        return True
    sample = data[:8192]
    text_bytes = bytes(bytearray(range(32, 127)) + b"\n\r\t\f\b\x1b")
    nontext = len(sample.translate(None, text_bytes))
    # UTF-8 multibyte text is allowed: only count bytes that are not valid UTF-8.
    if nontext:
        try:
            sample.decode("utf-8")
            return False
        except UnicodeDecodeError as exc:
            if exc.start >= len(sample) - 4:  # a multibyte sequence cut by the sample
                return False
    return nontext > len(sample) * 0.30


def join_root(root, path):
    """``path`` (absolute, as seen inside the audited system) under ``root``."""
    if not root or root == "/":
        return path
    return os.path.join(root, path.lstrip("/"))


def strip_root(root, path):
    """Inverse of join_root: the path as the audited system sees it."""
    if not root or root == "/":
        return path
    root = root.rstrip("/")
    if path == root:
        return "/"
    if path.startswith(root + "/"):
        return path[len(root):]
    return path


def resolve_symlink(root, path, max_hops=40):
    """Resolve a symlink as the audited system would, confined to ``root``.

    Returns a dict: ``target`` (the link text), ``resolved`` (absolute path inside the
    audited system, or None), ``status`` one of ok|broken|loop|escapes, and ``info``
    (lstat info of the final target, or None). Never opens anything.
    """
    hops = 0
    current = path
    link_text = None
    seen = set()
    root_abs = os.path.abspath(root or "/")
    if "\x00" in str(path):
        return {"target": None, "resolved": None, "status": "broken", "info": None}
    while True:
        try:
            st = os.lstat(current)
        except (OSError, ValueError):
            return {"target": link_text, "resolved": strip_root(root, current), "status": "broken", "info": None}
        if not stat.S_ISLNK(st.st_mode):
            return {"target": link_text, "resolved": strip_root(root, current), "status": "ok",
                    "info": stat_to_info(st)}
        if current in seen or hops >= max_hops:
            return {"target": link_text, "resolved": None, "status": "loop", "info": None}
        seen.add(current)
        hops += 1
        try:
            text = os.readlink(current)
        except (OSError, ValueError):
            return {"target": link_text, "resolved": None, "status": "broken", "info": None}
        if link_text is None:
            link_text = text
        if text.startswith("/"):
            nxt = join_root(root, text)
        else:
            nxt = os.path.join(os.path.dirname(current), text)
        nxt = os.path.normpath(nxt)
        if root_abs != "/" and not (nxt == root_abs or nxt.startswith(root_abs + "/")):
            return {"target": link_text, "resolved": nxt, "status": "escapes", "info": None}
        current = nxt
