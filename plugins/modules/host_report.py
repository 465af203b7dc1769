#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation for the host_report action plugin (audit round trip + controller-side report)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: host_report
short_description: Audit a host in one round trip and write its report on the controller
version_added: "0.1.0"
description:
  - Action plugin. Runs M(hostguard.hardening.host_audit) on the host (the only round trip),
    then, in the controller process, builds the report (the same function as the
    C(hostguard.hardening.hostguard_report) filter) and writes C(<report_dir>/<host>.json).
    No per-host C(set_fact), C(file) or C(copy) task is needed.
  - An unreachable host, or an audit that fails, writes
    C(<report_dir>/.hosts-state/<host>.json) with state C(unreachable) or C(failed) and the
    message, and removes a report left by an earlier run; M(hostguard.hardening.publish_reports)
    lists such a host with that state. The task itself still fails (or is unreachable).
  - With O(result), no module is run; the given C(host_audit) result (for example from an
    C(async) task) is turned into the report.
options:
  areas:
    description: Passed to M(hostguard.hardening.host_audit).
    type: list
    elements: str
    default: []
  root:
    description: Passed to M(hostguard.hardening.host_audit).
    type: path
    default: /
  area_timeout:
    description: Passed to M(hostguard.hardening.host_audit).
    type: int
    default: 300
  options:
    description: Passed to M(hostguard.hardening.host_audit) (per-area options keyed by area).
    type: dict
    default: {}
  result:
    description:
      - A registered C(host_audit) result to report instead of running the module (async runs).
        A failed or unreachable result is recorded as the host's state.
    type: dict
  waivers:
    description: Waiver entries from the inventory (C(docs/waivers.md)); recorded with source C(inventory).
    type: list
    elements: dict
    default: []
  waivers_file:
    description: Controller path of a YAML waiver file (C(waivers) and C(severity_overrides)); empty for none.
    type: path
    default: ""
  severity_overrides:
    description: "{check ID: severity}, applied after the file's."
    type: dict
    default: {}
  report_dir:
    description: Controller directory of this run's per-host reports.
    type: path
    required: true
  write_report:
    description: Write the report (and state) files; false only returns the summary.
    type: bool
    default: true
  report_mode:
    description: Octal mode of the files written.
    type: raw
    default: "0640"
  summary_top:
    description: Failing findings listed in RV(msg).
    type: int
    default: 10
attributes:
  check_mode:
    support: full
    description: The audit is read-only; the report is written on the controller in check mode too.
  diff_mode:
    support: none
    description: The report is written whole; there is no diff.
  platform:
    support: full
    platforms: posix
    description: The audit runs on the target; the report is built and written on the controller (action plugin).
seealso:
  - module: hostguard.hardening.host_audit
  - module: hostguard.hardening.publish_reports
author:
  - hostguard engineers (@hostguard)
"""

EXAMPLES = r"""
- name: Audit and write reports/<host>.json
  hostguard.hardening.host_report:
    report_dir: reports
    areas: [cron, redis]
"""

RETURN = r"""
msg:
  description: The summary (counts, top failing findings, errors) and the report path.
  returned: success
  type: str
summary:
  description: The report's summary (counts by status and severity, worst severity, hardening index).
  returned: success
  type: dict
report_path:
  description: Path of the report written on the controller.
  returned: success and O(write_report)
  type: str
areas:
  description: Areas run.
  returned: success
  type: list
  elements: str
timings:
  description: Seconds per area on the target.
  returned: success
  type: dict
"""
