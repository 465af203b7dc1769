#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation for the publish_reports action plugin (the work happens on the controller)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: publish_reports
short_description: Render, keep and gate hostguard audit reports on the controller
version_added: "0.1.0"
description:
  - Action plugin that runs on the Ansible controller only; nothing is sent to a host.
  - Reads C(<report_dir>/<host>.json) for each host of the run, validates each against
    C(schemas/host-report.schema.json) (python C(jsonschema) on the controller).
  - Writes C(runs/<UTC run id>/hosts/<host>.json), C(.xml) (JUnit) and C(.html) (self-contained page),
    plus C(runs/<run id>/fleet.json) and C(fleet.html), updates C(runs/index.json) and the
    C(latest) symlink, and deletes the oldest runs beyond O(keep_runs).
  - Compares with the previous kept run; a finding's key is host + id + subject.
  - Returns the gate decision in RV(gate); it never fails because of findings (the caller
    fails the play after the reports are written, see the C(hostguard.hardening.report) role).
  - A missing, unreadable or schema-invalid host report never stops the run; it is listed
    with its problems and gated by O(fail_on_invalid).
options:
  report_dir:
    description: Directory holding this run's C(<host>.json) files; history goes under C(runs/).
    type: path
    required: true
  hosts:
    description:
      - Hosts of this run (usually C(ansible_play_hosts_all)). A host without a report file is
        listed as C(missing).
      - Empty means every C(*.json) file directly in O(report_dir).
    type: list
    elements: str
    default: []
  fail_on:
    description: Least severe failed-finding severity that fails the gate; C(never) disables it.
    type: str
    choices: [critical, high, medium, low, info, never]
    default: never
  fail_on_invalid:
    description: Whether a missing or invalid host report fails the gate.
    type: bool
    default: true
  keep_runs:
    description: Number of runs kept under C(runs/); older ones are deleted. 0 keeps all.
    type: int
    default: 30
  validate:
    description: Validate host reports against the JSON Schema (needs python C(jsonschema)).
    type: bool
    default: true
  summary_top:
    description: Failing findings per host listed in RV(host_lines) (0 = one line of counts per host).
    type: int
    default: 0
attributes:
  check_mode:
    support: full
    description: In check mode nothing is written; the gate and counts are still computed.
  diff_mode:
    support: none
    description: Reports are written whole; there is no diff.
  platform:
    support: full
    platforms: posix
    description: Runs on the controller only (action plugin).
notes:
  - "Runs once per play: set C(run_once: true) on the task."
author:
  - hostguard engineers (@hostguard)
"""

EXAMPLES = r"""
- name: Publish this run's reports and decide the gate
  hostguard.hardening.publish_reports:
    report_dir: /var/lib/hostguard/reports
    hosts: "{{ ansible_play_hosts_all }}"
    fail_on: high
    keep_runs: 14
  run_once: true
  register: hostguard_published

- name: Fail the play after every report is written
  ansible.builtin.fail:
    msg: "{{ hostguard_published.gate.reason }}"
  when: hostguard_published.gate.failed
  run_once: true
"""

RETURN = r"""
run_id:
  description: This run's id (UTC, C(YYYYMMDDTHHMMSSZ)).
  returned: always
  type: str
  sample: 20261122T101500Z
run_dir:
  description: Directory of this run (null in check mode).
  returned: always
  type: str
previous_run_id:
  description: The run compared with, or null for the first run.
  returned: always
  type: str
gate:
  description: Gate decision.
  returned: always
  type: dict
  contains:
    fail_on: {description: Normalized threshold., type: str, returned: always}
    failed: {description: Whether the run fails., type: bool, returned: always}
    reason: {description: Human-readable reason., type: str, returned: always}
    hosts: {description: Hosts that breached the gate., type: list, elements: str, returned: always}
totals:
  description: Fleet totals (hosts, states, failed findings by severity, hardening index min/max/mean).
  returned: always
  type: dict
new_count:
  description: Failed findings new since the previous run.
  returned: always
  type: int
resolved_count:
  description: Failed findings of the previous run that no longer fail.
  returned: always
  type: int
invalid_hosts:
  description: Hosts without a valid report, with their problems.
  returned: always
  type: dict
removed_runs:
  description: Run ids deleted by retention.
  returned: always
  type: list
  elements: str
unavailable_hosts:
  description: Hosts recorded as C(unreachable) or C(failed) by M(hostguard.hardening.host_report), with that state.
  returned: always
  type: dict
host_lines:
  description:
    - The run's summary for printing, per host its line of counts and O(summary_top) failing
      findings, or its state (C(UNREACHABLE), C(FAILED), C(MISSING), C(INVALID)) and why.
  returned: always
  type: list
  elements: str
fleet_html:
  description: Path of the fleet HTML page.
  returned: when not in check mode
  type: str
fleet_json:
  description: Path of the fleet JSON summary.
  returned: when not in check mode
  type: str
"""
