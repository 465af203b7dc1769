# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `mail`: mail transfer agents, as Lynis's tests_mail_messaging sees them."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import area_result
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host
from ansible_collections.hostguard.hardening.plugins.module_utils.mail.banner import mail_finding
from ansible_collections.hostguard.hardening.plugins.module_utils.mail.daemons import daemon_findings, postconf_warning_finding


def audit(params):
    host = Host(params.get("root", "/"))
    return area_result([mail_finding(params)] + daemon_findings(host) + [postconf_warning_finding(host)], {})
