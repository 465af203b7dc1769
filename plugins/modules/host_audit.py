#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: host_audit
short_description: Run every selected hostguard audit area in one module call
version_added: "0.1.0"
description:
  - The aggregate audit. Runs the selected areas (cron/rc.d, and as they are added sysctl,
    OOM posture, OOM-kill forensics, Redis, baseline) one after the other in a single module
    call, so that auditing a host costs one round trip whatever the number of checks.
  - Never changes the host. Supports check mode (it behaves the same).
  - An area that raises, returns a malformed result or runs past O(area_timeout) does not
    fail the module; it becomes an C(error) finding C(HG-CORE-001) naming the area, and the
    other areas still run.
  - Failed findings of different areas that are about the same path (an absolute
    C(subject), or C(evidence.path)) get a C(related) list of each other's check IDs, for
    example cron's "Redis dump in the cron spool" and Redis's "dir points into the cron spool".
  - Build the per-host report from the result on the controller with the
    P(hostguard.hardening.hostguard_report#filter) filter; the C(hostguard.hardening.audit)
    role does that and writes it as JSON.
author:
  - hostguard engineers (@hostguard)
options:
  areas:
    description:
      - Areas to run, in this order. Default (unset or empty) is every area this build of
        the collection registers (see RV(registered_areas)).
      - An area that is not in this build gives an C(HG-CORE-001) error finding.
    type: list
    elements: str
    default: []
  root:
    description:
      - Audit the tree under this directory instead of C(/) (a mounted disk image or a
        container's rootfs). Passed to every area.
    type: path
    default: /
  area_timeout:
    description:
      - Seconds one area may run before it is interrupted and reported as an
        C(HG-CORE-001) error finding. C(0) disables the backstop. Areas time-box their own
        I/O; this only catches one that blocks anyway.
    type: int
    default: 300
  options:
    description:
      - 'Options per area, keyed by area name, for example
        C({cron: {max_read_bytes: 65536}, redis: {probe: false}}).'
      - Each area's dict is checked
        against that area's own option spec (the same spec as its own module, for example
        M(hostguard.hardening.cron_audit)); types are coerced, defaults filled, and an unknown
        area, an unknown option or a bad value fails the module, naming the area and the option,
        before any area runs. C(root) is taken from the top-level O(root).
    type: dict
    default: {}
notes:
  - Runs on the target with its own Python 3 (3.8 or later), standard library only.
seealso:
  - module: hostguard.hardening.cron_audit
  - plugin: hostguard.hardening.hostguard_report
    plugin_type: filter
extends_documentation_fragment:
  - hostguard.hardening.read_only
attributes:
  platform:
    support: full
    platforms: posix
    description: Linux targets.
"""

EXAMPLES = r"""
- name: Audit everything this build knows, in one round trip
  hostguard.hardening.host_audit:
  register: hostguard_raw

- name: Only cron/rc.d, with a smaller read head, on a mounted image
  hostguard.hardening.host_audit:
    areas: [cron]
    root: /mnt/disk-image
    options:
      cron:
        max_read_bytes: 65536

- name: Build the report on the controller
  ansible.builtin.set_fact:
    hostguard_report_data: "{{ hostguard_raw | hostguard.hardening.hostguard_report(host=inventory_hostname) }}"
"""

RETURN = r"""
areas:
  description: The areas that ran (or were attempted), in order.
  returned: always
  type: list
  elements: str
  sample: [cron]
registered_areas:
  description: Every area this build of the collection can run.
  returned: always
  type: list
  elements: str
  sample: [cron]
root:
  description: The root directory that was audited.
  returned: always
  type: str
  sample: /
findings:
  description:
    - Every finding of every area, failures first, then by severity, ID and subject.
    - Each has C(id), C(title), C(severity), C(status) (fail, pass, skip, error),
      C(subject), C(evidence), C(remediation), C(references), optionally C(detail), and
      C(related) (IDs of other areas' failed findings about the same path).
  returned: always
  type: list
  elements: dict
  sample:
    - id: HG-CRON-001
      title: Redis RDB dump in a cron directory
      severity: critical
      status: fail
      subject: /var/spool/cron/dump.rdb
      evidence: {magic: REDIS0009, size: 67108864}
      remediation: Quarantine the file; close Redis (role hostguard.hardening.redis)
      references: {attack: T1053.003}
facts:
  description:
    - What each area gathered, keyed by area name. Besides the area's own facts this holds
      any other key its result carries, for example cron's C(files) inventory (path, type,
      size, owner, mode, C(would_run) and the reason, per cron family).
  returned: always
  type: dict
  sample: {cron: {files: []}}
timings:
  description: Seconds each area took, keyed by area name, plus C(total).
  returned: always
  type: dict
  sample: {cron: 0.0123, total: 0.0125}
errors:
  description: The C(HG-CORE-001) findings (areas that could not run); also in RV(findings).
  returned: always
  type: list
  elements: dict
  sample: []
"""

from ansible_collections.hostguard.hardening.plugins.module_utils.core.module_entry import (
    aggregate_argument_spec, aggregate_module_main)
from ansible_collections.hostguard.hardening.plugins.module_utils.core.registry import area_names

ARGUMENT_SPEC = aggregate_argument_spec()


def main():
    aggregate_module_main(area_names())


if __name__ == "__main__":
    main()
