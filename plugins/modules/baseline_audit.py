#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: baseline_audit
short_description: Lynis-like baseline checks (sshd, password aging, umask, mounts, modules, hosts, postfix, firewall)
version_added: "0.1.0"
description:
  - Audits the baseline checks that Lynis reports and seed 003 walks through, each finding
    referencing its Lynis test ID.
  - C(SSH-7408) per sshd option, graded good/medium/weak with Lynis's own expectation table,
    from the effective configuration (C(sshd -T) when I(root=/), else C(sshd_config) and its
    C(Include)d drop-ins parsed as sshd does).
  - C(AUTH-9286) password aging and C(AUTH-9328) default umask (C(/etc/login.defs),
    C(/etc/profile), C(/etc/profile.d)).
  - C(FILE-6310) separate file systems for C(/home), C(/tmp), C(/var).
  - C(USB-1000) / C(STRG-1846) usb-storage and FireWire modules disabled in modprobe.d.
  - C(NAME-4406) hostname on a localhost line of C(/etc/hosts).
  - C(MAIL-8818) Postfix C(smtpd_banner) revealing the mail software or the OS.
  - C(FIRE-4513) firewall rules that never matched, C(FIRE-4590) no active firewall.
  - Read-only; never changes the host. Every file is read bounded and symlink-safe;
    every command is time-boxed.
author:
  - hostguard engineers (@hostguard)
options:
  root:
    description:
      - Directory holding the system to audit (a mounted image or container root).
      - Commands (C(sshd -T), C(postconf), C(iptables-save), C(nft)) only run when this is C(/).
    type: path
    default: /
  ssh_expectations:
    description:
      - Overrides of the SSH-7408 expectation table, keyed by sshd option, in Lynis's syntax
        C(expected,medium,weak:test) where test is C(=), C(<), C(>) or C(!)
        (for example C(MaxAuthTries=4,6,10:<) means 4 or fewer is good, up to 6 medium).
      - An option not in the table is added and graded too.
    type: dict
    default: {}
  use_sshd_t:
    description: Ask C(sshd -T) for the effective configuration when I(root=/).
    type: bool
    default: true
  sshd_config:
    description: Path of the main sshd configuration file, as seen inside I(root).
    type: str
    default: /etc/ssh/sshd_config
  command_timeout:
    description: Seconds after which any command the audit runs is killed.
    type: float
    default: 10
  pass_max_days_limit:
    description:
      - Also fail C(PASS_MAX_DAYS) above this many days. Unset follows Lynis (only unset or
        99999 fail).
    type: int
  separate_mounts:
    description: Directories that should be separate file systems (FILE-6310).
    type: list
    elements: str
    default: [/home, /tmp, /var]
  skip:
    description: Sections not to run.
    type: list
    elements: str
    choices: [ssh, auth, file, storage, name, mail, firewall]
    default: []
notes:
  - Supports check mode; the module never changes anything.
  - The check catalogue is docs/checks.md; grading sources and decisions are in docs/baseline.md.
seealso:
  - name: Lynis
    description: The auditor these checks mirror (and are tested against).
    link: https://cisofy.com/lynis/
"""

EXAMPLES = r"""
- name: Audit the baseline of the managed host
  hostguard.hardening.baseline_audit:
  register: baseline

- name: Audit a mounted image, stricter on MaxAuthTries, without the firewall section
  hostguard.hardening.baseline_audit:
    root: /mnt/image
    ssh_expectations:
      MaxAuthTries: "3,4,6:<"
    skip: [firewall]
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
facts:
  description: Where values came from (C(ssh_source) is C(sshd -T) or C(files)), files read, timings.
  returned: always
  type: dict
seconds:
  description: Wall time of the audit.
  returned: always
  type: float
"""

from ansible_collections.hostguard.hardening.plugins.module_utils.core.module_entry import area_module_main
from ansible_collections.hostguard.hardening.plugins.module_utils.baseline import AREA


def main():
    area_module_main(AREA)


if __name__ == "__main__":
    main()
