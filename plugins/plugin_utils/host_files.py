# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""This run's per-host files on the controller: ``<report_dir>/<stem>.json`` (the report) and,
for a host that was unreachable or whose audit failed, ``<report_dir>/.hosts-state/<stem>.json``
({"state", "message"}) instead. Writing one removes the other, so a stale report of an earlier
run is never published as this run's."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

STATE_DIR = ".hosts-state"
STATES = ("unreachable", "failed")
MAX_MESSAGE = 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def report_stem(host):
    """File stem of a host's report (the audit role's historical naming)."""
    return _UNSAFE.sub("_", str(host))


def report_path(report_dir, host):
    return os.path.join(os.path.abspath(report_dir), report_stem(host) + ".json")


def state_path(report_dir, host):
    return os.path.join(os.path.abspath(report_dir), STATE_DIR, report_stem(host) + ".json")


def _atomic_write(path, text, mode):
    tmp = "%s.%d.tmp" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def write_report(report_dir, host, report, mode=0o640):
    """Write the host's report; drop a state file left by an earlier run. Returns the path."""
    path = report_path(report_dir, host)
    os.makedirs(os.path.dirname(path), mode=0o750, exist_ok=True)
    _atomic_write(path, json.dumps(report, indent=2) + "\n", mode)
    _remove(state_path(report_dir, host))
    return path


def write_state(report_dir, host, state, message, mode=0o640):
    """Record that the host is unreachable or its audit failed; remove its stale report."""
    if state not in STATES:
        raise ValueError("state must be one of %s" % ", ".join(STATES))
    path = state_path(report_dir, host)
    os.makedirs(os.path.dirname(path), mode=0o750, exist_ok=True)
    text = json.dumps({"host": str(host), "state": state, "message": " ".join(str(message).split())[:MAX_MESSAGE]})
    _atomic_write(path, text + "\n", mode)
    _remove(report_path(report_dir, host))
    return path


def read_state(report_dir, host):
    """(state, message) recorded for the host by this run, or None."""
    try:
        with open(state_path(report_dir, host), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("state") not in STATES:
        return None
    return data["state"], str(data.get("message", ""))[:MAX_MESSAGE]
