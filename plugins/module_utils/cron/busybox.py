# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""busybox crond (miscutils/crond.c, 1.35 in Debian's busybox-static) as data plus small functions.

busybox crond reads ONE directory (``-c``, default /var/spool/cron/crontabs; Alpine starts it with
/etc/crontabs): no /etc/crontab, no /etc/cron.d. Sources (file:line in docs/cron.md):
rescan_crontab_dir (names with a '.' skipped), load_crontab (getpwnam; the opened file must be
owned by root, whatever its mode, else ignored silently; non-root files read at most MAXLINES-1
lines), ParseField (a field error is logged but the line keeps what was filled), fork_job /
change_user (no PAM; a missing home falls back to the crontab directory).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.cron import parse_crontab as pc
from ansible_collections.hostguard.hardening.plugins.module_utils.cron.daemon_model import verdict

NAME = "busybox_crond"
TITLE = "busybox crond"
SPOOL = "/var/spool/cron/crontabs"
LOCATIONS = (("spool", SPOOL), ("spool", "/etc/crontabs"))
PACKAGES = ("busybox-static", "busybox")
BINARIES = ()
UNITS = ("busybox-crond.service",)
MAXLINES = 256               # crond.c: max lines in non-root crontabs (root: 65535)


def name_rule(where, name):
    if where != "spool":
        return verdict(False, "NOT_READ_BY_DAEMON", "busybox crond reads only its crontab directory")
    if "." in name:
        return verdict(False, "NAME_SKIPPED", "names containing '.' are skipped")
    return None


def file_rule(where, entry, accounts):
    name = entry["name"]
    if name not in accounts["users"]:
        return verdict(False, "ORPHAN", "ignoring file (no such user)",
                       log="ignoring file '%s' (no such user)" % name)
    target = entry["target"]
    if target is None:
        return verdict(False, "CANT_OPEN", "fopen fails (%s)" % entry.get("target_status"),
                       log="%s: No such file or directory" % name)
    if target["type"] == "fifo":
        return verdict(False, "BLOCKS_DAEMON", "a FIFO: fopen() blocks the daemon")
    if target["uid"] != 0:
        return verdict(False, "NOT_ROOT_OWNED", "not owned by root (uid %d): busybox crond ignores it "
                       "silently, whatever its mode" % target["uid"])
    return None


def content_rule(where, entry, accounts):
    if entry["target"]["type"] != "file":
        return [], verdict(False, "NO_JOBS", "a %s: read as an empty crontab" % entry["target"]["type"]), []
    lines, _ends = pc.split_lines(entry["data"])
    budget = 65535 if entry["name"] == "root" else MAXLINES
    jobs = []
    notes = []
    for number, line in enumerate(lines, start=1):
        kind, detail = pc.busybox_line(line)
        if kind == "skip" and detail is None:
            continue               # blank or comment: config_read does not return it
        budget -= 1
        if budget == 0:
            notes.append("line %d and after: too many lines (MAXLINES %d)" % (number, MAXLINES))
            break
        if detail:
            notes.append("line %d: %s" % (number, detail))
        if kind == "job":
            jobs.append({"line": number, "user": entry["name"], "env": {}})
    return jobs, None, notes


def account_rule(job, where, accounts):
    return None                # no PAM, no shadow; a missing home is not fatal (chdir to CRON_DIR)
