# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ACCT: process accounting, sysstat, auditd (running, rules, configuration, log), Snoopy
(Lynis include/tests_accounting). auditd rules are read from /etc/audit/rules.d and
audit.rules instead of auditctl -l."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    Evaluators, Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.accounting.spec import CHECKS

EVALUATORS = Evaluators()
ROLE = "baseline_hardening"
PACCT = ("/var/account/pacct", "/var/log/account/pacct", "/var/log/pacct")

PROCESS_ACCOUNTING = CHECKS.define("HG-ACCT-001", "process accounting not enabled", "low", reads=", ".join(PACCT),
                                   remediation="apt-get install acct (enables /var/log/account/pacct).",
                                   references={"lynis": "ACCT-9622"}, role=ROLE)


@EVALUATORS(PROCESS_ACCOUNTING)
def check_process_accounting(host):
    found = [p for p in PACCT if host.is_file(p)]
    return verdict(PROCESS_ACCOUNTING, "pacct", not found, {"pacct": found})


SYSSTAT = CHECKS.define("HG-ACCT-002", "sysstat accounting not collecting", "low",
                        reads="/etc/default/sysstat, /etc/cron.d/sysstat, sysstat.service",
                        remediation="apt-get install sysstat; ENABLED=\"true\" in /etc/default/sysstat.",
                        references={"lynis": "ACCT-9626"})


@EVALUATORS(SYSSTAT)
def check_sysstat(host):
    # Lynis: the first of these that exists decides
    if host.is_file("/etc/default/sysstat"):
        enabled = any(l.startswith("ENABLED") and "true" in l.lower() for l in host.config_lines("/etc/default/sysstat"))
        return verdict(SYSSTAT, "/etc/default/sysstat", not enabled, {"enabled": enabled})
    if host.is_file("/etc/cron.d/sysstat"):
        lines = host.config_lines("/etc/cron.d/sysstat")
        return verdict(SYSSTAT, "/etc/cron.d/sysstat", not lines, {"cron_lines": len(lines)})
    if host.is_file("/lib/systemd/system/sysstat.service") or host.is_file("/etc/systemd/system/sysstat.service"):
        enabled = bool(host.lstat("/etc/systemd/system/multi-user.target.wants/sysstat.service"))
        return verdict(SYSSTAT, "sysstat.service", not enabled, {"enabled": enabled})
    return SYSSTAT.fail("sysstat", {"installed": False})


AUDITD = CHECKS.define("HG-ACCT-003", "auditd not running", "medium", reads="/proc/*/comm",
                       remediation="apt-get install auditd; systemctl enable --now auditd.",
                       references={"lynis": "ACCT-9628", "cis": "4.1.1"})


@EVALUATORS(AUDITD)
def check_auditd(host):
    return verdict(AUDITD, "auditd", not host.running("auditd"), {"binary": host.which("auditd")})


def audit_rules(host):
    rules = []
    files = host.glob_files("/etc/audit/rules.d", ".rules") or ["/etc/audit/audit.rules"]
    for path in files:
        rules += [l for l in host.config_lines(path) if l.startswith(("-a", "-w", "-A"))]
    return rules


AUDIT_RULES = CHECKS.define("HG-ACCT-004", "auditd runs with an empty rule set", "medium",
                            reads="/etc/audit/rules.d/*.rules, /etc/audit/audit.rules",
                            remediation="Add audit rules (e.g. the CIS set) to /etc/audit/rules.d/ and augenrules --load.",
                            references={"lynis": "ACCT-9630"})


@EVALUATORS(AUDIT_RULES)
def check_audit_rules(host):
    if not host.running("auditd") or not host.which("auditctl"):
        return AUDIT_RULES.skip("auditd", "auditd is not running (Lynis skips too)")
    rules = audit_rules(host)
    return verdict(AUDIT_RULES, "/etc/audit/rules.d", not rules, {"rules": len(rules)})


def auditd_conf(host):
    for path in ("/etc/audit/auditd.conf", "/etc/auditd.conf"):
        if host.is_file(path):
            return path
    return None


AUDIT_CONF = CHECKS.define("HG-ACCT-005", "auditd configuration file not found", "low",
                           reads="/etc/audit/auditd.conf, /etc/auditd.conf",
                           remediation="Reinstall auditd (ships /etc/audit/auditd.conf).", references={"lynis": "ACCT-9632"})


@EVALUATORS(AUDIT_CONF)
def check_audit_conf(host):
    if not host.running("auditd"):
        return AUDIT_CONF.skip("auditd", "auditd is not running (Lynis skips too)")
    conf = auditd_conf(host)
    return verdict(AUDIT_CONF, conf or "auditd.conf", conf is None, {"config": conf})


AUDIT_LOG = CHECKS.define("HG-ACCT-006", "auditd log file defined but missing", "low", reads="auditd.conf log_file",
                          remediation="Check log_file= in auditd.conf and that auditd can write it.",
                          references={"lynis": "ACCT-9634"})


@EVALUATORS(AUDIT_LOG)
def check_audit_log(host):
    conf = auditd_conf(host) if host.running("auditd") else None
    if not conf:
        return AUDIT_LOG.skip("auditd", "auditd is not running with a configuration (Lynis skips too)")
    log = "/var/log/audit/audit.log"
    for line in host.config_lines(conf):
        key, _sep, value = line.partition("=")
        if key.strip() == "log_file":
            log = value.strip()
    return verdict(AUDIT_LOG, log, not host.is_file(log), {"log_file": log})


SNOOPY = CHECKS.define("HG-ACCT-007", "Snoopy installed but not loaded via /etc/ld.so.preload", "low",
                       reads="/lib/snoopy.so, /etc/ld.so.preload", remediation="Add /lib/snoopy.so to /etc/ld.so.preload (snoopy-enable).",
                       references={"lynis": "ACCT-9636"})


@EVALUATORS(SNOOPY)
def check_snoopy(host):
    if not host.is_file("/lib/snoopy.so"):
        return SNOOPY.passed("/lib/snoopy.so", {"installed": False})
    loaded = any("/lib/snoopy.so" in l for l in host.config_lines("/etc/ld.so.preload"))
    return verdict(SNOOPY, "/etc/ld.so.preload", not loaded, {"installed": True, "preloaded": loaded})


def audit(params):
    return run_evaluators(EVALUATORS, Host(params["root"]))
