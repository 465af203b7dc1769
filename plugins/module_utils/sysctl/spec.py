# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options of area `sysctl` (AnsibleModule argument_spec format, plain data, no `root`) and its
CheckSet; each check is defined in the topic file that evaluates it (baseline_checks.py,
drift_checks.py, config_checks.py)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import CheckSet

OPTIONS = dict(
    baseline=dict(type="dict", default={}),
    baseline_replace=dict(type="bool", default=False),
    cluster_failover_node=dict(type="bool", default=False),
    loader=dict(type="str", default="systemd", choices=["systemd", "procps"]),
    check_drift=dict(type="bool", default=True),
    report_pass=dict(type="bool", default=True),
)

CHECKS = CheckSet("sysctl", "HG-SYSCTL")
