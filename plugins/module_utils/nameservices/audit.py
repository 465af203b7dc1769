# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `nameservices`: name resolution, as Lynis's tests_nameservices sees it."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import area_result
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host
from ansible_collections.hostguard.hardening.plugins.module_utils.nameservices.hosts import hosts_file_findings, name_finding
from ansible_collections.hostguard.hardening.plugins.module_utils.nameservices.resolver import (
    daemon_findings, domain_name_finding, resolv_findings)


def audit(params):
    host = Host(params.get("root", "/"))
    findings = [name_finding(params)] + hosts_file_findings(params) + resolv_findings(host)
    return area_result(findings + [domain_name_finding(host)] + daemon_findings(host), {})
