# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Record assembly: lines, split by prefixes.py and classified by messages.py, become OOM
records; a record with a victim (kill line, select line, summary, userspace killer) is an
incident, one without is counted and kept apart (trigger+panic, cut excerpts), never a kill.

Boundaries: a trigger opens a record and closes the host's open one; a kill, select or summary
naming another pid than the open record's closes it first (two summary-only or two select-only
records in a row are two kills); a kill line repeated verbatim (same host, time, pid) is a pasted
duplicate and counted once. The task table, the stack's PID line and memcg lines join the open
record of their host. Verdict rules are in docs/oom-forensics.md (judge below).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import heapq
import operator
import re

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import messages as M
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.prefixes import Context, Splitter
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.timestamps import iso

PAGE_KB_DEFAULT = 4

ROW_KEEP = ("uid", "tgid", "total_vm", "rss", "rss_anon", "rss_file", "rss_shmem", "swapents",
            "oom_score_adj", "oom_adj")


def row_layout(cols):
    """What parse_row keeps of a header's columns: (keys, getter), the getter taking their
    values out of a row's split parts in one call."""
    idx = tuple(i for i, key in enumerate(cols) if key in ROW_KEEP)
    keys = tuple(cols[i] for i in idx)
    if len(idx) == 1:
        return keys, lambda parts, i=idx[0]: (parts[i],)
    return keys, (operator.itemgetter(*idx) if idx else (lambda parts: ()))


def parse_row(msg, cols, page_kb=PAGE_KB_DEFAULT, layout=None):
    """One task-table row under ``cols``; None when it is not a (complete) row.
    Returns the compact row: pid, name, uid, rss_kb, held_kb (rss + swap), total_vm_kb, adj."""
    if msg[:1] != "[":
        return None
    end = msg.find("]", 0, 16)
    if end < 0:
        return None
    ncols = len(cols)
    parts = msg[end + 1:].split(None, ncols - 1)
    if len(parts) < ncols:
        return None
    keys, getter = layout or row_layout(cols)
    try:
        row = {"pid": int(msg[1:end]), "name": parts[-1]}
        row.update(zip(keys, map(int, getter(parts))))
    except ValueError:
        return None
    rss = row.pop("rss", 0)
    row["rss_kb"] = rss * page_kb
    row["total_vm_kb"] = row.pop("total_vm", 0) * page_kb
    row["held_kb"] = (rss + row.get("swapents", 0)) * page_kb
    return row


# the dmesg stamp that ends a row line's prefix ("... kernel: [ 1234.567890] "), in bytes
RE_TRAILING_STAMP = re.compile(rb"\[\s{0,12}\d{1,10}\.\d{1,9}\]\s?(?:\[\s{0,6}[TC]\d{1,10}\]\s?)?$")
RE_STAMP_B = re.compile(rb"\[\s{0,12}\d{1,10}\.\d{1,9}\]\s?(?:\[\s{0,6}[TC]\d{1,10}\]\s?)?")
# the fields of a kill line that a paste wrapped onto the next lines ("total-vm:20464kB, anon-rss:...")
KILL_WRAP_STARTS = tuple(name + ":" for name in M.KILL_FIELD_NAMES)


def row_prefix(raw, text, msg):
    """(head, stamped) of a task-row line ``raw`` (decoded ``text``, message ``msg``): the bytes
    before the row that the next rows of the table repeat (syslog second, host, tag), and whether
    a dmesg stamp, different on every line, follows them. None unless the line is plain ASCII
    and the message ends it (byte offsets then match the text's)."""
    if not raw.isascii() or not text.endswith(msg):
        return None
    pre = text[:len(text) - len(msg)].encode("ascii")
    m = RE_TRAILING_STAMP.search(pre)
    if m:
        return pre[:m.start()], True
    return pre, False


def is_immune(row):
    return row.get("oom_score_adj") == -1000 or row.get("oom_adj") == -17


def _stats_memcg(memcg, path):
    """memcg after a "Memory cgroup stats for <path>" line: the memcg over its limit when none is
    known yet, or when the "Task in" line's limit path was cut where the paste wrapped it."""
    if memcg.get("oom_memcg_cut") and path.startswith(memcg.get("oom_memcg") or "\0"):
        memcg["oom_memcg"] = path
        del memcg["oom_memcg_cut"]
    memcg.setdefault("oom_memcg", path)
    return memcg


class TaskTable(object):
    """Bounded view of a task table: the top-K rows by memory held, the top-K immune rows,
    the largest row, and a count of the rest."""

    def __init__(self, cols, top_k):
        self.cols = cols
        self.layout = row_layout(cols)
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
        held = row["held_kb"]
        self.total_held_kb += held
        item = (held, -self._seq, row)
        if self.largest is None or held > self.largest["held_kb"]:
            self.largest = row
        heap = self._heap                      # _push, inlined: this runs once per task row
        if len(heap) < self.top_k:
            heapq.heappush(heap, item)
        elif held > heap[0][0]:
            heapq.heapreplace(heap, item)
        if row.get("oom_score_adj") == -1000 or row.get("oom_adj") == -17:     # is_immune
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
    if victim.get("rss_kb") is not None:          # Virtuozzo UB kills print one rss
        return victim["rss_kb"]
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
    if killer == "lowmemorykiller":
        return {"verdict": "undetermined", "reason": "Android's in-kernel lowmemorykiller picks by oom_score_adj "
                "under a free-cache limit and prints no task table", "largest_consumer": None, "immune_holders": []}
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


def _span(run):
    """Seconds from the first to the last kill of a loop or storm (None when one is untimed)."""
    if run["first_t"] is None or run["last_t"] is None:
        return None
    return round(run["last_t"] - run["first_t"], 3)


def _cap(mapping, size):
    """Drop the oldest keys of an insertion-ordered dict beyond ``size``."""
    while len(mapping) > size:
        mapping.pop(next(iter(mapping)))


class Parser(object):
    """Line-level state machine. ``follow`` is True while it needs every line (task table,
    stack after a trigger, systemd-oomd candidate dump); otherwise only anchor lines."""

    FOLLOW_AFTER_TRIGGER = 400     # stack, Mem-Info, memcg usage: until the table or the kill
    TABLE_NOISE_TOLERANCE = 16
    FOLLOW_AFTER_FRAME = 60        # "Task in ..", "memory: usage" after the oom frames of a cut stack
    LMK_LINES = 3                  # lowmemorykiller: "Killing", ["reclaim_cnt"], "to free", "cache .. for oom_score_adj"
    EARLY_WAIT = 8                 # lines of other hosts an earlyoom kill waits through for its "kill failed"
    MEMCG_BACK = 16                # "Task in", usage lines, one "Memory cgroup stats" per memcg: before a cut table
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
        self.ctx = Context(year, now)
        self._split = Splitter(self.ctx).split
        self.without_kill = collections.deque(maxlen=20)   # records that never named a victim
        self._oomd_attempts = {}                   # host -> (t, [pids]) "oomd attempting to kill"
        self._openvz_wrap = {}                     # host -> incident waiting for "free= gen="
        self._ub_head = None                       # (host, epoch, uptime, ve, line no.) of "Out of memory in UB N: OOM"
        self._row_wrap = None                      # (host, head) of a task row wrapped by a paste
        self._last_line_key = None                 # the last kill line, to drop pasted duplicates
        self.fast_rows = None                      # (head, stamped, table): rows_fast may take the next lines
        self._kill_wrap = None                     # (host, victim) of a kill line without its fields
        self._kill_head = None                     # (host, epoch, uptime, kill) of "Killed process N" alone
        self._early_pending = collections.OrderedDict()   # host -> [incident, lines left] of an earlyoom kill whose
        #                                                    next line of its host may say it failed
        self._row_added = None                     # (table, msg) of the row the last line added
        self.last_error = None
        self.wants_back = 0                        # lines before the last one the scanner is to hand over (back)
        self._back_for = None                      # (kind, args) of that request
        self._lmk = None                           # the lowmemorykiller kill being read: {host, inc, ok, left}
        self._lmk_select = None                    # the lowmemorykiller's last "select .. to kill": {host, t, data}
        self.lmk_seen = False                      # a lowmemorykiller line was read (scanner.LMK_ANCHORS stay on)

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
            inc["victim"] = dict((k, v) for k, v in inc["selected"].items() if not k.startswith("_"))
        if inc["victim"] is None:
            if inc["task_table"] is not None or inc["trigger"] is not None or inc.get("panic") \
                    or inc["memcg"] is not None:
                self._without_kill(inc)
            return
        victim = inc["victim"]
        if victim.get("cut") and table is not None and victim.get("pid") is not None:
            row = table.find(victim["pid"])          # "Killed process 62769 (" cut in its name: the
            if row is not None and row.get("name") and row["name"].startswith(victim.get("name") or ""):
                victim["name"] = row["name"]         # task row of that pid names it (kubedirector#356)
                victim["name_from_table"] = True
        inc["verdict"] = judge(inc, table)
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
            span = _span(cl)
            if span is not None and span < self.loop_min_span:
                return
            self.loops.append({"host": cl["host"], "name": cl["name"], "kills": cl["count"],
                               "first": cl["first"], "last": cl["last"], "span_s": span,
                               "pids": cl["pids"], "killers": sorted(cl["killers"])})
            if len(self.loops) > 50:
                self.loops.pop(0)

    def _flush_storm(self, host):
        st = self._storm.pop(host, None)
        if st is not None and st["count"] >= self.storm_min:
            self.storms.append({"host": host, "kills": st["count"], "first": st["first"], "last": st["last"],
                                "span_s": _span(st), "victims": st["victims"],
                                "ended_after": st.get("last_victim"),
                                "largest_release": st["largest_release"]})

    def _without_kill(self, inc):
        """A record that never named a victim: counted and kept apart, never an OOM kill."""
        if self.since is not None and inc.get("epoch") is not None and inc["epoch"] < self.since:
            return
        self.counts["records_without_kill"] += 1
        if inc.get("panic"):
            self.counts["panics"] += 1
        self.without_kill.append({
            "host": inc.get("host"), "time": inc.get("time"), "uptime": inc.get("uptime"),
            "trigger": inc.get("trigger"), "constraint": inc.get("constraint"), "memcg": inc.get("memcg"),
            "panic": inc.get("panic"), "task_table": inc.get("task_table"),
            "reason": "no kill line in the record (cut excerpt, panic_on_oom, or no killable process)"})

    # -- the line entry point
    def line(self, raw, cut=False):
        self.lines += 1
        self.fast_rows = None
        self._row_added = None
        try:
            text = raw.decode("utf-8", "backslashreplace").rstrip("\r\n")
            self._line(text)
            if self._early_pending:                 # read the lines after an earlyoom kill one by one
                self.follow = True
                self._row_added = None
            elif self._mode is None:
                self.follow = False
            if self._row_added is not None:
                pre = row_prefix(raw, text, self._row_added[1])
                self.fast_rows = None if pre is None or cut else pre + (self._row_added[0],)
                self._row_added = None
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
        p = self._split(text)
        epoch, uptime = self._times(p.epoch, p.uptime)
        host, msg = p.host, p.msg
        if self._lmk is not None:
            self._lmk["left"] -= 1
            lmk_t = self._lmk.get("uptime")
            if self._lmk["left"] < 0 or (lmk_t is not None and uptime is not None and uptime != lmk_t
                                         and host == self._lmk["host"]):
                self._lmk_done()        # one printk prints its lines under one stamp, one after the other
        if self._openvz_wrap and self._openvz_continued(host, msg):
            return
        if self._early_pending and self._early_failed(host, msg):
            return
        mode = self._mode
        if mode == "table":
            if self._table_line(host, msg):
                return
        elif mode == "trigger":
            self._follow_left -= 1
            pid = M.stack_pid(msg)
            inc = self._open.get(host)
            trig = inc["trigger"] if inc is not None else None
            if pid is not None and trig is not None and "pid" not in trig:
                trig["pid"] = pid
            elif trig is not None and "gfp_mask" not in trig and msg.startswith("gfp_mask="):
                trig.update(M.parse_trigger_fields(msg))      # "x invoked oom-killer:" wrapped by a paste
                return
            if self._follow_left <= 0:
                self._unfollow()
        elif mode == "killhead":
            head, self._kill_head = self._kill_head, None
            self._unfollow()
            if head is not None and host in (None, head[0]) and msg[:1] == "(":
                name, end = M.paren_name(msg, 0)        # 2.4's "Killed process N" + "(name)." wrapped by a mailer
                if name is not None:
                    kill = dict(head[3], name=name, fields=M.parse_kill_fields(msg[end:]))
                    kill.pop("name_wrapped", None)
                    self._killed(head[0], head[1], head[2], kill)
                    return
        elif mode == "killwrap":
            self._follow_left -= 1
            wrap = self._kill_wrap
            if wrap is not None and wrap[0] == host and msg.startswith(KILL_WRAP_STARTS):
                for key, value in M.parse_kill_fields(msg).items():
                    wrap[1].setdefault(key, value)
                if self._follow_left <= 0:
                    self._kill_wrap = None
                    self._unfollow()
                return
            self._kill_wrap = None
            self._unfollow()
        elif mode == "oomd":
            self._follow_left -= 1
            if self._oomd_line(host if host is not None else self._follow_host, msg):
                return
            if self._follow_left <= 0:
                self._unfollow()
        hit = M.classify(msg, p.tag)
        if hit is not None:
            if hit[0].startswith("lmk"):
                self.lmk_seen = True
            getattr(self, "_on_" + hit[0])(host, epoch, uptime, hit[1], p.tag)
        elif not self.follow and M.is_oom_frame(msg):
            self._follow("trigger", self.FOLLOW_AFTER_FRAME)   # a record cut from its trigger

    def _table_line(self, host, msg):
        inc = self._open.get(host)
        table = self._tables.get(id(inc)) if inc is not None else None
        if table is None:                   # another host's line inside this table: noise
            self._table_noise += 1
            if self._table_noise > self.TABLE_NOISE_TOLERANCE:
                self._unfollow()
            return False
        if self._row_wrap is not None and self._row_wrap[0] == host and msg[:1] != "[":
            joined = self._row_wrap[1] + " " + msg.strip()
            self._row_wrap = None
            row = parse_row(joined, table.cols, self.page_kb, table.layout)
            if row is not None:
                table.add(row)
                self._table_noise = 0
                self.counts["wrapped_rows"] += 1
                return True
        if msg[:1] == "[":
            row = parse_row(msg, table.cols, self.page_kb, table.layout)
            if row is not None:
                table.add(row)
                self._table_noise = 0
                self._row_wrap = None
                self._row_added = (table, msg)
                return True
            if M.RE_ROW.match(msg):
                if len(msg.split()) < len(table.cols) + 1:
                    self._row_wrap = (host, msg[:512])     # a row wrapped by a terminal or a paste
                else:
                    table.malformed += 1
                return True
        self._table_noise += 1
        if self._table_noise > self.TABLE_NOISE_TOLERANCE:
            self._unfollow()
        return False

    def rows_fast(self, buf, pos, end, max_line):
        """Task-table rows in bulk, straight from the bytes: the complete lines of buf[pos:end]
        that repeat the last row's prefix (``row_prefix``) and hold a well-formed row are added
        to the open table without the general per-line path (decode, prefix split, classifier).
        Stops at the first other line, which the caller passes to ``line``; returns where it
        stopped. Same result as ``line`` on each of those lines (a row line has no other effect; not
        while a lowmemorykiller kill is read, whose span ``line`` counts down)."""
        fast = self.fast_rows
        if fast is None or self._mode != "table" or self._openvz_wrap or self._row_wrap is not None or self._lmk is not None:
            return pos
        head, stamped, table = fast
        cols, page_kb, layout = table.cols, self.page_kb, table.layout
        find, startswith = buf.find, buf.startswith
        stamp = RE_STAMP_B.match
        hlen = len(head)
        taken = 0
        while pos < end:
            nl = find(b"\n", pos, end)
            if nl < 0 or nl - pos > max_line or not startswith(head, pos):
                break
            at = pos + hlen
            if stamped:
                m = stamp(buf, at, nl)
                if m is None:
                    break
                at = m.end()
            if buf[at:at + 1] != b"[":
                break
            row = parse_row(buf[at:nl].decode("utf-8", "backslashreplace").rstrip("\r"), cols, page_kb, layout)
            if row is None:
                break
            table.add(row)
            taken += 1
            pos = nl + 1
        if taken:
            self.lines += taken
            self._table_noise = 0
        return pos

    def _oomd_line(self, host, msg):
        pend = self._oomd_pending.get(host)
        if pend is None:
            return False
        hit = M.oomd_candidate_line(msg)
        if hit is None:
            return False
        cands = pend["candidates"]
        if hit[0] == "path":
            if len(cands) < 10:
                cands.append({"path": hit[1][:4096]})
        elif cands and len(cands) <= 10:
            cands[-1][hit[1]] = hit[2][:64]
        return True

    @staticmethod
    def _near(a, b, secs):
        return a is not None and b is not None and abs(a - b) <= secs

    def _finish_open(self, host):
        inc = self._open.pop(host, None)
        if inc is not None:
            self._close(inc)

    # -- one handler per message kind (messages.classify)
    def _on_trigger(self, host, epoch, uptime, trig, tag):
        self._finish_open(host)
        inc = self._new(host, epoch, uptime, "kernel")
        inc["trigger"] = trig
        self._set_open(host, inc)
        self._follow("trigger", self.FOLLOW_AFTER_TRIGGER)

    def _on_table_header(self, host, epoch, uptime, data, tag):
        if self._open.get(host) is None:    # a record cut before its table: its memcg lines hold no anchor
            self._want_back(self.MEMCG_BACK, "memcg", host, tag, self.lines > 1)     # a line passed before: it may cut the look-back
        inc = self._open_incident(host, epoch, uptime, partial=True)
        if id(inc) in self._tables or inc["victim"] is not None:
            self._finish_open(host)
            inc = self._open_incident(host, epoch, uptime, partial=True)
        self._tables[id(inc)] = TaskTable(data["columns"], self.top_k)
        self._table_noise = 0
        self._row_wrap = None
        self._follow("table", 0)

    def _on_summary(self, host, epoch, uptime, summ, tag):
        self._summary(host, epoch, uptime, summ)
        if summ.get("pid") is None:
            self._follow("trigger", 3)      # the rest may come as a separate pr_cont() piece

    def _on_summary_piece(self, host, epoch, uptime, summ, tag):
        if self._open.get(host) is not None:
            self._summary(host, epoch, uptime, summ, piece=True)

    def _on_kill(self, host, epoch, uptime, kill, tag):
        self._killed(host, epoch, uptime, kill)

    def _on_kill_head(self, host, epoch, uptime, kill, tag):
        if not self.follow:                             # its "(name)." may be the next line
            self._kill_head = (host, epoch, uptime, kill)
            self._follow("killhead", 1)

    def _on_select(self, host, epoch, uptime, sel, tag):
        self._select(host, epoch, uptime, sel)
        if sel.get("joined_kill") is not None:        # the kill line a paste joined onto the select line
            self._killed(host, epoch, uptime, sel["joined_kill"])

    def _on_sharing(self, host, epoch, uptime, data, tag):
        inc = self._open.get(host)
        if inc is not None and len(inc["also_killed"]) < 10:
            inc["also_killed"].append({"pid": data["pid"], "name": data["name"]})

    def _on_reaper(self, host, epoch, uptime, data, tag):
        pid = data["pid"]
        inc = self._open.get(host)
        if inc is None or (inc.get("victim") or {}).get("pid") != pid:
            inc = self._recent.get((host, pid))
        if inc is not None:
            reaped = {"pid": pid}
            reaped.update(data["fields"])
            inc["reaped"] = reaped
        else:
            self.counts["reaper_without_kill"] += 1

    def _on_openvz(self, host, epoch, uptime, data, tag):
        self._finish_open(host)
        self._finish_prev_kill(host, epoch, uptime)
        inc = self._new(host, epoch, uptime, "openvz")
        inc["victim"] = {"pid": data["pid"], "name": data["name"], "ve": data.get("ve"),
                         "free_after": data.get("free"), "gen": data.get("gen")}
        inc["memcg"] = {"openvz_ve": data.get("ve")}
        self._mark_kill(host, inc)
        if data.get("free") is None:
            self._openvz_wrap[host] = inc           # "exited," then "free=.. gen=.." on the next line
            _cap(self._openvz_wrap, self.max_hosts)
            self._follow("trigger", 2)
            return
        self._close(inc)

    def _on_ub_head(self, host, epoch, uptime, data, tag):
        self._ub_head = (host, epoch, uptime, data["ve"], self.lines)

    def _on_ub_kill(self, host, epoch, uptime, data, tag):
        """A Virtuozzo UB kill; its wrapped second half (no prefix) takes the head's host and time."""
        if data.get("ve") is None and host is None and epoch is None and uptime is None and self._back_for is None:
            self._want_back(1, "ub", data)      # syslog wrapped it after "OOM ": its head (no anchor) is the line before
            return
        head, self._ub_head = self._ub_head, None
        ve = data.get("ve")
        if ve is None and head is not None and host is None and epoch is None and uptime is None:
            host, epoch, uptime, ve = head[:4]
        self._finish_open(host)
        self._finish_prev_kill(host, epoch, uptime)
        inc = self._new(host, epoch, uptime, "openvz")
        victim = {"pid": data["pid"], "name": data["name"], "ve": ve}
        victim.update(data["fields"])
        inc["victim"] = victim
        inc["memcg"] = {"openvz_ve": ve}
        self._mark_kill(host, inc)
        self._close(inc)

    def _openvz_continued(self, host, msg):
        inc = self._openvz_wrap.pop(host, None)
        if inc is None:
            return False
        cont = M.openvz_continuation(msg)
        if cont is not None:
            inc["victim"]["free_after"] = cont.get("free")
            inc["victim"]["gen"] = cont.get("gen")
        self._close(inc)
        return cont is not None

    def _repeated(self, key):
        """A userspace killer's line pasted twice ((killer, host, time, pid, size), timed): count it once."""
        if key[2] is not None and key == self._last_line_key:
            self.counts["duplicate_lines"] += 1
            return True
        self._last_line_key = key
        return False

    def _on_earlyoom(self, host, epoch, uptime, data, tag):
        victim = {"pid": data["pid"], "name": data["name"], "signal": data["signal"]}
        if data.get("uid") is not None:
            victim["uid"] = data["uid"]
        victim.update(M.earlyoom_fields(data.get("rest") or ""))
        if self._repeated(("earlyoom", host, epoch if epoch is not None else uptime, victim["pid"],
                           victim.get("vmrss_mib"))):
            return
        inc = self._new(host, epoch, uptime, "earlyoom")
        inc["victim"] = victim
        self._early_done(host)
        self._early_pending[host] = [inc, self.EARLY_WAIT]     # "kill failed: ..." may follow (earlyoom#230)
        while len(self._early_pending) > self.max_hosts:
            self._close(self._early_pending.popitem(last=False)[1][0])

    def _early_done(self, host=None):
        """Close the held earlyoom kill of ``host`` (of every host when None) as a kill."""
        for h in ([host] if host is not None else list(self._early_pending)):
            pend = self._early_pending.pop(h, None)
            if pend is not None:
                self._close(pend[0])

    def _early_failed(self, host, msg):
        """A line after an earlyoom kill: from its host, "kill failed: Operation not permitted" (or "No such
        process") means no signal reached the process, so it is no kill, and any other line closes it as a
        kill; lines of other hosts pass, up to EARLY_WAIT of them (then it is a kill)."""
        for h in [h for h in self._early_pending if h != host]:
            pend = self._early_pending[h]
            pend[1] -= 1
            if pend[1] <= 0:
                self._early_done(h)
        pend = self._early_pending.pop(host, None)
        if pend is None:
            return False
        if msg.startswith("kill failed: ") and ("not permitted" in msg or "No such process" in msg):
            self.counts["earlyoom_kill_failed"] += 1
            return True
        self._close(pend[0])
        return False

    def _on_lmkd(self, host, epoch, uptime, data, tag):
        """Android lmkd: one line, one kill (its rss is what the kill frees)."""
        victim = dict((k, data[k]) for k in ("pid", "name", "uid", "oom_score_adj", "rss_kb", "swap_kb")
                      if data.get(k) is not None)
        if self._repeated(("lmkd", host, epoch if epoch is not None else uptime, victim["pid"], victim.get("rss_kb"))):
            return
        inc = self._new(host, epoch, uptime, "lmkd")
        inc["victim"] = victim
        inc["reason"] = data.get("reason")
        self._close(inc)

    def _on_oomd_attempt(self, host, epoch, uptime, data, tag):
        t = epoch if epoch is not None else uptime
        pend = self._oomd_attempts.get(host)
        if pend is None or not (pend[0] is None or t is None or self._near(pend[0], t, 5)):
            if pend is not None:
                self._flush_oomd_attempts(host)
            pend = (t, [])
            self._oomd_attempts[host] = pend
            _cap(self._oomd_attempts, self.max_hosts)
        if len(pend[1]) < 64:
            pend[1].append(data["pid"])

    def _flush_oomd_attempts(self, host):
        """'attempting to kill PID' lines that no 'Killed <cgroup>' line followed: a kill of a pid."""
        pend = self._oomd_attempts.pop(host, None)
        if not pend or not pend[1]:
            return
        inc = self._new(host, pend[0], None, "systemd-oomd")
        inc["victim"] = {"pid": pend[1][0], "name": None, "cgroup": None, "action": "attempted"}
        if len(pend[1]) > 1:
            inc["also_killed"] = [{"pid": p, "name": None} for p in pend[1][1:10]]
        self._close(inc)

    def _on_oomd_kill(self, host, epoch, uptime, data, tag):
        inc = self._new(host, epoch, uptime, "systemd-oomd")
        cg = data["cgroup"]
        unit = cg.rstrip("/").rsplit("/", 1)[-1]
        victim = {"pid": None, "name": unit, "cgroup": cg, "action": data["verb"]}
        t = epoch if epoch is not None else uptime
        pend = self._oomd_attempts.pop(host, None)
        if pend and pend[1] and (pend[0] is None or t is None or self._near(pend[0], t, 5)):
            victim["pid"] = pend[1][0]
            if len(pend[1]) > 1:
                inc["also_killed"] = [{"pid": p, "name": unit} for p in pend[1][1:10]]
        elif pend:
            self._oomd_attempts[host] = pend
            self._flush_oomd_attempts(host)
        inc["victim"] = victim
        reason = data.get("reason") or ""
        inc["reason"] = reason or None
        pr = M.RE_OOMD_PRESSURE.search(reason[:300])
        if pr:
            inc["memcg"] = {"monitored": pr.group(1), "pressure_pct": M.to_float(pr.group(2)),
                            "limit_pct": M.to_float(pr.group(3))}
        pend = self._oomd_pending.pop(host, None)
        if pend is not None and self._near(pend.get("t"), t, 5):
            inc["candidates"] = pend["candidates"]
            inc["considered"] = pend["considered"]
        inc["_oomd_t"] = t
        self._oomd_last[host] = inc
        _cap(self._oomd_last, self.max_hosts)
        self._close(inc)

    def _on_oomd_considered(self, host, epoch, uptime, data, tag):
        t = epoch if epoch is not None else uptime
        last = self._oomd_last.get(host)
        cands = []
        if last is not None and last.get("_oomd_t") is not None and self._near(last.get("_oomd_t"), t, 5) \
                and last.get("candidates") is None:
            last["candidates"] = cands
            last["considered"] = data["considered"]
        self._oomd_pending[host] = {"candidates": cands, "considered": data["considered"], "t": t}
        _cap(self._oomd_pending, self.max_hosts)
        self._follow("oomd", self.OOMD_FOLLOW)
        self._follow_host = host

    def _on_memcg(self, host, epoch, uptime, data, tag):
        inc = self._open_incident(host, epoch, uptime, partial=True)
        if inc["victim"] is not None:
            self._finish_open(host)
            inc = self._open_incident(host, epoch, uptime, partial=True)
        self._follow("trigger", 3)      # "memory: usage ..." follows (no anchor in it)
        memcg = inc["memcg"] or {}
        memcg.update(data)
        inc["memcg"] = memcg
        inc["constraint"] = inc["constraint"] or "CONSTRAINT_MEMCG"

    def _on_memcg_stats(self, host, epoch, uptime, data, tag):
        """"Memory cgroup stats for <path>": the first one of a record is the memcg over its limit."""
        inc = self._open.get(host)
        if inc is not None and inc["victim"] is None:
            inc["memcg"] = _stats_memcg(inc["memcg"] or {}, data["oom_memcg"])

    def _on_memcg_usage(self, host, epoch, uptime, data, tag):
        inc = self._open.get(host)
        if inc is not None and inc["victim"] is None:
            memcg = inc["memcg"] or {}
            memcg.update(data)
            inc["memcg"] = memcg

    def _on_panic(self, host, epoch, uptime, data, tag):
        inc = self._open_incident(host, epoch, uptime, partial=True)
        inc["panic"] = data.get("reason") or True
        self._finish_open(host)

    def _on_no_killable(self, host, epoch, uptime, data, tag):
        """"Out of memory and no killable processes...": the kernel panics next; a record, no kill."""
        inc = self._open_incident(host, epoch, uptime, partial=True)
        inc["no_killable_process"] = True
        inc["panic"] = inc.get("panic") or "no killable processes"
        self.counts["no_killable_process"] += 1

    # -- the in-kernel Android lowmemorykiller: "send sigkill to" (one line), debug "select .. to kill"
    def _on_lmk_select(self, host, epoch, uptime, data, tag):
        """A candidate line: the same decision as the kill line after it ("send sigkill to" or
        "Killing"), so never a kill of its own; one that no kill line follows is only counted."""
        t = epoch if epoch is not None else uptime
        pend = self._lmk_select
        if pend is not None and (pend["host"] != host or not (pend["t"] is None or t is None or self._near(pend["t"], t, 1))):
            self._lmk_select_done()
        self._lmk_select = {"host": host, "t": t, "data": data}

    def _lmk_select_done(self, killed=None):
        """The pending select line ends: taken by the kill ``killed`` (its fields fill what the kill
        line lacks when it names the same pid), else counted as a candidate without a kill."""
        pend, self._lmk_select = self._lmk_select, None
        if pend is None:
            return
        if killed is None:
            self.counts["lmk_select_without_kill"] += 1
            return
        data = pend["data"]
        victim = killed["victim"]
        if data.get("pid") == victim.get("pid"):
            for key in ("oom_score_adj", "oom_adj", "adj"):
                if data.get(key) is not None and victim.get(key) is None:
                    victim[key] = data[key]

    def _on_lmk_sigkill(self, host, epoch, uptime, data, tag):
        """"send sigkill to N (comm), adj A, size S": one line, one kill (killer lowmemorykiller); the
        size is the victim's rss in pages (kB when the tree printed a K)."""
        victim = dict((k, data[k]) for k in ("pid", "name", "oom_score_adj", "oom_adj", "adj") if data.get(k) is not None)
        size_kb = data.get("size_kb")
        if size_kb is None and data.get("size_pages") is not None:
            size_kb = data["size_pages"] * self.page_kb
        if size_kb is not None:
            victim["rss_kb"] = size_kb
        pend = self._lmk_select
        if pend is not None and pend["host"] != host:
            pend = None
        if self._repeated(("lowmemorykiller", host, epoch if epoch is not None else uptime, victim["pid"], size_kb)):
            if pend is not None:
                self._lmk_select = None
            return
        inc = self._new(host, epoch, uptime, "lowmemorykiller")
        inc["victim"] = victim
        if data.get("size_pages") is not None:
            inc["lmk"] = {"size_pages": data["size_pages"]}
        if pend is not None:
            self._lmk_select_done(inc)
        self._mark_kill(host, inc)
        self._close(inc)

    # -- the in-kernel Android lowmemorykiller: one kill over 3+ lines under one stamp
    def _on_lmk_head(self, host, epoch, uptime, data, tag):
        self._lmk_done()
        if self._lmk_select is not None and self._lmk_select["host"] in (None, host):
            self._lmk_select = None     # the debug select line of this kill
        inc = self._new(host, epoch, uptime, "lmkd" if "uid" in data else "lowmemorykiller")   # lmkd 8-9 names the uid
        inc["victim"] = dict((k, data[k]) for k in ("pid", "name", "uid", "oom_score_adj", "oom_adj") if k in data)
        self._lmk = {"host": host, "inc": inc, "ok": data["tagged"], "left": self.LMK_LINES, "free": False,
                     "uptime": uptime if inc["killer"] == "lowmemorykiller" else None, "tag": tag}
        if "rss_kb" in data or "trigger" in data:
            self._on_lmk_free(host, epoch, uptime, data, tag)
        if "min_score_adj" in data:
            self._on_lmk_tail(host, epoch, uptime, data, tag)
        elif not self.follow and self._back_for is None:
            self._follow("trigger", self.LMK_LINES)       # its next lines hold no anchor

    def _lmk_of(self, host, tag=None):
        """The kill being read when a line of ``host`` and ``tag`` may be one of its lines (one printk:
        its host and tag; another program's "to free .." or "cache .." line among them is not)."""
        pend = self._lmk
        if pend is not None and host in (None, pend["host"]) and (tag is None or pend["tag"] in (None, tag)):
            return pend
        return None

    def _on_lmk_free(self, host, epoch, uptime, data, tag):
        pend = self._lmk_of(host, tag)
        if pend is None or pend["free"]:
            return
        pend["free"] = pend["ok"] = True
        if data.get("rss_kb") is not None:
            pend["inc"]["victim"]["rss_kb"] = data["rss_kb"]
        if data.get("trigger"):
            pend["inc"]["trigger"] = data["trigger"]

    def _on_lmk_tail(self, host, epoch, uptime, data, tag):
        pend = self._lmk_of(host, tag)
        freed = "rss_kb" in data or "trigger" in data       # lmkd 8-9: "to free .. because .. oom_adj N"
        if pend is not None and freed:
            self._on_lmk_free(host, epoch, uptime, data, tag)
        if (pend is None or not pend["free"]) and self._back_for is None:
            self._want_back(self.LMK_LINES, "lmk", host, epoch, uptime, data, tag)     # "Killing" holds no anchor
            return
        if pend is None:
            return
        pend["inc"]["lmk"] = dict((k, data[k]) for k in ("min_score_adj", "cache_kb", "cache_limit_kb") if k in data)
        self._lmk_done()

    def _lmk_done(self):
        pend, self._lmk = self._lmk, None
        if pend is not None and pend["ok"]:
            self._mark_kill(pend["host"], pend["inc"])
            self._close(pend["inc"])

    # -- look-back: the lines before a passed one that hold no anchor (scanner.Scanner, BACK_LINES)
    def _want_back(self, count, kind, *args):
        self.wants_back = count
        self._back_for = (kind, args)

    def back(self, lines):
        """The heads of up to ``wants_back`` lines before the last line passed that were not
        passed (oldest first; fewer at the start of the log); called right after that line."""
        self.wants_back = 0
        want = self._back_for
        if want is None:
            return
        self.lines += len(lines)
        try:
            seen = []
            for raw in lines:
                p = self._split(raw.decode("utf-8", "backslashreplace").rstrip("\r\n"))
                epoch, uptime = self._times(p.epoch, p.uptime)
                hit = M.classify(p.msg, p.tag)
                seen.append((p.host, epoch, uptime) + (hit or (None, None)) + (p.tag,))
            getattr(self, "_back_" + want[0])(seen, *want[1])
        except Exception as exc:  # a hostile line must never stop the scan
            self.counts["parse_errors"] += 1
            self.last_error = "%s: %s" % (type(exc).__name__, exc)
        finally:
            self._back_for = None

    def _back_ub(self, seen, data):
        """The head of a wrapped UB kill is the line right before it: that unpassed line, or a passed one."""
        if seen:
            self._ub_head = seen[-1][:3] + (seen[-1][4]["ve"], None) if seen[-1][3] == "ub_head" else None
        elif self._ub_head is not None and self._ub_head[4] != self.lines - 1:
            self._ub_head = None            # read earlier, its own kill never came
        self._on_ub_kill(None, None, None, data, None)

    def _back_lmk(self, seen, host, epoch, uptime, data, tag):
        """A "cache .. for oom_score_adj" line without its kill: the "Killing" and "to free" lines before it
        (one printk: of its host and tag; another program's line among them is not one of them)."""
        seen = [line for line in seen if tag is None or line[5] in (None, tag)]
        heads = [i for i, line in enumerate(seen) if line[3] == "lmk_head" and (host is None or line[0] in (None, host))]
        if heads:
            line = seen[heads[-1]]
            self._on_lmk_head(line[0] if line[0] is not None else host, line[1], line[2], line[4], line[5])
        for line in seen[heads[-1] + 1 if heads else 0:]:
            if line[3] == "lmk_free":
                self._on_lmk_free(line[0], line[1], line[2], line[4], line[5])
        self._on_lmk_tail(host, epoch, uptime, data, tag)

    def _back_memcg(self, seen, host, tag, cut):
        """A task table with no record open: the memcg lines of the record pasted from "Task in .."."""
        inc = self._open.get(host)
        if inc is None or inc["victim"] is not None:
            return
        mine = [i for i, line in enumerate(seen) if line[0] == host and line[3] in ("memcg", "memcg_usage", "memcg_stats")
                and (tag is None or line[5] in (None, tag))]
        starts = [i for i in mine if seen[i][3] == "memcg"]
        mine = [i for i in mine if i >= starts[-1]] if starts else mine
        if not mine:
            return
        if seen[mine[0]][3] == "memcg_stats" and (cut or len(seen) >= self.MEMCG_BACK) \
                and not any(line[0] == host and (tag is None or line[5] in (None, tag)) for line in seen[:mine[0]]):
            return      # one "Memory cgroup stats" line per memcg of the hierarchy: the first may be out of reach
        used = [seen[i] for i in mine]
        memcg = inc["memcg"] or {}
        for line in used:
            if line[3] == "memcg_stats":
                memcg = _stats_memcg(memcg, line[4]["oom_memcg"])
            else:
                memcg.update(line[4])
                if line[3] == "memcg":
                    inc["constraint"] = inc["constraint"] or "CONSTRAINT_MEMCG"
        inc["memcg"] = memcg            # the time stays the table header's (kubernetes#56891's expectation)
        self.counts["looked_back"] += 1

    # -- kernel records
    def _summary(self, host, epoch, uptime, summ, piece=False):
        inc = self._open.get(host)
        pid = summ.get("pid")
        if inc is not None and pid is not None:
            named = (inc["victim"] or inc["selected"] or {}).get("pid")
            if named is not None and named != pid:
                self._finish_open(host)             # another record: never overwrite a victim
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
        if pid is not None:
            chosen = inc["selected"] or {}
            chosen.update({"pid": pid, "name": summ.get("task"), "uid": summ.get("uid")})
            chosen["_from"] = "summary"
            inc["selected"] = chosen
            if inc["victim"] is None and inc.get("epoch") is None and inc.get("uptime") is None:
                inc["epoch"], inc["uptime"], inc["time"] = epoch, uptime, iso(epoch)

    def _select(self, host, epoch, uptime, sel):
        t = epoch if epoch is not None else uptime
        key = (host, t, sel["pid"], sel["name"])
        done = self._recent.get((host, sel["pid"]))
        if t is not None and done is not None and done.get("_select_key") == key:
            self.counts["duplicate_lines"] += 1      # the select line of a kill read already, pasted again
            return
        inc = self._open.get(host)
        if inc is not None and (inc["victim"] is not None or
                                (inc["selected"] or {}).get("pid") not in (None, sel["pid"])):
            self._finish_open(host)
            inc = None
        if inc is None:
            inc = self._open_incident(host, epoch, uptime, partial=True)
        if self._mode == "table":
            self._unfollow()
        chosen = inc["selected"] or {}
        chosen.update({"pid": sel["pid"], "name": sel["name"], "score": sel["score"]})
        chosen["_from"] = "select"
        inc["selected"] = chosen
        inc["_select_key"] = key
        inc["reason"] = sel.get("reason")
        if "Memory cgroup" in (sel.get("reason") or ""):
            inc["constraint"] = inc["constraint"] or "CONSTRAINT_MEMCG"

    def _killed(self, host, epoch, uptime, kill):
        pid = kill["pid"]
        t = epoch if epoch is not None else uptime
        key = ("kernel", host, t, pid, kill["name"])
        if t is not None and key == self._last_line_key:
            self.counts["duplicate_lines"] += 1      # the same kill line pasted twice
            return
        self._last_line_key = key
        inc = self._open.get(host)
        sel = (inc or {}).get("selected") or {}
        if inc is not None and (inc["victim"] is not None or
                                (sel.get("_from") == "summary" and sel.get("pid") != pid)):
            self._finish_open(host)
            inc = None
            sel = {}
        self._finish_prev_kill(host, epoch, uptime)
        if inc is None:
            inc = self._new(host, epoch, uptime, "kernel", partial=True)
            self._set_open(host, inc)
        if self._mode == "table":
            self._unfollow()
        victim = {"pid": pid, "name": kill["name"]}
        victim.update(kill["fields"])
        if kill.get("cut"):
            victim["cut"] = True
        if sel.get("pid") == pid:
            for field in ("score", "uid"):
                if sel.get(field) is not None and victim.get(field) is None:
                    victim[field] = sel[field]
        elif sel.get("pid") is not None:
            victim["sacrificed_for"] = {"pid": sel["pid"], "name": sel.get("name")}
        inc["victim"] = victim
        if not kill["fields"] and not kill.get("cut"):
            self._kill_wrap = (host, victim)            # its fields may follow on the next lines
            self._follow("killwrap", 3)
        reason = kill.get("reason")
        if reason:
            inc["reason"] = reason
            if "Memory cgroup" in reason:
                inc["constraint"] = inc["constraint"] or "CONSTRAINT_MEMCG"
        if inc["epoch"] is None and inc["uptime"] is None:
            inc["epoch"], inc["uptime"], inc["time"] = epoch, uptime, iso(epoch)
        self._mark_kill(host, inc)

    def finish(self):
        self._lmk_done()
        self._early_done()
        self._lmk_select_done()
        for host in list(self._oomd_attempts):
            self._flush_oomd_attempts(host)
        for host in list(self._openvz_wrap):
            self._close(self._openvz_wrap.pop(host))
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
            if item.get("selected"):
                item["selected"] = dict((k, v) for k, v in item["selected"].items() if not k.startswith("_"))
            if not item.get("panic"):
                item.pop("panic", None)
            out.append(item)
        return out
