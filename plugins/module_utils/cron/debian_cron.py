# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Debian cron 3.0pl1 (bookworm 3.0pl1-162, trixie 3.0pl1-19x) as data plus small functions.

Sources (Debian source package cron with debian/patches applied; file:line in docs/cron.md):
database.c process_crontab (file rules), database.c valid_name (cron.d names), user.c load_user
(one bad line drops the whole file; missing final newline drops it), entry.c load_entry (field
errors, "bad username", "command too long" at MAX_COMMAND 1000), do_command.c + debian/cron.pam
(PAM account per job: pam_unix expiry), cron.h MAX_TAB_LINES. Every rule is pinned by a case of
tests/integration/cron_oracle_cases.py run against the real daemon.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hostguard.hardening.plugins.module_utils.cron import parse_crontab as pc
from ansible_collections.hostguard.hardening.plugins.module_utils.cron.daemon_model import (
    pam_unix_account, text, verdict)

NAME = "debian_cron"
TITLE = "Debian cron 3.0pl1"
SPOOL = "/var/spool/cron/crontabs"
LOCATIONS = (("crontab", "/etc/crontab"), ("crond", "/etc/cron.d"), ("spool", SPOOL))
PACKAGES = ("cron",)
BINARIES = ("/usr/sbin/cron",)
UNITS = ("cron.service",)

MAX_COMMAND = 1000          # cron.h: a command of MAX_COMMAND-1 (999) characters is "too long"
MAX_TAB_LINES = 10000       # cron.h, + NHEADER_LINES (3) + 2 in user.c
CLASSIC_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")                      # valid_name classicalre
LSB_HIER = re.compile(r"^_?([a-z0-9_.]+-)+[a-z0-9]+$")               # hierre (cron -l)
LSB_EXCLUDE = re.compile(r"^[a-z0-9-].*dpkg-(old|dist)$")            # excsre
LSB_TRAD = re.compile(r"^[a-z0-9][a-z0-9-]*$")                       # tradre


def valid_name(name, lsb=False):
    """database.c valid_name(): the names Debian cron reads in /etc/cron.d."""
    if lsb:
        if LSB_HIER.match(name):
            return not LSB_EXCLUDE.match(name)
        return bool(LSB_TRAD.match(name))
    return bool(CLASSIC_NAME.match(name))


def name_rule(where, name, lsb=False):
    if where == "crond":
        if name.startswith(".") or not valid_name(name, lsb):
            return verdict(False, "NAME_SKIPPED", "name does not match %s: Debian cron ignores it silently"
                           % ("the LSB rules of cron -l" if lsb else "^[a-zA-Z0-9_-]+$"))
    elif where == "spool" and name.startswith("."):
        return verdict(False, "NAME_SKIPPED", "names starting with '.' are skipped")
    return None


def file_rule(where, entry, accounts):
    link, target = entry["link"], entry["target"]
    name = entry["name"]
    if where == "spool":
        pw = accounts["users"].get(name)
        if pw is None:
            if name.startswith("tmp."):
                return verdict(False, "ORPHAN", "no passwd entry (a crontab(1) temp name: not even logged)")
            return verdict(False, "ORPHAN", "ORPHAN (no passwd entry)", log="ORPHAN (no passwd entry)")
        # open(tabname, O_RDONLY|O_NOFOLLOW)
        if link["type"] == "symlink":
            return verdict(False, "CANT_OPEN", "CAN'T OPEN: user crontabs are opened with O_NOFOLLOW, "
                           "a symlink is refused", log="CAN'T OPEN")
        if link["type"] == "fifo":
            return verdict(False, "BLOCKS_DAEMON", "a FIFO: open() without O_NONBLOCK blocks the daemon, "
                           "no crontab is (re)loaded until a writer appears")
        info = link
        if info["uid"] != pw["uid"] and info["uid"] != 0:
            return verdict(False, "WRONG_FILE_OWNER", "WRONG FILE OWNER (uid %d, not %s or root)"
                           % (info["uid"], name), log="WRONG FILE OWNER")
        if info["type"] != "file":
            return verdict(False, "NOT_REGULAR", "NOT A REGULAR FILE (%s)" % info["type"],
                           log="NOT A REGULAR FILE")
        if info["mode"] & 0o7777 != 0o600:
            return verdict(False, "INSECURE_MODE", "INSECURE MODE (mode 0600 expected, is %04o)"
                           % (info["mode"] & 0o7777), log="INSECURE MODE (mode 0600 expected)")
        if info["nlink"] != 1:
            return verdict(False, "HARD_LINKS", "NUMBER OF HARD LINKS > 1 (%d)" % info["nlink"],
                           log="NUMBER OF HARD LINKS > 1")
        return None
    # /etc/crontab and /etc/cron.d: symlinks allowed if the link is root's
    if link["type"] == "symlink" and link["uid"] != 0:
        return verdict(False, "WRONG_SYMLINK_OWNER", "WRONG SYMLINK OWNER (uid %d)" % link["uid"],
                       log="WRONG SYMLINK OWNER")
    if target is None:
        if link["type"] == "symlink":
            return verdict(False, "CANT_OPEN", "CAN'T OPEN SYMLINK (%s)" % entry.get("target_status"),
                           log="CAN'T OPEN SYMLINK")
        return verdict(False, "CANT_OPEN", "CAN'T OPEN", log="CAN'T OPEN")
    if target["type"] == "fifo":
        return verdict(False, "BLOCKS_DAEMON", "a FIFO: open() without O_NONBLOCK blocks the daemon")
    if target["uid"] != 0:
        return verdict(False, "WRONG_FILE_OWNER", "WRONG FILE OWNER (uid %d, must be root)" % target["uid"],
                       log="WRONG FILE OWNER")
    if target["type"] != "file":
        return verdict(False, "NOT_REGULAR", "NOT A REGULAR FILE (%s)" % target["type"], log="NOT A REGULAR FILE")
    if target["mode"] & 0o022:
        return verdict(False, "INSECURE_MODE", "INSECURE MODE (group/other writable, %04o)" % (target["mode"] & 0o7777),
                       log="INSECURE MODE (group/other writable)")
    if target["nlink"] != 1:
        return verdict(False, "HARD_LINKS", "NUMBER OF HARD LINKS > 1 (%d)" % target["nlink"],
                       log="NUMBER OF HARD LINKS > 1")
    return None


def _syntax(error, entry, line):
    where = "crontab for user %s" % entry["name"] if entry["where"] == "spool" else entry["path"]
    return verdict(False, "SYNTAX_ERROR", "line %d: %s: Debian cron ignores the whole file" % (line, error),
                   log="Error: %s; while reading %s" % (error, where))


def content_rule(where, entry, accounts):
    """user.c load_user: the first bad line drops the whole file (returns (jobs, refusal, notes))."""
    lines, ends = pc.split_lines(entry["data"])
    system = where != "spool"
    env = {}
    jobs = []
    if len(lines) >= MAX_TAB_LINES + 3 + 2:
        return [], verdict(False, "TOO_LONG", "more than %d lines: the whole file is ignored" % MAX_TAB_LINES,
                           log="crontab must not be longer than %d lines" % MAX_TAB_LINES), []
    for number, line in enumerate(lines, start=1):
        if pc.is_blank_or_comment(line):
            continue
        if number == len(lines) and not ends:
            return [], verdict(False, "NO_FINAL_NEWLINE", "missing newline before EOF: Debian cron ignores "
                               "the whole file", log="Missing newline before EOF, this crontab file will be ignored"), []
        assignment = pc.env_value(line)
        if assignment is not None:
            env[assignment[0]] = assignment[1]
            continue
        error, user, command = pc.vixie_entry(line, system)
        if error is None and system and text(user) not in accounts["users"]:
            error = "bad username"
        if error is None and len(command) >= MAX_COMMAND - 1:
            error = "command too long"
        if error is not None:
            return [], _syntax(error, entry, number), []
        jobs.append({"line": number, "user": text(user) if system else entry["name"], "env": dict(env)})
    return jobs, None, []


def account_rule(job, where, accounts):
    """PAM "cron" service (debian/cron.pam: common-account = pam_unix), for every job, root too."""
    return pam_unix_account(job["user"], accounts["shadow"], accounts.get("today"))
