# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SELinux labels of the files hostguard moves or rewrites (docs/platforms.md, "SELinux").

The label is the ``security.selinux`` extended attribute (what ``ls -Z``, ``chcon`` and
``restorecon`` read and write). ``rename`` keeps it; a copy (another filesystem) or a new file
gets the label of its new directory instead, so:

- quarantine records the original label in the manifest and gives the quarantined copy the
  label of the quarantine directory (the label ``restorecon`` gives files there: the quarantine
  tree has no file-context rule of its own, so its files take the directory's type);
- restore puts the recorded label back (the file returns exactly as it was);
- an in-place rewrite (authorized_keys lines removed) copies the old file's label to the new one.

On a host without SELinux the attribute is absent and every function is a no-op. Stdlib only
(os.getxattr/os.setxattr, Linux, Python 3.3+); paths or open file descriptors; never follows links.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

XATTR = "security.selinux"


def label(target):
    """The label of ``target`` (a path, not followed, or an fd) as text, or None without one."""
    getxattr = getattr(os, "getxattr", None)
    if getxattr is None:
        return None
    try:
        if isinstance(target, int):
            raw = getxattr(target, XATTR)
        else:
            raw = getxattr(target, XATTR, follow_symlinks=False)
    except OSError:
        return None
    text = raw.rstrip(b"\x00").decode("utf-8", "replace")
    return text or None


def set_label(target, value):
    """Give ``target`` the label ``value``. True when it now carries it; None when there is nothing
    to set (``value`` None); False when the kernel refused (the caller reports it)."""
    if not value:
        return None
    setxattr = getattr(os, "setxattr", None)
    if setxattr is None:
        return False
    data = value.encode("utf-8") + b"\x00"
    try:
        if isinstance(target, int):
            setxattr(target, XATTR, data)
        else:
            setxattr(target, XATTR, data, follow_symlinks=False)
    except OSError:
        return False
    return label(target) == value
