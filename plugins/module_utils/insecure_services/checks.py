# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""INSE: inetd/xinetd and the legacy clear-text services (rsh, telnet, NIS, TFTP) installed
(Lynis include/tests_insecure_services). Packages come from /var/lib/dpkg/status."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    skip_unless, Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.insecure_services.spec import CHECKS

INETD_PACKAGES = ("inetd", "openbsd-inetd", "inetutils-inetd", "rlinetd")


def _package_check(check_id, title, lynis, packages, severity="medium", flag=True, remediation=None):
    @CHECKS.check(check_id, severity if flag else "info", title, lynis=lynis,
                  reads="/var/lib/dpkg/status (%s)" % ", ".join(packages),
                  remediation=remediation or "apt-get purge %s (use SSH/SFTP instead)." % " ".join(packages))
    def evaluate(check, host):
        found = host.installed(*packages)
        if not flag:
            return check.passed("packages", {"installed": found})
        return verdict(check, "packages", bool(found), {"installed": found})
    return evaluate.check


# Lynis INSE-8000 uses PackageIsInstalled "inetd" (its suggestion is commented out)
_package_check("HG-INSE-001", "inetd package installed (inventory)", "INSE-8000", INETD_PACKAGES, flag=False)


@CHECKS.info("HG-INSE-002", "inetd running", "INSE-8002", "/proc/*/comm")
def check_inetd_running(check, host):
    return check.passed("inetd", {"running": bool(host.running("inetd"))})


def inetd_services(host):
    return [l.split()[0] for l in host.config_lines("/etc/inetd.conf") if l.split()]


@CHECKS.check("HG-INSE-003", "low", "inetd not running but /etc/inetd.conf still enables services", lynis="INSE-8006", reads="/etc/inetd.conf",
              remediation="Comment the services out of /etc/inetd.conf or purge the inetd package.")
def check_inetd_disabled(check, host):
    if not host.is_file("/etc/inetd.conf") or host.running("inetd"):
        return check.skip("/etc/inetd.conf", "no inetd.conf, or inetd is running (Lynis skips too)")
    services = inetd_services(host)
    return verdict(check, "/etc/inetd.conf", bool(services), {"services": services})


@CHECKS.check("HG-INSE-004", "high", "telnet enabled in inetd", lynis="INSE-8016", attack="T1021", reads="/etc/inetd.conf",
              remediation="Remove the telnet line from /etc/inetd.conf; use SSH.")
@skip_unless("/etc/inetd.conf", "inetd is not running", running="inetd")
def check_inetd_telnet(check, host):
    return verdict(check, "/etc/inetd.conf", "telnet" in inetd_services(host), {"services": inetd_services(host)})


_package_check("HG-INSE-005", "xinetd installed", "INSE-8100", ("xinetd",), severity="low",
               remediation="apt-get purge xinetd when no service needs it.")


@CHECKS.info("HG-INSE-006", "xinetd running", "INSE-8102", "/proc/*/comm")
def check_xinetd_running(check, host):
    return check.passed("xinetd", {"running": bool(host.running("xinetd"))})


XINETD_INSECURE_NAMES = ("chargen", "chargen-dgram", "chargen-stream", "daytime", "daytime-dgram", "daytime-stream",
                         "discard", "discard-dgram", "discard-stream", "echo", "echo-dgram", "echo-stream", "time",
                         "time-dgram", "time-stream", "ntalk", "rexec", "rlogin", "rsh", "rsync", "talk", "telnet",
                         "tftp")


@CHECKS.check("HG-INSE-007", "high", "insecure service enabled via xinetd", lynis="INSE-8116", reads="/etc/xinetd.d/*",
              remediation="disable = yes for the service; use SSH.")
@skip_unless("/etc/xinetd.d", "xinetd is not running", running="xinetd")
def check_xinetd_insecure(check, host):
    enabled = []
    for name in host.listdir("/etc/xinetd.d"):
        if name in XINETD_INSECURE_NAMES:
            text = " ".join(host.config_lines("/etc/xinetd.d/" + name))
            if not re.search(r"disable\s*=\s*yes", text):
                enabled.append(name)
    return verdict(check, "/etc/xinetd.d", bool(enabled), {"enabled": enabled})


_package_check("HG-INSE-008", "rsh client installed", "INSE-8300", ("rsh", "rsh-client", "rsh-redone-client"))
_package_check("HG-INSE-009", "rsh server installed", "INSE-8304", ("rsh-server", "rsh-redone-server"), severity="high")
_package_check("HG-INSE-010", "telnet client installed (inventory)", "INSE-8310", ("telnet",), flag=False)
_package_check("HG-INSE-011", "telnet server installed", "INSE-8322", ("telnetd", "telnet-server"), severity="high")
_package_check("HG-INSE-012", "NIS client installed", "INSE-8314", ("nis", "ypbind"))
_package_check("HG-INSE-013", "NIS server installed", "INSE-8316", ("nis", "ypserv"))
_package_check("HG-INSE-014", "TFTP client installed", "INSE-8318", ("atftp", "tftp", "tftp-hpa"), severity="low")
_package_check("HG-INSE-015", "TFTP server installed", "INSE-8320", ("atftpd", "tftpd", "tftp-server", "tftpd-hpa"))


def audit(params):
    return run_evaluators(CHECKS, Host(params["root"]))
