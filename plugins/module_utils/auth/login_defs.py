# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis AUTH-9286 (password aging) and AUTH-9328 (default umask) in /etc/login.defs."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import read_text_lines
from ansible_collections.hostguard.hardening.plugins.module_utils.core.verdict import pass_or_fail
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.parse_accounts import hashing_rounds
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.parse_login_defs import (
    parse_login_defs, to_int, umask_is_strict)
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.spec import CHECKS

MAX_AGE = CHECKS.define(
    "HG-AUTH-001", "Maximum password age set in login.defs (PASS_MAX_DAYS)", "medium",
    reads="/etc/login.defs",
    remediation="Set PASS_MAX_DAYS (e.g. 365) in /etc/login.defs; apply to existing users with chage -M",
    references={"lynis": "AUTH-9286", "attack": "T1110"})
MIN_AGE = CHECKS.define(
    "HG-AUTH-002", "Minimum password age set in login.defs (PASS_MIN_DAYS)", "low",
    reads="/etc/login.defs",
    remediation="Set PASS_MIN_DAYS (e.g. 1) in /etc/login.defs; apply to existing users with chage -m",
    references={"lynis": "AUTH-9286"})


def check_pass_max_days(value, limit=None):
    """Lynis AUTH-9286: unset or 99999 = not configured. We also fail on values that
    disable expiry (-1, non-numeric) and, when ``limit`` is given, on values above it."""
    if value is None or value == "":
        return False, "PASS_MAX_DAYS not set"
    num = to_int(value)
    if num is None:
        return False, "PASS_MAX_DAYS %r is not a number" % value
    if num >= 99999 or num < 0:
        return False, "PASS_MAX_DAYS %d disables password expiry" % num
    if limit is not None and num > int(limit):
        return False, "PASS_MAX_DAYS %d is above the limit %d" % (num, int(limit))
    return True, "PASS_MAX_DAYS %d" % num


def check_pass_min_days(value):
    """Lynis AUTH-9286: unset or 0 = not configured."""
    if value is None or value == "":
        return False, "PASS_MIN_DAYS not set"
    num = to_int(value)
    if num is None:
        return False, "PASS_MIN_DAYS %r is not a number" % value
    if num <= 0:
        return False, "PASS_MIN_DAYS %d allows immediate password changes" % num
    return True, "PASS_MIN_DAYS %d" % num


UMASK = CHECKS.define(
    "HG-AUTH-003", "Default umask in login.defs is strict (027 or tighter)", "medium",
    reads="/etc/login.defs", remediation="Set UMASK 027 in /etc/login.defs (pam_umask uses it)",
    references={"lynis": "AUTH-9328"})


def login_defs_findings(options):
    root = options.get("root", "/")
    findings = []
    try:
        lines = read_text_lines(root, "/etc/login.defs", whole=True)   # the last value wins: a cut tail may override
    except safe_read.SafeReadError as exc:
        for cid in ("HG-AUTH-001", "HG-AUTH-002", "HG-AUTH-003", "HG-AUTH-015"):
            if exc.reason == "missing":
                findings.append(CHECKS[cid].skip("/etc/login.defs", "no /etc/login.defs"))
            else:
                findings.append(CHECKS[cid].error("/etc/login.defs", exc.message))
        lines = None
    if lines is not None:
        values, dups = parse_login_defs(lines)
        ev = {"duplicates": dups} if dups else {}
        ok, why = check_pass_max_days(values.get("PASS_MAX_DAYS"), options.get("pass_max_days_limit"))
        findings.append(pass_or_fail(MAX_AGE, "/etc/login.defs", ok, why,
                                     dict(ev, PASS_MAX_DAYS=values.get("PASS_MAX_DAYS"))))
        ok, why = check_pass_min_days(values.get("PASS_MIN_DAYS"))
        findings.append(pass_or_fail(MIN_AGE, "/etc/login.defs", ok, why,
                                     dict(ev, PASS_MIN_DAYS=values.get("PASS_MIN_DAYS"))))
        umask = values.get("UMASK")
        if umask is None:
            # Lynis: "defaults usually to 022" -> suggestion (AddHP 1 2).
            findings.append(UMASK.fail("/etc/login.defs", {"UMASK": None},
                                       "UMASK not set (login defaults to 022)"))
        else:
            ok = umask_is_strict(umask)
            findings.append(pass_or_fail(UMASK, "/etc/login.defs", ok,
                                         "UMASK %s %s" % (umask, "is strict" if ok else "could be stricter (027)"),
                                         {"UMASK": umask}))
        findings.append(check_hashing_rounds(values))
    return findings


@CHECKS.check("HG-AUTH-015", "low", "Password hashing rounds configured in login.defs (SHA_CRYPT_MIN/MAX_ROUNDS)", lynis="AUTH-9230",
              reads="/etc/login.defs", remediation="Set SHA_CRYPT_MIN_ROUNDS 5000 (or more) and SHA_CRYPT_MAX_ROUNDS in /etc/login.defs", weight=2)
def check_hashing_rounds(check, values):
    """Lynis AUTH-9230: 0 (unset) is a suggestion (AddHP 0 2); under 5000 earns 1 of 2 points
    without a suggestion; 5000 or more 2 of 2."""
    rounds = hashing_rounds(values)
    ev = {"rounds": rounds}
    if rounds == 0:
        return check.fail("/etc/login.defs", ev, "password hashing rounds are not configured")
    if rounds < 5000:
        return check.passed("/etc/login.defs", ev, "low number of hashing rounds: %d" % rounds)
    return check.passed("/etc/login.defs", ev, "%d hashing rounds" % rounds)
