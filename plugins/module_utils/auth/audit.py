# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `auth`: authentication and accounts, as Lynis's tests_authentication sees them."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import area_result
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.accounts import check_groups, check_passwd, check_shadow
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.consistency import consistency_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.login_defs import login_defs_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.pam import check_pam_strength
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.pam_syntax import pam_line_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.profile_umask import profile_umask_finding
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.inventory import inventory_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.nsswitch import nsswitch_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.single_user import single_user_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.sudoers import sudoers_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host


def auth_findings(options):
    findings = login_defs_findings(options)
    root = options.get("root", "/")
    findings.append(profile_umask_finding(root))
    findings.extend(check_passwd(root))
    findings.extend(check_groups(root))
    findings.extend(check_shadow(root))
    findings.append(check_pam_strength(root))
    findings.extend(pam_line_findings(root))
    host = Host(root)
    findings.extend(sudoers_findings(root))
    findings.extend(inventory_findings(host))
    findings.extend(single_user_findings(host))
    findings.extend(nsswitch_findings(host))
    findings.extend(consistency_findings(host))
    return findings


def audit(params):
    return area_result(auth_findings(params), {})
