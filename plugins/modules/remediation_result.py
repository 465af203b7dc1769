#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation for the remediation_result action plugin (the work happens on the controller)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: remediation_result
short_description: Record what a hostguard remediation role did on a host
version_added: "0.1.0"
description:
  - Action plugin that runs on the Ansible controller only; nothing is sent to the host.
  - Sets the fact C(hostguard_remediation), a dict keyed by role name, each entry with
    C(status) (C(applied), C(compliant) = already compliant, C(refused), C(failed)), C(changed),
    C(reasons) (one line each) and C(check_mode).
  - A refusal is a result, not an error, unless O(strict) is true (C(hostguard_remediate_strict));
    then the task fails after recording it.
  - A failure recorded after a refusal of the same role keeps the refusal.
options:
  role:
    description: Name of the role (key in C(hostguard_remediation)).
    type: str
    required: true
  changes:
    description: Registered results (or booleans) of the tasks that change the host; any changed one means applied.
    type: list
    elements: raw
    default: []
  refusals:
    description: Why parts were declined (unsafe or impossible); empty items are ignored.
    type: list
    elements: raw
    default: []
  failure:
    description: The error of a real failure (the role left the previous state in place).
    type: str
    default: ""
  strict:
    description: Fail the task when the role refused something.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Records the result in check mode too (with C(check_mode) true).
  diff_mode:
    support: none
    description: Only a fact is set; there is no diff.
  platform:
    support: full
    platforms: posix
    description: Runs on the controller only (action plugin).
author:
  - hostguard engineers (@hostguard)
"""

EXAMPLES = r"""
- name: Record the result
  hostguard.hardening.remediation_result:
    role: redis_hardening
    changes: ["{{ redis_hardening__include }}", "{{ redis_hardening__users }}"]
    refusals: ["{{ redis_hardening_refused }}"]
    strict: "{{ hostguard_remediate_strict | default(false) }}"
"""

RETURN = r"""
remediation:
  description: This role's entry.
  returned: always
  type: dict
  sample: {status: refused, changed: false, reasons: ["no Redis password given"], check_mode: false}
ansible_facts:
  description: C(hostguard_remediation), every role's entry recorded so far on this host.
  returned: always
  type: dict
"""
