# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin: records one remediation role's result on the controller (no module is sent
to the host) as the fact hostguard_remediation, and fails in strict mode when the role refused.
Documentation: plugins/modules/remediation_result.py."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.hostguard.hardening.plugins.plugin_utils import remediation
from ansible_collections.hostguard.hardening.plugins.plugin_utils.action_base import ValidatedAction

ARGUMENT_SPEC = {
    "role": {"type": "str", "required": True},
    "changes": {"type": "list", "elements": "raw", "default": []},
    "refusals": {"type": "list", "elements": "raw", "default": []},
    "failure": {"type": "str", "default": ""},
    "strict": {"type": "bool", "default": False},
}


class ActionModule(ValidatedAction):
    ARGS = ARGUMENT_SPEC
    _requires_connection = False

    def run_validated(self, result, args, task_vars):
        refusals = [to_text(r) for r in args["refusals"] if r]
        res = remediation.role_result(args["changes"], refusals, failure=args["failure"],
                                      check_mode=bool(self._task.check_mode))
        merged = remediation.merge(task_vars.get("hostguard_remediation"), args["role"], res)
        result["ansible_facts"] = {"hostguard_remediation": merged}
        result["changed"] = False
        result["remediation"] = merged[args["role"]]
        result["msg"] = remediation.summary_lines({args["role"]: merged[args["role"]]})[0]
        if args["strict"] and res["status"] == "refused":
            result["failed"] = True
            result["msg"] = "hostguard_remediate_strict: " + result["msg"]
        return result
