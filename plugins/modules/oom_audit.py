#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: oom_audit
short_description: Audit the OOM posture of running processes and key services
version_added: "0.1.0"
description:
  - For sshd and a list of key services, compares the effective C(oom_score_adj) of the main
    processes (/proc) with the C(OOMScoreAdjust=) their systemd unit configures (unit file and
    C(*.service.d/*.conf) drop-ins under O(root); C(systemctl show) when auditing a live
    systemd host).
  - Lists processes immune to the OOM killer (C(oom_score_adj) -1000) that are not on an
    allow list, largest RSS first, and the top N likely OOM victims by C(oom_score) with their
    RSS (what C(dstat --top-oom) shows).
  - "Findings: C(HG-OOM-001) sshd/key service not protected, C(HG-OOM-002) configured but not
    effective, C(HG-OOM-003) immune process not allowed, C(HG-OOM-004) key service among the
    likely victims, C(HG-OOM-005) likely victims (info)."
  - Read-only; never changes a process.
author:
  - hostguard engineers (@hostguard)
options:
  root:
    description: Directory holding the audited system's C(proc) and C(etc) (C(/) for this host).
    type: path
    default: /
  services:
    description:
      - Key services besides sshd. A string is a unit name (C(redis-server.service)) or a
        process name (C(redis-server), also tried as C(redis-server.service)); a dict may give
        C(name), C(unit)/C(units), C(process)/C(processes) and C(max_oom_score_adj) (the
        service must be at or below it, else C(HG-OOM-001)).
    type: list
    elements: raw
    default: []
  include_sshd:
    description: Audit sshd (units C(ssh.service)/C(sshd.service), process C(sshd)).
    type: bool
    default: true
  sshd_max_oom_score_adj:
    description: sshd counts as protected when its C(oom_score_adj) is at or below this.
    type: int
    default: -500
  immune_allow:
    description:
      - Process (comm or executable) or unit names that may be immune (-1000), added to the
        default allow list.
    type: list
    elements: str
    default: []
  immune_allow_default:
    description:
      - Include the default allow list C(systemd-udevd), C(udevd), C(sshd), C(dmeventd),
        C(multipathd), C(auditd).
    type: bool
    default: true
  immune_hog_rss_mib:
    description: An immune process at or above this RSS is reported with severity high.
    type: int
    default: 256
  top_n:
    description: How many likely victims to return.
    type: int
    default: 10
  use_systemctl:
    description:
      - Ask C(systemctl show) for the live C(OOMScoreAdjust) and C(MainPID). C(auto) uses it
        when O(root) is C(/) and the host was booted with systemd.
    type: str
    choices: [auto, "yes", "no"]
    default: auto
  systemctl_timeout:
    description: Seconds after which C(systemctl show) is abandoned.
    type: float
    default: 5.0
  max_pids:
    description: At most this many processes are read.
    type: int
    default: 32768
notes:
  - Supports check mode; the module never changes the host.
"""

EXAMPLES = r"""
- name: OOM posture of sshd and the database
  hostguard.hardening.oom_audit:
    services:
      - redis-server
      - {name: keydb, unit: keydb-server.service, process: keydb-server, max_oom_score_adj: -100}
    top_n: 5
"""

RETURN = r"""
summary:
  description: Counts of failed findings per severity and of findings per status.
  returned: always
  type: dict
  sample: {fail_by_severity: {critical: 0, high: 1, medium: 0, low: 0, info: 0}, by_status: {fail: 1, pass: 3, skip: 0, error: 0}, total: 4}
findings:
  description: Findings (see description for the IDs).
  returned: always
  type: list
  elements: dict
facts:
  description:
    - C(likely_victims) (rank, pid, comm, uid, rss_kib, oom_score, oom_score_adj, unit, cmdline),
      C(immune_processes) (largest RSS first, with C(allowed)), C(services) (unit, drop-ins,
      configured value and where, main processes), C(systemctl), C(mem_total_kib).
  returned: always
  type: dict
seconds:
  description: Time the audit took.
  returned: always
  type: float
"""

from ansible_collections.hostguard.hardening.plugins.module_utils.core.module_entry import area_module_main
from ansible_collections.hostguard.hardening.plugins.module_utils.oom import AREA


def main():
    area_module_main(AREA)


if __name__ == "__main__":
    main()
