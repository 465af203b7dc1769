# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side filter of roles/cron_hygiene: which flagged files move to quarantine and
which are left for a human (protected or out of scope)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.plugin_utils.filters import filter_module


def _in_scope(path, scopes):
    return any(path == s or path.startswith(s.rstrip("/") + "/") for s in scopes or [])


def cron_quarantine_plan(findings, ids, scopes, protected, extra_files=None):
    """{'move': {path: [finding ids]}, 'manual': [{path, id, title}]} from cron_audit findings."""
    move, manual = {}, []
    for f in findings or []:
        subject = f.get("subject")
        if f.get("status") != "fail" or f.get("id") not in (ids or []):
            continue
        if not isinstance(subject, str) or not subject.startswith("/"):
            continue
        if subject in (protected or []) or not _in_scope(subject, scopes):
            manual.append({"path": subject, "id": f["id"], "title": f.get("title", "")})
        else:
            move.setdefault(subject, []).append(f["id"])
    for extra in extra_files or []:
        move.setdefault(extra["path"], []).extend(extra.get("finding_ids") or ["MANUAL"])
    return {"move": move, "manual": manual}


FilterModule = filter_module(cron_quarantine_plan)
