# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The finding model shared by every hostguard check.

One shape for every result::

    {"id": "HG-CRON-003", "title": "...", "severity": "critical|high|medium|low|info",
     "status": "fail|pass|skip|error", "subject": "/var/spool/cron/dump.rdb",
     "evidence": {...small, bounded...}, "remediation": "...",
     "references": {"lynis": "SCHD-7704", "cis": "...", "attack": "T1053.003"}}

Each area declares its checks once as ``Check`` objects (stable ID, title, severity,
what it reads, references, the role that remediates it); findings are made from a
check so that IDs, titles and references never drift between code and catalogue.
Stdlib only: this file runs on the target inside AnsiballZ.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

from ansible_collections.hostguard.hardening.plugins.module_utils.core.redact import (
    escape_controls, redact, redact_tokens)

SEVERITIES = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK = dict((name, rank) for rank, name in enumerate(SEVERITIES))
STATUSES = ("fail", "pass", "skip", "error", "waived")
# What an audit area may report; ``waived`` is given on the controller (plugin_utils/waivers.py).
AREA_STATUSES = ("fail", "pass", "skip", "error")

# Bounds on evidence so a hostile file can never blow up a report.
MAX_EVIDENCE_STRING = 512
MAX_EVIDENCE_ITEMS = 20
MAX_EVIDENCE_DEPTH = 4

REPORT_SCHEMA_VERSION = 1
# What an inventory check (severity info, Lynis only logs what it found) says to do.
INVENTORY_REMEDIATION = "None needed (inventory)."


def _gate_string(value, keep_newlines):
    """One string through the redaction gate, then cut, then control characters escaped.

    Redaction sees a little more than what is kept (so a secret cut at the bound is still
    recognised); a cut string ends with "...<N more chars>"."""
    if len(value) > MAX_EVIDENCE_STRING:
        head = redact(_cut_at_token(value, MAX_EVIDENCE_STRING * 2))
        if len(head) > MAX_EVIDENCE_STRING:
            head = head[:MAX_EVIDENCE_STRING]
        return escape_controls(head, keep_newlines) + "...<%d more chars>" % (
            len(value) - len(head))
    return escape_controls(redact(value), keep_newlines)


def _cut_at_token(value, limit):
    """``value[:limit]`` without a trailing partial token (which redaction might not know)."""
    head = value[:limit]
    if len(value) > limit and not value[limit].isspace():
        space = max(head.rfind(" "), head.rfind("\t"), head.rfind("\n"))
        head = head[:space + 1] if space >= 0 else head
    return head


def bound_evidence(value, depth=0, keep_newlines=True):
    """Return a copy of ``value`` with strings, lists and nesting depth capped, every string
    passed through the redaction gate (core.redact) and its control characters escaped."""
    if depth > MAX_EVIDENCE_DEPTH:
        return "<nested too deep>"
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    if isinstance(value, str):
        return _gate_string(value, keep_newlines)
    if isinstance(value, dict):
        out = {}
        for index, (key, item) in enumerate(value.items()):
            if index >= MAX_EVIDENCE_ITEMS * 2:
                out["_truncated"] = "%d more keys" % (len(value) - index)
                break
            out[_gate_string(str(key), False)] = bound_evidence(item, depth + 1, keep_newlines)
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value) if isinstance(value, (list, tuple)) else sorted(value, key=str)
        if len(items) > 1 and all(isinstance(item, str) for item in items[:MAX_EVIDENCE_ITEMS + 1]):
            # an argv: "--password" and its value are separate items
            head = redact_tokens([_cut_at_token(item, MAX_EVIDENCE_STRING * 2)
                                  for item in items[:MAX_EVIDENCE_ITEMS + 1]])
            items = head + items[MAX_EVIDENCE_ITEMS + 1:]
        out = [bound_evidence(item, depth + 1, keep_newlines) for item in items[:MAX_EVIDENCE_ITEMS]]
        if len(items) > MAX_EVIDENCE_ITEMS:
            out.append("...<%d more items>" % (len(items) - MAX_EVIDENCE_ITEMS))
        return out
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return bound_evidence(str(value), depth, keep_newlines)


class Check(object):
    """A check's static description: the single source of the catalogue."""

    def __init__(self, check_id, title, severity, area, reads, remediation,
                 references=None, role=None, weight=None):
        if severity not in SEVERITY_RANK:
            raise ValueError("unknown severity %r for %s" % (severity, check_id))
        self.id = check_id
        self.title = title
        self.severity = severity
        self.area = area
        self.reads = reads
        self.remediation = remediation
        self.references = dict(references or {})
        self.role = role
        # Lynis-style points: how much this check weighs in the hardening index.
        self.weight = weight if weight is not None else {
            "critical": 5, "high": 3, "medium": 2, "low": 1, "info": 0}[severity]

    def result(self, status, subject, evidence=None, detail=None, severity=None):
        """Make a finding of this check. ``severity`` may raise or lower it per case."""
        if status not in STATUSES:
            raise ValueError("unknown status %r" % (status,))
        sev = severity or self.severity
        if sev not in SEVERITY_RANK:
            raise ValueError("unknown severity %r" % (sev,))
        remediation = self.remediation
        if self.role:
            remediation = "%s (role: hostguard.hardening.%s)" % (remediation, self.role)
        out = {
            "id": self.id,
            "title": self.title,
            "severity": sev,
            "status": status,
            "subject": bound_evidence(subject if subject is not None else "", keep_newlines=False),
            "evidence": bound_evidence(evidence or {}),
            "remediation": remediation,
            "references": dict(self.references),
        }
        if detail:
            out["detail"] = bound_evidence(detail)
        return out

    def fail(self, subject, evidence=None, detail=None, severity=None):
        return self.result("fail", subject, evidence, detail, severity)

    def passed(self, subject, evidence=None, detail=None):
        return self.result("pass", subject, evidence, detail)

    def skip(self, subject, detail, evidence=None):
        return self.result("skip", subject, evidence, detail)

    def error(self, subject, detail, evidence=None):
        return self.result("error", subject, evidence, detail)

    def catalogue_entry(self):
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity,
            "area": self.area,
            "reads": self.reads,
            "references": dict(self.references),
            "role": self.role,
            "weight": self.weight,
            "remediation": self.remediation,
        }


def summarize(findings):
    """Counts of failed findings per severity, plus counts per status."""
    by_severity = dict((sev, 0) for sev in SEVERITIES)
    by_status = dict((status, 0) for status in STATUSES)
    for item in findings:
        by_status[item["status"]] = by_status.get(item["status"], 0) + 1
        if item["status"] == "fail":
            by_severity[item["severity"]] += 1
    return {"fail_by_severity": by_severity, "by_status": by_status, "total": len(findings)}


def worst_severity(findings):
    """The most severe severity among failed findings, or None."""
    worst = None
    for item in findings:
        if item["status"] != "fail":
            continue
        if worst is None or SEVERITY_RANK[item["severity"]] < SEVERITY_RANK[worst]:
            worst = item["severity"]
    return worst


def sort_findings(findings):
    """Failures first, then by severity, then by ID and subject: a stable report order."""
    status_rank = {"fail": 0, "error": 1, "waived": 2, "pass": 3, "skip": 4}
    return sorted(findings, key=lambda f: (status_rank.get(f["status"], 9),
                                           SEVERITY_RANK.get(f["severity"], 9),
                                           f["id"], str(f["subject"])))


def area_result(findings, facts=None, timing_seconds=None):
    """What every area's ``audit()`` returns."""
    return {"findings": findings, "facts": facts or {}, "seconds": timing_seconds}


class CheckSet(object):
    """The checks of one area, keyed by ID; every ID starts with the area's prefix.

    A check is declared directly above the function that evaluates it (Lynis's ``Register``
    above its test)::

        @CHECKS.check("HG-ACCT-002", "low", "sysstat accounting not collecting", lynis="ACCT-9626",
                      reads="/etc/default/sysstat", remediation="apt-get install sysstat")
        def check_sysstat(check, host):
            return verdict(check, "/etc/default/sysstat", ...)

    The function receives its :class:`Check` first; callers leave it out
    (``check_sysstat(host)``) and find it as ``check_sysstat.check``. A function that grades
    several checks carries one decorator each and receives them in that order, top first
    (``.checks``). ``evaluators`` lists the (first check, function) pairs so declared, in
    definition order, for ``run_evaluators``.
    ``define`` makes a check without an evaluator (one shared by several functions).

    ``CHECKS["HG-CRON-001"]`` looks one up; iterating yields them in definition order."""

    def __init__(self, area, prefix):
        self.area = area
        self.prefix = prefix
        self._checks = {}
        self.evaluators = []

    @classmethod
    def of(cls, area, prefix, checks):
        """A CheckSet holding ``checks`` (Check objects made elsewhere)."""
        out = cls(area, prefix)
        for check in checks:
            out.add(check)
        return out

    def add(self, check):
        if self.prefix and not check.id.startswith(self.prefix + "-"):
            raise ValueError("check %s does not belong to area %s (prefix %s)"
                             % (check.id, self.area, self.prefix))
        if check.id in self._checks:
            raise ValueError("check %s defined twice" % check.id)
        self._checks[check.id] = check
        return check

    def define(self, check_id, title, severity, reads, remediation, references=None,
               role=None, weight=None):
        return self.add(Check(check_id, title, severity, self.area, reads, remediation,
                              references=references, role=role, weight=weight))

    def check(self, check_id, severity, title, reads, remediation, role=None, weight=None, **references):
        """Decorator: define check ``check_id`` and make the function below its evaluator.

        ``references`` by name (``lynis="ACCT-9626", cis="4.1.1", attack="T1053.003"``)."""
        check = self.define(check_id, title, severity, reads, remediation, references=references,
                            role=role, weight=weight)

        def register(function):
            checks = (check,)
            stacked = getattr(function, "checks", None)
            if stacked:   # several checks graded by one function: their decorators stack, top first
                self.evaluators.remove((stacked[0], function))
                checks += stacked
                function = function.__wrapped__

            @functools.wraps(function)
            def evaluate(*args, **kwargs):
                return function(*(checks + args), **kwargs)
            evaluate.check = check
            evaluate.checks = checks
            self.evaluators.append((check, evaluate))
            return evaluate
        return register

    def info(self, check_id, title, lynis, reads):
        """Decorator: an inventory check (severity info) evaluated by the function below."""
        return self.check(check_id, "info", title, reads, INVENTORY_REMEDIATION, lynis=lynis)

    def __getitem__(self, check_id):
        return self._checks[check_id]

    def __contains__(self, check_id):
        return check_id in self._checks

    def __iter__(self):
        return iter(list(self._checks.values()))

    def __len__(self):
        return len(self._checks)

    def get(self, check_id, default=None):
        return self._checks.get(check_id, default)

    def ids(self):
        return list(self._checks)

    def keys(self):
        return list(self._checks)

    def values(self):
        return list(self._checks.values())

    def items(self):
        return list(self._checks.items())
