# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""DEB: the Debian plugin of Lynis (/etc/lynis/plugins/plugin_debian_phase1): libpam-tmpdir,
apt-listbugs, apt-listchanges, needrestart, fail2ban."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    Evaluators, Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.debian.spec import CHECKS

EVALUATORS = Evaluators()
ROLE = "baseline_hardening"
DEBIAN_BINPATHS = ("/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin")

BINARIES = CHECKS.define("HG-DEB-001", "system binaries the Debian tests need (inventory)", "info",
                         reads=", ".join(DEBIAN_BINPATHS), remediation="None needed (inventory).",
                         references={"lynis": "DEB-0001"})


@EVALUATORS(BINARIES)
def check_binaries(host):
    count = sum(len(host.listdir(d)) for d in DEBIAN_BINPATHS if host.lstat(d) and host.lstat(d)["type"] == "directory")
    return BINARIES.passed("binaries", {"count": count})


PAM_TMPDIR = CHECKS.define("HG-DEB-002", "libpam-tmpdir not installed", "low",
                           reads="/lib, /usr/lib (pam_tmpdir.so), /etc/pam.d/common-session",
                           remediation="apt-get install libpam-tmpdir (gives each session a private $TMPDIR).",
                           references={"lynis": "DEB-0280"}, role=ROLE)


@EVALUATORS(PAM_TMPDIR)
def check_pam_tmpdir(host):
    # Lynis: find /lib /usr/lib -name pam_tmpdir.so; the package records where it put it
    installed = bool(host.installed("libpam-tmpdir"))
    found = installed or any(host.is_file(d + "/pam_tmpdir.so") for d in
                             ("/lib/x86_64-linux-gnu/security", "/usr/lib/x86_64-linux-gnu/security",
                              "/lib/aarch64-linux-gnu/security", "/usr/lib/aarch64-linux-gnu/security",
                              "/lib/security", "/usr/lib/security"))
    enabled = any("pam_tmpdir.so" in line for line in host.config_lines("/etc/pam.d/common-session"))
    return verdict(PAM_TMPDIR, "pam_tmpdir.so", not found, {"installed": found, "in_common_session": enabled})


def _apt_tool(check, host, binary, conf_suffix):
    path = host.which(binary)
    hooks = [n for n in host.listdir("/etc/apt/apt.conf.d") if n.endswith(conf_suffix)]
    return verdict(check, binary, not path or not hooks, {"installed": bool(path), "apt_hook": hooks})


LISTBUGS = CHECKS.define("HG-DEB-003", "apt-listbugs not installed (or its APT hook missing)", "low",
                         reads="apt-listbugs, /etc/apt/apt.conf.d/*listbugs", remediation="apt-get install apt-listbugs.",
                         references={"lynis": "DEB-0810"})


@EVALUATORS(LISTBUGS)
def check_listbugs(host):
    return _apt_tool(LISTBUGS, host, "apt-listbugs", "listbugs")


LISTCHANGES = CHECKS.define("HG-DEB-004", "apt-listchanges not installed (or its APT hook missing)", "low",
                            reads="apt-listchanges, /etc/apt/apt.conf.d/*listchanges",
                            remediation="apt-get install apt-listchanges.", references={"lynis": "DEB-0811"})


@EVALUATORS(LISTCHANGES)
def check_listchanges(host):
    return _apt_tool(LISTCHANGES, host, "apt-listchanges", "listchanges")


NEEDRESTART = CHECKS.define("HG-DEB-005", "needrestart not installed", "low", reads="needrestart",
                            remediation="apt-get install needrestart.", references={"lynis": "DEB-0831"}, role=ROLE)


@EVALUATORS(NEEDRESTART)
def check_needrestart(host):
    return verdict(NEEDRESTART, "needrestart", not host.which("needrestart"), {})


FAIL2BAN = CHECKS.define("HG-DEB-006", "fail2ban not installed, or its configuration not localised (jail.local)", "low",
                         reads="fail2ban-server, /etc/fail2ban/**/jail.local",
                         remediation="apt-get install fail2ban; put local settings in /etc/fail2ban/jail.local.",
                         references={"lynis": "DEB-0880"})


@EVALUATORS(FAIL2BAN)
def check_fail2ban(host):
    if not host.which("fail2ban-server"):
        return FAIL2BAN.fail("fail2ban", {"installed": False})
    local = host.is_file("/etc/fail2ban/jail.local") or host.is_file("/etc/fail2ban/jail.d/jail.local")
    return verdict(FAIL2BAN, "fail2ban", not local, {"installed": True, "jail_local": local})


def audit(params):
    return run_evaluators(EVALUATORS, Host(params["root"]))
