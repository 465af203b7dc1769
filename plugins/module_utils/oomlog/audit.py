# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The oomlog checks and the audit: incidents from the first readable source become findings."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import (
    Check, CheckSet, area_result, sort_findings)
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.collect import (
    SOURCES, _collect, boot_epoch, plan_sources, scan_cut_message)
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import recorder
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.records import PAGE_KB_DEFAULT, Parser
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.scanner import Scanner
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.timestamps import (
    parse_duration, parse_since)

CRITICAL_SERVICES_DEFAULT = (
    "sshd", "systemd", "init", "systemd-journal", "systemd-logind", "dbus-daemon", "dbus-broker",
    "dockerd", "containerd", "kubelet", "auditd", "rsyslogd", "chronyd", "postgres", "mysqld",
    "mariadbd", "redis-server", "keydb-server", "etcd", "sssd", "NetworkManager")

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


def make_findings(parser, options, source_label, incidents=None):
    critical = set(options.get("critical_services") or CRITICAL_SERVICES_DEFAULT)
    incidents = parser.result_incidents() if incidents is None else incidents
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


def hidden_lines_message(scanner):
    """None, or "not fully scanned: ..." when lines longer than max_line_bytes hold an OOM
    anchor only past their head (e.g. the line syslog appends right after a crash's NUL
    padding): those lines were not parsed, so what they say is unknown, never a pass."""
    if not scanner.hidden_lines:
        return None
    return ("not fully scanned: %d line(s) longer than max_line_bytes (%d) mention an OOM kill "
            "(oom/process) only past their first %d bytes; not parsed"
            % (scanner.hidden_lines, scanner.max_line, scanner.max_line))


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
    "recorder_dir",
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
             "records_without_kill": [], "counts": {}}
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
    facts["records_without_kill"] = list(parser.without_kill)
    counts = dict((k, v) for k, v in parser.counts.items() if v)
    counts["kept"] = len(facts["incidents"])
    counts["bytes_read"] = scanner.bytes
    counts["candidate_lines"] = parser.lines
    counts["cut_lines"] = scanner.cut_lines
    if scanner.hidden_lines:
        counts["hidden_lines"] = scanner.hidden_lines
    facts["counts"] = counts
    # -- the OOM flight recorder's evidence (oomlog/recorder.py; roles/oom_recorder) -------------
    facts["incidents"], facts["recorder"] = recorder.attach(
        facts["incidents"], recorder.read_ring(root, opts.get("recorder_dir")),
        recorder.current_boot_id(root) if used.get("source") in ("dmesg", "kmsg") else None)
    # ---------------------------------------------------------------------------------------------
    findings = make_findings(parser, opts, label, incidents=facts["incidents"])
    cut = [m for m in (scan_cut_message(used), hidden_lines_message(scanner)) if m]
    if cut:   # a partial scan is said as a finding, and is never a pass (issue 17)
        if used.get("truncated"):
            counts["not_scanned_bytes"] = (used.get("offset") or 0) + (used.get("unread") or 0)
        evidence = dict((k, used.get(k)) for k in ("bytes", "size", "offset", "unread", "cut", "timed_out") if k in used)
        if scanner.hidden_lines:
            evidence["hidden_lines"] = scanner.hidden_lines
        findings = [f for f in findings if f["status"] != "pass"]
        findings.append(CHECKS["HG-OOMLOG-001"].error(label, "; ".join(cut), evidence))
    return area_result(sort_findings(findings), facts, round(time.time() - started, 3))
