#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: baseline_audit
short_description: Run the Lynis-category audit areas (ssh, auth, file, storage, nameservices, mail, firewall, ...)
version_added: "0.1.0"
description:
  - Runs the areas that own a Lynis test category (one area per Lynis ID prefix, C(ssh) for
    SSH, C(auth) for AUTH, C(file) for FILE, C(homedirs) for HOME, C(storage) for STRG,
    C(nameservices) for NAME, C(mail) for MAIL, C(firewall) for FIRE, and the other Lynis
    categories this build registers) in one module call, through the same runner as
    M(hostguard.hardening.host_audit). Every finding references its Lynis test ID.
  - For example C(SSH-7408) per sshd option, graded good/medium/weak with Lynis's own
    expectation table, from the effective configuration (C(sshd -T) when I(root=/), else
    C(sshd_config) and its C(Include)d drop-ins parsed as sshd does); C(AUTH-9286) password
    aging; C(FILE-6310) separate file systems; C(USB-1000)/C(STRG-1846) storage drivers;
    C(NAME-4406); C(MAIL-8818); C(FIRE-4513)/C(FIRE-4590).
  - Read-only; never changes the host. Every file is read bounded and symlink-safe;
    every command is time-boxed. An area that fails becomes an C(HG-CORE-001) error finding.
author:
  - hostguard engineers (@hostguard)
options:
  areas:
    description:
      - Lynis-category areas to run, in this order. Default (unset or empty) is every
        Lynis-category area this build registers (see RV(registered_areas)).
      - Any registered area name is accepted (for example C(cron)); an unknown one fails
        the module.
    type: list
    elements: str
    default: []
  root:
    description:
      - Directory holding the system to audit (a mounted image or container root).
      - Commands (C(sshd -T), C(postconf), C(iptables-save), C(nft)) only run when this is C(/).
    type: path
    default: /
  area_timeout:
    description: Seconds one area may run before it becomes an C(HG-CORE-001) finding; C(0) disables.
    type: int
    default: 300
  options:
    description:
      - Options per area, keyed by area name, exactly as for M(hostguard.hardening.host_audit)
        (see EXAMPLES). Each dict is checked against the area's own spec (types coerced,
        defaults filled); an unknown area or option fails the module before any area runs.
    type: dict
    default: {}
notes:
  - Supports check mode; the module never changes anything.
  - The check catalogue is docs/checks.md; grading sources and decisions are in docs/baseline.md
    and docs/lynis-oracle.md.
seealso:
  - module: hostguard.hardening.host_audit
  - name: Lynis
    description: The auditor these checks mirror (and are tested against).
    link: https://cisofy.com/lynis/
"""

EXAMPLES = r"""
- name: Audit the Lynis-category areas of the managed host
  hostguard.hardening.baseline_audit:
  register: baseline

- name: Audit SSH and authentication of a mounted image, stricter on MaxAuthTries
  hostguard.hardening.baseline_audit:
    root: /mnt/image
    areas: [ssh, auth]
    options:
      ssh:
        ssh_expectations:
          MaxAuthTries: "3,4,6:<"
"""

RETURN = r"""
summary:
  description: Counts of failed findings per severity and of findings per status.
  returned: always
  type: dict
  sample: {fail_by_severity: {critical: 0, high: 1, medium: 0, low: 0, info: 0}, by_status: {fail: 1, pass: 3, skip: 0, error: 0}, total: 4}
findings:
  description: One finding per check and subject (per sshd option, per mount point).
  returned: always
  type: list
  elements: dict
  sample:
    - id: HG-SSH-012
      title: sshd PermitRootLogin graded as Lynis SSH-7408
      severity: high
      status: fail
      subject: PermitRootLogin
      evidence: {value: "YES", grade: weak, source: "sshd -T",
                 lynis_expectation: "PermitRootLogin:(FORCED-COMMANDS-ONLY|NO|PROHIBIT-PASSWORD|WITHOUT-PASSWORD),,YES:="}
      remediation: "Set PermitRootLogin in an sshd_config.d drop-in ..."
      references: {lynis: SSH-7408, cis: Debian 12 5.1.20, attack: T1078.003}
root:
  description: The root directory that was audited.
  returned: always
  type: str
areas:
  description: The areas that ran, in order.
  returned: always
  type: list
  elements: str
registered_areas:
  description: The Lynis-category areas this build registers.
  returned: always
  type: list
  elements: str
facts:
  description: What each area gathered, keyed by area name (C(ssh.ssh_source) is C(sshd -T) or C(files)).
  returned: always
  type: dict
timings:
  description: Seconds each area took, plus C(total).
  returned: always
  type: dict
errors:
  description: The C(HG-CORE-001) findings (areas that could not run); also in RV(findings).
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.hostguard.hardening.plugins.module_utils.core.module_entry import (
    aggregate_argument_spec, aggregate_module_main)
from ansible_collections.hostguard.hardening.plugins.module_utils.core.lynis_categories import lynis_areas
from ansible_collections.hostguard.hardening.plugins.module_utils.core.registry import area_names

ARGUMENT_SPEC = aggregate_argument_spec()


def main():
    aggregate_module_main(lynis_areas(area_names()), with_summary=True)


if __name__ == "__main__":
    main()
