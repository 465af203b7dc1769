# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run history on the controller: ``<report_dir>/runs/<run id>/``, retention, ``latest``, diff.

Layout::

    <report_dir>/<host>.json                 written by roles/audit (this run's input)
    <report_dir>/runs/20261122T101500Z/      one directory per run (UTC, sortable)
        hosts/<host>.json .xml .html         per-host report in three formats
        fleet.json fleet.html                fleet summary
    <report_dir>/runs/index.json             every kept run, newest last, with its totals
    <report_dir>/latest -> runs/<run id>     symlink to the newest run

Retention removes only directories whose name is a run id (never a symlink, never anything
else a user keeps there). The diff key of a finding is (host, id, subject): ``new`` = failed
now and not failed in the previous run; ``resolved`` = failed before, checked now and not
failed; a host absent from this run lists its old failures as ``not_checked``, not resolved.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import re
import shutil

RUN_ID_RE = re.compile(r"^[0-9]{8}T[0-9]{6}Z(-[0-9]+)?$")
RUNS = "runs"
LATEST = "latest"
INDEX = "index.json"


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def run_id_for(when):
    """Run id of a UTC datetime: ``YYYYMMDDTHHMMSSZ`` (sorts as time, no ':' in paths)."""
    return when.strftime("%Y%m%dT%H%M%SZ")


def _run_sort_key(run_id):
    base, _dash, suffix = run_id.partition("-")
    return (base, int(suffix) if suffix else 0)


def list_runs(report_dir):
    """Run ids present under ``report_dir/runs``, oldest first. Symlinks are ignored."""
    runs_dir = os.path.join(report_dir, RUNS)
    try:
        names = os.listdir(runs_dir)
    except OSError:
        return []
    out = []
    for name in names:
        path = os.path.join(runs_dir, name)
        if RUN_ID_RE.match(name) and os.path.isdir(path) and not os.path.islink(path):
            out.append(name)
    return sorted(out, key=_run_sort_key)


def new_run(report_dir, when=None):
    """Create and return ``(run_id, path)`` for a new run; two runs in one second get ``-N``."""
    when = when or utc_now()
    runs_dir = os.path.join(report_dir, RUNS)
    os.makedirs(runs_dir, exist_ok=True)
    base = run_id_for(when)
    for n in range(0, 1000):
        run_id = base if n == 0 else "%s-%d" % (base, n)
        path = os.path.join(runs_dir, run_id)
        try:
            os.mkdir(path)
        except FileExistsError:
            continue
        return run_id, path
    raise RuntimeError("cannot create a run directory under %s" % runs_dir)


def previous_run(report_dir, run_id):
    """The newest run older than ``run_id`` (by id), or None."""
    older = [r for r in list_runs(report_dir) if _run_sort_key(r) < _run_sort_key(run_id)]
    return older[-1] if older else None


def apply_retention(report_dir, keep, protect=()):
    """Delete the oldest run directories so that ``keep`` runs remain; return the removed ids.

    ``keep`` < 1 keeps everything. Runs named in ``protect`` are never removed.
    """
    keep = int(keep or 0)
    if keep < 1:
        return []
    runs = list_runs(report_dir)
    removable = [r for r in runs if r not in protect]
    excess = len(runs) - keep
    removed = []
    for run_id in removable:
        if excess <= 0:
            break
        path = os.path.join(report_dir, RUNS, run_id)
        if os.path.islink(path) or not os.path.isdir(path):
            continue
        shutil.rmtree(path)
        removed.append(run_id)
        excess -= 1
    return removed


def point_latest(report_dir, run_id):
    """Atomically point ``<report_dir>/latest`` at ``runs/<run_id>`` (relative symlink).

    A ``latest`` that is a real file or directory (not ours) is left alone: returns False.
    """
    link = os.path.join(report_dir, LATEST)
    if os.path.lexists(link) and not os.path.islink(link):
        return False
    tmp = os.path.join(report_dir, ".latest.%d.tmp" % os.getpid())
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(os.path.join(RUNS, run_id), tmp)
    os.replace(tmp, link)
    return True


def write_json_atomic(path, data):
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.write("\n")
    os.replace(tmp, path)


def write_index(report_dir, entries_by_run):
    """Write ``runs/index.json``: every kept run (oldest first) with the given totals."""
    runs = list_runs(report_dir)
    index = {"schema_version": 1, "latest": runs[-1] if runs else None,
             "runs": [dict(entries_by_run.get(r) or {}, run_id=r) for r in runs]}
    write_json_atomic(os.path.join(report_dir, RUNS, INDEX), index)
    return index


def read_index(report_dir):
    try:
        with open(os.path.join(report_dir, RUNS, INDEX)) as handle:
            data = json.load(handle)
        return dict((e["run_id"], e) for e in data.get("runs", []) if isinstance(e, dict) and "run_id" in e)
    except (OSError, ValueError, KeyError, TypeError):
        return {}


# --- diff ---------------------------------------------------------------------------------

def failed_keys(report):
    """``{(id, subject): finding}`` of the failed findings of one host report."""
    out = {}
    for item in report.get("findings") or []:
        if isinstance(item, dict) and item.get("status") == "fail":
            out[(str(item.get("id")), str(item.get("subject")))] = item
    return out


def _change(host, key, finding):
    return {"host": host, "id": key[0], "subject": key[1],
            "severity": finding.get("severity", "info"), "title": str(finding.get("title", ""))}


def diff_runs(current, previous):
    """Compare two runs.

    ``current`` / ``previous``: ``{host: report dict}`` of the hosts with a valid report
    (``previous`` may be None: first run). Returns new/resolved/not_checked lists of changes,
    sorted by severity then host, id, subject.
    """
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import SEVERITY_RANK
    new, resolved, not_checked = [], [], []
    previous = previous or {}
    for host, report in current.items():
        now = failed_keys(report)
        before = failed_keys(previous[host]) if host in previous else {}
        for key, finding in now.items():
            if key not in before:
                new.append(_change(host, key, finding))
        for key, finding in before.items():
            if key not in now:
                resolved.append(_change(host, key, finding))
    for host, report in previous.items():
        if host not in current:
            for key, finding in failed_keys(report).items():
                not_checked.append(_change(host, key, finding))

    def order(c):
        return (SEVERITY_RANK.get(c["severity"], 9), c["host"], c["id"], c["subject"])
    return {"new": sorted(new, key=order), "resolved": sorted(resolved, key=order),
            "not_checked": sorted(not_checked, key=order)}
