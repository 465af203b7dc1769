# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis AUTH inventory tests (include/tests_authentication of 3.0.8): real user accounts
(AUTH-9234), pam.conf (AUTH-9264), pam.d (AUTH-9266), PAM modules (AUTH-9268), LDAP in PAM
(AUTH-9278), logging of failed logins (AUTH-9408). Lynis writes no suggestion for any of them;
each passes with what it found."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hostguard.hardening.plugins.module_utils.auth.pam import PAM_DIRS
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import define_info
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.spec import CHECKS

MAX_LISTED = 200


def _info(check_id, title, lynis, reads):
    return define_info(CHECKS, check_id, title + " (inventory)", lynis, reads)


REAL_USERS = _info("HG-AUTH-018", "real user accounts (UID 0, or UID_MIN and above but 65534)", "AUTH-9234",
                   "/etc/passwd, /etc/login.defs (UID_MIN)")
PAM_CONF = _info("HG-AUTH-019", "/etc/pam.conf configuration lines", "AUTH-9264", "/etc/pam.conf")
PAM_D = _info("HG-AUTH-020", "/etc/pam.d configuration files", "AUTH-9266", "/etc/pam.d")
PAM_MODULES = _info("HG-AUTH-021", "PAM modules installed", "AUTH-9268", ", ".join(PAM_DIRS))
PAM_LDAP = _info("HG-AUTH-022", "LDAP authentication in PAM", "AUTH-9278", "/etc/pam.d/common-auth, /etc/pam.d/system-auth")
FAILED_LOGINS = _info("HG-AUTH-023", "failed logins recorded (pam_faillock, pam_tally2, FAILLOG_ENAB)", "AUTH-9408",
                      "/var/run/faillock, /var/log/tallylog, PAM modules, /etc/login.defs")


def uid_min(host):
    """UID_MIN of /etc/login.defs (Lynis: grep ^UID_MIN, second field), 1000 without one."""
    for line in host.config_lines("/etc/login.defs"):
        fields = line.split()
        if fields[0] == "UID_MIN" and len(fields) > 1 and fields[1].isdigit():
            return int(fields[1])
    return 1000


def check_real_users(host):
    floor = uid_min(host)
    users = []
    for line in host.lines("/etc/passwd") or []:
        fields = line.split(":")
        if len(fields) > 2 and fields[2].isdigit():
            uid = int(fields[2])
            if uid == 0 or (uid >= floor and uid != 65534):
                users.append("%s,%d" % (fields[0], uid))
    return REAL_USERS.passed("/etc/passwd", {"uid_min": floor, "count": len(users), "users": users[:MAX_LISTED]})


def check_pam_conf(host):
    if not host.is_file("/etc/pam.conf"):
        return PAM_CONF.passed("/etc/pam.conf", {"exists": False})
    return PAM_CONF.passed("/etc/pam.conf", {"exists": True, "lines": len(host.config_lines("/etc/pam.conf"))})


def check_pam_d(host):
    names = [n for n in host.listdir("/etc/pam.d") if not n.endswith(".pam-old")]
    files = [n for n in names if host.is_file("/etc/pam.d/" + n)]
    return PAM_D.passed("/etc/pam.d", {"exists": host.is_dir("/etc/pam.d"), "count": len(files),
                                       "files": files[:MAX_LISTED]})


def pam_modules(host):
    """pam_*.so files directly in the PAM directories that are not symlinks (Lynis AUTH-9268)."""
    found = []
    for directory in PAM_DIRS:
        info = host.lstat(directory)
        if not info or info["type"] != "directory":
            continue
        found.extend(directory + "/" + n for n in host.listdir(directory)
                     if n.startswith("pam_") and n.endswith(".so") and host.is_file(directory + "/" + n))
    return found


def check_pam_modules(host, modules):
    names = sorted(set(m.rsplit("/", 1)[1] for m in modules))
    return PAM_MODULES.passed("pam modules", {"count": len(modules), "modules": names[:MAX_LISTED]})


def check_pam_ldap(host):
    files = [p for p in ("/etc/pam.d/common-auth", "/etc/pam.d/system-auth")
             if any(re.match(r"auth.*ldap", line) for line in host.lines(p) or [])]
    return PAM_LDAP.passed("pam ldap", {"ldap": bool(files), "files": files})


def check_failed_logins(host, modules):
    names = set(m.rsplit("/", 1)[1] for m in modules)
    tooling = []
    if host.is_dir("/etc/pam.d") or host.is_file("/etc/pam.conf"):
        faillock_dir = host.is_dir("/var/run/faillock")
        tally = (host.stat("/var/log/tallylog") or {}).get("size", 0) > 0
        if "pam_faillock.so" in names and faillock_dir:
            tooling.append("pam_faillock")
        elif "pam_faillock.so" not in names and "pam_tally2.so" in names and tally:
            tooling.append("pam_tally2")
    for line in host.lines("/etc/login.defs") or []:
        fields = line.split()
        if line.startswith("FAILLOG_ENAB") and len(fields) > 1 and fields[0] == "FAILLOG_ENAB" and fields[1] == "yes":
            tooling.append("/etc/login.defs")
    return FAILED_LOGINS.passed("failed logins", {"logged": bool(tooling), "tooling": tooling})


def inventory_findings(host):
    modules = pam_modules(host)
    return [check_real_users(host), check_pam_conf(host), check_pam_d(host), check_pam_modules(host, modules),
            check_pam_ldap(host), check_failed_logins(host, modules)]
