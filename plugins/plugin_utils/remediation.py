# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Remediation results: what each role did on a host (applied, already compliant, refused
with a reason, failed) and the per-host summary playbooks/remediate.yml ends with.
Controller only; pure functions."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

STATUSES = ("failed", "refused", "applied", "compliant")
LABELS = {"failed": "failed", "refused": "refused", "applied": "applied",
          "compliant": "already compliant"}


def _changed(item):
    if isinstance(item, dict):
        if item.get("skipped"):
            return False
        if "results" in item and isinstance(item["results"], list):
            return any(_changed(r) for r in item["results"])
        return bool(item.get("changed"))
    if isinstance(item, str):
        return item.strip().lower() in ("true", "yes", "1")
    return bool(item)


def one_line(text):
    """A refusal reason as one line (roles' messages are folded YAML, sometimes multi-line)."""
    return " ".join(str(text).split())


def role_result(changes, refusals, failure=None, check_mode=False):
    """The result of one role on one host.

    changes: registered results (or booleans) of the tasks that change the host;
    refusals: reasons (empty ones ignored); failure: the error of a real failure."""
    reasons = [one_line(r) for r in (refusals or []) if r and str(r).strip()]
    changed = any(_changed(c) for c in (changes or []))
    if failure:
        status = "failed"
        reasons = [one_line(failure)] + reasons
    elif reasons:
        status = "refused"
    elif changed:
        status = "applied"
    else:
        status = "compliant"
    return {"status": status, "changed": changed, "reasons": reasons, "check_mode": bool(check_mode)}


def merge(previous, role, result):
    """Add a role's result to the host's results; a failure never hides a recorded refusal
    (strict mode fails a refused role after recording it)."""
    out = dict(previous or {})
    old = out.get(role)
    if old and result["status"] == "failed" and old.get("status") == "refused":
        return out
    out[role] = result
    return out


def summary_lines(results):
    """One line per role: `role: status[ (changes applied)][: reason; reason]`."""
    lines = []
    for role in sorted(results or {}):
        res = results[role]
        label = LABELS.get(res.get("status"), str(res.get("status")))
        if res.get("check_mode") and res.get("status") == "applied":
            label = "would apply"
        elif res.get("changed") and res.get("status") in ("refused", "failed"):
            label += " (other changes %s)" % ("would be applied" if res.get("check_mode") else "applied")
        line = "%s: %s" % (role, label)
        if res.get("reasons"):
            line += ": " + "; ".join(res["reasons"])
        lines.append(line)
    return lines


def counts(results):
    out = dict((s, 0) for s in STATUSES)
    for res in (results or {}).values():
        out[res.get("status", "failed")] = out.get(res.get("status", "failed"), 0) + 1
    return out


def host_verdict(results, strict=False):
    """None when the host passes, else why it fails: any failure, or any refusal when strict."""
    failed = sorted(r for r, res in (results or {}).items() if res.get("status") == "failed")
    refused = sorted(r for r, res in (results or {}).items() if res.get("status") == "refused")
    if failed:
        return "remediation failed in %s" % ", ".join(failed)
    if strict and refused:
        return "hostguard_remediate_strict: refused in %s" % ", ".join(refused)
    return None
