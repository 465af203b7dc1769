# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the daemon-build models share: the verdict shape and the account rules of PAM.

A daemon build (debian_cron.py, cronie.py, busybox.py) is data plus small functions:
``NAME``, ``TITLE``, ``LOCATIONS`` (where -> directory/file it reads), ``name_rule``,
``file_rule``, ``content_rule`` and ``account_rule``. :func:`judge` runs them in the daemon's
order on one entry and returns a verdict::

    {"daemon", "would_run", "code", "reason", "log", "jobs": [{"line", "user"}],
     "dropped": [{"line", "user", "reason"}], "location"}

``log`` is the text the daemon itself logs for the refusal (None when it refuses silently).

Entry facts (collect.py): ``where`` (crontab|crond|spool), ``path``, ``name``, ``link`` and
``target`` (dicts: type, uid, gid, mode (int, permission bits), nlink; target None when the
open would fail), ``target_status`` (core.paths status), ``data`` (bytes read, bounded) and
``complete`` (the whole file was read). Accounts: ``users`` {name: {uid, gid, home, shell}},
``shadow`` {name: {lstchg, max, inact, expire}} (numbers only, never the hash), ``homes``
{name: info or None}, ``today`` (days since the epoch).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

MAX_JOBS_LISTED = 50


def verdict(run, code, reason, log=None, jobs=None, dropped=None):
    return {"would_run": run, "code": code, "reason": reason, "log": log,
            "jobs": list(jobs or [])[:MAX_JOBS_LISTED], "dropped": list(dropped or [])[:MAX_JOBS_LISTED]}


def text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    return value


def pam_unix_account(user, shadow, today):
    """pam_unix account management (passverify.c check_shadow_expiry): None or the log message.

    Fields are days since the epoch, -1 when empty (shadow(5)).
    """
    spent = shadow.get(user)
    if spent is None or today is None:
        return None
    expire, lstchg, smax, inact = spent["expire"], spent["lstchg"], spent["max"], spent["inact"]
    if expire != -1 and expire > 0 and today >= expire:
        return "account %s has expired (account expired)" % user
    if lstchg == 0:
        return "expired password for user %s (root enforced)" % user
    if lstchg > 0 and smax != -1 and inact != -1 and today - lstchg > smax + inact:
        return "account %s has expired (failed to change password)" % user
    if lstchg > 0 and smax != -1 and today - lstchg > smax:
        return "expired password for user %s (password aged)" % user
    return None


def judge(model, entry, accounts):
    """Run one daemon build's rules on one entry, in the daemon's order."""
    where = entry["where"]
    refused = model.name_rule(where, entry["name"])
    if refused is not None:
        return refused
    refused = model.file_rule(where, entry, accounts)
    if refused is not None:
        return refused
    if entry.get("data") is None:
        return verdict(False, "NOT_READ", "accepted by the file rules, but the audit could not read it")
    jobs, refused, notes = model.content_rule(where, entry, accounts)
    if refused is not None:
        return refused
    runs = []
    dropped = []
    for job in jobs:
        why = model.account_rule(job, where, accounts)
        if why is None:
            runs.append({"line": job["line"], "user": text(job["user"])})
        else:
            dropped.append({"line": job["line"], "user": text(job["user"]), "reason": why})
    if runs:
        reason = "loaded; %d job line(s) run" % len(runs)
        if dropped:
            reason += ", %d refused at run time (%s)" % (len(dropped), dropped[0]["reason"])
        if notes:
            reason += "; %s" % notes[0]
        out = verdict(True, "ACCEPTED", reason, jobs=runs, dropped=dropped)
    elif dropped:
        out = verdict(False, "ACCOUNT_REFUSED", "loaded, but every job is refused at run time: %s"
                      % dropped[0]["reason"], log=dropped[0]["reason"], dropped=dropped)
    else:
        out = verdict(False, "NO_JOBS", "loaded, but no line is a job that can fire"
                      + ("; %s" % notes[0] if notes else ""))
    if not entry.get("complete", True):
        out["partial"] = True
        out["reason"] += " (only the first %d bytes were read)" % len(entry.get("data") or b"")
    return out
