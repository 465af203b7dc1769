# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis HOME-9304 (home directories 750 or stricter) and HOME-9306 (users own their homes)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import stat

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths, safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import read_text_lines
from ansible_collections.hostguard.hardening.plugins.module_utils.homedirs.history import history_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.homedirs.parse_passwd import login_accounts
from ansible_collections.hostguard.hardening.plugins.module_utils.homedirs.spec import CHECKS

MAX_PASSWD = 4 * 1024 * 1024
MAX_HOMES = 2000


def home_states(root, accounts):
    """[(user, uid, home, stat or None)] for the homes that are directories (links followed inside root)."""
    out = []
    for user, uid, home in accounts[:MAX_HOMES]:
        if not home.startswith("/") or "\x00" in home:
            continue
        res = paths.resolve(root, home)
        if res.ok and res.st is not None and stat.S_ISDIR(res.st.st_mode):
            out.append((user, uid, home, res.st))
    return out


def owner_names(lines):
    """{uid: the first account name with that uid}: what getpwuid (and so `ls -l`) shows."""
    out = {}
    for line in lines:
        fields = line.split(":")
        if len(fields) >= 3 and fields[2].isdigit():
            out.setdefault(int(fields[2]), fields[0])
    return out


@CHECKS.check("HG-HOME-001", "medium", "Home directories of login accounts are 750 or stricter (no group write, nothing for others)",
              lynis="HOME-9304", attack="T1552.001", reads="/etc/passwd, each home directory (stat, links followed inside root)",
              remediation="chmod 750 <home> (and set HOME_MODE 0750 in /etc/login.defs for new users)", weight=2)
@CHECKS.check("HG-HOME-002", "medium", "Users own their home directories", lynis="HOME-9306",
              reads="/etc/passwd, each home directory (stat, links followed inside root)", remediation="chown <user> <home>", weight=2)
def check_homes(permissions, ownership, root):
    try:
        lines = read_text_lines(root, "/etc/passwd", MAX_PASSWD)
    except safe_read.SafeReadError as exc:
        why = "no /etc/passwd" if exc.reason == "missing" else exc.message
        return [check.skip("/etc/passwd", why) for check in (permissions, ownership) + history_findings.checks]
    accounts = login_accounts(lines)
    homes = home_states(root, accounts)
    loose = ["%s (%s, %04o)" % (home, user, stat.S_IMODE(st.st_mode)) for user, _uid, home, st in homes
             if st.st_mode & (stat.S_IWGRP | stat.S_IRWXO)]
    # As Lynis (`ls -ld` prints the owner's NAME: the first passwd entry with that uid): a second
    # account sharing root's uid 0 with home /root does not own /root, root does.
    names = owner_names(lines)
    foreign = ["%s (%s, owned by %s)" % (home, user, names.get(st.st_uid, st.st_uid)) for user, uid, home, st in homes
               if uid is not None and names.get(st.st_uid, st.st_uid) != user]
    ev = {"homes_checked": len(homes)}
    if len(accounts) > MAX_HOMES:
        ev["not_checked"] = len(accounts) - MAX_HOMES
    out = [permissions.fail("home directories", dict(ev, loose=loose), "not strict enough: %s" % ", ".join(loose))
           if loose else permissions.passed("home directories", dict(ev, loose=[]))]
    out.append(ownership.fail("home directories", dict(ev, foreign=foreign), "not owned by their user: %s"
                              % ", ".join(foreign)) if foreign else ownership.passed("home directories", dict(ev, foreign=[])))
    out.extend(history_findings(root, lines))
    return out
