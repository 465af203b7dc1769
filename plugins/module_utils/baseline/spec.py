# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options of area `baseline` (AnsibleModule argument_spec format, plain data, no `root`)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.baseline import sshd as sshd_cfg

OPTIONS = dict(
    ssh_expectations=dict(type="dict", default={}),
    use_sshd_t=dict(type="bool", default=True),
    sshd_config=dict(type="str", default="/etc/ssh/sshd_config"),
    command_timeout=dict(type="float", default=10),
    pass_max_days_limit=dict(type="int", no_log=False),
    separate_mounts=dict(type="list", elements="str", default=["/home", "/tmp", "/var"]),
    skip=dict(type="list", elements="str", default=[],
              choices=["ssh", "auth", "file", "storage", "name", "mail", "firewall"]),
)


def check_params(params):
    try:
        for name, value in (params.get("ssh_expectations") or {}).items():
            sshd_cfg.expectations({name: value})
    except ValueError as exc:
        return ["bad ssh_expectations: %s" % exc]
    return []
