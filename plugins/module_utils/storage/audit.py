# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `storage`: removable storage drivers, as Lynis's tests_storage sees them."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import area_result
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host
from ansible_collections.hostguard.hardening.plugins.module_utils.storage.modules import storage_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.storage.nfs import nfs_findings


def audit(params):
    findings = storage_findings(params) + nfs_findings(Host(params.get("root", "/")))
    return area_result(findings, {})
