# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Gating: decide whether a run fails, from ``hostguard_fail_on`` and the failed findings.

``fail_on`` names the least severe severity that fails the run: ``high`` fails on any failed
``critical`` or ``high`` finding on any host. ``never`` (or an empty value) never fails.
Only findings with status ``fail`` count: an ``error`` (a check that could not run) or a
``skip`` is reported, not gated (an error is visible in every report and in JUnit as <error>).
Invalid or missing host reports are gated separately by ``fail_on_invalid``.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import SEVERITIES, SEVERITY_RANK

NEVER = ("never", "none", "", None)
FAIL_ON_CHOICES = SEVERITIES + ("never",)


def normalize_fail_on(fail_on):
    """Return a canonical ``fail_on`` (a severity or ``never``); ValueError if unknown."""
    if fail_on in NEVER or (isinstance(fail_on, str) and fail_on.strip().lower() in NEVER):
        return "never"
    value = str(fail_on).strip().lower()
    if value not in SEVERITY_RANK:
        raise ValueError("hostguard_fail_on must be one of %s, got %r" % (", ".join(FAIL_ON_CHOICES), fail_on))
    return value


def gated_severities(fail_on):
    """The severities that fail the run for this threshold (most severe first)."""
    fail_on = normalize_fail_on(fail_on)
    if fail_on == "never":
        return ()
    return tuple(s for s in SEVERITIES if SEVERITY_RANK[s] <= SEVERITY_RANK[fail_on])


def host_breaches(fail_by_severity, fail_on):
    """Number of failed findings at or above the threshold for one host's counts."""
    return sum(int((fail_by_severity or {}).get(sev, 0) or 0) for sev in gated_severities(fail_on))


def decide(hosts, fail_on, fail_on_invalid=True):
    """Decide the gate for a run.

    ``hosts``: iterable of dicts with ``host``, ``state`` (ok|missing|invalid) and
    ``fail_by_severity``. Returns ``{"fail_on", "failed", "reason", "hosts"}`` where ``hosts``
    lists the hosts that breached (sorted).
    """
    fail_on = normalize_fail_on(fail_on)
    breached = []
    broken = []
    count = 0
    for item in hosts:
        if item.get("state", "ok") != "ok":
            broken.append(item["host"])
            continue
        n = host_breaches(item.get("fail_by_severity"), fail_on)
        if n:
            breached.append(item["host"])
            count += n
    reasons = []
    if breached:
        reasons.append("%d failed finding(s) of severity %s or worse on %d host(s): %s" % (
            count, fail_on, len(breached), _names(breached)))
    if broken and fail_on_invalid:
        reasons.append("%d host(s) without a valid report: %s" % (len(broken), _names(broken)))
    failed = bool(breached) or bool(broken and fail_on_invalid)
    if not failed:
        if fail_on == "never":
            reasons.append("gating disabled (hostguard_fail_on: never)")
        else:
            reasons.append("no failed finding of severity %s or worse" % fail_on)
    return {"fail_on": fail_on, "failed": failed, "reason": "; ".join(reasons),
            "hosts": sorted(set(breached) | (set(broken) if fail_on_invalid else set()))}


def _names(names, limit=10):
    names = sorted(names)
    text = ", ".join(names[:limit])
    if len(names) > limit:
        text += " and %d more" % (len(names) - limit)
    return text
