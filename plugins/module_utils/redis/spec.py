# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options of area `redis` (AnsibleModule argument_spec format, plain data, no `root`) and its
CheckSet; each check is defined in the file that evaluates it (config_checks.py,
instance_checks.py, drift_checks.py, unit_checks.py, probe.py)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import CheckSet

OPTIONS = dict(
    proc=dict(type="path", default="/proc"),
    probe=dict(type="bool", default=True),
    endpoints=dict(type="list", elements="str", default=[]),
    password=dict(type="str", no_log=True),
    username=dict(type="str"),
    timeout=dict(type="float", default=2.0),
    max_reply_bytes=dict(type="int", default=1048576),
    config_paths=dict(type="list", elements="path", default=[]),
)


CHECKS = CheckSet("redis", "HG-REDIS")


def check_params(params):
    errors = []
    if params["timeout"] <= 0:
        errors.append("timeout must be positive")
    if params["max_reply_bytes"] < 1024:
        errors.append("max_reply_bytes must be at least 1024")
    return errors
