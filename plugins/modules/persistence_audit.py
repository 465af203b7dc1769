#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: persistence_audit
short_description: Audit every place an attacker plants a job, a key or a hook
version_added: "0.1.0"
description:
  - "systemd: units and drop-ins in every search path (system and user, /etc, /run, /usr/lib,
    generators' output, C(~/.config/systemd/user)), the enabled state as C(systemctl is-enabled)
    words it, timers and the unit each one triggers, and whether each unit would run at boot and why."
  - "at/batch: the spool (C(/var/spool/cron/atjobs), C(/var/spool/at)), whether atd would run each job."
  - "SSH keys: every user's authorized_keys files from C(AuthorizedKeysFile) of the effective sshd
    configuration (parsed under O(root)), Redis RDB dumps and junk, C(command=)/C(environment=)
    options, StrictModes verdicts, keys shared by several users; fingerprints only, never keys."
  - "Shell and login hooks: /etc/profile, /etc/profile.d, bash.bashrc, users' dotfiles,
    update-motd.d, /etc/ld.so.preload, udev C(RUN+=), modprobe.d C(install), modules-load.d,
    XDG autostart, APT Pre/Post-Invoke hooks, sudoers NOPASSWD rules."
  - Package ownership and packaged checksums from dpkg's database files under O(root); the
    package manager is never run.
  - Read-only and bounded; every inventory entry has a verdict and its reason.
author:
  - hostguard engineers (@hostguard)
options:
  root:
    description: Directory holding the audited system (C(/) for this host).
    type: path
    default: /
  max_read_bytes:
    description: Bytes read at most from one file (its head).
    type: int
    default: 1048576
  max_file_size:
    description: Files larger than this are reported as oversized (HG-PERS-041).
    type: int
    default: 262144
  max_line_bytes:
    description: Longer lines are cut (and reported).
    type: int
    default: 4096
  max_entries:
    description: Names listed at most per directory (more is reported, HG-PERS-043).
    type: int
    default: 20000
  max_users:
    description: Accounts of C(/etc/passwd) examined at most.
    type: int
    default: 5000
  max_inventory:
    description: Entries kept per inventory list in RV(facts) (the count of the rest is kept).
    type: int
    default: 2000
  max_findings_per_check:
    description: Failed findings kept per check ID (the count of the rest is in RV(facts)).
    type: int
    default: 200
  max_package_db_bytes:
    description: Bytes of dpkg database files read at most; past it ownership is unknown, not "unowned".
    type: int
    default: 268435456
  recent_days:
    description: A file modified within this many days is "recent" (0 turns it off).
    type: int
    default: 7
  nopasswd_allowed:
    description: sudo principals (C(user), C(%group)) allowed NOPASSWD rules.
    type: list
    elements: str
    default: []
  sections:
    description: Which parts to audit.
    type: list
    elements: str
    default: [systemd, at, ssh_keys, hooks]
    choices: [systemd, at, ssh_keys, hooks]
notes:
  - Supports check mode; the module never changes the host.
seealso:
  - name: systemd.unit(5)
    description: Unit search paths, drop-ins and [Install].
    link: https://www.freedesktop.org/software/systemd/man/latest/systemd.unit.html
  - name: sshd(8) AUTHORIZED_KEYS FILE FORMAT
    description: Key lines and options.
    link: https://man.openbsd.org/sshd#AUTHORIZED_KEYS_FILE_FORMAT
"""

EXAMPLES = r"""
- name: Audit persistence locations
  hostguard.hardening.persistence_audit:

- name: Audit an image mounted at /mnt/image, keys and hooks only
  hostguard.hardening.persistence_audit:
    root: /mnt/image
    sections: [ssh_keys, hooks]
    nopasswd_allowed: ["%admins"]
"""

RETURN = r"""
summary:
  description: Counts of failed findings per severity and of findings per status.
  returned: always
  type: dict
findings:
  description: Failed findings (HG-PERS-*), the file path as subject and in evidence.path.
  returned: always
  type: list
  elements: dict
  sample:
    - id: HG-PERS-020
      title: Redis RDB dump written as an authorized_keys file
      severity: critical
      status: fail
      subject: /root/.ssh/authorized_keys
      evidence: {path: /root/.ssh/authorized_keys, user: root, would_apply: true,
                 fingerprints: ["SHA256:Tq3...w"], junk_lines: 3}
facts:
  description: >-
    Inventories with a verdict and reason per entry - systemd (units, timers), at (jobs),
    ssh_keys (files, sshd settings), hooks - and the package database summary (dpkg and rpm).
    A systemd unit's C(would_run) is true, false or C(conditional) (a Condition*=/Assert*=
    files cannot decide, or started only through another unit's OnFailure=/OnSuccess=).
  returned: always
  type: dict
seconds:
  description: Time the audit took.
  returned: always
  type: float
"""

from ansible_collections.hostguard.hardening.plugins.module_utils.core.module_entry import area_module_main
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence import AREA


def main():
    area_module_main(AREA)


if __name__ == "__main__":
    main()
