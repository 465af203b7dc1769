# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis AUTH tests on accounts and groups: /etc/passwd, /etc/group, /etc/shadow under root.

/etc/shadow is read only where the audit can (root): Lynis runs AUTH-9229 and AUTH-9288 as
root only, and reads the same file through ``passwd --all --status`` for AUTH-9282..9284."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import read_text_lines
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.parse_accounts import (
    colon_rows, extra_uid_zero, poor_hash, shadow_status)
from ansible_collections.hostguard.hardening.plugins.module_utils.core.values import duplicates
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.spec import CHECKS

MAX_ACCOUNT_FILE = 4 * 1024 * 1024


def _rows(root, path, min_fields):
    """(rows, None) or (None, SafeReadError)."""
    try:
        return colon_rows(read_text_lines(root, path, MAX_ACCOUNT_FILE, whole=True), min_fields), None
    except safe_read.SafeReadError as exc:
        return None, exc


def _unreadable(check, path, exc):
    if exc.reason == "missing":
        return check.skip(path, "no %s" % path)
    if exc.reason == "permission":
        return check.skip(path, "%s is readable by root only" % path)
    return check.error(path, exc.message)


def reading(path, min_fields):
    """Below a function's @CHECKS decorators: it is called with its checks and ``root`` and gets
    the rows of ``path`` instead of ``root``; when the file cannot be read, each check gets its
    skip or error finding instead."""
    def wrap(function):
        @functools.wraps(function)
        def evaluate(*args):
            checks, root = args[:-1], args[-1]
            rows, exc = _rows(root, path, min_fields)
            if rows is None:
                return [_unreadable(check, path, exc) for check in checks]
            return function(*(checks + (rows,)))
        return evaluate
    return wrap


@CHECKS.check("HG-AUTH-005", "high", "No account other than root has UID 0", lynis="AUTH-9204", attack="T1078.003", reads="/etc/passwd",
              remediation="Give the account its own UID (usermod -u) or remove it (userdel)", weight=3)
@CHECKS.check("HG-AUTH-006", "medium", "Every UID in /etc/passwd is unique", lynis="AUTH-9208", reads="/etc/passwd",
              remediation="Give each account its own UID (usermod -u), fix file ownership")
@reading("/etc/passwd", 7)
def check_passwd(uid_zero, unique_uids, rows):
    extra = extra_uid_zero(rows)
    out = [uid_zero.fail("/etc/passwd", {"accounts": extra}, "UID 0 also held by %s" % ", ".join(extra))
           if extra else uid_zero.passed("/etc/passwd", {"accounts": []})]
    dups = duplicates(f[2] for f in rows)
    out.append(unique_uids.fail("/etc/passwd", {"uids": dups}, "UIDs used more than once: %s" % ", ".join(dups))
               if dups else unique_uids.passed("/etc/passwd", {"uids": []}))
    return out


@CHECKS.check("HG-AUTH-007", "low", "Every GID in /etc/group is unique", lynis="AUTH-9222", reads="/etc/group",
              remediation="Give each group its own GID (groupmod -g)")
@CHECKS.check("HG-AUTH-008", "low", "Every group name in /etc/group is unique", lynis="AUTH-9226", reads="/etc/group",
              remediation="Remove or rename the duplicate group entries (grpck)")
@reading("/etc/group", 3)
def check_groups(unique_gids, unique_group_names, rows):
    out = []
    for check, index, what in ((unique_gids, 2, "GIDs"), (unique_group_names, 0, "group names")):
        dups = duplicates(f[index] for f in rows)
        out.append(check.fail("/etc/group", {"duplicates": dups}, "%s used more than once: %s"
                              % (what, ", ".join(dups))) if dups else check.passed("/etc/group", {"duplicates": []}))
    return out


@CHECKS.check("HG-AUTH-009", "medium", "No password hashed with a poor method (DES, MD5, SHA-crypt with default rounds)", lynis="AUTH-9229",
              attack="T1110.002", reads="/etc/passwd, /etc/shadow (root only)",
              remediation="Use yescrypt or SHA-512 with rounds (ENCRYPT_METHOD / SHA_CRYPT_MIN_ROUNDS in "
                          "login.defs, pam_unix rounds=), then expire the passwords so they are rehashed", weight=2)
@CHECKS.check("HG-AUTH-010", "low", "Password-protected accounts have a maximum password age", lynis="AUTH-9282", reads="/etc/shadow (root only)",
              remediation="Set a maximum age for password accounts: chage -M 365 <user>")
@CHECKS.check("HG-AUTH-011", "high", "No account without a password", lynis="AUTH-9283", attack="T1078", reads="/etc/shadow (root only)",
              remediation="Lock the account (passwd -l) or set a password", weight=3)
@CHECKS.check("HG-AUTH-012", "info", "No locked non-system account left behind (UID > 999)", lynis="AUTH-9284",
              reads="/etc/passwd, /etc/shadow (root only)", remediation="Review locked accounts and remove the ones no longer needed (userdel)")
@CHECKS.check("HG-AUTH-013", "low", "No account with an expired password", lynis="AUTH-9288", reads="/etc/shadow (root only)",
              remediation="Delete accounts which are no longer used, or have their users change the password", weight=2)
def check_shadow(hash_check, expiry_check, password_check, locked_check, expired_check, root, now=None):
    """AUTH-9229/9282/9283/9284/9288 from shadow(5) (and passwd for 9229/9284)."""
    checks = (hash_check, expiry_check, password_check, locked_check, expired_check)
    rows, exc = _rows(root, "/etc/shadow", 2)
    if rows is None:
        return [_unreadable(check, "/etc/shadow", exc) for check in checks]
    passwd, _exc = _rows(root, "/etc/passwd", 7)
    passwd = passwd or []
    today = int((time.time() if now is None else now) // 86400)
    poor = sorted(set(m for m in (poor_hash(f[1]) for f in list(passwd) + rows) if m))
    status = dict((f[0], shadow_status(f[1])) for f in rows)
    no_expire = sorted(f[0] for f in rows if status[f[0]] == "P" and len(f) > 4 and f[4] == "99999")
    no_password = sorted(name for name, st in status.items() if st == "NP")
    human = set(f[0] for f in passwd if f[2].isdigit() and int(f[2]) > 999 and f[2] != "65534")
    locked = sorted(name for name, st in status.items() if st == "L" and name in human)
    expired = []
    for f in rows:
        if f[1][:1] in ("!", "*", "x") or len(f) < 5 or not f[4]:
            continue
        if f[2].lstrip("-").isdigit() and f[4].lstrip("-").isdigit() and today > int(f[2]) + int(f[4]):
            expired.append(f[0])
    out = []
    for check, found, why in ((hash_check, poor, "poor password hashing: %s"),
                              (expiry_check, no_expire, "password accounts without expiry: %s"),
                              (password_check, no_password, "accounts without password: %s"),
                              (locked_check, locked, "locked non-system accounts: %s"),
                              (expired_check, sorted(expired), "expired passwords: %s")):
        ev = {"found": found}
        out.append(check.fail("/etc/shadow", ev, why % ", ".join(found)) if found
                   else check.passed("/etc/shadow", ev))
    return out
