# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where an RDB must never land, and the path Redis would write. Pure functions."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath

from ansible_collections.hostguard.hardening.plugins.module_utils.redis.parse_config import DEFAULTS


# Where an RDB must never land: a file Redis writes there can be run by cron, init, a
# login or a shell (the attack of seed 000; MITRE T1053.003 / T1098.004 / T1037).
# Matched as a sequence of path components anywhere in the path (so a chroot or an
# audited ``root`` is covered), except the top-level system trees (prefix match).
DANGEROUS_COMPONENTS = (
    (("var", "spool", "cron"), "cron spool"),
    (("var", "spool", "anacron"), "cron spool"),
    (("etc", "cron.d"), "cron directory"),
    (("etc", "cron.hourly"), "cron directory"),
    (("etc", "cron.daily"), "cron directory"),
    (("etc", "cron.weekly"), "cron directory"),
    (("etc", "cron.monthly"), "cron directory"),
    (("etc", "rc.d"), "rc.d (boot scripts)"),
    (("etc", "init.d"), "init.d (boot scripts)"),
    (("etc", "profile.d"), "shell startup"),
    ((".ssh",), "ssh keys (.ssh)"),
)
DANGEROUS_PREFIXES = (
    ("/etc", "system configuration (/etc)"),
    ("/root", "root's home"),
    ("/boot", "boot files"),
    ("/bin", "system binaries"),
    ("/sbin", "system binaries"),
    ("/usr", "system files (/usr)"),
    ("/lib", "system libraries"),
    ("/lib64", "system libraries"),
    ("/var/www", "web root"),
    ("/srv/www", "web root"),
)
DANGEROUS_FILENAMES = {"root": "named like a user (cron spool file)", "authorized_keys": "ssh authorized_keys",
                       "crontab": "crontab", "rc.local": "rc.local"}


def classify_dir(path):
    """Why writing an RDB into ``path`` is dangerous, or None."""
    if not path:
        return None
    norm = posixpath.normpath(path)
    parts = tuple(p for p in norm.split("/") if p)
    for pattern, label in DANGEROUS_COMPONENTS:
        size = len(pattern)
        for start in range(0, len(parts) - size + 1):
            if parts[start:start + size] == pattern:
                return label
    for prefix, label in DANGEROUS_PREFIXES:
        if norm == prefix or norm.startswith(prefix + "/"):
            return label
    return None


def dump_path(directory, dbfilename):
    if not directory:
        return None
    return posixpath.normpath(posixpath.join(directory, dbfilename or DEFAULTS["dbfilename"]))
