# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cronie (1.7, the trixie package; RHEL/Fedora builds) as data plus small functions.

Two builds, one code: SPOOL_DIR is a configure-time constant (configure.ac CRONIE_CONF_VAR
SPOOL_DIR). Debian's package reads /var/spool/cron/crontabs (cronie_debian), the RHEL/Fedora
build /var/spool/cron/<user> (cronie_rhel). Sources (cronie-crond/cronie, file:line in
docs/cron.md): src/database.c not_a_crontab (names), check_open (file rules: O_NONBLOCK open
following symlinks, (mode & 07533) == 0400, owner, link count for user crontabs), process_crontab
(ORPHAN); src/user.c load_user (per-line errors; MAX_GARBAGE, MAX_USER_ENTRIES/ENVS drop the
whole user crontab); src/misc.c skip_comments; src/security.c cron_set_job_security_context (PAM
unless a root job of a system crontab), cron_change_user_permanently (chdir $HOME or the job is
dropped).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.cron import parse_crontab as pc
from ansible_collections.hostguard.hardening.plugins.module_utils.cron.daemon_model import (
    pam_unix_account, text, verdict)

TITLE = "cronie"
PACKAGES = ("cronie",)
BINARIES = ("/usr/sbin/crond",)
UNITS = ("cronie.service", "crond.service")

NAME_MAX = 255
MAX_GARBAGE = 32768          # macros.h
MAX_USER_ENVS = 1000
MAX_USER_ENTRIES = 10000
CRON_HOSTNAME = ".cron.hostname"
_SKIP_SUFFIXES = ("~", ".rpmsave", ".rpmorig", ".rpmnew")


def not_a_crontab(name):
    """src/database.c not_a_crontab(): names skipped silently in /etc/cron.d and the spool."""
    raw = name.encode("utf-8", "surrogateescape")
    return (name.startswith(".") or name.startswith("#") or name == CRON_HOSTNAME
            or len(raw) >= NAME_MAX or not raw or name.endswith(_SKIP_SUFFIXES))


class Cronie(object):
    def __init__(self, name, spool, title):
        self.NAME = name
        self.SPOOL = spool
        self.TITLE = title
        self.LOCATIONS = (("crontab", "/etc/crontab"), ("crond", "/etc/cron.d"), ("spool", spool))
        self.PACKAGES = PACKAGES
        self.BINARIES = BINARIES
        self.UNITS = UNITS

    def name_rule(self, where, name):
        if where in ("crond", "spool") and not_a_crontab(name):
            return verdict(False, "NAME_SKIPPED", "skipped by name (not_a_crontab: leading . or #, "
                           "trailing ~, .rpmsave/.rpmorig/.rpmnew)")
        return None

    def file_rule(self, where, entry, accounts):
        pw = None
        if where == "spool":
            pw = accounts["users"].get(entry["name"])
            if pw is None:
                return verdict(False, "ORPHAN", "ORPHAN (no passwd entry)", log="ORPHAN (no passwd entry)")
        target = entry["target"]
        if target is None:
            return verdict(False, "CANT_OPEN", "CAN'T OPEN (%s)" % entry.get("target_status"), log="CAN'T OPEN")
        if target["type"] != "file":
            return verdict(False, "NOT_REGULAR", "NOT REGULAR (%s)" % target["type"], log="NOT REGULAR")
        if target["mode"] & 0o7533 != 0o400:
            return verdict(False, "BAD_FILE_MODE", "BAD FILE MODE %04o: cronie wants (mode & 07533) == 0400"
                           % (target["mode"] & 0o7777), log="BAD FILE MODE")
        if target["uid"] != 0 and (pw is None or target["uid"] != pw["uid"]):
            return verdict(False, "WRONG_FILE_OWNER", "WRONG FILE OWNER (uid %d)" % target["uid"],
                           log="WRONG FILE OWNER")
        if pw is not None and target["nlink"] != 1:
            return verdict(False, "HARD_LINKS", "BAD LINK COUNT %d" % target["nlink"], log="BAD LINK COUNT")
        return None

    def content_rule(self, where, entry, accounts):
        """load_user: bad lines are skipped one by one; a user crontab dies on garbage/too many."""
        lines, ends = pc.split_lines(entry["data"])
        system = where != "spool"
        env = {}
        jobs = []
        notes = []
        garbage = 0
        entries = envs = 0
        for number, line in enumerate(lines, start=1):
            if pc.is_blank_or_comment(line):
                garbage += len(line) + 1
                if not system and garbage > MAX_GARBAGE:
                    return [], verdict(False, "GARBAGE", "more than %d characters of comments/blank lines "
                                       "in a row: cronie drops the whole user crontab" % MAX_GARBAGE,
                                       log="too many garbage characters"), []
                continue
            garbage = 0
            if number == len(lines) and not ends:
                notes.append("line %d: missing newline before EOF: that line is ignored" % number)
                continue
            assignment = pc.env_value(line)
            if assignment is not None:
                envs += 1
                if not system and envs > MAX_USER_ENVS:
                    return [], verdict(False, "TOO_MANY_ENVS", "too many environment variables",
                                       log="too many environment variables"), []
                env[assignment[0]] = assignment[1]
                continue
            entries += 1
            if not system and entries > MAX_USER_ENTRIES:
                return [], verdict(False, "TOO_MANY_ENTRIES", "too many entries", log="too many entries"), []
            error, user, _command = pc.vixie_entry(line, system, strict=True)
            if error is None and system and text(user) not in accounts["users"]:
                error = "getpwnam() failed - user unknown"
            if error is not None:
                notes.append("line %d: %s (line skipped)" % (number, error))
                continue
            jobs.append({"line": number, "user": text(user) if system else entry["name"], "env": dict(env)})
        return jobs, None, notes

    def account_rule(self, job, where, accounts):
        user = job["user"]
        pw = accounts["users"].get(user)
        if pw is None:
            return "getpwnam() failed - user unknown"
        # PAM is called only for non-root users or non-system crontabs (security.c)
        if not (where != "spool" and pw["uid"] == 0):
            why = pam_unix_account(user, accounts["shadow"], accounts.get("today"))
            if why is not None:
                return why
        home = job["env"].get(b"HOME")
        home = text(home) if home is not None else pw["home"]
        if not accounts["home_ok"](home, pw):
            return "ERROR chdir failed (%s)" % home
        return None


CRONIE_DEBIAN = Cronie("cronie_debian", "/var/spool/cron/crontabs", "cronie (Debian build, crontabs/)")
CRONIE_RHEL = Cronie("cronie_rhel", "/var/spool/cron", "cronie (RHEL layout, /var/spool/cron/<user>)")
