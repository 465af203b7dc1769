# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis AUTH-9240 (NIS+), AUTH-9242 (NIS), AUTH-9402 (LDAP) in /etc/nsswitch.conf and
AUTH-9406 (the LDAP servers of the client configuration). Lynis 3.0.8 only displays and logs
them (AUTH-9406 writes ldap_server[] lines): each passes with what it found, AUTH-9406 is
skipped, as by Lynis, when LDAP is not in nsswitch.conf's passwd line."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.auth.spec import CHECKS

NSSWITCH = "/etc/nsswitch.conf"
LDAP_CONF_LOCATIONS = ("/etc/ldap.conf", "/etc/ldap/ldap.conf", "/etc/openldap/ldap.conf",
                       "/usr/local/etc/ldap.conf", "/usr/local/etc/openldap/ldap.conf")
MAX_SERVERS = 50


def passwd_lines(lines):
    """(passwd lines, passwd_compat lines): Lynis's egrep ^passwd (which matches both)."""
    passwd = [line for line in lines if line.startswith("passwd")]
    return passwd, [line for line in passwd if line.startswith("passwd_compat")]


def nis_plus(lines):
    """AUTH-9240: a passwd line with compat|nisplus, and nisplus in passwd_compat or passwd."""
    passwd, _compat = passwd_lines(lines)
    return any("compat" in line or "nisplus" in line for line in passwd) and any("nisplus" in line for line in passwd)


def nis(lines):
    """AUTH-9242: a passwd line with compat|nis but no nisplus, and a passwd line with nis but
    no nisplus (passwd_compat lines are passwd lines too)."""
    passwd, _compat = passwd_lines(lines)
    first = [line for line in passwd if ("compat" in line or "nis" in line) and "nisplus" not in line]
    return bool(first) and any("nis" in line and "nisplus" not in line for line in passwd)


def ldap(lines):
    passwd, _compat = passwd_lines(lines)
    return any("ldap" in line for line in passwd)


def ldap_servers(host):
    """``host <server>`` lines (Lynis: egrep "^host " | awk $2) of every client file."""
    found, files = [], []
    for path in LDAP_CONF_LOCATIONS:
        if not host.is_file(path):
            continue
        files.append(path)
        for line in host.lines(path) or []:
            fields = line.split()
            if line.startswith("host ") and len(fields) > 1:
                found.append(fields[1])
    return files, found[:MAX_SERVERS]


@CHECKS.info("HG-AUTH-027", "NIS+ authentication in nsswitch.conf (inventory)", "AUTH-9240", NSSWITCH)
@CHECKS.info("HG-AUTH-028", "NIS authentication in nsswitch.conf (inventory)", "AUTH-9242", NSSWITCH)
@CHECKS.info("HG-AUTH-029", "LDAP authentication in nsswitch.conf (inventory)", "AUTH-9402", NSSWITCH)
@CHECKS.info("HG-AUTH-030", "LDAP servers of the client configuration (inventory)", "AUTH-9406",
             ", ".join(LDAP_CONF_LOCATIONS))
def nsswitch_findings(nisplus_check, nis_check, ldap_check, servers_check, host):
    if not host.is_file(NSSWITCH):
        return [check.passed(NSSWITCH, {"exists": False}) for check in (nisplus_check, nis_check, ldap_check)] + [
            servers_check.skip("ldap", "no %s: LDAP authentication is not enabled (Lynis skips AUTH-9406 too)"
                               % NSSWITCH)]
    lines = host.lines(NSSWITCH) or []
    out = [nisplus_check.passed(NSSWITCH, {"nisplus": nis_plus(lines)}), nis_check.passed(NSSWITCH, {"nis": nis(lines)})]
    enabled = ldap(lines)
    out.append(ldap_check.passed(NSSWITCH, {"ldap": enabled}))
    if not enabled:
        out.append(servers_check.skip("ldap", "LDAP authentication is not enabled in %s (Lynis skips AUTH-9406 too)"
                                      % NSSWITCH))
    else:
        files, servers = ldap_servers(host)
        out.append(servers_check.passed("ldap", {"files": files, "servers": servers}))
    return out
