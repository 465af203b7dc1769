# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running a host command from an audit: time-boxed, output-capped, never raising.

Commands (sshd -T, postconf, iptables-save, nft...) are live state: areas run them only when
``root`` is ``/`` (:func:`is_live`). Stdlib only, Python 3.8+.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import select
import signal
import subprocess
import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read

DEFAULT_COMMAND_TIMEOUT = 10.0
MAX_COMMAND_OUTPUT = 4 * 1024 * 1024
BIN_DIRS = ("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin")


def is_live(root):
    """True when ``root`` is the running system (commands and /proc describe it)."""
    return not root or os.path.abspath(root) == "/"


def find_executable(root, names, dirs=BIN_DIRS):
    """The first ``dirs/name`` under ``root`` that is an executable file, as a path inside root."""
    for name in names:
        for directory in dirs:
            real = safe_read.join_root(root, os.path.join(directory, name))
            if os.path.isfile(real) and os.access(real, os.X_OK):
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


def failure_reason(res):
    """One line saying why a command result is not usable."""
    if res["error"]:
        return res["error"]
    lines = res["stderr"].strip().splitlines()
    return lines[-1] if lines else "rc=%s, no output" % res["rc"]
