# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""OOM forensics from kernel logs: the names callers and tests import, in one place.

The parser is three stages, one file each (docs/oom-forensics.md):
  prefixes.py   a registry of line-prefix recognisers -> host, time, source tag, message
  messages.py   the message classifier -> (kind, fields), linear-time on any line
  records.py    record assembly -> incidents (trigger, constraint, memcg, victim, task table,
                verdict), records without a kill kept apart; loops and storms
plus scanner.py (streaming, anchors), collect.py (sources) and audit.py (checks, findings).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.audit import (  # noqa: F401
    CHECKS, CRITICAL_SERVICES_DEFAULT, OPTION_NAMES, audit, incident_subject, make_findings)
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.collect import (  # noqa: F401
    SOURCES, boot_epoch, journal_available, plan_sources, read_file_into, read_kmsg_into, run_into)
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.messages import (  # noqa: F401
    classify, parse_kill_fields, parse_summary, parse_trigger_fields, table_columns)
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.prefixes import (  # noqa: F401
    Context, split_line)
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.records import (  # noqa: F401
    PAGE_KB_DEFAULT, Parser, TaskTable, judge, parse_row, victim_rss_kb)
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.scanner import (  # noqa: F401
    ANCHORS, CHUNK_BYTES, Scanner, parse_bytes)
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.timestamps import (  # noqa: F401
    MONTHS, iso, parse_duration, parse_since)


__all__ = [
    "ANCHORS", "CHECKS", "CHUNK_BYTES", "CRITICAL_SERVICES_DEFAULT", "Context", "MONTHS", "OPTION_NAMES",
    "PAGE_KB_DEFAULT", "Parser", "SOURCES", "Scanner", "TaskTable", "audit", "boot_epoch", "classify",
    "incident_subject", "iso", "journal_available", "judge", "make_findings", "parse_bytes", "parse_duration",
    "parse_kill_fields", "parse_prefix", "parse_row", "parse_since", "parse_summary", "parse_trigger_fields",
    "plan_sources", "read_file_into", "read_kmsg_into", "run_into", "split_line", "table_columns",
    "victim_rss_kb"]


def parse_prefix(text, year=None, now=None):
    """(epoch, uptime, host, tag, pid, message) of one line (the pre-registry interface)."""
    p = split_line(text, Context(year, now))
    return p.epoch, p.uptime, p.host, p.tag, None, p.msg
