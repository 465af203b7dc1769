# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin: one host_audit round trip, then the host's report built and written on the
controller in the same task (no set_fact/file/copy tasks per host). An unreachable host or a
failed audit leaves a state file instead, so the fleet report shows it as such.
Documentation: plugins/modules/host_report.py."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail, AnsibleConnectionFailure
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.hostguard.hardening.plugins.plugin_utils import host_files
from ansible_collections.hostguard.hardening.plugins.plugin_utils.action_base import ValidatedAction
from ansible_collections.hostguard.hardening.plugins.plugin_utils.report import build_report, summary_lines

MODULE = "hostguard.hardening.host_audit"
ARGUMENT_SPEC = {
    "areas": {"type": "list", "elements": "str", "default": []},
    "root": {"type": "path", "default": "/"},
    "area_timeout": {"type": "int", "default": 300},
    "options": {"type": "dict", "default": {}},
    "result": {"type": "dict"},
    "waivers": {"type": "list", "elements": "dict", "default": []},
    "waivers_file": {"type": "path", "default": ""},
    "severity_overrides": {"type": "dict", "default": {}},
    "report_dir": {"type": "path", "required": True},
    "write_report": {"type": "bool", "default": True},
    "report_mode": {"type": "raw", "default": "0640"},
    "summary_top": {"type": "int", "default": 10},
}


def _waiver_rules(inventory, path, overrides, loader):
    """The waivers of the inventory (source: inventory) and of the controller file (source: its
    path), and the severity overrides (the file's, then the inventory's), as the report wants."""
    waivers = [dict(w, source="inventory") for w in inventory or []]
    severities = {}
    if path:
        data = loader.load_from_file(path) or {}
        if not isinstance(data, dict):
            raise AnsibleActionFail("%s: a waiver file holds a mapping with waivers: and severity_overrides:" % path)
        waivers += [dict(w, source=path) for w in data.get("waivers") or [] if isinstance(w, dict)]
        severities.update(data.get("severity_overrides") or {})
    severities.update(overrides or {})
    return waivers, severities


def _mode(value):
    if isinstance(value, int):
        return value
    return int(str(value), 8)


class ActionModule(ValidatedAction):
    ARGS = ARGUMENT_SPEC

    def run_validated(self, result, args, task_vars):
        host = to_text(task_vars.get("inventory_hostname", self._play_context.remote_addr))
        try:
            mode = _mode(args["report_mode"])
        except ValueError:
            raise AnsibleActionFail("report_mode must be an octal mode such as 0640")

        def record(state, message):
            if args["write_report"]:
                host_files.write_state(args["report_dir"], host, state, message, mode)

        audit = args["result"]
        if audit is None:
            module_args = dict((k, args[k]) for k in ("areas", "root", "area_timeout", "options"))
            try:
                audit = self._execute_module(module_name=MODULE, module_args=module_args, task_vars=task_vars)
            except AnsibleConnectionFailure as exc:
                record("unreachable", to_text(exc))
                raise
            self._remove_tmp_path(self._connection._shell.tmpdir)
        if audit.get("unreachable"):
            record("unreachable", audit.get("msg", "unreachable"))
            return dict(audit)
        if audit.get("failed") or "findings" not in audit:
            record("failed", audit.get("msg") or "host_audit returned no findings")
            out = dict(audit)
            out["failed"] = True
            out.setdefault("msg", "host_audit returned no findings")
            return out

        waivers, severities = _waiver_rules(args["waivers"], args["waivers_file"], args["severity_overrides"],
                                            self._loader)
        report = build_report(audit, host=host, waivers=waivers or None, severity_overrides=severities or None)
        result["changed"] = False
        result["summary"] = report["summary"]
        result["areas"] = report["areas"]
        result["timings"] = report["timings"]
        lines = summary_lines(report, top=args["summary_top"])
        if args["write_report"]:
            path = host_files.write_report(args["report_dir"], host, report, mode)
            result["report_path"] = path
            lines.append("report: " + path)
        result["msg"] = "\n".join(lines)
        return result
