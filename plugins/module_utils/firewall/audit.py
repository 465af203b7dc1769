# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `firewall`: packet filters, as Lynis's tests_firewalls sees them."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import area_result
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host
from ansible_collections.hostguard.hardening.plugins.module_utils.firewall.presence import presence_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.firewall.rules import firewall_findings


def audit(params):
    findings = firewall_findings(params) + presence_findings(Host(params.get("root", "/")))
    return area_result(findings, {})
