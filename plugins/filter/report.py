# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side filters that turn a host_audit result into the per-host report.

The logic lives in plugins/module_utils/report.py (pure functions); these are thin wrappers.
Documentation: hostguard_report.yml and hostguard_report_summary.yml next to this file.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.hostguard.hardening.plugins.plugin_utils.report import (
    build_report, summary_lines)
from ansible_collections.hostguard.hardening.plugins.plugin_utils.filters import filter_module


def hostguard_report(result, host, generated_at=None, waivers=None, severity_overrides=None):
    if not isinstance(result, dict):
        raise AnsibleFilterError("hostguard_report expects the registered result of "
                                 "hostguard.hardening.host_audit (a dict), got %s"
                                 % type(result).__name__)
    if waivers is not None and not isinstance(waivers, list):
        raise AnsibleFilterError("hostguard_report: waivers must be a list of waiver entries")
    if severity_overrides is not None and not isinstance(severity_overrides, dict):
        raise AnsibleFilterError("hostguard_report: severity_overrides must be a dict {check ID: severity}")
    return build_report(result, host=str(host), generated_at=generated_at, waivers=waivers,
                        severity_overrides=severity_overrides)


def hostguard_report_summary(report, top=10):
    if not isinstance(report, dict):
        raise AnsibleFilterError("hostguard_report_summary expects a report (a dict)")
    return summary_lines(report, top=int(top))


FilterModule = filter_module(hostguard_report, hostguard_report_summary)
