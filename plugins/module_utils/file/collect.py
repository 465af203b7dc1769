# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The mount table under root: live /proc/mounts when there is one, else /etc/fstab."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import is_live
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import read_text_lines
from ansible_collections.hostguard.hardening.plugins.module_utils.file.parse_mounts import mount_points


def read_mount_lines(root):
    """(lines, source) of the live mount table under root (/proc/self/mounts, /proc/mounts),
    or (None, None) when there is none."""
    for path in ("/proc/self/mounts", "/proc/mounts"):
        try:
            lines = read_text_lines(root, path, max_bytes=4 * 1024 * 1024)
        except safe_read.SafeReadError:
            # /proc/self is a symlink: safe_read refuses it, so resolve it by hand on a live root
            if path == "/proc/self/mounts" and is_live(root):
                try:
                    lines = read_text_lines("/", "/proc/%d/mounts" % os.getpid(), 4 * 1024 * 1024)
                except safe_read.SafeReadError:
                    continue
            else:
                continue
        if lines:
            return lines, path
    return None, None


def read_fstab_lines(root):
    """Lines of /etc/fstab under root, or None when there is none."""
    try:
        return read_text_lines(root, "/etc/fstab")
    except safe_read.SafeReadError:
        return None


def read_mounts(root):
    """Live mount table when one exists under root, else fstab. Returns (points, source)."""
    lines, source = read_mount_lines(root)
    if lines:
        return mount_points(lines), source
    lines = read_fstab_lines(root)
    if lines is None:
        return None, None
    return mount_points(lines, fstab=True), "/etc/fstab"
