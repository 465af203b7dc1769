# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""OOM forensics from kernel logs: a streaming parser for every OOM format since 2.6.

Seeds 000-002: operators lose sshd, databases or their security agent to the OOM killer
and cannot tell from the log who really ate the memory. This file reconstructs each OOM
incident (trigger, constraint, memcg, victim, task table) from dmesg, /dev/kmsg, the
journal, kern.log/messages or any file, and judges whether the victim was the consumer.

Formats (kernel format strings read in the public sources, cited where parsed):
- trigger  "%s invoked oom-killer: gfp_mask=0x%x, order=%d, oomkilladj=%d"   2.6.11-2.6.24
           (torvalds/linux@01017a22 mm/oom_kill.c; 0x88888888/Linux2.6.24-comments)
           "... gfp_mask=0x%x, order=%d, oom_adj=%d"                         2.6.29-2.6.35
           "... order=%d, oom_adj=%d, oom_score_adj=%d"                       2.6.36-3.0
           "... gfp_mask=0x%x, order=%d, oom_score_adj=%hd"                   3.x (AndreiLux/ref-3.10)
           "... gfp_mask=%#x(%pGg), nodemask=%*pbl, order=%d, oom_score_adj=%hd"  4.x
           (0x88888888/linux-4.19-comments)  "... gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd"
           5.x/6.x (AltafYafai/kernel_common_5.10, Anything-at-25-00/kernel_common_android14-6.1)
- table    "[ pid ]   uid  tgid total_vm      rss cpu oom_adj name"           2.6.2x-2.6.35
           "[ pid ]   uid  tgid total_vm      rss cpu oom_adj oom_score_adj name"  2.6.36-3.0
           "[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name" 3.x-4.18
           "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name" 4.19+
           "[  pid  ] ... rss rss_anon rss_file rss_shmem pgtables_bytes swapents ..." 6.x (this host)
           Columns are read from the header line, so any column set parses.
- select   "Out of Memory: Kill process %d (%s) score %li and children."      2.6.11-2.6.20
           "%s: kill process %d (%s) score %li or a child"                    2.6.24-2.6.35
           "%s: Kill process %d (%s) score %d or sacrifice child"              2.6.36-4.x
- kill     "%s: Killed process %d (%s)."  /  "Killed process %d (%s)"        2.6.x
           "Killed process %d, UID %d, (%s) total-vm:..."                      RHEL 6 (2.6.32)
           "Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB"  3.x
           "... file-rss:%lukB, shmem-rss:%lukB"                                4.9-4.19
           "%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB,
            shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%hd"            5.x/6.x
           (%s is "Out of memory" or "Memory cgroup out of memory", or
            "Out of memory (oom_kill_allocating_task)")
- summary  "oom-kill:constraint=%s,nodemask=%*pbl" + cpuset + ",oom_memcg=|global_oom"
           + ",task_memcg=" + ",task=%s,pid=%d,uid=%d"   5.0+ (mm/oom_kill.c dump_oom_summary,
           mm/memcontrol.c mem_cgroup_print_oom_context)
- memcg    "Task in %s killed as a result of limit of %s", "memory: usage %llukB, limit %llukB,
           failcnt %lu"  2.6.29-4.x mm/memcontrol.c mem_cgroup_print_oom_info
- reaper   "oom_reaper: reaped process %d (%s), now anon-rss:%lukB, file-rss:%lukB,
           shmem-rss:%lukB"  4.6+
- OpenVZ   "OOM killed process %s (pid=%d, ve=%d) exited, free=%lu gen=%d"  (seed 001)
- earlyoom "sending %s to process %d uid %d \\"%s\\": badness %d, VmRSS %lld MiB"
           (rfjakob/earlyoom kill.c, v1.6+; later "oom_score %d, oom_score_adj %d, ...")
- systemd-oomd "Killed %s due to memory pressure for %s being %lu.%02lu%% > %lu.%02lu%% for > %s
           with reclaim activity", "Killed %s due to memory used (...) / total (...) and swap
           used ...", "Considered %zu cgroups for killing, top candidates were:"
           (systemd/systemd src/oom/oomd-manager.c, src/oom/oomd-util.c)

Timestamps: dmesg "[  839.048830]", dmesg -T "[Sun Apr 20 20:03:27 2025]", syslog
"Apr 20 20:03:27 host kernel: ...", RFC3339 / journalctl -o short-iso
"2025-04-20T20:03:27+0000 host kernel: ...", and /dev/kmsg records "6,1234,839048830,-;...".

Streaming: ``Scanner.feed(chunk)`` finds candidate lines with a few ``bytes.find`` calls over
whole chunks (no per-line Python work on the noise), so memory stays O(chunk + max_line +
max_incidents * top_tasks) whatever the log size, and truncated or interleaved records never
raise. Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import collections
import errno
import functools
import heapq
import os
import re
import select
import subprocess
import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import (
    Check, CheckSet, area_result, sort_findings)
from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read

PAGE_KB_DEFAULT = 4
CHUNK_BYTES = 1024 * 1024

# Substrings, one of which every line that starts or ends a record contains; searched over whole
# chunks with bytes.find (few, with uncommon last bytes: each one is a pass over the data).
#   b"oom":  invoked oom-killer, oom-kill:, oom_reaper:, table headers (oom_adj/oom_score_adj),
#            the earlyoom / systemd-oomd syslog tags, ",oom_memcg=" / ",global_oom" pr_cont pieces
#   b"Kill": Kill process / Killed process (all versions), systemd-oomd "Killed <cgroup> due to"
#   b"kill": kill process (2.6.2x), OpenVZ "OOM killed process", "Task in .. killed as a result of
#            limit of ..", "cgroups for killing", "no killable processes"
# Lines inside a record (stack, "memory: usage", table rows, candidate dumps) are read because
# the parser follows the record (Parser.follow), not through anchors.
ANCHORS = (b"oom", b"Kill", b"kill")

CRITICAL_SERVICES_DEFAULT = (
    "sshd", "systemd", "init", "systemd-journal", "systemd-logind", "dbus-daemon", "dbus-broker",
    "dockerd", "containerd", "kubelet", "auditd", "rsyslogd", "chronyd", "postgres", "mysqld",
    "mariadbd", "redis-server", "keydb-server", "etcd", "sssd", "NetworkManager")

MONTHS = dict((m, i + 1) for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")))

# ---------------------------------------------------------------------------- line prefixes
RE_KMSG = re.compile(r"^(\d+),(\d+),(\d+),[^;]*;(.*)$")
RE_DMESG = re.compile(r"^\[\s*(\d+\.\d+)\]\s?(.*)$")
RE_DMESG_T = re.compile(r"^\[\s*\w{3} (\w{3})\s+(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})\]\s?(.*)$")
RE_SYSLOG = re.compile(r"^(\w{3})\s+(\d{1,2}) (\d\d):(\d\d):(\d\d) (\S+) ([^\s:\[]+)(?:\[(\d+)\])?:\s?(.*)$")
RE_ISO = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)? "
                    r"(\S+) ([^\s:\[]+)(?:\[(\d+)\])?:\s?(.*)$")

# ---------------------------------------------------------------------------- messages
RE_TRIGGER = re.compile(r"^(?P<comm>.*?) invoked oom-killer: (?P<rest>.*)$")
RE_KV = re.compile(r"(\w+)=(\([^)]*\)|[^,\s(]+)(?:\(([^)]*)\))?")
RE_SELECT = re.compile(r"^(?:(?P<msg>.*?): )?[Kk]ill process (?P<pid>\d+) \((?P<name>.*)\) "
                       r"score (?P<score>-?\d+) (?:or sacrifice child|or a child|and children)")
RE_SHARING = re.compile(r"^Kill(?:ed)? process (?P<pid>\d+) \((?P<name>.*)\) sharing same memory")
RE_KILLED = re.compile(r"^(?:(?P<msg>.*?): )?Killed process (?P<pid>\d+)(?:, UID (?P<uid>\d+),)? "
                       r"\((?P<name>.*)\)(?P<rest>(?: |,|\.|$).*)$")
RE_FIELDS = re.compile(r"([A-Za-z_-]+):(-?\d+)")
RE_REAPER = re.compile(r"^oom_reaper: reaped process (?P<pid>\d+) \((?P<name>.*)\), now (?P<rest>.*)$")
RE_OPENVZ = re.compile(r"^OOM killed process (?P<name>.*) \(pid=(?P<pid>\d+), ve=(?P<ve>\d+)\) exited, "
                       r"free=(?P<free>\d+) gen=(?P<gen>\d+)")
RE_TASK_IN = re.compile(r"^Task in (?P<task>\S+) killed as a result of limit of (?P<limit>\S+)")
RE_LIMIT_REACHED = re.compile(r"^Memory limit reached of cgroup (?P<limit>\S+)")
RE_MEMCG_USAGE = re.compile(r"^memory: usage (?P<usage>\d+)kB, limit (?P<limit>\d+)kB, failcnt (?P<failcnt>\d+)")
RE_SUMMARY_TASK = re.compile(r",task=(?P<task>.*),pid=(?P<pid>\d+),uid=(?P<uid>\d+)\s*$")
RE_ROW = re.compile(r"^\[\s*(\d+)\]\s+(.*)$")
RE_STACK_PID = re.compile(r"(?:^CPU: \d+ (?:UID: \d+ )?PID: (\d+) Comm: |^Pid: (\d+), comm: )")
RE_EARLYOOM = re.compile(r"sending (?P<sig>SIG\w+|0 \(no-op signal\)|\?) to process (?P<pid>\d+) uid (?P<uid>\d+) "
                         r"\"(?P<name>.*)\": (?P<rest>.*)$")
RE_EARLY_FIELDS = re.compile(r"(badness|oom_score_adj|oom_score|VmRSS) (-?\d+)")
RE_OOMD_KILL = re.compile(r"^(?P<verb>Killed|Marked) (?P<cg>\S+) (?:for killing )?due to (?P<reason>.*)$")
RE_OOMD_PRESSURE = re.compile(r"memory pressure for (?P<mon>\S+) being (?P<cur>[\d.]+)% > (?P<lim>[\d.]+)%")
RE_OOMD_CONSIDERED = re.compile(r"^Considered (\d+) cgroups for killing, top candidates were:")
RE_OOMD_PATH = re.compile(r"^\s*Path: (\S+)")
RE_OOMD_USAGE = re.compile(r"^\s*(Current Memory Usage|Swap Usage|Memory Min|Memory Low|Pgscan|Last Pgscan): (.*)$")
RE_SINCE_REL = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")


# ---------------------------------------------------------------------------- small helpers
def parse_duration(value, default=3600):
    """Seconds from 3600, "3600", "90m", "1h", "7d", "2w"."""
    if value is None or value == "":
        return default
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text.isdigit():
        return float(text)
    m = RE_SINCE_REL.match(text)
    if not m:
        raise ValueError("not a duration: %r (use e.g. 3600, 90m, 1h, 7d)" % (value,))
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m.group(2)]


def parse_since(value, now=None):
    """Epoch seconds from an ISO date/time ("2025-04-20", "2025-04-20T20:03:27") or a
    relative age ("7d", "12h"). None for None/""."""
    if value is None or value == "":
        return None
    now = time.time() if now is None else now
    text = str(value).strip()
    if RE_SINCE_REL.match(text):
        return now - parse_duration(text)
    for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return float(calendar.timegm(time.strptime(text.rstrip("Z"), fmt)))
        except ValueError:
            continue
    raise ValueError("since: not an ISO date or relative age: %r" % (value,))


def iso(epoch):
    if epoch is None:
        return None
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
    except (ValueError, OverflowError, OSError):
        return None


def _int(text, default=None):
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


def _tz_offset(text):
    if not text or text == "Z":
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return sign * (int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60)


@functools.lru_cache(maxsize=1024)
def _epoch(year, month, day, hh, mm, ss):
    try:
        return float(calendar.timegm((year, month, day, hh, mm, ss, 0, 0, 0)))
    except (ValueError, OverflowError, TypeError):
        return None


def _syslog_epoch(mon, day, hh, mm, ss, year, now):
    """Epoch of a year-less syslog stamp: this year, or last year if that would be > 1 day ahead."""
    key = (mon, day, hh, mm, ss, year, None if now is None else int(now) // 3600)
    hit = _SYSLOG_CACHE.get(key)
    if hit is not None or key in _SYSLOG_CACHE:
        return hit
    now = time.time() if now is None else now
    y = year or time.gmtime(now).tm_year
    args = (MONTHS[mon], int(day), int(hh), int(mm), int(ss))
    epoch = _epoch(y, *args)
    if year is None and epoch is not None and epoch > now + 86400:
        epoch = _epoch(y - 1, *args)
    if len(_SYSLOG_CACHE) > 4096:
        _SYSLOG_CACHE.clear()
    _SYSLOG_CACHE[key] = epoch
    return epoch


_SYSLOG_CACHE = {}


def parse_prefix(text, year=None, now=None):
    """Split a log line into (epoch, uptime, host, tag, pid, message).

    epoch: wall seconds (UTC; syslog lines without a zone are read as UTC) or None;
    uptime: the kernel's monotonic "[ secs ]" stamp or None.
    """
    epoch = uptime = host = tag = pid = None
    msg = text
    c0 = text[:1]
    if c0 == "[":
        m = RE_DMESG.match(text)
        if m:
            return None, float(m.group(1)), None, None, None, m.group(2)
        m = RE_DMESG_T.match(text)
        if m and m.group(1) in MONTHS:
            epoch = _epoch(int(m.group(6)), MONTHS[m.group(1)], int(m.group(2)), int(m.group(3)),
                           int(m.group(4)), int(m.group(5)))
            return epoch, None, None, None, None, m.group(7)
        return None, None, None, None, None, text
    if c0.isdigit():
        m = RE_ISO.match(text)
        if m:
            epoch = _epoch(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)),
                           int(m.group(5)), int(m.group(6)))
            if epoch is not None:
                epoch -= _tz_offset(m.group(8))
                if m.group(7):
                    epoch += float(m.group(7))
            host, tag, pid, msg = m.group(9), m.group(10), m.group(11), m.group(12)
        else:
            m = RE_KMSG.match(text)
            if m:
                return None, int(m.group(3)) / 1e6, None, None, None, m.group(4)
            return None, None, None, None, None, text
    elif c0.isalpha():
        m = RE_SYSLOG.match(text)
        if m and m.group(1) in MONTHS:
            g = m.groups()
            epoch = _syslog_epoch(g[0], g[1], g[2], g[3], g[4], year, now)
            host, tag, pid, msg = g[5], g[6], g[7], g[8]
        else:
            return None, None, None, None, None, text
    else:
        return None, None, None, None, None, text
    if msg[:1] == "[":
        m = RE_DMESG.match(msg)
        if m:
            uptime = float(m.group(1))
            msg = m.group(2)
    return epoch, uptime, host, tag, pid, msg


def parse_trigger_fields(rest):
    """key=value pairs of an 'invoked oom-killer:' line, tolerant of every version."""
    out = {}
    for key, value, flags in RE_KV.findall(rest):
        if key == "gfp_mask":
            out["gfp_mask"] = value
            if flags:
                out["gfp_flags"] = flags
        elif key in ("order", "oom_score_adj", "oom_adj", "oomkilladj"):
            out[key] = _int(value)
        elif key == "nodemask":
            out["nodemask"] = value
    return out


def parse_kill_fields(rest):
    """total-vm/anon-rss/file-rss/shmem-rss/UID/pgtables/oom_score_adj of a kill line."""
    out = {}
    names = {"total-vm": "total_vm_kb", "anon-rss": "anon_rss_kb", "file-rss": "file_rss_kb",
             "shmem-rss": "shmem_rss_kb", "UID": "uid", "pgtables": "pgtables_kb",
             "oom_score_adj": "oom_score_adj", "anon-rss-low": "anon_rss_low_kb",
             "file-rss-low": "file_rss_low_kb"}
    for key, value in RE_FIELDS.findall(rest):
        if key in names:
            out[names[key]] = _int(value)
    return out


def parse_summary(msg):
    """The one-line 'oom-kill:constraint=...' summary (5.0+) as a dict."""
    out = {}
    body = msg[len("oom-kill:"):] if msg.startswith("oom-kill:") else msg
    m = RE_SUMMARY_TASK.search(body)
    if m:
        out["task"] = m.group("task")
        out["pid"] = int(m.group("pid"))
        out["uid"] = int(m.group("uid"))
        body = body[:m.start()]
    for part in body.split(","):
        if not part:
            continue
        if "=" in part:
            key, _sep, value = part.partition("=")
            key = key.strip()
            if key in ("constraint", "nodemask", "cpuset", "mems_allowed", "oom_memcg", "task_memcg",
                       "origin_memcg", "kill_memcg", "task"):
                out[key] = value
            elif key in ("pid", "uid"):
                out[key] = _int(value)
        elif part.strip() == "global_oom":
            out["global_oom"] = True
    return out


def table_columns(msg):
    """Column names of a task-table header '[ pid ]   uid  tgid total_vm ...' (after pid)."""
    end = msg.find("]")
    if end < 0:
        return None
    cols = msg[end + 1:].split()
    if not cols or cols[-1] != "name" or "rss" not in cols:
        return None
    return cols


ROW_KEEP = ("uid", "tgid", "total_vm", "rss", "rss_anon", "rss_file", "rss_shmem", "swapents",
            "oom_score_adj", "oom_adj")


def parse_row(msg, cols, page_kb=PAGE_KB_DEFAULT):
    """One task-table row under ``cols``; None when it is not a (complete) row.
    Returns the compact row: pid, name, uid, rss_kb, held_kb (rss + swap), total_vm_kb, adj."""
    if msg[:1] != "[":
        return None
    end = msg.find("]")
    if end < 0:
        return None
    pid = _int(msg[1:end].strip())
    if pid is None:
        return None
    parts = msg[end + 1:].split(None, len(cols) - 1)
    if len(parts) < len(cols):
        return None
    row = {"pid": pid, "name": parts[-1]}
    try:
        for key, value in zip(cols, parts):
            if key in ROW_KEEP:
                row[key] = int(value)
    except ValueError:
        return None
    rss = row.pop("rss", 0)
    row["rss_kb"] = rss * page_kb
    row["total_vm_kb"] = row.pop("total_vm", 0) * page_kb
    row["held_kb"] = (rss + row.get("swapents", 0)) * page_kb
    return row


def is_immune(row):
    return row.get("oom_score_adj") == -1000 or row.get("oom_adj") == -17


class TaskTable(object):
    """Bounded view of a task table: the top-K rows by memory held, the top-K immune rows,
    the largest row, and a count of the rest."""

    def __init__(self, cols, top_k):
        self.cols = cols
        self.top_k = max(1, int(top_k))
        self.rows = 0
        self.malformed = 0
        self._heap = []
        self._immune = []
        self._seq = 0
        self.largest = None
        self.total_held_kb = 0

    def add(self, row):
        self.rows += 1
        self._seq += 1
        self.total_held_kb += row["held_kb"]
        item = (row["held_kb"], -self._seq, row)
        if self.largest is None or row["held_kb"] > self.largest["held_kb"]:
            self.largest = item[2]
        self._push(self._heap, item)
        if is_immune(row):
            self._push(self._immune, item)

    def _push(self, heap, item):
        if len(heap) < self.top_k:
            heapq.heappush(heap, item)
        elif item[0] > heap[0][0]:
            heapq.heapreplace(heap, item)

    def top(self):
        return [item[2] for item in sorted(self._heap, reverse=True)]

    def immune(self):
        return [item[2] for item in sorted(self._immune, reverse=True)]

    def find(self, pid):
        for item in self._heap:
            if item[2]["pid"] == pid:
                return item[2]
        return None

    def as_dict(self):
        return {"columns": list(self.cols), "rows": self.rows, "top": self.top(),
                "omitted": max(0, self.rows - len(self._heap)), "immune": self.immune(),
                "largest": self.largest, "malformed": self.malformed,
                "total_held_kb": self.total_held_kb}


def victim_rss_kb(victim):
    if not victim:
        return None
    parts = [victim.get(k) for k in ("anon_rss_kb", "file_rss_kb", "shmem_rss_kb")]
    if all(p is None for p in parts):
        return None
    return sum(p or 0 for p in parts)


def judge(incident, table, likely_adj=500):
    """The verdict on one incident (rules in docs/oom-forensics.md)."""
    victim = incident.get("victim") or {}
    vpid = victim.get("pid")
    killer = incident.get("killer")
    if table is not None and table.rows:
        largest = table.largest
        vrow = table.find(vpid) if vpid is not None else None
        vkb = vrow["held_kb"] if vrow else victim_rss_kb(victim)
        immune = [r for r in table.immune() if vkb is None or r["held_kb"] > vkb]
        if vpid is None:
            return {"verdict": "undetermined", "reason": "the kill line is missing (truncated record)",
                    "largest_consumer": largest, "immune_holders": immune}
        if largest["pid"] == vpid or largest.get("tgid") == vpid:
            return {"verdict": "culprit", "reason": "the victim was the largest consumer in the task table",
                    "largest_consumer": largest, "immune_holders": immune}
        if vkb is not None and vkb >= largest["held_kb"]:
            return {"verdict": "culprit",
                    "reason": "the victim held as much as the largest row of the task table",
                    "largest_consumer": largest, "immune_holders": immune}
        why = "%s (pid %s) held %s kB, the victim %s (pid %s) %s kB" % (
            largest["name"], largest["pid"], largest["held_kb"], victim.get("name"), vpid,
            vkb if vkb is not None else "less (not in the top rows)")
        if largest.get("oom_score_adj") == -1000 or largest.get("oom_adj") == -17:
            why += "; the largest consumer was immune (oom_score_adj -1000) so the kernel could not pick it"
        elif largest.get("oom_score_adj") is not None and victim.get("oom_score_adj") is not None \
                and victim["oom_score_adj"] > largest["oom_score_adj"]:
            why += "; the victim's oom_score_adj %s outranked the consumer's %s" % (
                victim["oom_score_adj"], largest["oom_score_adj"])
        return {"verdict": "innocent", "reason": why, "largest_consumer": largest, "immune_holders": immune}
    if killer not in ("kernel", "openvz"):
        return {"verdict": "undetermined", "reason": "userspace killer; no task table in the log",
                "largest_consumer": None, "immune_holders": []}
    hints = []
    adj = victim.get("oom_score_adj")
    if adj is not None and adj >= likely_adj:
        hints.append("the victim had oom_score_adj %s: it was chosen for its adj, not its size" % adj)
    nxt = incident.get("next_kill_after_s")
    if nxt is not None:
        hints.append("the kernel had to kill again %.3g s later: this kill did not relieve the pressure" % nxt)
    reason = "no task table in the log (vm.oom_dump_tasks=0, rate-limited or filtered)"
    if hints:
        return {"verdict": "likely_innocent", "reason": reason + "; " + "; ".join(hints),
                "largest_consumer": None, "immune_holders": []}
    return {"verdict": "undetermined", "reason": reason, "largest_consumer": None, "immune_holders": []}


def _cap(mapping, size):
    """Drop the oldest keys of an insertion-ordered dict beyond ``size``."""
    while len(mapping) > size:
        mapping.pop(next(iter(mapping)))


# ---------------------------------------------------------------------------- the parser
class Parser(object):
    """Line-level state machine. ``follow`` is True while it needs every line (task table,
    stack after a trigger, systemd-oomd candidate dump); otherwise only anchor lines."""

    FOLLOW_AFTER_TRIGGER = 400     # stack, Mem-Info, memcg usage: until the table or the kill
    TABLE_NOISE_TOLERANCE = 16
    OOMD_FOLLOW = 40

    def __init__(self, source="file", top_k=10, max_incidents=20, page_kb=PAGE_KB_DEFAULT,
                 since=None, loop_window=3600.0, loop_min_kills=3, storm_gap=60.0, storm_min_kills=5,
                 loop_min_span=None,
                 boot_epoch=None, year=None, now=None, max_hosts=64, max_tracked_names=2000):
        self.source = source
        self.top_k = top_k
        self.page_kb = page_kb
        self.since = since
        self.loop_window = float(loop_window)
        self.loop_min = int(loop_min_kills)
        self.storm_gap = float(storm_gap)
        self.storm_min = int(storm_min_kills)
        # kills of one name all inside one burst are a storm (-005), not a crash loop (-003)
        self.loop_min_span = self.storm_gap if loop_min_span is None else float(loop_min_span)
        self.boot_epoch = boot_epoch
        self.year = year
        self.now = now
        self.max_hosts = max_hosts
        self.max_tracked = max_tracked_names
        self.incidents = collections.deque(maxlen=max(1, int(max_incidents)))
        self.counts = collections.Counter()
        self.follow = False
        self._follow_left = 0
        self._mode = None           # None | "trigger" | "table" | "oomd"
        self._follow_host = None
        self._table_noise = 0
        self._open = collections.OrderedDict()     # host -> open kernel incident
        self._tables = {}                          # id(incident) -> TaskTable
        self._last_kill = {}                       # host -> (t, incident)
        self._recent = collections.OrderedDict()   # (host, pid) -> incident, for oom_reaper
        self._oomd_pending = {}                    # host -> (t, candidates)
        self._oomd_last = {}                       # host -> incident
        self._loops = collections.OrderedDict()    # (host, name) -> cluster
        self.loops = []
        self._storm = {}                           # host -> cluster
        self.storms = collections.deque(maxlen=20)
        self._seq = 0
        self.lines = 0

    # -- time
    def _times(self, epoch, uptime):
        if epoch is None and uptime is not None and self.boot_epoch is not None:
            epoch = self.boot_epoch + uptime
        return epoch, uptime

    @staticmethod
    def _tkey(inc):
        if inc.get("epoch") is not None:
            return inc["epoch"]
        return inc.get("uptime")

    # -- incidents
    def _new(self, host, epoch, uptime, killer, partial=False):
        self._seq += 1
        inc = {"seq": self._seq, "source": self.source, "host": host, "killer": killer,
               "epoch": epoch, "time": iso(epoch), "uptime": uptime, "trigger": None,
               "constraint": None, "memcg": None, "victim": None, "selected": None,
               "task_table": None, "reaped": None, "verdict": None, "partial": partial,
               "also_killed": []}
        return inc

    def _open_incident(self, host, epoch, uptime, partial):
        inc = self._open.get(host)
        if inc is None:
            inc = self._new(host, epoch, uptime, "kernel", partial=partial)
            self._set_open(host, inc)
        return inc

    def _set_open(self, host, inc):
        self._open[host] = inc
        self._open.move_to_end(host) if hasattr(self._open, "move_to_end") else None
        while len(self._open) > self.max_hosts:
            _h, old = self._open.popitem(last=False)
            self._close(old)

    def _close(self, inc):
        if inc is None or inc.get("_closed"):
            return
        inc["_closed"] = True
        table = self._tables.pop(id(inc), None)
        if table is not None:
            inc["task_table"] = table.as_dict()
        if inc["victim"] is None and inc["selected"] is not None:
            inc["victim"] = dict(inc["selected"])
        if inc["victim"] is None and inc["task_table"] is None and inc["trigger"] is None:
            return
        inc["verdict"] = judge(inc, table)
        if inc["victim"] is None:
            inc["partial"] = True
        t = self._tkey(inc)
        if self.since is not None and inc.get("epoch") is not None and inc["epoch"] < self.since:
            self.counts["before_since"] += 1
            return
        self.counts["incidents"] += 1
        self.counts["killer_" + inc["killer"]] += 1
        self.counts["verdict_" + inc["verdict"]["verdict"]] += 1
        if inc["task_table"] is not None:
            self.counts["with_task_table"] += 1
        if inc["partial"]:
            self.counts["partial"] += 1
        if inc.get("constraint") == "CONSTRAINT_MEMCG" or (inc.get("memcg") or {}).get("oom_memcg"):
            self.counts["memcg"] += 1
        inc["_counted"] = True
        self.incidents.append(inc)
        if inc["victim"] is not None:
            self._track_kill(inc, t)

    def _finish_prev_kill(self, host, epoch, uptime):
        """A new kill on ``host``: tell the previous one how soon the kernel killed again."""
        prev = self._last_kill.get(host)
        if prev is None:
            return
        t_prev, inc = prev
        t_now = epoch if epoch is not None and inc.get("epoch") is not None else uptime
        t_old = inc.get("epoch") if epoch is not None and inc.get("epoch") is not None else inc.get("uptime")
        if t_now is not None and t_old is not None and 0 <= t_now - t_old <= self.storm_gap \
                and inc.get("next_kill_after_s") is None:
            inc["next_kill_after_s"] = round(t_now - t_old, 6)
            if inc.get("verdict") is not None and inc.get("task_table") is None:
                old = inc["verdict"]["verdict"]
                inc["verdict"] = judge(inc, None)
                if old != inc["verdict"]["verdict"] and inc.get("_counted"):
                    self.counts["verdict_" + old] -= 1
                    self.counts["verdict_" + inc["verdict"]["verdict"]] += 1

    def _mark_kill(self, host, inc):
        self._last_kill[host] = (self._tkey(inc), inc)
        if len(self._last_kill) > self.max_hosts:
            self._last_kill.pop(next(iter(self._last_kill)))
        pid = (inc.get("victim") or {}).get("pid")
        if pid is not None:
            self._recent[(host, pid)] = inc
            while len(self._recent) > 256:
                self._recent.popitem(last=False)

    # -- loops and storms (streaming clusters, bounded)
    def _track_kill(self, inc, t):
        host = inc.get("host")
        name = (inc.get("victim") or {}).get("name") or "?"
        entry = {"time": inc.get("time"), "uptime": inc.get("uptime"), "pid": inc["victim"].get("pid")}
        key = (host, name)
        cl = self._loops.get(key)
        if cl is not None and t is not None and cl["last_t"] is not None and \
                not (0 <= t - cl["last_t"] <= self.loop_window):
            self._flush_loop(key)
            cl = None
        if cl is None:
            cl = {"host": host, "name": name, "count": 0, "first": entry, "last": entry, "pids": [],
                  "last_t": t, "first_t": t, "killers": set()}
            self._loops[key] = cl
            while len(self._loops) > self.max_tracked:
                self._flush_loop(next(iter(self._loops)))
        cl["count"] += 1
        cl["last"] = entry
        cl["last_t"] = t
        cl["killers"].add(inc["killer"])
        if len(cl["pids"]) < 20:
            cl["pids"].append(entry["pid"])
        # storms: many kills on one host, each within storm_gap of the previous
        st = self._storm.get(host)
        if st is not None and (t is None or st["last_t"] is None or not (0 <= t - st["last_t"] <= self.storm_gap)):
            self._flush_storm(host)
            st = None
        if st is None:
            st = {"host": host, "count": 0, "first": entry, "last": entry, "victims": [], "last_t": t,
                  "first_t": t, "free_prev": None, "largest_release": None}
            self._storm[host] = st
            while len(self._storm) > self.max_tracked:      # a hostile log with endless host names
                self._flush_storm(next(iter(self._storm)))
        st["count"] += 1
        st["last"] = entry
        st["last_t"] = t
        victim = inc["victim"]
        if len(st["victims"]) < 20:
            st["victims"].append({"pid": victim.get("pid"), "name": name,
                                  "rss_kb": victim_rss_kb(victim), "oom_score_adj": victim.get("oom_score_adj")})
        free = victim.get("free_after")
        if free is not None:
            if st["free_prev"] is not None:
                gain = free - st["free_prev"]
                if st["largest_release"] is None or gain > st["largest_release"]["free_gain"]:
                    st["largest_release"] = {"pid": victim.get("pid"), "name": name, "free_gain": gain}
            st["free_prev"] = free
        st["last_victim"] = {"pid": victim.get("pid"), "name": name}

    def _flush_loop(self, key):
        cl = self._loops.pop(key, None)
        if cl is not None and cl["count"] >= self.loop_min:
            span = None
            if cl["first_t"] is not None and cl["last_t"] is not None:
                span = round(cl["last_t"] - cl["first_t"], 3)
                if span < self.loop_min_span:
                    return
            self.loops.append({"host": cl["host"], "name": cl["name"], "kills": cl["count"],
                               "first": cl["first"], "last": cl["last"], "span_s": span,
                               "pids": cl["pids"], "killers": sorted(cl["killers"])})
            if len(self.loops) > 50:
                self.loops.pop(0)

    def _flush_storm(self, host):
        st = self._storm.pop(host, None)
        if st is not None and st["count"] >= self.storm_min:
            span = None
            if st["first_t"] is not None and st["last_t"] is not None:
                span = round(st["last_t"] - st["first_t"], 3)
            self.storms.append({"host": host, "kills": st["count"], "first": st["first"], "last": st["last"],
                                "span_s": span, "victims": st["victims"],
                                "ended_after": st.get("last_victim"),
                                "largest_release": st["largest_release"]})

    # -- the line entry point
    def line(self, raw, cut=False):
        self.lines += 1
        try:
            text = raw.decode("utf-8", "backslashreplace").rstrip("\r\n")
            self._line(text)
        except Exception as exc:  # a hostile line must never stop the scan
            self.counts["parse_errors"] += 1
            self.last_error = "%s: %s" % (type(exc).__name__, exc)

    def _follow(self, mode, count):
        self._mode = mode
        self._follow_left = count
        self.follow = True

    def _unfollow(self):
        self._mode = None
        self._follow_left = 0
        self.follow = False

    def _line(self, text):
        epoch, uptime, host, tag, _pid, msg = parse_prefix(text, self.year, self.now)
        epoch, uptime = self._times(epoch, uptime)
        mode = self._mode
        if mode == "table":
            inc = self._open.get(host)
            table = self._tables.get(id(inc)) if inc is not None else None
            if table is not None and msg[:1] == "[":
                row = parse_row(msg, table.cols, self.page_kb)
                if row is not None:
                    table.add(row)
                    self._table_noise = 0
                    return
                if RE_ROW.match(msg):
                    table.malformed += 1
                    return
            self._table_noise += 1
            if self._table_noise > self.TABLE_NOISE_TOLERANCE:
                self._unfollow()
        elif mode == "trigger":
            self._follow_left -= 1
            inc = self._open.get(host)
            m = RE_STACK_PID.match(msg)
            if m and inc is not None and inc["trigger"] is not None and "pid" not in inc["trigger"]:
                inc["trigger"]["pid"] = int(m.group(1) or m.group(2))
            if self._follow_left <= 0:
                self._unfollow()
        elif mode == "oomd":
            self._follow_left -= 1
            if self._oomd_line(host if host is not None else self._follow_host, epoch, uptime, msg):
                return
            if self._follow_left <= 0:
                self._unfollow()
        self._classify(msg, host, tag, epoch, uptime)

    def _oomd_line(self, host, epoch, uptime, msg):
        pend = self._oomd_pending.get(host)
        if pend is None:
            return False
        cands = pend["candidates"]
        m = RE_OOMD_PATH.match(msg)
        if m:
            if len(cands) < 10:
                cands.append({"path": m.group(1)})
            return True
        m = RE_OOMD_USAGE.match(msg)
        if m:
            if cands and len(cands) <= 10:
                cands[-1][m.group(1).lower().replace(" ", "_")] = m.group(2).strip()[:64]
            return True
        return False

    def _classify(self, msg, host, tag, epoch, uptime):
        if "invoked oom-killer:" in msg:
            m = RE_TRIGGER.match(msg)
            if m:
                self._finish_open(host)
                inc = self._new(host, epoch, uptime, "kernel")
                trig = {"process": m.group("comm")}
                trig.update(parse_trigger_fields(m.group("rest")))
                inc["trigger"] = trig
                self._set_open(host, inc)
                self._follow("trigger", self.FOLLOW_AFTER_TRIGGER)
                return
        if msg.startswith("[") and "uid  tgid" in msg:
            cols = table_columns(msg)
            if cols:
                inc = self._open_incident(host, epoch, uptime, partial=True)
                if id(inc) in self._tables or inc["victim"] is not None:
                    self._finish_open(host)
                    inc = self._open_incident(host, epoch, uptime, partial=True)
                self._tables[id(inc)] = TaskTable(cols, self.top_k)
                self._table_noise = 0
                self._follow("table", 0)
                return
        if msg.startswith("oom-kill:"):
            summ = parse_summary(msg)
            self._summary(host, epoch, uptime, summ)
            if summ.get("pid") is None:
                self._follow("trigger", 3)      # the rest may come as a separate pr_cont() piece
            return
        if msg.startswith(",") and ("task=" in msg or "memcg=" in msg or "global_oom" in msg):
            inc = self._open.get(host)      # a pr_cont() piece split from its summary line
            if inc is not None:
                self._summary(host, epoch, uptime, parse_summary(msg))
            return
        if "process" in msg:
            if "Killed process" in msg:
                m = RE_SHARING.match(msg)
                if m:
                    self._also(host, m)
                    return
                m = RE_KILLED.match(msg)
                if m:
                    self._killed(host, epoch, uptime, m)
                    return
            if "ill process" in msg:
                m = RE_SELECT.match(msg)
                if m:
                    self._select(host, epoch, uptime, m)
                    return
                m = RE_SHARING.match(msg)
                if m:
                    self._also(host, m)
                    return
            if msg.startswith("OOM killed process"):
                m = RE_OPENVZ.match(msg)
                if m:
                    self._openvz(host, epoch, uptime, m)
                    return
            if msg.startswith("oom_reaper:"):
                m = RE_REAPER.match(msg)
                if m:
                    self._reaper(host, m)
                    return
            if "sending " in msg and " to process " in msg:
                m = RE_EARLYOOM.search(msg)
                if m:
                    self._earlyoom(host, epoch, uptime, m)
                    return
            if "no killable process" in msg:
                inc = self._open.get(host)
                if inc is not None:
                    inc["no_killable_process"] = True
                self.counts["no_killable_process"] += 1
                return
        if msg.startswith("Task in ") or msg.startswith("Memory limit reached"):
            m = RE_TASK_IN.match(msg) or RE_LIMIT_REACHED.match(msg)
            if m:
                inc = self._open_incident(host, epoch, uptime, partial=True)
                self._follow("trigger", 3)      # "memory: usage ..." follows (no anchor in it)
                memcg = inc["memcg"] or {}
                memcg["oom_memcg"] = m.group("limit")
                if "task" in m.groupdict():
                    memcg["task_memcg"] = m.group("task")
                inc["memcg"] = memcg
                inc["constraint"] = inc["constraint"] or "CONSTRAINT_MEMCG"
            return
        if msg.startswith("memory: usage "):
            m = RE_MEMCG_USAGE.match(msg)
            inc = self._open.get(host)
            if m and inc is not None and inc["victim"] is None:
                memcg = inc["memcg"] or {}
                memcg["usage_kb"] = int(m.group("usage"))
                memcg["limit_kb"] = int(m.group("limit"))
                memcg["failcnt"] = int(m.group("failcnt"))
                inc["memcg"] = memcg
            return
        if "due to memory" in msg or "due to swap" in msg:
            m = RE_OOMD_KILL.match(msg)
            if m:
                self._oomd_kill(host, epoch, uptime, m)
                return
        if msg.startswith("Considered "):
            m = RE_OOMD_CONSIDERED.match(msg)
            if m:
                last = self._oomd_last.get(host)
                cands = []
                if last is not None and last.get("_oomd_t") is not None and \
                        self._near(last.get("_oomd_t"), epoch if epoch is not None else uptime, 5):
                    last["candidates"] = cands
                    last["considered"] = int(m.group(1))
                self._oomd_pending[host] = {"candidates": cands, "considered": int(m.group(1)),
                                            "t": epoch if epoch is not None else uptime}
                _cap(self._oomd_pending, self.max_hosts)
                self._follow("oomd", self.OOMD_FOLLOW)
                self._follow_host = host
                return

    @staticmethod
    def _near(a, b, secs):
        return a is not None and b is not None and abs(a - b) <= secs

    def _finish_open(self, host):
        inc = self._open.pop(host, None)
        if inc is not None:
            self._close(inc)

    def _summary(self, host, epoch, uptime, summ):
        inc = self._open.get(host)
        if inc is not None and inc["victim"] is not None and summ.get("pid") is not None \
                and inc["victim"].get("pid") != summ.get("pid"):
            self._finish_open(host)
            inc = None
        if inc is None:
            inc = self._open_incident(host, epoch, uptime, partial=True)
        if self._mode == "table":
            self._unfollow()
        if summ.get("constraint"):
            inc["constraint"] = summ["constraint"]
        memcg = inc["memcg"] or {}
        for key in ("cpuset", "mems_allowed", "oom_memcg", "task_memcg", "nodemask", "origin_memcg",
                    "kill_memcg"):
            if summ.get(key) is not None:
                memcg[key] = summ[key]
        if summ.get("global_oom"):
            memcg["global_oom"] = True
        inc["memcg"] = memcg or None
        if summ.get("pid") is not None:
            chosen = inc["selected"] or {}
            chosen.update({"pid": summ["pid"], "name": summ.get("task"), "uid": summ.get("uid")})
            inc["selected"] = chosen

    def _select(self, host, epoch, uptime, m):
        inc = self._open.get(host)
        if inc is not None and inc["victim"] is not None:
            self._finish_open(host)
            inc = None
        if inc is None:
            inc = self._open_incident(host, epoch, uptime, partial=True)
        if self._mode == "table":
            self._unfollow()
        sel = inc["selected"] or {}
        sel.update({"pid": int(m.group("pid")), "name": m.group("name"), "score": int(m.group("score"))})
        inc["selected"] = sel
        inc["reason"] = m.group("msg")
        if (m.group("msg") or "").startswith("Memory cgroup"):
            inc["constraint"] = inc["constraint"] or "CONSTRAINT_MEMCG"

    def _killed(self, host, epoch, uptime, m):
        pid = int(m.group("pid"))
        inc = self._open.get(host)
        if inc is not None and inc["victim"] is not None:
            self._finish_open(host)
            inc = None
        self._finish_prev_kill(host, epoch, uptime)
        if inc is None:
            inc = self._new(host, epoch, uptime, "kernel", partial=True)
            self._set_open(host, inc)
        if self._mode == "table":
            self._unfollow()
        victim = {"pid": pid, "name": m.group("name")}
        if m.group("uid"):
            victim["uid"] = int(m.group("uid"))
        victim.update(parse_kill_fields(m.group("rest") or ""))
        sel = inc["selected"] or {}
        if sel.get("pid") == pid:
            for key in ("score", "uid"):
                if sel.get(key) is not None and victim.get(key) is None:
                    victim[key] = sel[key]
        elif sel.get("pid") is not None:
            victim["sacrificed_for"] = {"pid": sel["pid"], "name": sel.get("name")}
        inc["victim"] = victim
        if m.group("msg"):
            inc["reason"] = m.group("msg")
            if m.group("msg").startswith("Memory cgroup"):
                inc["constraint"] = inc["constraint"] or "CONSTRAINT_MEMCG"
        if inc["epoch"] is None and inc["uptime"] is None:
            inc["epoch"], inc["uptime"], inc["time"] = epoch, uptime, iso(epoch)
        self._mark_kill(host, inc)

    def _also(self, host, m):
        inc = self._open.get(host)
        if inc is not None and len(inc["also_killed"]) < 10:
            inc["also_killed"].append({"pid": int(m.group("pid")), "name": m.group("name")})

    def _reaper(self, host, m):
        pid = int(m.group("pid"))
        inc = self._open.get(host)
        if inc is None or (inc.get("victim") or {}).get("pid") != pid:
            inc = self._recent.get((host, pid))
        if inc is not None:
            reaped = {"pid": pid}
            reaped.update(parse_kill_fields(m.group("rest")))
            inc["reaped"] = reaped
        else:
            self.counts["reaper_without_kill"] += 1

    def _openvz(self, host, epoch, uptime, m):
        self._finish_open(host)
        self._finish_prev_kill(host, epoch, uptime)
        inc = self._new(host, epoch, uptime, "openvz")
        inc["victim"] = {"pid": int(m.group("pid")), "name": m.group("name"), "ve": int(m.group("ve")),
                         "free_after": int(m.group("free")), "gen": int(m.group("gen"))}
        inc["memcg"] = {"openvz_ve": int(m.group("ve"))}
        self._mark_kill(host, inc)
        self._close(inc)

    def _earlyoom(self, host, epoch, uptime, m):
        sig = m.group("sig")
        if sig not in ("SIGTERM", "SIGKILL"):
            return  # signal 0 is earlyoom's start-up self test
        inc = self._new(host, epoch, uptime, "earlyoom")
        victim = {"pid": int(m.group("pid")), "name": m.group("name"), "uid": int(m.group("uid")),
                  "signal": sig}
        for key, value in RE_EARLY_FIELDS.findall(m.group("rest")):
            if key == "VmRSS":
                victim["vmrss_mib"] = int(value)
                victim["anon_rss_kb"] = int(value) * 1024
            else:
                victim[key] = int(value)
        inc["victim"] = victim
        self._close(inc)

    def _oomd_kill(self, host, epoch, uptime, m):
        inc = self._new(host, epoch, uptime, "systemd-oomd")
        cg = m.group("cg")
        unit = cg.rstrip("/").rsplit("/", 1)[-1]
        victim = {"pid": None, "name": unit, "cgroup": cg, "action": m.group("verb").lower()}
        inc["victim"] = victim
        reason = m.group("reason")
        inc["reason"] = reason[:300]
        p = RE_OOMD_PRESSURE.search(reason)
        if p:
            inc["memcg"] = {"monitored": p.group("mon"), "pressure_pct": float(p.group("cur")),
                            "limit_pct": float(p.group("lim"))}
        t = epoch if epoch is not None else uptime
        pend = self._oomd_pending.pop(host, None)
        if pend is not None and self._near(pend.get("t"), t, 5):
            inc["candidates"] = pend["candidates"]
            inc["considered"] = pend["considered"]
        inc["_oomd_t"] = t
        self._oomd_last[host] = inc
        _cap(self._oomd_last, self.max_hosts)
        self._close(inc)

    def finish(self):
        for host in list(self._open):
            self._finish_open(host)
        for key in list(self._loops):
            self._flush_loop(key)
        for host in list(self._storm):
            self._flush_storm(host)
        self._unfollow()

    def result_incidents(self):
        out = []
        for inc in reversed(self.incidents):
            item = dict((k, v) for k, v in inc.items() if not k.startswith("_") and k != "epoch")
            if not item.get("also_killed"):
                item.pop("also_killed", None)
            out.append(item)
        return out


# ---------------------------------------------------------------------------- the scanner
class Scanner(object):
    """Feeds a Parser from byte chunks. Only lines holding an anchor are decoded, unless the
    parser is following a record; a line longer than ``max_line`` is cut to its head."""

    def __init__(self, parser, max_line=4096):
        self.parser = parser
        self.max_line = max(64, int(max_line))
        self.carry = b""
        self.skip_head = None
        self.bytes = 0
        self.cut_lines = 0

    def feed(self, data):
        if not data:
            return
        self.bytes += len(data)
        if self.skip_head is not None:
            nl = data.find(b"\n")
            if nl < 0:
                return
            head, self.skip_head = self.skip_head, None
            self._one(head)
            data = data[nl + 1:]
        buf = self.carry + data if self.carry else data
        end = buf.rfind(b"\n")
        if end < 0:
            self._keep(buf)
            return
        self._keep(buf[end + 1:])
        self._scan(buf, end)

    def _keep(self, tail):
        if len(tail) > self.max_line:
            self.skip_head = tail[:self.max_line]
            self.carry = b""
            self.cut_lines += 1
        else:
            self.carry = tail

    def _one(self, line):
        parser = self.parser
        if parser.follow:
            parser.line(line)
            return
        for anchor in ANCHORS:
            if anchor in line:
                parser.line(line)
                return

    def _scan(self, buf, end):
        """Process the complete lines of buf[:end+1] (buf[end] is a newline)."""
        parser = self.parser
        max_line = self.max_line
        nexts = {}
        pos = 0
        find = buf.find
        while pos <= end:
            if parser.follow:
                nl = find(b"\n", pos, end + 1)
                stop = nl if nl - pos <= max_line else pos + max_line
                parser.line(buf[pos:stop])
                pos = nl + 1
                continue
            hit = -1
            for anchor in ANCHORS:
                at = nexts.get(anchor, -2)
                if at == -1:
                    continue
                if at < pos:
                    at = find(anchor, pos, end)
                    nexts[anchor] = at
                    if at < 0:
                        continue
                if hit < 0 or at < hit:
                    hit = at
            if hit < 0:
                return
            start = buf.rfind(b"\n", pos, hit) + 1
            if start < pos:
                start = pos
            nl = find(b"\n", hit, end + 1)
            stop = nl if nl - start <= max_line else start + max_line
            parser.line(buf[start:stop])
            pos = nl + 1

    def finish(self):
        if self.skip_head is not None:
            self._one(self.skip_head)
            self.skip_head = None
        elif self.carry:
            self._one(self.carry)   # a last line without newline (truncated log)
            self.carry = b""
        self.parser.finish()


def parse_bytes(data, **kwargs):
    """Convenience for tests: parse a whole bytes/str log, return the Parser."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    max_line = kwargs.pop("max_line", 4096)
    chunk = kwargs.pop("chunk", CHUNK_BYTES)
    parser = Parser(**kwargs)
    scanner = Scanner(parser, max_line)
    for i in range(0, len(data), chunk):
        scanner.feed(data[i:i + chunk])
    scanner.finish()
    return parser


# ---------------------------------------------------------------------------- sources and audit
# (everything above is pure; this part touches the host, read-only)

AREA = "OOMLOG"
_READS = "dmesg | /dev/kmsg | journalctl -k | /var/log/kern.log | /var/log/messages | a given file"
CHECKS = CheckSet.of("oomlog", "HG-OOMLOG", (
    Check("HG-OOMLOG-001", "OOM kill found in the kernel log", "medium", AREA, _READS,
          "Find what consumed the memory (see the incident's task table and verdict), then bound it: "
          "MemoryMax= on its unit, or fix the leak; protect key services with OOMScoreAdjust= "
          "(oom_audit) and keep vm.oom_dump_tasks=1 (sysctl_audit) so the next incident names the hog",
          references={"attack": "T1499"}),
    Check("HG-OOMLOG-002", "OOM victim was innocent: another process held the memory", "high", AREA, _READS,
          "The largest consumer in the task table was not killed (often oom_score_adj -1000): remove its "
          "immunity or cap it with MemoryMax=, and lower the victim's oom_score_adj",
          references={"attack": "T1499"}),
    Check("HG-OOMLOG-003", "Service OOM-killed repeatedly (crash loop)", "high", AREA, _READS,
          "A service restarted into the same OOM: stop the loop (RestartSec=/StartLimitBurst=), find the input "
          "that blows it up (seed 000: a 600 MB file read whole) and give it a MemoryMax= it can live in",
          references={"attack": "T1499"}),
    Check("HG-OOMLOG-004", "sshd was killed by the OOM killer", "critical", AREA, _READS,
          "Set OOMScoreAdjust=-1000 for ssh.service/sshd.service (oom_audit checks it is effective) "
          "so remote access survives memory exhaustion"),
    Check("HG-OOMLOG-005", "OOM kill storm: many victims in one burst", "medium", AREA, _READS,
          "The kernel kept killing because the consumer was not among the first victims: look for "
          "oom_score_adj -1000 processes (oom_audit) and for the victim whose death ended the storm",
          references={"attack": "T1499"}),
))

SOURCES = ("auto", "dmesg", "journal", "file")


def boot_epoch(root="/"):
    """Wall time of boot from /proc/stat btime (live host only)."""
    if root not in (None, "", "/"):
        return None
    try:
        data, _info, _trunc = safe_read.read_head("/proc/stat", 256 * 1024)
    except safe_read.SafeReadError:
        return None
    for line in data.splitlines():
        if line.startswith(b"btime "):
            return _int(line.split()[1].decode("ascii", "replace"))
    return None


def read_file_into(path, scanner, max_bytes):
    """Stream a regular file into ``scanner``; returns a source-status dict."""
    fd, info = safe_read.open_regular(path)
    read = 0
    try:
        while read < max_bytes:
            chunk = os.read(fd, min(CHUNK_BYTES, max_bytes - read))
            if not chunk:
                break
            read += len(chunk)
            scanner.feed(chunk)
    finally:
        os.close(fd)
    return {"status": "read", "bytes": read, "size": info["size"], "truncated": info["size"] > read}


def run_into(argv, scanner, timeout, max_bytes):
    """Run a command, stream its stdout into ``scanner``; time-boxed and bounded."""
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, close_fds=True)
    except OSError as exc:
        return {"status": "unavailable", "detail": "%s: %s" % (argv[0], os.strerror(exc.errno or 0))}
    deadline = time.time() + timeout
    read = 0
    timed_out = capped = False
    fd = proc.stdout.fileno()
    try:
        while True:
            left = deadline - time.time()
            if left <= 0:
                timed_out = True
                break
            ready, _w, _x = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(fd, CHUNK_BYTES)
            if not chunk:
                break
            read += len(chunk)
            scanner.feed(chunk)
            if read >= max_bytes:
                capped = True
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    rc = proc.returncode
    out = {"status": "read", "bytes": read, "command": " ".join(argv), "rc": rc,
           "timed_out": timed_out, "truncated": timed_out or capped}
    if not timed_out and not capped and rc not in (0, None) and read == 0:
        out["status"] = "unavailable"
        out["detail"] = "%s exited %s with no output (permission? dmesg_restrict?)" % (argv[0], rc)
    return out


def read_kmsg_into(scanner, timeout, max_bytes, path="/dev/kmsg"):
    """Read /dev/kmsg non-blocking until EAGAIN, as dmesg lines ('[secs] msg')."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return {"status": "unavailable", "detail": "%s: %s" % (path, os.strerror(exc.errno or 0))}
    deadline = time.time() + timeout
    read = 0
    batch = []
    size = 0
    try:
        while read < max_bytes and time.time() < deadline:
            try:
                rec = os.read(fd, 16384)
            except OSError as exc:
                if exc.errno == errno.EAGAIN:
                    break
                if exc.errno == errno.EPIPE:   # records overwritten while reading: go on
                    continue
                raise
            if not rec:
                break
            read += len(rec)
            head, _sep, body = rec.partition(b";")
            fields = head.split(b",")
            msg = body.split(b"\n", 1)[0]
            usec = _int(fields[2].decode("ascii", "replace")) if len(fields) > 2 else None
            if usec is not None:
                line = b"[%5d.%06d] %s\n" % (usec // 1000000, usec % 1000000, msg)
            else:
                line = msg + b"\n"
            batch.append(line)
            size += len(line)
            if size >= CHUNK_BYTES:
                scanner.feed(b"".join(batch))
                batch, size = [], 0
    finally:
        os.close(fd)
        if batch:
            scanner.feed(b"".join(batch))
    return {"status": "read", "bytes": read, "command": path, "truncated": read >= max_bytes}


def journal_available(root="/"):
    for base in ("/run/log/journal", "/var/log/journal"):
        top = safe_read.join_root(root, base)
        try:
            for entry in os.listdir(top):
                full = os.path.join(top, entry)
                if entry.endswith(".journal"):
                    return True
                if os.path.isdir(full) and not os.path.islink(full):
                    if any(name.endswith(".journal") for name in os.listdir(full)[:1000]):
                        return True
        except OSError:
            continue
    return False


def _journal_argv(root, since):
    argv = ["journalctl", "-k", "-o", "short-iso", "--no-pager", "-q"]
    if root not in (None, "", "/"):
        argv += ["-D", safe_read.join_root(root, "/var/log/journal")]
    if since is not None:
        argv += ["--since", time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(since))]
    return argv


def plan_sources(options):
    """The ordered list of (kind, target) to try for ``source``."""
    source = options.get("source") or "auto"
    root = options.get("root") or "/"
    live = root in ("", "/")
    if options.get("path"):
        if source in ("auto", "file"):
            return [("file", options["path"])]
    if source == "file":
        return [("file", p) for p in ("/var/log/kern.log", "/var/log/messages")]
    if source == "dmesg":
        return [("dmesg", None)]
    if source == "journal":
        return [("journal", None)]
    plan = [("journal", None), ("file", "/var/log/kern.log"), ("file", "/var/log/messages")]
    if live:
        plan.append(("dmesg", None))
    return plan


def _collect(kind, target, options, scanner):
    root = options.get("root") or "/"
    timeout = float(options.get("timeout") or 30)
    max_bytes = int(options.get("max_read_bytes") or 8 * 1024 ** 3)
    if kind == "file":
        real = safe_read.join_root(root, target)
        try:
            status = read_file_into(real, scanner, max_bytes)
        except safe_read.SafeReadError as exc:
            return {"source": "file", "path": target, "status": "unavailable", "reason": exc.reason,
                    "detail": exc.message}
        status.update({"source": "file", "path": target})
        return status
    if kind == "journal":
        if not journal_available(root):
            return {"source": "journal", "status": "unavailable",
                    "detail": "no journal files under /run/log/journal or /var/log/journal"}
        status = run_into(_journal_argv(root, options.get("_since_epoch")), scanner, timeout, max_bytes)
        status["source"] = "journal"
        return status
    if kind == "dmesg":
        if root not in ("", "/"):
            return {"source": "dmesg", "status": "unavailable", "detail": "live kernel source with root != /"}
        status = run_into(["dmesg"], scanner, timeout, max_bytes)
        if status["status"] != "read":
            status = read_kmsg_into(scanner, timeout, max_bytes)
        status["source"] = "dmesg"
        return status
    return {"source": kind, "status": "unavailable", "detail": "unknown source"}


def _is_critical(name, critical):
    if not name:
        return False
    base = name.strip("`'\"()").split(":")[0]
    return base in critical or base.startswith("sshd")


def incident_subject(inc):
    v = inc.get("victim") or {}
    when = inc.get("time") or ("uptime %ss" % inc["uptime"] if inc.get("uptime") is not None else "unknown time")
    who = v.get("name") or "?"
    if v.get("pid") is not None:
        who += " (pid %s)" % v["pid"]
    if inc.get("host"):
        who = "%s: %s" % (inc["host"], who)
    return "%s at %s" % (who, when)


def make_findings(parser, options, source_label):
    critical = set(options.get("critical_services") or CRITICAL_SERVICES_DEFAULT)
    incidents = parser.result_incidents()
    findings = []
    c1, c2, c3, c4, c5 = (CHECKS["HG-OOMLOG-00%d" % i] for i in range(1, 6))
    for inc in incidents:
        v = inc.get("victim") or {}
        verdict = inc.get("verdict") or {}
        sev = "high" if _is_critical(v.get("name"), critical) else None
        ev = {"killer": inc["killer"], "victim": v, "trigger": inc.get("trigger"),
              "constraint": inc.get("constraint"), "memcg": inc.get("memcg"),
              "verdict": verdict.get("verdict"), "reason": verdict.get("reason"),
              "largest_consumer": verdict.get("largest_consumer"), "source": inc.get("source")}
        findings.append(c1.fail(incident_subject(inc), ev, severity=sev))
        if verdict.get("verdict") == "innocent":
            findings.append(c2.fail(incident_subject(inc), {
                "victim": v, "largest_consumer": verdict.get("largest_consumer"),
                "immune_holders": verdict.get("immune_holders"), "reason": verdict.get("reason")},
                detail=verdict.get("reason")))
        if (v.get("name") or "").strip("`'\"").startswith("sshd"):
            findings.append(c4.fail(incident_subject(inc), {"victim": v, "killer": inc["killer"]}))
    for loop in parser.loops:
        subj = "%s%s killed %d times" % (("%s: " % loop["host"]) if loop.get("host") else "", loop["name"],
                                         loop["kills"])
        sev = "high"
        findings.append(c3.fail(subj, loop, severity=sev))
    for storm in parser.storms:
        subj = "%s%d kills in %ss" % (("%s: " % storm["host"]) if storm.get("host") else "", storm["kills"],
                                      storm.get("span_s"))
        findings.append(c5.fail(subj, storm))
    if not incidents and not parser.loops and not parser.storms:
        findings.append(c1.passed(source_label, {"incidents": 0}))
    return findings



# Option names audit() reads besides ``root`` (host_audit rejects any other name).
OPTION_NAMES = frozenset([
    "source",
    "path",
    "since",
    "max_incidents",
    "max_line_bytes",
    "max_read_bytes",
    "timeout",
    "loop_window",
    "loop_min_kills",
    "storm_window",
    "storm_min_kills",
    "top_tasks",
    "page_kb",
    "critical_services",
])


def audit(options):
    """Entry point: options as validated by the oom_events module."""
    started = time.time()
    opts = dict(options or {})
    if (opts.get("source") or "auto") not in SOURCES:
        raise ValueError("source must be one of %s" % ", ".join(SOURCES))
    since = parse_since(opts.get("since"))
    opts["_since_epoch"] = since
    root = opts.get("root") or "/"
    plan = plan_sources(opts)
    sources = []
    parser = None
    used = None
    for kind, target in plan:
        parser = Parser(source=kind if kind != "file" else "file:%s" % target,
                        top_k=int(opts.get("top_tasks") or 10),
                        max_incidents=int(opts.get("max_incidents") or 20),
                        page_kb=int(opts.get("page_kb") or PAGE_KB_DEFAULT), since=since,
                        loop_window=parse_duration(opts.get("loop_window"), 3600),
                        loop_min_kills=int(opts.get("loop_min_kills") or 3),
                        storm_gap=parse_duration(opts.get("storm_window"), 60),
                        storm_min_kills=int(opts.get("storm_min_kills") or 5),
                        boot_epoch=boot_epoch(root) if kind == "dmesg" else None)
        scanner = Scanner(parser, int(opts.get("max_line_bytes") or 4096))
        status = _collect(kind, target, opts, scanner)
        sources.append(status)
        if status.get("status") == "read":
            scanner.finish()
            used = status
            break
    facts = {"sources": sources, "source_used": None, "incidents": [], "loops": [], "storms": [],
             "counts": {}}
    if used is None:
        detail = "no log source available: " + "; ".join(
            "%s%s: %s" % (s.get("source"), (" " + s["path"]) if s.get("path") else "", s.get("detail") or s.get("status"))
            for s in sources)
        findings = [CHECKS["HG-OOMLOG-001"].skip("kernel log", detail)]
        return area_result(findings, facts, round(time.time() - started, 3))
    label = used.get("path") or used.get("command") or used.get("source")
    facts["source_used"] = used.get("source") if used.get("source") != "file" else "file:%s" % used.get("path")
    facts["incidents"] = parser.result_incidents()
    facts["loops"] = list(parser.loops)
    facts["storms"] = list(parser.storms)
    counts = dict((k, v) for k, v in parser.counts.items() if v)
    counts["kept"] = len(facts["incidents"])
    counts["bytes_read"] = scanner.bytes
    counts["candidate_lines"] = parser.lines
    counts["cut_lines"] = scanner.cut_lines
    facts["counts"] = counts
    findings = make_findings(parser, opts, label)
    return area_result(sort_findings(findings), facts, round(time.time() - started, 3))
