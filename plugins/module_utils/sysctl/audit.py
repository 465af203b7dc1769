# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area sysctl's audit(): kernel parameters, runtime vs persisted vs the baseline.

The pieces: spec.py (options, CheckSet), collect.py (runtime values, sysctl.d files with
systemd-sysctl's precedence), parse_key.py / parse_conf.py (syntax), baseline.py (the
baseline), baseline_checks.py (HG-SYSCTL-001, -004), drift_checks.py (-002),
config_checks.py (-003). The names below are this area's public face (tests, filters,
bench import them from here). Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import area_result
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.baseline import (
    LYNIS_KRNL_6000, OOM_KEYS, default_baseline, merge_baseline, oom_policy)
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.baseline_checks import evaluate_key, matches_expected
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.collect import (
    MAX_CONF_BYTES, MAX_CONF_LINE, MAX_ENTRIES_PER_FILE, MAX_FILES_PER_DIR, MAX_TOTAL_CONF_BYTES,
    MAX_TOTAL_ENTRIES, MAX_VALUE_BYTES, SYSCTL_CONF, SYSCTL_DIRS, Budget, config_files,
    persisted_entries, read_conf, read_runtime, runtime_file, runtime_path, winning_entries)
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.config_checks import check_config_files
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.drift_checks import evaluate_drift
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.parse_conf import parse_conf_lines
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.parse_key import (
    MAX_KEY_CHARS, MAX_KEY_DEPTH, key_problem, key_to_relpath, normalize_key, normalize_value)
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.spec import CHECKS

__all__ = [
    "CHECKS", "audit", "Budget", "LYNIS_KRNL_6000", "OOM_KEYS", "MAX_CONF_BYTES", "MAX_CONF_LINE",
    "MAX_DRIFT_FINDINGS", "MAX_ENTRIES_PER_FILE", "MAX_FILES_PER_DIR", "MAX_KEY_CHARS", "MAX_KEY_DEPTH",
    "MAX_TOTAL_CONF_BYTES", "MAX_TOTAL_ENTRIES", "MAX_VALUE_BYTES", "SYSCTL_CONF", "SYSCTL_DIRS",
    "config_files", "default_baseline", "evaluate_drift", "evaluate_key", "key_problem", "key_to_relpath",
    "matches_expected", "merge_baseline", "normalize_key", "normalize_value", "oom_policy",
    "parse_conf_lines", "persisted_entries", "read_conf", "read_runtime", "runtime_file", "runtime_path",
    "winning_entries",
]

MAX_DRIFT_FINDINGS = 200


def audit(options):
    """Options: root, baseline (overrides), cluster_failover_node, loader, check_drift,
    report_pass (include passing findings)."""
    started = time.time()
    root = options.get("root") or "/"
    loader = options.get("loader") or "systemd"
    base = default_baseline(bool(options.get("cluster_failover_node")))
    if options.get("baseline_replace"):
        base = {}
    baseline = merge_baseline(base, options.get("baseline") or {})
    budget = Budget()
    entries, files, shadowed, errors = persisted_entries(root, loader=loader, budget=budget)
    winners = winning_entries(entries, baseline.keys())
    findings = []
    runtime_values = {}
    cache = {}

    def runtime_of(key):
        if key not in cache:
            cache[key] = read_runtime(root, key)
        return cache[key]

    for key in sorted(baseline):
        value, st = runtime_of(key)
        if st == "ok":
            runtime_values[key] = value
        findings.append(evaluate_key(key, baseline[key], value, st, winners.get(key)))

    drift_fail = 0
    if options.get("check_drift", True):
        for key in sorted(winners):
            value, st = runtime_of(key)
            result = evaluate_drift(key, value, st, winners[key])
            if result["id"] != "HG-SYSCTL-002":
                findings.append(result)
                continue
            if result["status"] == "fail":
                drift_fail += 1
                if drift_fail > MAX_DRIFT_FINDINGS:
                    continue
            elif key not in baseline:
                continue  # keep the report small: passes/skips only for baseline keys
            findings.append(result)
    findings.extend(check_config_files(errors, budget.cuts))
    if not options.get("report_pass", True):
        findings = [f for f in findings if f["status"] in ("fail", "error")]
    facts = {
        "runtime": runtime_values,
        "persisted": dict((k, {"value": w["value"], "file": w["file"], "line": w["line"]})
                          for k, w in sorted(winners.items())[:500]),
        "files": [f["path"] if f["path"] == f["real"] else "%s -> %s" % (f["path"], f["real"])
                  for f in files],
        "shadowed": shadowed[:100],
        "loader": loader,
        "baseline_keys": len(baseline),
        "drift_failures": drift_fail,
        "budget_cuts": len(budget.cuts),
    }
    return area_result(findings, facts, round(time.time() - started, 4))
