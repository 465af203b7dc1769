# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OOM flight recorder's ring (roles/oom_recorder) read back and joined to kernel incidents.

The kernel's task table is often missing (vm.oom_dump_tasks=0, rate limiting, an overwritten
ring buffer, journald dropping lines) and, when the hog is OOM-immune (-1000), the table lists it
as harmless. hostguard-oom-recorder keeps snapshots of the top processes by RSS taken before
and right after each kill; this file reads them (bounded, newest first) and, for each incident:

- attaches the last snapshot before the kill and the first after it (``recorder``);
- when the incident has no task table, takes the largest consumer and the verdict from the
  snapshot (``verdict.source = "recorder"``), within the incident's memory cgroup when known;
- names the fastest-growing process of the last snapshots before the kill;
- calls out an OOM-immune (-1000) process that grew as the likely culprit.

Pure functions over plain data, plus one bounded reader. Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import stat

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths

RING_DIR_DEFAULT = "/var/lib/hostguard/oom-recorder"


def _json_loads(text):
    import json          # only when a ring is read: a plain log audit does not import json
    return json.loads(text)


RING_NAME = re.compile(r"^ring-(\d{8})\.jsonl$")
MAX_RING_BYTES = 32 << 20          # read at most this much of the ring, newest first
MAX_FILE_BYTES = 8 << 20           # and at most this much of any one file
MAX_RECORDS = 20000
MAX_FILES_LISTED = 4096
MAX_LINE_BYTES = 1 << 20
BEFORE_WINDOW_S = 900.0            # a snapshot older than this (baseline period + slack) is not "before"
AFTER_WINDOW_S = 120.0
MATCH_SLACK_S = 5.0                # kernel uptime vs the recorder's kill record
GROWTH_SNAPSHOTS = 3               # growth: at least the last N snapshots before the kill,
GROWTH_WINDOW_S = 60.0             # and every snapshot of the last minute before it (a hog that grows
MAX_GROWTH_SNAPSHOTS = 120         # in bursts, then waits), at most this many


def _read_tail(root, path, max_bytes):
    """At most max_bytes (the tail: the newest records) of a regular file under root, the file itself
    never a symlink, FIFO or device -> (data, truncated). Raises OSError / PathRefused."""
    fd, _res = paths.open_file(root, path, follow=False)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError("not a regular file")
        if st.st_size > max_bytes:
            os.lseek(fd, st.st_size - max_bytes, os.SEEK_SET)
        chunks = []
        left = max_bytes
        while left > 0:
            chunk = os.read(fd, min(65536, left))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks), st.st_size > max_bytes


def parse_lines(data, truncated_head=False):
    """JSON-lines bytes -> (records in file order, bad line count). A cut first line is skipped."""
    lines = data.split(b"\n")
    if truncated_head and lines:
        lines = lines[1:]
    records, bad = [], 0
    for line in lines:
        if not line.strip():
            continue
        if len(line) > MAX_LINE_BYTES:
            bad += 1
            continue
        try:
            rec = _json_loads(line.decode("utf-8"))
        except ValueError:
            bad += 1
            continue
        if isinstance(rec, dict) and isinstance(rec.get("kind"), str):
            records.append(rec)
        else:
            bad += 1
    return records, bad


def read_ring(root="/", ring_dir=RING_DIR_DEFAULT, max_bytes=MAX_RING_BYTES, max_records=MAX_RECORDS):
    """The recorder's ring under ``root``: records newest first, bounded.

    -> {"status": "read"|"absent"|"refused"|"error", "path", "files", "bytes", "records",
        "bad_lines", "truncated", "detail"}
    """
    out = {"status": "absent", "path": ring_dir, "files": 0, "bytes": 0, "records": [], "bad_lines": 0,
           "truncated": False, "detail": None}
    if not ring_dir:
        out["detail"] = "disabled"
        return out
    try:
        names, _cut, _res = paths.list_dir(root, ring_dir, MAX_FILES_LISTED)
    except paths.PathRefused as exc:
        if exc.resolved.status == paths.MISSING:
            out["detail"] = "no recorder ring (%s does not exist)" % ring_dir
        else:
            out["status"] = "refused"
            out["detail"] = "%s: %s" % (ring_dir, exc.resolved.reason or exc.resolved.status)
        return out
    except OSError as exc:
        out["status"] = "error"
        out["detail"] = "%s: %s" % (ring_dir, exc.strerror or exc)
        return out
    names = sorted((n for n in names if RING_NAME.match(n)), reverse=True)
    records = []
    budget = max_bytes
    for name in names:
        if budget <= 0 or len(records) >= max_records:
            out["truncated"] = True
            break
        try:
            data, cut = _read_tail(root, ring_dir.rstrip("/") + "/" + name, min(MAX_FILE_BYTES, budget))
        except OSError:
            out["bad_lines"] += 1
            continue
        budget -= len(data)
        out["bytes"] += len(data)
        out["files"] += 1
        recs, bad = parse_lines(data, truncated_head=cut)
        out["bad_lines"] += bad
        out["truncated"] = out["truncated"] or cut
        records.extend(reversed(recs))
    out["records"] = records[:max_records]
    out["status"] = "read"
    return out


# ------------------------------------------------------------------------ correlation (pure)

def _t(rec):
    """The recorder's clock of a record: CLOCK_MONOTONIC (printk's clock too, in practice)."""
    value = rec.get("mono")
    return float(value) if isinstance(value, (int, float)) else None


def kill_time(incident, records, boot_id=None):
    """When the recorder saw this incident's kill: (time on the recorder's clock, kill record).

    A kill record naming the victim's pid, closest to the incident's uptime; else the incident's
    own uptime (printk timestamps use the same clock as the recorder's ``mono``)."""
    victim = incident.get("victim") or {}
    pid = victim.get("pid")
    uptime = incident.get("uptime")
    best = None
    for rec in records:
        if rec.get("kind") != "oom_kill" or pid is None or rec.get("pid") != pid:
            continue
        if boot_id and rec.get("boot_id") and rec["boot_id"] != boot_id:
            continue
        ku = rec.get("kernel_uptime")
        if uptime is not None and isinstance(ku, (int, float)) and abs(ku - uptime) > MATCH_SLACK_S:
            continue
        dist = abs(ku - uptime) if (uptime is not None and isinstance(ku, (int, float))) else 0
        if best is None or dist < best[0]:
            best = (dist, rec)
    if best is not None:
        rec = best[1]
        ku = rec.get("kernel_uptime")
        return (float(ku) if isinstance(ku, (int, float)) else _t(rec)), rec
    if isinstance(uptime, (int, float)):
        return float(uptime), None
    return None, None


def snapshots_around(records, when, boot_id=None):
    """-> (snapshots before ``when`` newest first, within BEFORE_WINDOW_S; first snapshot after)."""
    before, after = [], None
    for rec in records:
        if rec.get("kind") != "snapshot" or _t(rec) is None:
            continue
        if boot_id and rec.get("boot_id") and rec["boot_id"] != boot_id:
            continue
        t = _t(rec)
        if t <= when and when - t <= BEFORE_WINDOW_S:
            before.append(rec)
        elif when < t <= when + AFTER_WINDOW_S and (after is None or t < _t(after)):
            after = rec
    before.sort(key=lambda r: -_t(r))
    return before, after


def _in_memcg(proc, memcg):
    cg = proc.get("cgroup") or ""
    return cg == memcg or cg.startswith(memcg.rstrip("/") + "/")


def oom_memcg(incident, kill=None, snapshot=None):
    """The memory cgroup whose limit was hit: from the kernel log, else from the oom-kill: line the
    recorder itself read on /dev/kmsg, else (a memcg OOM) the victim's cgroup in the snapshot.
    -> (path or None, how it is known)."""
    memcg = (incident.get("memcg") or {}).get("oom_memcg")
    if memcg:
        return memcg, "kernel log"
    info = (kill or {}).get("info") or {}
    if isinstance(info, dict) and info.get("oom_memcg"):
        return info["oom_memcg"], "recorder's /dev/kmsg"
    reason = incident.get("reason") or ""
    if snapshot is not None and (incident.get("constraint") == "CONSTRAINT_MEMCG" or reason.startswith("Memory cgroup")):
        vpid = (incident.get("victim") or {}).get("pid")
        for proc in snapshot.get("top") or []:
            if isinstance(proc, dict) and proc.get("pid") == vpid and proc.get("cgroup"):
                return proc["cgroup"], "victim's cgroup in the snapshot"
    return None, None


def candidates(snapshot, incident, kill=None):
    """The snapshot's processes that could have been the kernel's candidates: the memory
    cgroup's when it was a memcg OOM (and the snapshot knows cgroups), else all."""
    procs = [p for p in snapshot.get("top") or [] if isinstance(p, dict) and isinstance(p.get("pid"), int)]
    memcg, how = oom_memcg(incident, kill, snapshot)
    if memcg and memcg != "/":
        inside = [p for p in procs if _in_memcg(p, memcg)]
        if inside:
            return inside, "memcg %s (%s)" % (memcg, how)
    return procs, "host"


def consumer_row(proc, snapshot, when):
    """A snapshot process in the shape of a task-table row (kernlog's largest_consumer)."""
    held = (proc.get("rss_kb") or 0) + (proc.get("swap_kb") or 0)
    return {"pid": proc.get("pid"), "name": proc.get("comm"), "held_kb": held, "rss_kb": proc.get("rss_kb"),
            "swap_kb": proc.get("swap_kb"), "oom_score_adj": proc.get("oom_score_adj"),
            "oom_score": proc.get("oom_score"), "cgroup": proc.get("cgroup"), "unit": proc.get("unit"),
            "cmdline": proc.get("cmdline"), "source": "recorder", "snapshot_seq": snapshot.get("seq"),
            "snapshot_age_s": round(when - _t(snapshot), 3)}


def growth_snapshots(before, when):
    """The snapshots whose growth lists count (``before`` newest first): the last GROWTH_SNAPSHOTS,
    and any other within GROWTH_WINDOW_S of the kill; at most MAX_GROWTH_SNAPSHOTS. Near a limit the
    recorder snapshots every second, so a count alone would forget a hog that paused for 3 s."""
    out = []
    for snap in before[:MAX_GROWTH_SNAPSHOTS]:
        if len(out) >= GROWTH_SNAPSHOTS and when - _t(snap) > GROWTH_WINDOW_S:
            break
        out.append(snap)
    return out


def fastest_growing(recent, pool_pids=None):
    """The fastest grower (kB/s) in the growth lists of ``recent`` (growth_snapshots())."""
    best = None
    for snap in recent:
        for row in snap.get("growth") or []:
            if not isinstance(row, dict) or not isinstance(row.get("delta_kb"), (int, float)):
                continue
            if pool_pids is not None and row.get("pid") not in pool_pids:
                continue
            rate = row.get("kb_per_s")
            rate = rate if isinstance(rate, (int, float)) else row["delta_kb"]
            if best is None or rate > best["kb_per_s"]:
                best = {"pid": row.get("pid"), "name": row.get("comm"), "delta_kb": row["delta_kb"],
                        "kb_per_s": rate, "rss_kb": row.get("rss_kb"), "snapshot_seq": snap.get("seq")}
    return best


def immune_growers(recent):
    """OOM-immune (-1000) processes of ``recent`` (growth_snapshots()) whose RSS grew:
    [{pid, name, grew_kb}]."""
    grew = {}
    for snap in recent:
        for row in snap.get("growth") or []:
            if isinstance(row, dict) and isinstance(row.get("delta_kb"), (int, float)) and row["delta_kb"] > 0:
                grew[row.get("pid")] = grew.get(row.get("pid"), 0) + row["delta_kb"]
    out = []
    seen = set()
    for snap in recent:
        for proc in snap.get("top") or []:
            pid = proc.get("pid") if isinstance(proc, dict) else None
            if pid in grew and pid not in seen and proc.get("oom_score_adj") == -1000:
                seen.add(pid)
                out.append({"pid": pid, "name": proc.get("comm"), "grew_kb": grew[pid],
                            "rss_kb": proc.get("rss_kb"), "oom_score_adj": -1000})
    out.sort(key=lambda r: -r["grew_kb"])
    return out


def victim_kb(victim):
    parts = [victim.get(k) for k in ("anon_rss_kb", "file_rss_kb", "shmem_rss_kb")]
    if all(p is None for p in parts):
        return None
    return sum(p or 0 for p in parts)


def verdict_from_snapshot(incident, snapshot, when, kill=None):
    """The verdict when the kernel printed no task table, from the recorder's last snapshot."""
    victim = incident.get("victim") or {}
    vpid = victim.get("pid")
    pool, scope = candidates(snapshot, incident, kill)
    if not pool:
        return None
    largest = max(pool, key=lambda p: ((p.get("rss_kb") or 0) + (p.get("swap_kb") or 0), -p["pid"]))
    row = consumer_row(largest, snapshot, when)
    immune = [consumer_row(p, snapshot, when) for p in pool if p.get("oom_score_adj") == -1000]
    vrow = next((p for p in pool if p["pid"] == vpid), None)
    vkb = ((vrow.get("rss_kb") or 0) + (vrow.get("swap_kb") or 0)) if vrow else victim_kb(victim)
    base = {"largest_consumer": row, "immune_holders": immune, "source": "recorder",
            "snapshot": {"seq": snapshot.get("seq"), "age_s": row["snapshot_age_s"], "wall": snapshot.get("wall"),
                         "reason": snapshot.get("reason"), "scope": scope}}
    if vpid is not None and largest["pid"] == vpid:
        base.update(verdict="culprit", reason="the victim was the largest consumer in the recorder's snapshot "
                    "%.1f s before the kill (%s)" % (row["snapshot_age_s"], scope))
        return base
    if vpid is not None and vkb is not None and vkb >= row["held_kb"]:
        base.update(verdict="culprit", reason="the victim held as much as the largest consumer in the recorder's "
                    "snapshot (%s)" % scope)
        return base
    if vpid is None:
        base.update(verdict="undetermined", reason="the kill line is missing; the recorder's snapshot names the "
                    "largest consumer only")
        return base
    why = ("recorder snapshot %.1f s before the kill (%s): %s (pid %s) held %s kB, the victim %s (pid %s) %s kB"
           % (row["snapshot_age_s"], scope, row["name"], row["pid"], row["held_kb"], victim.get("name"), vpid,
              vkb if vkb is not None else "less (not among the top processes)"))
    if row.get("oom_score_adj") == -1000:
        why += "; the largest consumer was immune (oom_score_adj -1000) so the kernel could not pick it"
    elif row.get("oom_score_adj") is not None and victim.get("oom_score_adj") is not None \
            and victim["oom_score_adj"] > row["oom_score_adj"]:
        why += "; the victim's oom_score_adj %s outranked the consumer's %s" % (
            victim["oom_score_adj"], row["oom_score_adj"])
    base.update(verdict="innocent", reason=why)
    return base


def snapshot_summary(snapshot, when, top=5):
    """A small copy of a snapshot for an incident's evidence (the full one stays in the ring)."""
    if snapshot is None:
        return None
    return {"seq": snapshot.get("seq"), "reason": snapshot.get("reason"), "wall": snapshot.get("wall"),
            "offset_s": round(_t(snapshot) - when, 3), "meminfo": snapshot.get("meminfo"), "psi": snapshot.get("psi"),
            "cgroups": snapshot.get("cgroups"), "top": (snapshot.get("top") or [])[:top],
            "growth": (snapshot.get("growth") or [])[:top]}


def correlate(incident, records, boot_id=None):
    """Join one incident with the recorder's records. Returns the (new) incident dict."""
    when, kill = kill_time(incident, records, boot_id)
    if when is None:
        return incident
    before, after = snapshots_around(records, when, boot_id)
    if not before and after is None:
        return incident
    inc = dict(incident)
    ev = {"kill_record": bool(kill), "before": snapshot_summary(before[0], when) if before else None,
          "after": snapshot_summary(after, when), "fastest_growing": None, "likely_culprit": None}
    if before:
        pool, _scope = candidates(before[0], incident, kill)
        recent = growth_snapshots(before, when)
        ev["fastest_growing"] = fastest_growing(recent, set(p["pid"] for p in pool))
        immune = [r for r in immune_growers(recent) if r["pid"] in set(p["pid"] for p in pool)]
        if immune:
            ev["likely_culprit"] = dict(immune[0], reason="OOM-immune (oom_score_adj -1000) and grew by %s kB in "
                                        "the last snapshots: the kernel could not kill it, so it killed others"
                                        % immune[0]["grew_kb"])
    verdict = dict(inc.get("verdict") or {})
    if inc.get("task_table") is None and before:
        mine = verdict_from_snapshot(inc, before[0], when, kill)
        if mine is not None:
            mine["kernel_verdict"] = verdict.get("verdict")
            if verdict.get("reason"):
                mine["reason"] = mine["reason"] + "; kernel log: " + verdict["reason"]
            verdict = mine
    if ev["fastest_growing"]:
        verdict["fastest_growing"] = ev["fastest_growing"]
    if ev["likely_culprit"]:
        verdict["likely_culprit"] = ev["likely_culprit"]
        verdict["reason"] = (verdict.get("reason") or "") + "; likely culprit: %s (pid %s), %s" % (
            ev["likely_culprit"]["name"], ev["likely_culprit"]["pid"], ev["likely_culprit"]["reason"])
    inc["verdict"] = verdict
    inc["recorder"] = ev
    return inc


def current_boot_id(root="/"):
    """The running kernel's boot id (only meaningful when auditing this host: root "/")."""
    if root and root != "/":
        return None
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            return f.read(64).strip() or None
    except (IOError, OSError):
        return None


def attach(incidents, ring, boot_id=None):
    """Correlate every incident with the ring returned by read_ring(). -> (incidents, facts)."""
    facts = dict((k, v) for k, v in ring.items() if k != "records")
    facts["records"] = len(ring.get("records") or [])
    if ring.get("status") != "read" or not ring.get("records"):
        facts["correlated"] = 0
        return incidents, facts
    out = []
    n = 0
    for inc in incidents:
        joined = correlate(inc, ring["records"], boot_id)
        n += 1 if "recorder" in joined else 0
        out.append(joined)
    facts["correlated"] = n
    return out, facts
