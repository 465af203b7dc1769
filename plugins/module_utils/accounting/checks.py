# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ACCT: process accounting, sysstat, auditd (running, rules, configuration, log), Snoopy
(Lynis include/tests_accounting). auditd rules are read from /etc/audit/rules.d and
audit.rules instead of auditctl -l."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    skip_unless, Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.accounting.spec import CHECKS

ROLE = "baseline_hardening"
PACCT = ("/var/account/pacct", "/var/log/account/pacct", "/var/log/pacct")


@CHECKS.check("HG-ACCT-001", "low", "process accounting not enabled", lynis="ACCT-9622", reads=", ".join(PACCT),
              remediation="apt-get install acct (enables /var/log/account/pacct).", role=ROLE)
def check_process_accounting(check, host):
    found = [p for p in PACCT if host.is_file(p)]
    return verdict(check, "pacct", not found, {"pacct": found})


@CHECKS.check("HG-ACCT-002", "low", "sysstat accounting not collecting", lynis="ACCT-9626",
              reads="/etc/default/sysstat, /etc/cron.d/sysstat, sysstat.service",
              remediation="apt-get install sysstat; ENABLED=\"true\" in /etc/default/sysstat.")
def check_sysstat(check, host):
    # Lynis: the first of these that exists decides
    if host.is_file("/etc/default/sysstat"):
        enabled = any(l.startswith("ENABLED") and "true" in l.lower() for l in host.config_lines("/etc/default/sysstat"))
        return verdict(check, "/etc/default/sysstat", not enabled, {"enabled": enabled})
    if host.is_file("/etc/cron.d/sysstat"):
        lines = host.config_lines("/etc/cron.d/sysstat")
        return verdict(check, "/etc/cron.d/sysstat", not lines, {"cron_lines": len(lines)})
    if host.is_file("/lib/systemd/system/sysstat.service") or host.is_file("/etc/systemd/system/sysstat.service"):
        enabled = bool(host.lstat("/etc/systemd/system/multi-user.target.wants/sysstat.service"))
        return verdict(check, "sysstat.service", not enabled, {"enabled": enabled})
    return check.fail("sysstat", {"installed": False})


@CHECKS.check("HG-ACCT-003", "medium", "auditd not running", lynis="ACCT-9628", cis="4.1.1", reads="/proc/*/comm",
              remediation="apt-get install auditd; systemctl enable --now auditd.")
def check_auditd(check, host):
    return verdict(check, "auditd", not host.running("auditd"), {"binary": host.which("auditd")})


def audit_rules(host):
    rules = []
    files = host.glob_files("/etc/audit/rules.d", ".rules") or ["/etc/audit/audit.rules"]
    for path in files:
        rules += [l for l in host.config_lines(path) if l.startswith(("-a", "-w", "-A"))]
    return rules


@CHECKS.check("HG-ACCT-004", "medium", "auditd runs with an empty rule set", lynis="ACCT-9630",
              reads="/etc/audit/rules.d/*.rules, /etc/audit/audit.rules",
              remediation="Add audit rules (e.g. the CIS set) to /etc/audit/rules.d/ and augenrules --load.")
def check_audit_rules(check, host):
    if not host.running("auditd") or not host.which("auditctl"):
        return check.skip("auditd", "auditd is not running (Lynis skips too)")
    rules = audit_rules(host)
    return verdict(check, "/etc/audit/rules.d", not rules, {"rules": len(rules)})


def auditd_conf(host):
    for path in ("/etc/audit/auditd.conf", "/etc/auditd.conf"):
        if host.is_file(path):
            return path
    return None


@CHECKS.check("HG-ACCT-005", "low", "auditd configuration file not found", lynis="ACCT-9632", reads="/etc/audit/auditd.conf, /etc/auditd.conf",
              remediation="Reinstall auditd (ships /etc/audit/auditd.conf).")
@skip_unless("auditd", "auditd is not running", running="auditd")
def check_audit_conf(check, host):
    conf = auditd_conf(host)
    return verdict(check, conf or "auditd.conf", conf is None, {"config": conf})


@CHECKS.check("HG-ACCT-006", "low", "auditd log file defined but missing", lynis="ACCT-9634", reads="auditd.conf log_file",
              remediation="Check log_file= in auditd.conf and that auditd can write it.")
def check_audit_log(check, host):
    conf = auditd_conf(host) if host.running("auditd") else None
    if not conf:
        return check.skip("auditd", "auditd is not running with a configuration (Lynis skips too)")
    log = "/var/log/audit/audit.log"
    for line in host.config_lines(conf):
        key, _sep, value = line.partition("=")
        if key.strip() == "log_file":
            log = value.strip()
    return verdict(check, log, not host.is_file(log), {"log_file": log})


@CHECKS.check("HG-ACCT-007", "low", "Snoopy installed but not loaded via /etc/ld.so.preload", lynis="ACCT-9636",
              reads="/lib/snoopy.so, /etc/ld.so.preload", remediation="Add /lib/snoopy.so to /etc/ld.so.preload (snoopy-enable).")
def check_snoopy(check, host):
    if not host.is_file("/lib/snoopy.so"):
        return check.passed("/lib/snoopy.so", {"installed": False})
    loaded = any("/lib/snoopy.so" in l for l in host.config_lines("/etc/ld.so.preload"))
    return verdict(check, "/etc/ld.so.preload", not loaded, {"installed": True, "preloaded": loaded})


def audit(params):
    return run_evaluators(CHECKS, Host(params["root"]))
