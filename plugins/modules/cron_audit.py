#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cron_audit
short_description: Audit cron and boot-script locations for foreign, binary and malicious files
version_added: "0.1.0"
description:
  - Read-only audit of C(/etc/crontab), C(/etc/cron.d), C(/etc/cron.{hourly,daily,weekly,monthly}),
    C(/etc/anacrontab), C(/var/spool/cron/<user>) (cronie), C(/var/spool/cron/crontabs/<user>)
    (Debian cron), C(/etc/rc.local), C(/etc/rc.d/**), C(/etc/init.d) and C(/etc/local.d) (OpenRC).
  - On an OpenRC host (C(/etc/runlevels) and an C(openrc) binary, e.g. Alpine) an C(/etc/init.d)
    script runs at boot only when a boot runlevel (sysinit, boot, default) holds it, as
    C(rc-update) enables it, or an enabled service C(need)s it; C(shutdown) scripts run at halt.
    C(/etc/local.d/*.start) and C(*.stop) run only when the C(local) service does. The verdict
    says which, and C(facts.openrc) gives the runlevels read.
  - Flags Redis RDB dumps (the C(REDIS00) magic), binary content, spool files whose name is no
    user, unexpected boot scripts, oversized files, FIFOs/sockets/devices, symlinks out of the
    tree or into C(/dev), C(/proc), C(/sys), broken symlinks and loops, modes and owners each cron
    family rejects, group/world-writable paths, unreadable paths, huge directories and
    malicious command lines (download piped to a shell, base64 to a shell, C(/dev/tcp) reverse
    shells, C(nc -e), script socket one-liners, payloads run from C(/tmp) or hidden paths).
  - Says for every entry whether each cron family (cronie, Debian cron) would run it, and why.
  - Bounded cost whatever the host holds - C(lstat) first, only regular files are opened
    (C(O_NOFOLLOW|O_NONBLOCK)), at most O(max_read_bytes) read per file, lines capped at
    O(max_line_bytes). A multi-GB file costs the same as a small one.
  - Never changes the host; C(changed) is always false. Check mode is supported.
author:
  - hostguard engineers (@hostguard)
options:
  root:
    description:
      - Root of the tree to audit, e.g. a mounted disk image or a container rootfs.
      - Paths in results are as the audited system sees them; symlinks are resolved inside O(root).
      - User names are looked up in O(root)/etc/passwd (and through NSS when O(root) is C(/)).
    type: path
    default: /
  max_read_bytes:
    description: Most bytes read from the head of any one file.
    type: int
    default: 1048576
  max_file_size:
    description:
      - Files larger than this (apparent size, bytes) are reported as oversized (HG-CRON-005).
      - 256 KiB is far above any legitimate crontab or init script.
    type: int
    default: 262144
  max_line_bytes:
    description: Lines longer than this are cut (the rest of the line is skipped, not buffered).
    type: int
    default: 4096
  max_entries:
    description:
      - Most names listed per directory; a directory with more is reported (HG-CRON-013).
      - All directories together are bounded by 20 times this value.
    type: int
    default: 1000
  max_depth:
    description: Recursion depth under C(/etc/rc.d).
    type: int
    default: 4
  extra_paths:
    description:
      - More files or directories to check the same way (content, type, symlinks, permissions),
        as seen inside O(root). Their C(would_run) is null.
    type: list
    elements: path
    default: []
  daemons:
    description:
      - Cron daemon builds to give per-file verdicts for, besides the builds detected as installed
        under O(root) (dpkg status, apk database, an rpm database, binaries, units). C(all) for every build.
      - C(debian_cron) is Debian cron 3.0pl1, C(cronie_debian) Debian's cronie (reads C(/var/spool/cron/crontabs)),
        C(cronie_rhel) cronie as RHEL builds it (C(/var/spool/cron/<user>)), C(busybox_crond) busybox crond.
      - When no build is detected and none is requested, every build is judged (marked not installed).
      - Each verdict says whether the daemon would run the file, which job lines as which user, and the
        text the daemon logs when it refuses it. See docs/cron.md for every rule and its source.
    type: list
    elements: str
    choices: [all, debian_cron, cronie_debian, cronie_rhel, busybox_crond]
    default: []
extends_documentation_fragment:
  - hostguard.hardening.read_only
notes:
  - Run as root for a complete audit; unreadable paths are reported as findings with status C(error).
seealso:
  - name: MITRE ATT&CK T1053.003 Cron
    description: Scheduled Task/Job - Cron.
    link: https://attack.mitre.org/techniques/T1053/003/
  - name: MITRE ATT&CK T1037.004 RC Scripts
    description: Boot or Logon Initialization Scripts - RC Scripts.
    link: https://attack.mitre.org/techniques/T1037/004/
"""

EXAMPLES = r"""
- name: Audit cron and boot scripts of this host
  hostguard.hardening.cron_audit:
  register: cron

- name: Audit a container root filesystem with a smaller read budget
  hostguard.hardening.cron_audit:
    root: /var/lib/containers/storage/overlay/abc/merged
    max_read_bytes: 262144
    extra_paths:
      - /etc/systemd/system/rc-local.service.d

- name: Fail when a critical cron finding exists
  ansible.builtin.assert:
    that: cron.findings | selectattr('status', 'eq', 'fail') | selectattr('severity', 'eq', 'critical') | list | length == 0
"""

RETURN = r"""
summary:
  description: Counts of failed findings per severity and of findings per status.
  returned: always
  type: dict
  sample: {fail_by_severity: {critical: 0, high: 1, medium: 0, low: 0, info: 0}, by_status: {fail: 1, pass: 3, skip: 0, error: 0}, total: 4}
findings:
  description: Findings in the hostguard finding model, failures first.
  returned: always
  type: list
  elements: dict
  sample:
    - id: HG-CRON-001
      title: Redis RDB dump in a cron or boot directory
      severity: critical
      status: fail
      subject: /var/spool/cron/dump.rdb
      evidence: {magic: REDIS0009, rdb_version: "0009", size: 2147483648, would_run: []}
      remediation: "Quarantine the file ... (role: hostguard.hardening.cron_hygiene)"
      references: {attack: T1053.003, lynis: SCHD-7704}
files:
  description:
    - Inventory of every entry seen - path, type, size, allocated bytes, owner (uid and name),
      group, mode, sha256 (or sha256_head when only the head was read; withheld for a file with
      more than one name), content kind, C(would_run) per cron family (run-parts, boot scripts)
      with a reason, and for crontabs C(daemons) - per daemon build C(would_run), C(code),
      C(reason), C(log) (what the daemon logs), C(jobs) (line and user of every job that runs),
      C(dropped) (jobs refused at run time, with why) and C(installed).
  returned: always
  type: list
  elements: dict
  sample:
    - path: /var/spool/cron/dump.rdb
      type: file
      size: 2147483648
      owner: root
      uid: 0
      group: root
      mode: "0644"
      content: redis_rdb
      sha256_head: 3b5d...
      would_run:
        cronie: {would_run: false, code: ORPHAN, reason: "ORPHAN: no passwd entry for 'dump.rdb'"}
        debian: {would_run: false, code: NOT_THIS_FAMILY, reason: "Debian cron reads /var/spool/cron/crontabs/<user>"}
      daemons:
        cronie_rhel: {would_run: false, code: ORPHAN, reason: "ORPHAN (no passwd entry)", log: "ORPHAN (no passwd entry)",
                      jobs: [], dropped: [], installed: true, location: spool}
facts:
  description:
    - Root audited, cron families installed, users known, entries and bytes read, options.
    - C(daemons) - per daemon build C(installed) and the C(evidence) it was detected from;
      C(daemons_judged) - the builds verdicts were given for.
    - C(openrc) - C(detected) and its C(evidence), C(levels) (runlevel -> services), C(enabled)
      (service -> runlevels), C(at_boot) (service -> why it starts at boot), C(needed_by),
      C(problems) (dangling runlevel links, cut listings).
  returned: always
  type: dict
seconds:
  description: Wall time of the audit.
  returned: always
  type: float
"""

from ansible_collections.hostguard.hardening.plugins.module_utils.core.module_entry import area_module_main
from ansible_collections.hostguard.hardening.plugins.module_utils.cron import AREA


def main():
    area_module_main(AREA)


if __name__ == "__main__":
    main()
