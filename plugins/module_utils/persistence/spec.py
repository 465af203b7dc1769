# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and check set of area `persistence` (AnsibleModule argument_spec format, no `root`).

The checks themselves are defined next to the code that evaluates them (systemd.py, atjobs.py,
sshkeys.py, hooks.py, files.py)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import CheckSet
from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import scan_options

CHECKS = CheckSet(area="persistence", prefix="HG-PERS")

OPTIONS = dict(
    scan_options(max_entries=20000),
    max_users=dict(type="int", default=5000),
    max_inventory=dict(type="int", default=2000),
    max_findings_per_check=dict(type="int", default=200),
    max_package_db_bytes=dict(type="int", default=268435456),
    recent_days=dict(type="int", default=7),
    nopasswd_allowed=dict(type="list", elements="str", default=[], no_log=False),
    sections=dict(type="list", elements="str",
                  default=["systemd", "at", "ssh_keys", "hooks"],
                  choices=["systemd", "at", "ssh_keys", "hooks"]),
)


def check_params(params):
    errors = []
    for name in ("max_read_bytes", "max_file_size", "max_line_bytes", "max_entries", "max_users",
                 "max_inventory", "max_findings_per_check", "max_package_db_bytes"):
        if params.get(name) is not None and params[name] <= 0:
            errors.append("%s must be positive" % name)
    if params.get("recent_days") is not None and params["recent_days"] < 0:
        errors.append("recent_days must be >= 0")
    return errors
