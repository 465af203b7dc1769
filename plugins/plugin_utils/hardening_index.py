# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Lynis-style hardening index over findings of every area (pure, stdlib only).

Lynis (include/functions ``AddHP``; include/report): every test that runs calls
``AddHP earned max``; ``HPPOINTS += earned``, ``HPTOTAL += max``; the report prints
``hardening_index = HPPOINTS * 100 / HPTOTAL`` (shell integer division, i.e. floor).

hostguard, per finding (weights from the check catalogue, ``findings.Check.weight``):

    max    = weight(id)                       (pass or fail; skip and error count nothing)
    earned = max                              if status == pass
           = max * evidence.partial_credit    if status == fail and partial_credit in [0, 1]
           = 0                                otherwise
    index  = floor(100 * sum(earned) / sum(max))   (None when sum(max) == 0)

``partial_credit`` is how a check mirrors Lynis's partial points (SSH-7408 "medium" = AddHP 1 3).
A check whose ID is not in the catalogue weighs what ``Check`` gives its severity by default.
Lynis turns 0 points into index 1 (``HPPOINTS=1 HPTOTAL=100``); we do not: 0 is 0.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.registry import all_checks

DEFAULT_WEIGHT = {"critical": 5, "high": 3, "medium": 2, "low": 1, "info": 0}


def catalogue_weights():
    """{check_id: weight} of every check of every registered area (core.registry)."""
    return dict((check.id, check.weight) for check in all_checks())


def _credit(finding):
    evidence = finding.get("evidence") or {}
    value = evidence.get("partial_credit") if isinstance(evidence, dict) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1:
        return float(value)
    return 0.0


def hardening_points(findings, weights=None):
    """Earned and maximum points, and the index, with a per-ID breakdown."""
    if weights is None:
        weights = catalogue_weights()
    earned = 0.0
    total = 0
    counted = 0
    per_id = {}
    for finding in findings or []:
        status = finding.get("status")
        if status not in ("pass", "fail"):
            continue
        cid = finding.get("id")
        weight = weights.get(cid)
        if weight is None:
            weight = DEFAULT_WEIGHT.get(finding.get("severity"), 0)
        if weight <= 0:
            continue
        got = float(weight) if status == "pass" else weight * _credit(finding)
        earned += got
        total += weight
        counted += 1
        slot = per_id.setdefault(cid, [0.0, 0])
        slot[0] += got
        slot[1] += weight
    index = None
    if total > 0:
        index = int(round(100 * earned, 6) // total)
    return {"index": index, "points": round(earned, 2), "max_points": total,
            "counted": counted,
            "per_check": dict((k, [round(v[0], 2), v[1]]) for k, v in sorted(per_id.items()))}


def hardening_index(findings, weights=None):
    """The hardening index 0..100 of a list of findings (all areas), or None if nothing
    weighted passed or failed."""
    return hardening_points(findings, weights)["index"]
