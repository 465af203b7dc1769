# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side filters of roles/sysctl_hardening: running values (`sysctl -e` output),
drift against the wanted settings, and sysctl.d precedence (`systemd-analyze cat-config`)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.baseline import default_baseline
from ansible_collections.hostguard.hardening.plugins.plugin_utils.filters import filter_module


def _norm_key(key):
    return str(key).replace("/", ".")


def _norm_value(value):
    return re.sub(r"\s+", " ", str(value)).strip()


def sysctl_running(lines):
    """`sysctl -e -- KEY...` lines (`key = value`) -> {key: value, whitespace collapsed}."""
    out = {}
    for line in lines or []:
        if " = " in line:
            key, value = line.split(" = ", 1)
            out[key.strip()] = _norm_value(value)
    return out


def sysctl_drift(lines, settings):
    """{'drift': {key: {running, wanted}}, 'unsupported': [keys this kernel lacks]}."""
    running = sysctl_running(lines)
    drift, unsupported = {}, []
    for key, want in (settings or {}).items():
        norm = _norm_key(key)
        if norm not in running:
            unsupported.append(key)
        elif running[norm] != _norm_value(want):
            drift[key] = {"running": running[norm], "wanted": str(want)}
    return {"drift": drift, "unsupported": unsupported}


def sysctl_not_live(lines, drift):
    """Keys of `drift` whose running value (read again) is still not the wanted one."""
    running = sysctl_running(lines)
    return [key for key, d in (drift or {}).items()
            if running.get(_norm_key(key), "") != _norm_value(d["wanted"])]


def sysctl_overridden(catconfig, settings, our_file):
    """Keys whose last assignment in sysctl.d order (the one that wins at boot) is another
    file's, with another value. `catconfig`: `systemd-analyze cat-config sysctl.d` output;
    `our_file`: the role's file, or the list of its files (one per check family)."""
    ours = set(our_file) if isinstance(our_file, (list, tuple)) else {our_file}
    last, current = {}, ""
    for line in str(catconfig or "").splitlines():
        stripped = line.strip()
        if line.startswith("# /"):
            current = line[2:].strip()
        elif stripped and not stripped.startswith(("#", ";")) and "=" in line:
            key, value = line.split("=", 1)
            last[_norm_key(key.strip().lstrip("-"))] = {"file": current, "value": value.strip()}
    out = []
    for key, want in (settings or {}).items():
        won = last.get(_norm_key(key))
        if won and won["file"] not in ours and str(won["value"]) != str(want):
            out.append({"key": key, "wanted": str(want), "winner": won["file"], "value": won["value"]})
    return out


def sysctl_baseline(exclude=None, values=None, cluster_failover_node=False):
    """The settings the role applies: the sysctl audit's own baseline (one source), one value per
    key (its first accepted value), minus ``exclude``; ``values`` gives a concrete value for keys
    whose expectation is a condition (kernel.panic ">0"). A conditional key without a value is
    an error, never a guess."""
    exclude = set(exclude or [])
    values = dict(values or {})
    out = {}
    for key, spec in sorted(default_baseline(bool(cluster_failover_node)).items()):
        if key in exclude:
            continue
        expected = spec["expected"]
        first = expected[0] if isinstance(expected, (list, tuple)) else expected
        if key in values:
            out[key] = values[key]
        elif re.match(r"^-?[0-9]+$", str(first)):
            out[key] = int(first)
        else:
            raise ValueError("sysctl baseline: %s expects %r; give a value in sysctl_hardening_values "
                             "or exclude it" % (key, expected))
    return out


FilterModule = filter_module(sysctl_baseline, sysctl_drift, sysctl_not_live, sysctl_overridden)
