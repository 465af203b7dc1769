#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: sysctl_audit
short_description: Audit kernel parameters against a baseline and their persisted values
version_added: "0.1.0"
description:
  - Reads runtime values from C(<root>/proc/sys) and the persisted ones from C(/etc/sysctl.d),
    C(/run/sysctl.d), C(/usr/local/lib/sysctl.d), C(/usr/lib/sysctl.d), C(/lib/sysctl.d) and
    C(/etc/sysctl.conf) with systemd-sysctl's precedence (sysctl.d(5)), and reports which file
    wins for each key.
  - "Findings: C(HG-SYSCTL-001) value differs from the baseline (the Linux keys of Lynis
    KRNL-6000), C(HG-SYSCTL-004) OOM policy key differs from the baseline, C(HG-SYSCTL-002)
    runtime differs from the persisted value (drift), C(HG-SYSCTL-003) unreadable file."
  - Keys the kernel does not have are reported as C(skip) (not applicable), never as failures.
  - Read-only; never writes C(/proc/sys).
author:
  - hostguard engineers (@hostguard)
options:
  root:
    description: Directory holding the audited system (C(/) for this host).
    type: path
    default: /
  baseline:
    description:
      - Per-host overrides merged over the default baseline. Each key maps to an expected
        value, a list of acceptable values, a comparison on integers (C(>0), C(>=1), C(!=0)),
        a dict with C(expected) and C(severity), or C(null) to drop the key.
    type: dict
    default: {}
  baseline_replace:
    description: Use only O(baseline), not the default baseline.
    type: bool
    default: false
  cluster_failover_node:
    description:
      - The host is a cluster-failover node that must panic on OOM and reboot after a panic
        (C(vm.panic_on_oom) 1 or 2, C(kernel.panic) > 0, C(kernel.panic_on_oops) 1).
    type: bool
    default: false
  loader:
    description:
      - Which loader's order decides the persisted value. C(systemd) is systemd-sysctl
        (C(/etc/sysctl.conf) counts where a sysctl.d link points to it, else last);
        C(procps) is C(sysctl --system) (C(/etc/sysctl.conf) always last).
    type: str
    choices: [systemd, procps]
    default: systemd
  check_drift:
    description: Report runtime values that differ from the persisted ones.
    type: bool
    default: true
  report_pass:
    description: Include passing and not-applicable findings.
    type: bool
    default: true
notes:
  - Supports check mode; the module never changes the host.
seealso:
  - name: sysctl.d(5)
    description: systemd's sysctl.d precedence rules.
    link: https://www.freedesktop.org/software/systemd/man/256/sysctl.d.html
  - name: Lynis KRNL-6000
    description: The Lynis test whose key list forms the default baseline.
    link: https://cisofy.com/lynis/controls/KRNL-6000/
"""

EXAMPLES = r"""
- name: Audit kernel parameters
  hostguard.hardening.sysctl_audit:

- name: A Redis host that follows Redis' advice on overcommit, and a failover node
  hostguard.hardening.sysctl_audit:
    cluster_failover_node: true
    baseline:
      vm.overcommit_memory: [0, 1, 2]
      net.ipv4.conf.all.forwarding: null
      kernel.sysrq: {expected: 176, severity: info}
"""

RETURN = r"""
summary:
  description: Counts of failed findings per severity and of findings per status.
  returned: always
  type: dict
  sample: {fail_by_severity: {critical: 0, high: 1, medium: 0, low: 0, info: 0}, by_status: {fail: 1, pass: 3, skip: 0, error: 0}, total: 4}
findings:
  description: One finding per baseline key (and per drifting persisted key).
  returned: always
  type: list
  elements: dict
  sample:
    - id: HG-SYSCTL-004
      title: OOM policy kernel parameter differs from the baseline
      severity: high
      status: fail
      subject: vm.panic_on_oom
      evidence: {expected: "0", runtime: "1", persisted: "1",
                 persisted_in: "/etc/sysctl.d/90-oom.conf:3"}
facts:
  description: Runtime values, winning persisted entries (file and line), files in order.
  returned: always
  type: dict
seconds:
  description: Time the audit took.
  returned: always
  type: float
"""

from ansible_collections.hostguard.hardening.plugins.module_utils.core.module_entry import area_module_main
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl import AREA


def main():
    area_module_main(AREA)


if __name__ == "__main__":
    main()
