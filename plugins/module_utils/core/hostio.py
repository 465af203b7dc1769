# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small root-confined host readers and the one time-boxed command runner shared by areas.

- ``read_text_lines``/``list_dir``/``find_executable`` read under ``root`` (safe_read, core.paths)
  (bounded, never following a symlinked file or directory).
- ``run_command`` runs a command time-boxed with its output capped; areas call it only when
  ``is_live(root)`` (auditing this host, root == "/"). Never raises.
Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import select
import signal
import stat
import subprocess
import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths, safe_read

MAX_SMALL_FILE = 256 * 1024
MAX_DIR_ENTRIES = 512
DEFAULT_COMMAND_TIMEOUT = 10.0
MAX_COMMAND_OUTPUT = 4 * 1024 * 1024


def read_text_lines(root, path, max_bytes=MAX_SMALL_FILE, whole=False):
    """Decoded lines of ``path`` under ``root`` (safe_read), at most ``max_bytes`` of it.
    ``whole``: a file longer than that raises SafeReadError("too_large") instead of giving its
    head, for a check whose verdict the unread tail may change. Raises SafeReadError."""
    info, lines = safe_read.iter_lines_in_root(root, path, max_bytes=max_bytes)   # inside root
    if whole and (info.get("size") or 0) > max_bytes:
        raise safe_read.SafeReadError(path, "too_large", "%d bytes, more than the %d read: not verified "
                                      "(the unread tail may say otherwise)" % (info["size"], max_bytes))
    return [safe_read.decode_line(raw) for _n, raw, _cut in lines]


def list_dir(root, path, limit=MAX_DIR_ENTRIES):
    """Sorted names in a directory under root. Every link on the way, the directory itself
    included, is followed inside root (core.paths), as the program that reads it does: a
    ``/etc/profile.d`` or ``/etc/modprobe.d`` that links to another directory of the image is
    listed (before, it gave no names and its files were never read); a link out of root never
    reaches the host."""
    try:
        names, _truncated, _res = paths.list_dir(root, path, 1 << 16, follow=True)
    except (OSError, ValueError):
        return []
    return names[:limit]


def find_executable(root, names, dirs=("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin",
                                       "/usr/local/bin")):
    """The first ``directory/name`` that is an executable regular file, resolved inside root.

    Every component (``/bin`` -> ``usr/bin`` included) is resolved inside root (core.paths), so
    a directory link out of root never makes a host binary count as the audited system's.
    """
    for name in names:
        for directory in dirs:
            try:
                res = paths.resolve(root, os.path.join(directory, name))
            except (OSError, ValueError):
                continue
            if res.ok and res.st is not None and stat.S_ISREG(res.st.st_mode) and res.st.st_mode & 0o111:
                return os.path.join(directory, name)
    return None


def run_command(argv, timeout=DEFAULT_COMMAND_TIMEOUT, max_bytes=MAX_COMMAND_OUTPUT):
    """Run a command time-boxed, output capped. Returns dict rc/stdout/stderr/error.

    Never raises for a missing binary, a hang (killed after ``timeout``) or a flood of
    output (killed after ``max_bytes``). Environment is reduced to a C locale.
    """
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "LANG": "C"}
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, close_fds=True,
                                start_new_session=True)
    except (OSError, ValueError) as exc:
        return {"rc": None, "stdout": "", "stderr": "", "error": "cannot run %s: %s" % (argv[0], exc)}
    deadline = time.monotonic() + float(timeout)
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    out = {out_fd: [], err_fd: []}
    sizes = {out_fd: 0, err_fd: 0}
    open_fds = set(out)
    error = None
    try:
        while open_fds:
            left = deadline - time.monotonic()
            if left <= 0:
                error = "timed out after %.1fs" % float(timeout)
                break
            ready, _w, _x = select.select(list(open_fds), [], [], min(left, 1.0))
            for fd in ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    open_fds.discard(fd)
                    continue
                if sizes[fd] < max_bytes:
                    out[fd].append(chunk[:max_bytes - sizes[fd]])
                sizes[fd] += len(chunk)
                if fd == out_fd and sizes[fd] > max_bytes:
                    error = "output larger than %d bytes" % max_bytes
                    open_fds = set()
                    break
    finally:
        if error:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
        rc = None
        try:
            rc = proc.wait(timeout=max(0.1, deadline - time.monotonic()) if not error else 5)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
            rc = proc.wait()
            error = error or "timed out after %.1fs" % float(timeout)
        proc.stdout.close()
        proc.stderr.close()
    return {"rc": rc, "error": error,
            "stdout": b"".join(out[out_fd]).decode("utf-8", "backslashreplace"),
            "stderr": b"".join(out[err_fd]).decode("utf-8", "backslashreplace")[:2000]}


def is_live(root):
    return not root or os.path.abspath(root) == "/"


def failure_reason(res):
    """One line saying why a run_command result is not usable."""
    if res["error"]:
        return res["error"]
    lines = res["stderr"].strip().splitlines()
    return lines[-1] if lines else "rc=%s, no output" % res["rc"]


def read_existing_files(root, paths, problems, max_bytes=MAX_SMALL_FILE, cut=None):
    """Yield (path, lines) for each path that can be read; a missing file is skipped, any
    other refusal (symlink, FIFO, unreadable...) is appended to ``problems`` as a string. A
    file longer than ``max_bytes`` yields its head and is said in ``problems`` and in ``cut``
    (a list, when given): a check must not pass on what the unread tail may say."""
    for path in paths:
        try:
            info, raw_lines = safe_read.iter_lines_in_root(root, path, max_bytes=max_bytes)
        except safe_read.SafeReadError as exc:
            if exc.reason != "missing":
                problems.append("%s: %s" % (path, exc.message))
            continue
        if (info.get("size") or 0) > max_bytes:
            message = "%s: only the first %d of %d bytes read" % (path, max_bytes, info["size"])
            problems.append(message)
            if cut is not None:
                cut.append(message)
        yield path, [safe_read.decode_line(raw) for _n, raw, _cut in raw_lines]
