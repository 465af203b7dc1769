# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""TOOL: configuration management, Fail2ban, Snort, Suricata, OSSEC and IDS/IPS presence
(Lynis include/tests_tooling)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    define_file_inventory, Host, find_presence, present, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.tooling.spec import CHECKS

ANSIBLE_ARTIFACTS = ("/etc/ansible", "/root/.ansible", "/tmp/.ansible", "/var/log/ansible.log")
AUTOMATION = dict(binaries=("cf-agent", "chef-client", "erchef", "puppet", "salt-minion", "salt-master"),
                  processes=("cf-serverd", "cf-server"), files=ANSIBLE_ARTIFACTS + ("/opt/puppetlabs/puppet/bin/puppet",
                                                                                    "/var/cfengine/bin/cf-agent",
                                                                                    "/opt/chef/bin/chef-client"))


def note_ids(host, tool, found):
    """Count ``tool`` for the IDS/IPS summary (HG-TOOL-008) when it was ``found``."""
    if found:
        host.cache.setdefault("ids", []).append(tool)


@CHECKS.check("HG-TOOL-001", "low", "no configuration management tool found (Ansible, CFEngine, Chef, Puppet, Salt)", lynis="TOOL-5002",
              reads=", ".join(AUTOMATION["files"]) + ", " + ", ".join(AUTOMATION["binaries"]),
              remediation="Manage the host with a configuration management tool (hostguard is an Ansible collection).")
def check_automation(check, host):
    found = find_presence(host, **AUTOMATION)
    return verdict(check, "automation", not present(found), dict((k, v) for k, v in found.items() if v))


def fail2ban_config(host):
    for path in ("/etc/fail2ban/jail.local", "/etc/fail2ban/jail.conf"):
        if host.is_file(path):
            return path
    return None


@CHECKS.info("HG-TOOL-002", "Fail2ban installed", "TOOL-5102", "fail2ban-server, /etc/fail2ban/jail.{local,conf}")
def check_fail2ban(check, host):
    binary = host.which("fail2ban-server")
    note_ids(host, "fail2ban", binary)
    return check.passed("fail2ban", {"binary": binary, "config": fail2ban_config(host)})


@CHECKS.check("HG-TOOL-003", "medium", "every Fail2ban jail is disabled", lynis="TOOL-5104",
              reads="/etc/fail2ban/jail.conf, jail.local, jail.d/*.{conf,local}",
              remediation="Enable at least the sshd jail (enabled = true in /etc/fail2ban/jail.d/).")
def check_fail2ban_jails(check, host):
    if not (host.which("fail2ban-server") and fail2ban_config(host) and host.which("fail2ban-client")):
        return check.skip("fail2ban", "Fail2ban is not installed with a configuration (Lynis skips too)")
    files = ["/etc/fail2ban/jail.conf"] + sorted(host.glob_files("/etc/fail2ban/jail.d", ".conf")) + \
        ["/etc/fail2ban/jail.local"] + sorted(host.glob_files("/etc/fail2ban/jail.d", ".local"))
    enabled, section, default = {}, None, False
    for path in files:
        for line in host.config_lines(path):
            if line.startswith("["):
                section = line.strip("[]").strip()
                continue
            match = re.match(r"enabled\s*=\s*(\S+)", line)
            if match and section:
                value = match.group(1).lower() in ("true", "yes", "1", "on")
                if section == "DEFAULT":
                    default = value
                else:
                    enabled[section] = value
    active = sorted(n for n, v in enabled.items() if v) or (["(DEFAULT)"] if default and enabled else [])
    return verdict(check, fail2ban_config(host), not active, {"enabled_jails": active})


@CHECKS.info("HG-TOOL-004", "Snort installed or running", "TOOL-5120", "snort")
def check_snort(check, host):
    found = find_presence(host, binaries=("snort",), processes=("snort",))
    note_ids(host, "snort", present(found))
    return check.passed("snort", dict((k, v) for k, v in found.items() if v) or {"present": False})


SNORT_CONFIG = define_file_inventory(CHECKS, "HG-TOOL-005", "Snort configuration file", "TOOL-5122",
                                     "/etc/snort/snort.conf")


@CHECKS.info("HG-TOOL-006", "Suricata running", "TOOL-5130", "process Suricata-Main")
def check_suricata(check, host):
    running = bool(host.running("Suricata-Main", "suricata"))
    note_ids(host, "suricata", running)
    return check.passed("suricata", {"running": running})


@CHECKS.info("HG-TOOL-007", "OSSEC/Wazuh running", "TOOL-5126", "processes ossec-*, wazuh-*")
def check_ossec(check, host):
    running = sorted(set(p["comm"] for p in host.processes() if p["comm"].startswith(("ossec-", "wazuh-"))))
    note_ids(host, "ossec", running)
    return check.passed("ossec", {"running": running})


@CHECKS.info("HG-TOOL-008", "IDS/IPS tool present (summary)", "TOOL-5190", "the TOOL checks above")
def check_ids(check, host):
    return check.passed("ids", {"found": host.cache.get("ids", [])})


def audit(params):
    return run_evaluators(CHECKS, Host(params["root"]))
