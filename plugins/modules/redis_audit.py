#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: redis_audit
short_description: Audit Redis / Valkey exposure (config, running instances, read-only live probe)
version_added: "0.1.0"
description:
  - Reads Redis and Valkey config files (following C(include)), finds running
    C(redis-server) / C(valkey-server) processes in /proc with their user, working
    directory and listening sockets, and probes every endpoint over RESP with
    read-only commands (PING, AUTH, INFO server, CONFIG GET, ACL WHOAMI, ACL GETUSER default).
  - Reports findings C(HG-REDIS-001) .. C(HG-REDIS-013), among them the signature of the
    cron-writing attack (runtime C(dir)/C(dbfilename) drifted from the config or pointing
    into a cron, rc.d, init.d, /etc or .ssh directory).
  - Never changes the host, never sends CONFIG SET or any write command.
    Secrets (passwords, requirepass values, renamed command names) never appear in results.
author:
  - hostguard engineers (@hostguard)
options:
  root:
    description:
      - Root of the audited file system for the static part (config files, systemd units).
      - When not C(/), running processes are not read and nothing is probed.
    type: path
    default: /
  proc:
    description: Where /proc is mounted (for tests and containers); a directory named C(proc), e.g. C(/host/proc).
    type: path
    default: /proc
  probe:
    description: Probe the endpoints live. When false only config files, units and /proc are read.
    type: bool
    default: true
  endpoints:
    description:
      - Extra endpoints to probe, as C(host:port), C([v6addr]:port) or an absolute unix socket path.
    type: list
    elements: str
    default: []
  password:
    description:
      - Password to try with AUTH after the unauthenticated probe. Never logged or returned.
    type: str
  username:
    description: ACL user name for AUTH (Redis 6+); the default user when omitted.
    type: str
  timeout:
    description:
      - Seconds allowed for connecting and for each command's complete reply.
      - A server that accepts and never answers is reported as an error after this time.
    type: float
    default: 2.0
  max_reply_bytes:
    description: Largest reply accepted from a server; a longer reply is cut and reported.
    type: int
    default: 1048576
  config_paths:
    description: Extra config files to read besides the standard locations.
    type: list
    elements: path
    default: []
notes:
  - Supports check mode; the module never changes anything.
  - Lynis DBS-1880..1888 map to HG-REDIS-011, 009, 006, 003 and 013 (see docs/redis.md).
seealso:
  - name: Redis security
    description: Redis' own security notes (protected mode, ACL, rename-command).
    link: https://redis.io/docs/management/security/
"""

EXAMPLES = r"""
- name: Audit every local Redis and an extra endpoint
  hostguard.hardening.redis_audit:
    endpoints:
      - 127.0.0.1:6380
      - /run/redis/redis-server.sock
    password: "{{ vault_redis_password | default(omit) }}"
    timeout: 2
  register: redis_report

- name: Audit an offline image's config only
  hostguard.hardening.redis_audit:
    root: /mnt/image
"""

RETURN = r"""
findings:
  description: Findings (id, title, severity, status, subject, evidence, remediation, references).
  returned: always
  type: list
  elements: dict
  sample:
    - id: HG-REDIS-004
      severity: critical
      status: fail
      subject: /var/spool/cron/root
      evidence: {path: /var/spool/cron/root, runtime_dir: /var/spool/cron}
facts:
  description: Instances (pid, user, listeners, probes), parsed config files (effective values, no secrets), units.
  returned: always
  type: dict
seconds:
  description: Wall time of the audit.
  returned: always
  type: float
summary:
  description: Counts of failed findings per severity and of findings per status.
  returned: always
  type: dict
"""

from ansible_collections.hostguard.hardening.plugins.module_utils.core.module_entry import area_module_main
from ansible_collections.hostguard.hardening.plugins.module_utils.redis import AREA


def main():
    area_module_main(AREA)


if __name__ == "__main__":
    main()
