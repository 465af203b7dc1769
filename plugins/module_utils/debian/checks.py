# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""DEB: the Debian plugin of Lynis (/etc/lynis/plugins/plugin_debian_phase1): libpam-tmpdir,
apt-listbugs, apt-listchanges, needrestart, fail2ban."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.debian.spec import CHECKS

ROLE = "baseline_hardening"
DEBIAN_BINPATHS = ("/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin")


@CHECKS.info("HG-DEB-001", "system binaries the Debian tests need (inventory)", "DEB-0001", ", ".join(DEBIAN_BINPATHS))
def check_binaries(check, host):
    count = sum(len(host.listdir(d)) for d in DEBIAN_BINPATHS if host.lstat(d) and host.lstat(d)["type"] == "directory")
    return check.passed("binaries", {"count": count})


@CHECKS.check("HG-DEB-002", "low", "libpam-tmpdir not installed", lynis="DEB-0280", reads="/lib, /usr/lib (pam_tmpdir.so), /etc/pam.d/common-session",
              remediation="apt-get install libpam-tmpdir (gives each session a private $TMPDIR).", role=ROLE)
def check_pam_tmpdir(check, host):
    # Lynis: find /lib /usr/lib -name pam_tmpdir.so; the package records where it put it
    installed = bool(host.installed("libpam-tmpdir"))
    found = installed or any(host.is_file(d + "/pam_tmpdir.so") for d in
                             ("/lib/x86_64-linux-gnu/security", "/usr/lib/x86_64-linux-gnu/security",
                              "/lib/aarch64-linux-gnu/security", "/usr/lib/aarch64-linux-gnu/security",
                              "/lib/security", "/usr/lib/security"))
    enabled = any("pam_tmpdir.so" in line for line in host.config_lines("/etc/pam.d/common-session"))
    return verdict(check, "pam_tmpdir.so", not found, {"installed": found, "in_common_session": enabled})


def _apt_tool(check, host, binary, conf_suffix):
    path = host.which(binary)
    hooks = [n for n in host.listdir("/etc/apt/apt.conf.d") if n.endswith(conf_suffix)]
    return verdict(check, binary, not path or not hooks, {"installed": bool(path), "apt_hook": hooks})


@CHECKS.check("HG-DEB-003", "low", "apt-listbugs not installed (or its APT hook missing)", lynis="DEB-0810",
              reads="apt-listbugs, /etc/apt/apt.conf.d/*listbugs", remediation="apt-get install apt-listbugs.")
def check_listbugs(check, host):
    return _apt_tool(check, host, "apt-listbugs", "listbugs")


@CHECKS.check("HG-DEB-004", "low", "apt-listchanges not installed (or its APT hook missing)", lynis="DEB-0811",
              reads="apt-listchanges, /etc/apt/apt.conf.d/*listchanges", remediation="apt-get install apt-listchanges.")
def check_listchanges(check, host):
    return _apt_tool(check, host, "apt-listchanges", "listchanges")


@CHECKS.check("HG-DEB-005", "low", "needrestart not installed", lynis="DEB-0831", reads="needrestart", remediation="apt-get install needrestart.",
              role=ROLE)
def check_needrestart(check, host):
    return verdict(check, "needrestart", not host.which("needrestart"), {})


@CHECKS.check("HG-DEB-006", "low", "fail2ban not installed, or its configuration not localised (jail.local)", lynis="DEB-0880",
              reads="fail2ban-server, /etc/fail2ban/**/jail.local",
              remediation="apt-get install fail2ban; put local settings in /etc/fail2ban/jail.local.")
def check_fail2ban(check, host):
    if not host.which("fail2ban-server"):
        return check.fail("fail2ban", {"installed": False})
    local = host.is_file("/etc/fail2ban/jail.local") or host.is_file("/etc/fail2ban/jail.d/jail.local")
    return verdict(check, "fail2ban", not local, {"installed": True, "jail_local": local})


def audit(params):
    return run_evaluators(CHECKS, Host(params["root"]))
