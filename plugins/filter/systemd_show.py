# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side filters of roles/oom_protection: unit names, `systemctl show` output and
the configured-versus-effective OOM report."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

from ansible_collections.hostguard.hardening.plugins.plugin_utils.filters import filter_module


def unit_names(entries):
    """[{unit: cron, ...}] -> same entries with unit names completed (cron -> cron.service)."""
    out = []
    for entry in entries or []:
        entry = dict(entry)
        if "." not in entry["unit"]:
            entry["unit"] = entry["unit"] + ".service"
        out.append(entry)
    return out


def systemctl_show(stdout, units):
    """`systemctl show -p ... -- U1 U2` prints one block per unit, blank-line separated, in
    argument order -> {unit: {Property: value}}."""
    blocks = [b for b in str(stdout or "").split("\n\n") if b.strip()]
    out = {}
    for unit, block in zip(units or [], blocks):
        props = {}
        for line in block.splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                props[key] = value
        out[unit] = props
    return out


def oom_status(want, systemd_value, effective):
    if want is None:
        return "not-configured"
    if str(systemd_value) != str(want):
        return "not-loaded"
    if effective is None:
        return "not-running"
    return "effective" if effective == int(want) else "configured-not-effective"


def oom_report(proc_results, state):
    """Per unit: configured, systemd's and the process's oom_score_adj, and the verdict.
    `proc_results`: the slurp loop results (item = the unit entry); `state`: systemctl_show."""
    out = []
    for result in proc_results or []:
        unit = result["item"]
        props = (state or {}).get(unit["unit"], {})
        want = unit.get("oom_score_adjust")
        effective = None
        if result.get("content") is not None:
            effective = int(base64.b64decode(result["content"]).decode().strip())
        out.append({"unit": unit["unit"], "configured": want, "systemd": props.get("OOMScoreAdjust"),
                    "effective": effective, "main_pid": int(props.get("MainPID", "0") or 0),
                    "status": oom_status(want, props.get("OOMScoreAdjust", ""), effective),
                    "memory_max": props.get("MemoryMax"), "memory_high": props.get("MemoryHigh")})
    return out


FilterModule = filter_module(unit_names, systemctl_show, oom_report)
