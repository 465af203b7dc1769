# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HG-REDIS-004: the runtime dir/dbfilename, the signature of the cron-writing attack (seed 000)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath

from ansible_collections.hostguard.hardening.plugins.module_utils.redis.dangerous_paths import DANGEROUS_FILENAMES, classify_dir, dump_path
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.parse_config import DEFAULTS
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.spec import CHECKS


@CHECKS.check("HG-REDIS-004", "critical", "Redis dir/dbfilename drifted from the config or points into a system directory", attack="T1053.003",
              reads="CONFIG GET dir/dbfilename, /proc/<pid>/cwd, config file",
              remediation="Treat the host as compromised: inspect and quarantine the written file (see the cron "
                          "audit of the same path), restart Redis from its config, then close access")
def grade_drift(check, inst, runtime, eff):
    """HG-REDIS-004: the signature of the cron-writing attack."""
    explicit = eff.get("explicit") or ()
    conf_dir = eff.get("dir") if "dir" in explicit else None
    if conf_dir and not conf_dir.startswith("/"):
        conf_dir = None  # relative to the cwd Redis had at start: unknown, do not compare
    conf_db = eff.get("dbfilename") if "dbfilename" in explicit else None
    run_dir = runtime.get("dir") or inst.get("cwd")
    run_db = runtime.get("dbfilename") or conf_db or DEFAULTS["dbfilename"]
    dir_source = "CONFIG GET" if runtime.get("dir") else "/proc/<pid>/cwd"
    if not run_dir:
        return [check.skip(inst["name"], "runtime dir unknown (no probe answer, no /proc cwd)")]
    path = dump_path(run_dir, run_db)
    reasons = []
    category = classify_dir(run_dir)
    if category:
        reasons.append("dir is a %s" % category)
    name_cat = DANGEROUS_FILENAMES.get(run_db)
    if name_cat and category:
        reasons.append("dbfilename %s" % name_cat)
    if conf_dir and posixpath.normpath(conf_dir) != posixpath.normpath(run_dir):
        reasons.append("runtime dir differs from the config file (%s)" % conf_dir)
    if conf_db and "dbfilename" in runtime and conf_db != runtime["dbfilename"]:
        reasons.append("runtime dbfilename differs from the config file (%s)" % conf_db)
    ev = {"path": path, "runtime_dir": run_dir, "runtime_dbfilename": run_db,
          "config_dir": conf_dir, "config_dbfilename": conf_db, "dir_source": dir_source,
          "config": inst.get("config_path"), "instance": inst["name"],
          "related_checks": ["HG-CRON-001"]}
    if not reasons:
        return [check.passed(path, ev)]
    ev["reasons"] = reasons
    severity = "critical" if category or (conf_dir and posixpath.normpath(conf_dir) != posixpath.normpath(run_dir)) \
        else "high"
    return [check.fail(path, ev, "; ".join(reasons), severity=severity)]
