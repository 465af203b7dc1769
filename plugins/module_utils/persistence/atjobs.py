# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""at/batch jobs waiting in the spool (T1053.002).

A job is a shell script written by at(1): ``#!/bin/sh``, ``# atrun uid=N gid=N``, the saved
environment, then the commands. atd (Debian's at 3.x, atd.c run_file) runs a spool file only
when it is executable (at marks a job ready with mode 0700), refuses one whose owner is not the
``uid=`` of its header ("userid does not match file uid") or that has more than two links
("trying to run a linked script"). at.allow/at.deny are checked when a job is submitted, not
when it runs: they are inventoried, not used for the verdict. Every line is matched with the
shared malicious-line patterns.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core.linematch import match_line
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence import files
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.locate import list_dir, resolve
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.spec import CHECKS

SPOOLS = ("/var/spool/cron/atjobs", "/var/spool/at", "/var/spool/atjobs")
ATD_BINARIES = ("/usr/sbin/atd", "/usr/bin/atd", "/sbin/atd")
ACCESS_FILES = ("/etc/at.allow", "/etc/at.deny")
HEADER = re.compile(r"^#\s*atrun\s+uid=(\d+)\s+gid=(\d+)")
MAX_PIDS = 100000


def atd_running(root):
    """True/False when auditing the running system (root /), None for an image."""
    if root not in ("/", "", None):
        return None
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()][:MAX_PIDS]
    except OSError:
        return None
    for pid in pids:
        try:
            with open("/proc/%s/comm" % pid, "rb") as handle:
                if handle.read(64).strip() == b"atd":
                    return True
        except (IOError, OSError):
            continue
    return False


def collect(root, params, entries, problems):
    jobs = []
    installed = [b for b in ATD_BINARIES if resolve(root, b)["status"] == "ok"]
    for spool in SPOOLS:
        names, total, res = list_dir(root, spool, params["max_entries"])
        problems.extend(files.directory_findings(spool, total, params, res))
        for name in names:
            if name.startswith(".") or name in ("spool",):
                continue
            path = spool + "/" + name
            kind = resolve(root, path, follow=False)
            if kind["status"] == "ok" and kind["info"]["type"] == "directory":
                continue
            hits = []

            def on_line(lineno, text, cut):
                if len(hits) < 10 and not text.lstrip().startswith("#"):
                    for pattern, _m in match_line(text):
                        hits.append((lineno, pattern, files.excerpt(text)))

            entry = files.scan_file(root, path, params, on_line=on_line, keep_lines=True)
            entry["location"] = "at spool"
            entry["hits"] = hits
            header = None
            for _no, text, _cut in entry["lines"][:5]:
                m = HEADER.match(text)
                if m:
                    header = int(m.group(1))
                    break
            entry["header_uid"] = header
            entry["lines"] = entry["lines"][-3:]
            entry["queue"] = name[0] if name[0] != "=" else name[1:2]
            entries.append(entry)
            jobs.append(entry)
    access = {}
    for path in ACCESS_FILES:
        entry = files.scan_file(root, path, params)
        if entry["status"] == "ok":
            access[path] = [t.strip() for _n, t, _c in entry["lines"] if not t.startswith("#")][:50]
    return {"jobs": jobs, "installed": installed, "running": atd_running(root), "access": access}


def job_verdict(entry, state):
    info = entry.get("info") or {}
    if entry["status"] != "ok":
        return False, "not a readable regular file (%s)" % entry["status"]
    if not state["installed"]:
        return False, "atd is not installed: nothing runs the spool"
    if entry["path"].rsplit("/", 1)[-1].startswith("="):
        return True, "being run by atd now"
    if not int(info["mode"], 8) & 0o100:
        return False, "not executable: atd runs only jobs at marked ready (mode 0700)"
    if entry["header_uid"] is None:
        return False, "no '# atrun uid=' header: atd refuses a file at did not write"
    if entry["header_uid"] != info["uid"]:
        return False, "header uid %d does not match file owner %d: atd refuses it" % (entry["header_uid"], info["uid"])
    if info.get("nlink", 1) > 2:
        return False, "more than two links: atd refuses a linked script"
    running = {True: "atd is running", False: "atd is installed but not running (runs when it starts)",
               None: "atd is installed"}[state["running"]]
    return True, "pending job of uid %d; %s" % (info["uid"], running)


@CHECKS.check("HG-PERS-010", "critical", "at/batch job runs a malicious command", attack="T1053.002", lynis="SCHD-7718",
              reads="lines of every job in /var/spool/cron/atjobs and /var/spool/at",
              remediation="atrm the job (or quarantine the spool file), then find who queued it", role="persistence_hygiene")
@CHECKS.check("HG-PERS-011", "critical", "Redis dump or binary content in the at spool", attack="T1053.002", reads="first bytes of every spool file",
              remediation="Quarantine the file and secure the Redis that wrote it (CONFIG SET dir)", role="persistence_hygiene")
@CHECKS.check("HG-PERS-012", "low", "Pending at/batch job", attack="T1053.002", lynis="SCHD-7718",
              reads="at spool files, their mode, owner and header", remediation="Review it with at -c <job>; atrm it if nobody planned it")
def check(malicious_at, rdb_at, pending_at, state, ctx):
    findings = []
    inventory = []
    for entry in state["jobs"]:
        runs, reason = job_verdict(entry, state)
        item = files.file_facts(entry)
        item.update({"would_run": runs, "reason": reason, "queue": entry.get("queue")})
        inventory.append(item)
        findings.extend(files.file_findings(entry, ctx["params"], "at spool"))
        ev = {"path": entry["path"], "would_run": runs, "reason": reason}
        if entry["rdb"] or entry["binary"]:
            findings.append(rdb_at.fail(entry["path"], dict(ev, rdb=entry["rdb"], binary=entry["binary"])))
            continue
        for lineno, pattern, text in entry["hits"]:
            findings.append(malicious_at.fail(entry["path"], dict(ev, line=lineno, patterns=[pattern], excerpt=text),
                                              severity=None if runs else "high"))
        if runs and not entry["hits"]:
            findings.append(pending_at.fail(entry["path"], dict(ev, uid=entry["info"]["uid"])))
    facts = {"atd_installed": state["installed"], "atd_running": state["running"],
             "access": state["access"], "jobs": inventory[:ctx["params"]["max_inventory"]]}
    return findings, facts
