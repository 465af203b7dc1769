# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters over hostguard_remediation (set by hostguard.hardening.remediation_result):
the per-host summary lines and the host's verdict. Logic: plugins/plugin_utils/remediation.py."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.plugin_utils import remediation
from ansible_collections.hostguard.hardening.plugins.plugin_utils.filters import filter_module


def remediation_summary(results):
    return remediation.summary_lines(results or {})


def remediation_verdict(results, strict=False):
    return remediation.host_verdict(results or {}, strict=bool(strict)) or ""


FilterModule = filter_module(remediation_summary, remediation_verdict)
