# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis FILE-7524: the permissions of the files and directories of Lynis's default profile
(``permfile=`` / ``permdir=`` lines of /etc/lynis/default.prf, 3.0.8), links followed inside
root as Lynis's ShowSymlinkPath does; a missing path is skipped.

Lynis compares the octal digits as decimal numbers (``stat %a`` <= the profile's value: 0511
passes for 600); hostguard asks "no permission bit beyond the profile's", which is what "or
more restrictive" means (docs/lynis-oracle.md). Owner and group are not compared (Lynis does not
either)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import stat

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths
from ansible_collections.hostguard.hardening.plugins.module_utils.file.spec import CHECKS

# path -> (kind, the most permissive mode allowed)
LYNIS_PERMISSIONS = (
    ("/boot/grub/grub.cfg", "file", 0o600), ("/boot/grub2/grub.cfg", "file", 0o600),
    ("/boot/grub2/user.cfg", "file", 0o600), ("/etc/at.allow", "file", 0o600), ("/etc/at.deny", "file", 0o600),
    ("/etc/cron.allow", "file", 0o600), ("/etc/cron.deny", "file", 0o600), ("/etc/crontab", "file", 0o600),
    ("/etc/group", "file", 0o644), ("/etc/group-", "file", 0o644), ("/etc/hosts.allow", "file", 0o644),
    ("/etc/hosts.deny", "file", 0o644), ("/etc/issue", "file", 0o644), ("/etc/issue.net", "file", 0o644),
    ("/etc/lilo.conf", "file", 0o600), ("/etc/motd", "file", 0o644), ("/etc/passwd", "file", 0o644),
    ("/etc/passwd-", "file", 0o644), ("/etc/ssh/sshd_config", "file", 0o600), ("/etc/hosts.equiv", "file", 0o644),
    ("/etc/shosts.equiv", "file", 0o644), ("/root/.rhosts", "file", 0o600), ("/root/.rlogin", "file", 0o600),
    ("/root/.shosts", "file", 0o600),
    ("/root/.ssh", "directory", 0o700), ("/etc/cron.d", "directory", 0o700), ("/etc/cron.daily", "directory", 0o700),
    ("/etc/cron.hourly", "directory", 0o700), ("/etc/cron.weekly", "directory", 0o700),
    ("/etc/cron.monthly", "directory", 0o700),
)
PERMISSIONS = CHECKS.define(
    "HG-FILE-016", "system files and directories no more permissive than Lynis's profile (permfile/permdir)", "low",
    reads="the %d paths of Lynis's default profile (stat, links followed inside root)" % len(LYNIS_PERMISSIONS),
    remediation="chmod each listed path to the mode shown (e.g. chmod 600 /etc/crontab; chmod 700 /etc/cron.d)",
    references={"lynis": "FILE-7524", "cis": "5.1.2-5.1.7"}, role="baseline_hardening")


def too_open(mode, allowed):
    """The mode bits of ``mode`` beyond ``allowed`` (setuid, setgid, sticky included: Lynis flags a
    four-digit mode too); 0 = as strict or stricter."""
    return stat.S_IMODE(mode) & ~allowed


def permission_findings(root, table=LYNIS_PERMISSIONS):
    loose, checked = [], 0
    for path, kind, allowed in table:
        res = paths.resolve(root, path)
        if not res.ok or res.st is None:
            continue
        is_dir = stat.S_ISDIR(res.st.st_mode)
        # Lynis: a permfile path is tested when it is a file, a permdir path when a directory
        if (kind == "directory") != is_dir or not (is_dir or stat.S_ISREG(res.st.st_mode)):
            continue
        checked += 1
        if too_open(res.st.st_mode, allowed):
            loose.append("%s %04o (at most %04o)" % (path, stat.S_IMODE(res.st.st_mode), allowed))
    ev = {"checked": checked, "too_open": loose}
    if loose:
        return [PERMISSIONS.fail("permissions", ev, "more permissive than Lynis's profile: %s" % "; ".join(loose))]
    return [PERMISSIONS.passed("permissions", ev)]
