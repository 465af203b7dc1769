# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `ssh`: the effective sshd configuration graded as Lynis's tests_ssh grades it."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import area_result
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.algorithms import check_algorithms
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.collect import openssh_version, ssh_effective
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.config_validity import (
    check_sshd_accepts, check_tree_read)
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.inventory import ssh_inventory_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.options_7408 import ssh_option_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host


def ssh_findings(options):
    """(findings, facts) of the SSH area for ``options`` (root, sshd_config, use_sshd_t...)."""
    eff = ssh_effective(options)
    version, version_source = openssh_version(options) if eff["found"] else (None, None)
    findings = ssh_option_findings(eff, options.get("ssh_expectations"), version)
    findings.append(check_sshd_accepts(eff, options.get("root", "/")))
    findings.append(check_tree_read(eff))
    findings.append(check_algorithms(eff))
    findings.extend(ssh_inventory_findings(Host(options.get("root", "/")), eff, version))
    facts = {"ssh_source": eff["source"], "ssh_files": eff.get("files", []),
             "openssh_version": ".".join(str(v) for v in version) if version else None,
             "openssh_version_source": version_source,
             "crypto_policy": eff.get("crypto_policy")}
    return findings, facts


def audit(params):
    findings, facts = ssh_findings(params)
    return area_result(findings, facts)
