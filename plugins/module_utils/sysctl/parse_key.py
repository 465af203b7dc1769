# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sysctl key and value syntax, sysctl.d(5): pure functions, stdlib only."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


import unicodedata


# The kernel's key syntax as /proc/sys shows it: components are directory entry names
# (no "/", not "." or "..", no NUL); we also refuse whitespace and control characters, which
# no sysctl name holds, and bound length and depth.
MAX_KEY_CHARS = 512
MAX_KEY_DEPTH = 12


def normalize_key(key):
    """sysctl.d(5): if the first separator is '/', '/' separates and dots stay; otherwise
    dots separate and slashes stand for literal dots. Returns the dotted form with any
    literal dot written as '/' (the form `sysctl` prints)."""
    key = key.strip()
    dot, slash = key.find("."), key.find("/")
    if slash >= 0 and (dot < 0 or slash < dot):
        # slash form: a/b.c/d -> a.b/c.d
        return key.strip("/").replace(".", "\x00").replace("/", ".").replace("\x00", "/")
    return key


def key_to_relpath(key):
    """'net.ipv4.conf.enp3s0/200.forwarding' -> 'net/ipv4/conf/enp3s0.200/forwarding'."""
    key = normalize_key(key)
    return key.replace(".", "\x00").replace("/", ".").replace("\x00", "/")


def normalize_value(value):
    """Whitespace-insensitive value (the kernel prints tabs in multi-value keys)."""
    if value is None:
        return None
    return " ".join(str(value).split())


def key_problem(key):
    """Why ``key`` (dotted form) cannot name a file under /proc/sys, or None if it can.

    Checked before any /proc/sys access: ``.etc.shadow`` or ``vm/../../../etc/passwd`` from
    a hostile sysctl.d file must never be read (issue 17)."""
    if not isinstance(key, str) or not key:
        return "empty key"
    if len(key) > MAX_KEY_CHARS:
        return "key longer than %d characters" % MAX_KEY_CHARS
    for ch in key:
        if ch == "\x00" or ch.isspace() or unicodedata.category(ch)[0] in "CZ":
            return "key holds a NUL, whitespace, control or format character"
    parts = key_to_relpath(key).split("/")
    if len(parts) > MAX_KEY_DEPTH:
        return "key deeper than %d components" % MAX_KEY_DEPTH
    for part in parts:
        if part in ("", ".", ".."):
            return "key has an empty, '.' or '..' component"
    return None
