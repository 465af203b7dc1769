# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""INSE: inetd/xinetd and the legacy clear-text services (rsh, telnet, NIS, TFTP) installed
(Lynis include/tests_insecure_services). Packages come from /var/lib/dpkg/status."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    Evaluators, Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.insecure_services.spec import CHECKS

EVALUATORS = Evaluators()
INETD_PACKAGES = ("inetd", "openbsd-inetd", "inetutils-inetd", "rlinetd")


def _package_check(check_id, title, lynis, packages, severity="medium", flag=True, remediation=None):
    check = CHECKS.define(check_id, title, severity if flag else "info",
                          reads="/var/lib/dpkg/status (%s)" % ", ".join(packages),
                          remediation=remediation or "apt-get purge %s (use SSH/SFTP instead)." % " ".join(packages),
                          references={"lynis": lynis})

    def evaluate(host):
        found = host.installed(*packages)
        if not flag:
            return check.passed("packages", {"installed": found})
        return verdict(check, "packages", bool(found), {"installed": found})
    EVALUATORS.append((check, evaluate))
    return check


# Lynis INSE-8000 uses PackageIsInstalled "inetd" (its suggestion is commented out)
_package_check("HG-INSE-001", "inetd package installed (inventory)", "INSE-8000", INETD_PACKAGES, flag=False)

INETD_RUNNING = CHECKS.define("HG-INSE-002", "inetd running", "info", reads="/proc/*/comm",
                              remediation="None needed (inventory).", references={"lynis": "INSE-8002"})


@EVALUATORS(INETD_RUNNING)
def check_inetd_running(host):
    return INETD_RUNNING.passed("inetd", {"running": bool(host.running("inetd"))})


def inetd_services(host):
    return [l.split()[0] for l in host.config_lines("/etc/inetd.conf") if l.split()]


INETD_DISABLED = CHECKS.define("HG-INSE-003", "inetd not running but /etc/inetd.conf still enables services", "low",
                               reads="/etc/inetd.conf",
                               remediation="Comment the services out of /etc/inetd.conf or purge the inetd package.",
                               references={"lynis": "INSE-8006"})


@EVALUATORS(INETD_DISABLED)
def check_inetd_disabled(host):
    if not host.is_file("/etc/inetd.conf") or host.running("inetd"):
        return INETD_DISABLED.skip("/etc/inetd.conf", "no inetd.conf, or inetd is running (Lynis skips too)")
    services = inetd_services(host)
    return verdict(INETD_DISABLED, "/etc/inetd.conf", bool(services), {"services": services})


INETD_TELNET = CHECKS.define("HG-INSE-004", "telnet enabled in inetd", "high", reads="/etc/inetd.conf",
                             remediation="Remove the telnet line from /etc/inetd.conf; use SSH.",
                             references={"lynis": "INSE-8016", "attack": "T1021"})


@EVALUATORS(INETD_TELNET)
def check_inetd_telnet(host):
    if not host.running("inetd"):
        return INETD_TELNET.skip("/etc/inetd.conf", "inetd is not running (Lynis skips too)")
    return verdict(INETD_TELNET, "/etc/inetd.conf", "telnet" in inetd_services(host), {"services": inetd_services(host)})


_package_check("HG-INSE-005", "xinetd installed", "INSE-8100", ("xinetd",), severity="low",
               remediation="apt-get purge xinetd when no service needs it.")

XINETD_RUNNING = CHECKS.define("HG-INSE-006", "xinetd running", "info", reads="/proc/*/comm",
                               remediation="None needed (inventory).", references={"lynis": "INSE-8102"})


@EVALUATORS(XINETD_RUNNING)
def check_xinetd_running(host):
    return XINETD_RUNNING.passed("xinetd", {"running": bool(host.running("xinetd"))})


XINETD_INSECURE = CHECKS.define("HG-INSE-007", "insecure service enabled via xinetd", "high",
                                reads="/etc/xinetd.d/*", remediation="disable = yes for the service; use SSH.",
                                references={"lynis": "INSE-8116"})
XINETD_INSECURE_NAMES = ("chargen", "chargen-dgram", "chargen-stream", "daytime", "daytime-dgram", "daytime-stream",
                         "discard", "discard-dgram", "discard-stream", "echo", "echo-dgram", "echo-stream", "time",
                         "time-dgram", "time-stream", "ntalk", "rexec", "rlogin", "rsh", "rsync", "talk", "telnet",
                         "tftp")


@EVALUATORS(XINETD_INSECURE)
def check_xinetd_insecure(host):
    if not host.running("xinetd"):
        return XINETD_INSECURE.skip("/etc/xinetd.d", "xinetd is not running (Lynis skips too)")
    enabled = []
    for name in host.listdir("/etc/xinetd.d"):
        if name in XINETD_INSECURE_NAMES:
            text = " ".join(host.config_lines("/etc/xinetd.d/" + name))
            if not re.search(r"disable\s*=\s*yes", text):
                enabled.append(name)
    return verdict(XINETD_INSECURE, "/etc/xinetd.d", bool(enabled), {"enabled": enabled})


_package_check("HG-INSE-008", "rsh client installed", "INSE-8300", ("rsh", "rsh-client", "rsh-redone-client"))
_package_check("HG-INSE-009", "rsh server installed", "INSE-8304", ("rsh-server", "rsh-redone-server"), severity="high")
_package_check("HG-INSE-010", "telnet client installed (inventory)", "INSE-8310", ("telnet",), flag=False)
_package_check("HG-INSE-011", "telnet server installed", "INSE-8322", ("telnetd", "telnet-server"), severity="high")
_package_check("HG-INSE-012", "NIS client installed", "INSE-8314", ("nis", "ypbind"))
_package_check("HG-INSE-013", "NIS server installed", "INSE-8316", ("nis", "ypserv"))
_package_check("HG-INSE-014", "TFTP client installed", "INSE-8318", ("atftp", "tftp", "tftp-hpa"), severity="low")
_package_check("HG-INSE-015", "TFTP server installed", "INSE-8320", ("atftpd", "tftpd", "tftp-server", "tftpd-hpa"))


def audit(params):
    return run_evaluators(EVALUATORS, Host(params["root"]))
