# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small bounded readers built on safe_read: decoded lines of a file, names in a directory."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read

MAX_SMALL_FILE = 256 * 1024
MAX_DIR_ENTRIES = 512


def read_text_lines(root, path, max_bytes=MAX_SMALL_FILE):
    """Decoded lines of ``path`` under ``root`` (safe_read). Raises SafeReadError."""
    if "\x00" in path:
        raise safe_read.SafeReadError(path, "invalid", "NUL byte in path")
    real = safe_read.join_root(root, path)
    return [safe_read.decode_line(raw) for _n, raw, _cut in
            safe_read.iter_lines(real, max_bytes=max_bytes)]


def list_dir(root, path, limit=MAX_DIR_ENTRIES):
    """Sorted names in a directory under root (never follows a symlinked directory)."""
    if "\x00" in path:
        return []
    real = safe_read.join_root(root, path)
    try:
        info = safe_read.lstat_info(real)
    except safe_read.SafeReadError:
        return []
    if info["type"] != "directory":
        return []
    try:
        names = sorted(os.listdir(real))
    except OSError:
        return []
    return names[:limit]


def read_existing_files(root, paths, problems, max_bytes=MAX_SMALL_FILE):
    """Yield (path, lines) for each path that can be read; a missing file is skipped, any
    other refusal (symlink, FIFO, unreadable...) is appended to ``problems`` as a string."""
    for path in paths:
        try:
            lines = read_text_lines(root, path, max_bytes)
        except safe_read.SafeReadError as exc:
            if exc.reason != "missing":
                problems.append("%s: %s" % (path, exc.message))
            continue
        yield path, lines
