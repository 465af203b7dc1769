# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and checks of area `ssh` (HG-SSH, Lynis category SSH)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import CheckSet
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.lynis_table import expectations

OPTIONS = dict(
    ssh_expectations=dict(type="dict", default={}),
    use_sshd_t=dict(type="bool", default=True),
    sshd_config=dict(type="str", default="/etc/ssh/sshd_config"),
    command_timeout=dict(type="float", default=10),
)

CHECKS = CheckSet(area="ssh", prefix="HG-SSH")


def check_params(params):
    errors = []
    try:
        for name, value in (params.get("ssh_expectations") or {}).items():
            expectations({name: value})
    except ValueError as exc:
        errors.append("bad ssh_expectations: %s" % exc)
    if params.get("command_timeout") is not None and params["command_timeout"] <= 0:
        errors.append("command_timeout must be positive")
    return errors
