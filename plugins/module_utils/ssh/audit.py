# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `ssh`: the effective sshd configuration graded as Lynis's tests_ssh grades it."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import area_result
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.collect import ssh_effective
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.options_7408 import ssh_option_findings


def ssh_findings(options):
    """(findings, facts) of the SSH area for ``options`` (root, sshd_config, use_sshd_t...)."""
    eff = ssh_effective(options)
    findings = ssh_option_findings(eff, options.get("ssh_expectations"))
    return findings, {"ssh_source": eff["source"], "ssh_files": eff.get("files", [])}


def audit(params):
    findings, facts = ssh_findings(params)
    return area_result(findings, facts)
