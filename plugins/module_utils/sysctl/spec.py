# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options of area `sysctl` (AnsibleModule argument_spec format, plain data, no `root`)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

OPTIONS = dict(
    baseline=dict(type="dict", default={}),
    baseline_replace=dict(type="bool", default=False),
    cluster_failover_node=dict(type="bool", default=False),
    loader=dict(type="str", default="systemd", choices=["systemd", "procps"]),
    check_drift=dict(type="bool", default=True),
    report_pass=dict(type="bool", default=True),
)
