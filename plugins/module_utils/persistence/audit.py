# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `persistence`: what on this host will run code or let someone in that we did not put there.

Order: every section lists and reads its files (bounded, nothing written), then one pass over
the package database says who owns each file and whether it still has the packaged checksum,
then each section's checks give findings and an inventory where every entry carries a verdict
(would it run / would sshd apply it) and the reason.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core.accounts import load_users
from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import area_result, sort_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence import (
    atjobs, hooks, packages, sshkeys, systemd)
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.spec import CHECKS


def _capped(findings, limit):
    """At most ``limit`` failed findings per check ID (the count of the rest is kept)."""
    seen = {}
    out = []
    dropped = {}
    for f in findings:
        seen[f["id"]] = seen.get(f["id"], 0) + 1
        if seen[f["id"]] <= limit:
            out.append(f)
        else:
            dropped[f["id"]] = dropped.get(f["id"], 0) + 1
    return out, dropped


def audit(params):
    root = params.get("root") or "/"
    sections = params["sections"]
    now = time.time()
    users, users_error = load_users(root, limit=params["max_users"])
    entries, problems, extra = [], [], set()
    states = {}
    if "systemd" in sections:
        states["systemd"] = systemd.collect(root, params, users, entries, extra, problems)
    if "at" in sections:
        states["at"] = atjobs.collect(root, params, entries, problems)
    if "ssh_keys" in sections:
        states["ssh_keys"] = sshkeys.collect(root, params, users, entries, problems)
    if "hooks" in sections:
        states["hooks"] = hooks.collect(root, params, users, entries, extra, problems)
    paths = set(e["real"] for e in entries if e.get("status") == "ok") | extra
    owners, pkg_summary = packages.lookup(root, sorted(paths), params["max_package_db_bytes"])
    packages.apply(entries, owners, pkg_summary, root, params["max_read_bytes"])
    uids = dict((u["name"], u["uid"]) for u in users)

    def owner_of(path):
        return (owners.get(path) or {}).get("package")

    ctx = {"root": root, "params": params, "owner_of": owner_of, "now": now,
           "package_known": pkg_summary["complete"], "uid_of": lambda name: uids.get(name, -1)}
    findings = list(problems) + packages.db_findings(pkg_summary)
    facts = {"packages": pkg_summary, "users": len(users),
             "users_error": users_error.message if users_error else None}
    for name, module in (("systemd", systemd), ("at", atjobs), ("ssh_keys", sshkeys), ("hooks", hooks)):
        if name in states:
            found, section_facts = module.check(states[name], ctx)
            findings.extend(found)
            facts[name] = section_facts
    findings, dropped = _capped(sort_findings(findings), params["max_findings_per_check"])
    if dropped:
        facts["findings_dropped"] = dropped
    facts["checked"] = sorted(c.id for c in CHECKS)
    return area_result(findings, facts)
