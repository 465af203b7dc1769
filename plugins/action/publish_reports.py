# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin: runs on the controller only (no module is sent to any host).

Reads the per-host JSON reports of this run, validates them, writes JSON + JUnit + HTML per
host and the fleet summary under <report_dir>/runs/<run id>/, applies retention and returns
the gate decision (it does not fail on the gate itself; roles/report fails the play after
every file is written). Documentation: plugins/modules/publish_reports.py.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.hostguard.hardening.plugins.plugin_utils import gating
from ansible_collections.hostguard.hardening.plugins.plugin_utils import publish
from ansible_collections.hostguard.hardening.plugins.plugin_utils.action_base import ValidatedAction

ARGUMENT_SPEC = {
    "report_dir": {"type": "path", "required": True},
    "hosts": {"type": "list", "elements": "str", "default": []},
    "fail_on": {"type": "str", "default": "never"},
    "fail_on_invalid": {"type": "bool", "default": True},
    "keep_runs": {"type": "int", "default": 30},
    "validate": {"type": "bool", "default": True},
    "summary_top": {"type": "int", "default": 0},
}


class ActionModule(ValidatedAction):
    ARGS = ARGUMENT_SPEC
    _requires_connection = False

    def run_validated(self, result, args, task_vars):
        try:
            gating.normalize_fail_on(args["fail_on"])
        except ValueError as exc:
            raise AnsibleActionFail(to_text(exc))
        try:
            out = publish.publish(args["report_dir"], hosts=args["hosts"], fail_on=args["fail_on"],
                                  keep_runs=args["keep_runs"], validate=args["validate"],
                                  fail_on_invalid=args["fail_on_invalid"],
                                  check_mode=bool(self._task.check_mode), summary_top=args["summary_top"])
        except publish.PublishError as exc:
            raise AnsibleActionFail(to_text(exc))
        except (OSError, ValueError) as exc:
            raise AnsibleActionFail("publishing reports under %s failed: %s" % (args["report_dir"], to_text(exc)))
        for warning in out.pop("warnings", []):
            self._display.warning(warning)
        result.update(out)
        result["changed"] = True
        return result
