#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: oom_events
short_description: Reconstruct OOM-killer incidents from kernel logs and judge who ate the memory
version_added: "0.1.0"
description:
  - Streams the kernel log from C(dmesg) (or C(/dev/kmsg)), the journal (C(journalctl -k -o short-iso)),
    C(/var/log/kern.log), C(/var/log/messages) or a given file, and reconstructs every OOM incident in
    every format the kernel has printed since 2.6, plus OpenVZ, earlyoom, systemd-oomd and Android lmkd
    (logcat) kills.
  - Each incident has its time, trigger (process, pid, gfp_mask, order, oom_score_adj), constraint and
    memcg, victim (pid, name, total-vm, anon/file/shmem rss, uid, oom_score_adj), the task table when
    present (top rows only, the rest counted), the largest consumer and a verdict (culprit, innocent,
    likely_innocent, undetermined).
  - Memory use does not depend on the size of the log; truncated or interleaved records never fail it.
  - Read-only; never changes the host.
options:
  source:
    description:
      - Where to read. C(auto) tries the journal, C(/var/log/kern.log), C(/var/log/messages), then C(dmesg),
        and uses the first one available.
    type: str
    choices: [auto, dmesg, journal, file]
    default: auto
  path:
    description: A log file to read (implies C(source=file)); read under O(root).
    type: path
  since:
    description: Ignore incidents before this time; an ISO date/time (C(2025-04-20), C(2025-04-20T20:03:27), UTC) or an age (C(7d), C(12h)).
    type: str
  root:
    description: Root of the audited tree for file paths; live sources (dmesg, journal) are only read when it is C(/).
    type: path
    default: /
  max_incidents:
    description: How many incidents (newest first) to return; counts cover all of them.
    type: int
    default: 20
  max_line_bytes:
    description: Longer lines are cut to this many bytes.
    type: int
    default: 4096
  max_read_bytes:
    description:
      - Size budget of a source. A file bigger than this is read from its last I(max_read_bytes) bytes (the tail, the
        recent incidents); a command is stopped after this many bytes. A source read in part is an HG-OOMLOG-001 error
        saying how much was scanned, never a pass.
    type: int
    default: 8589934592
  timeout:
    description:
      - Time budget in seconds of a source (C(dmesg), C(journalctl), C(/dev/kmsg) or a file). A file whose reading overruns
        it stops there and the unread bytes are said in an HG-OOMLOG-001 error.
    type: float
    default: 30
  loop_window:
    description: Kills of one process name each within this window of the previous one are one crash loop (seconds or C(90m), C(1h)).
    type: str
    default: 1h
  loop_min_kills:
    description: Kills of one name needed for a crash-loop finding.
    type: int
    default: 3
  storm_window:
    description: Kills on one host each within this window of the previous one form a storm.
    type: str
    default: 60s
  storm_min_kills:
    description: Kills needed for a storm finding.
    type: int
    default: 5
  top_tasks:
    description: Rows of each task table kept (largest first); the rest are counted.
    type: int
    default: 10
  page_kb:
    description: Page size in KiB used to convert the task table's page counts.
    type: int
    default: 4
  critical_services:
    description: Process names whose OOM kill is reported with high severity (sshd is always critical).
    type: list
    elements: str
  recorder_dir:
    description:
      - The ring of hostguard-oom-recorder (role hostguard.hardening.oom_recorder), read under O(root), bounded,
        newest first. Each incident gets the recorder's last snapshot before the kill and the first after it;
        without a task table the largest consumer and the verdict come from the snapshot (C(source=recorder));
        the fastest-growing process and an OOM-immune (-1000) process that grew (the likely culprit) are named.
      - An absent ring is not an error. An empty string disables it.
    type: str
    default: /var/lib/hostguard/oom-recorder
notes:
  - Check IDs HG-OOMLOG-001..005; see docs/oom-forensics.md.
  - Supports check mode (it never changes anything).
extends_documentation_fragment:
  - hostguard.hardening.read_only
author:
  - hostguard engineers (@hostguard)
"""

EXAMPLES = r"""
- name: OOM incidents from the best source on the host
  hostguard.hardening.oom_events:
  register: oom

- name: Last week's kernel journal only
  hostguard.hardening.oom_events:
    source: journal
    since: 7d

- name: A log copied off a dead host
  hostguard.hardening.oom_events:
    path: /srv/forensics/host42/kern.log
    max_incidents: 50
"""

RETURN = r"""
summary:
  description: Counts of failed findings per severity and of findings per status.
  returned: always
  type: dict
  sample: {fail_by_severity: {critical: 0, high: 1, medium: 0, low: 0, info: 0}, by_status: {fail: 1, pass: 3, skip: 0, error: 0}, total: 4}
findings:
  description: HG-OOMLOG findings (one shape for every hostguard check).
  returned: always
  type: list
  elements: dict
facts:
  description: Sources tried, the incidents (newest first, bounded), crash loops, storms and counts.
  returned: always
  type: dict
  contains:
    sources:
      description: Each source tried, with status read or unavailable and why.
      type: list
      elements: dict
    incidents:
      description: Reconstructed incidents, newest first, at most max_incidents.
      type: list
      elements: dict
    loops:
      description: Crash loops (same process name killed repeatedly).
      type: list
      elements: dict
    storms:
      description: Bursts of kills on one host.
      type: list
      elements: dict
    records_without_kill:
      description:
        - OOM records that never named a victim (a trigger cut from its kill, C(panic_on_oom), no
          killable process); the newest 20. They are never reported as OOM kills.
      type: list
      elements: dict
    counts:
      description: Totals over the whole log (incidents, per killer, per verdict, bytes read).
      type: dict
    recorder:
      description: The flight recorder's ring (status read, absent or refused, files, bytes, records, correlated incidents).
      type: dict
seconds:
  description: Time the audit took.
  returned: always
  type: float
"""

from ansible_collections.hostguard.hardening.plugins.module_utils.core.module_entry import area_module_main
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import AREA


def main():
    area_module_main(AREA)


if __name__ == "__main__":
    main()
