# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `auth`: authentication and accounts, as Lynis's tests_authentication sees them."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import area_result
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.login_defs import login_defs_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.profile_umask import profile_umask_finding


def auth_findings(options):
    findings = login_defs_findings(options)
    findings.append(profile_umask_finding(options.get("root", "/")))
    return findings


def audit(params):
    return area_result(auth_findings(params), {})
