# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Waivers and severity overrides, applied on the controller when a host's report is built.

A waiver (docs/waivers.md; schema in schemas/waivers.schema.json)::

    {"id": "HG-SSH-007", "subject": "/etc/ssh/*", "justification": "bastion, reviewed 2026-11",
     "owner": "secops@example.org", "expires": "2027-03-31"}

- A failed finding whose ID equals ``id`` (an exact ID; ``*`` and ``?`` globs are allowed too)
  and whose subject matches the optional ``subject`` glob becomes status ``waived`` and carries
  ``waiver`` (justification, owner, expires, source). It stays in every report; it is neither a
  failure for the gate nor points for the hardening index (like ``skip``).
- On the day after ``expires`` it is ``fail`` again, with ``waiver.expired: true`` and a note;
  the expired waiver is itself a finding (HG-WAIVER-002).
- A waiver or an override naming an ID that no check has is a finding (HG-WAIVER-001); an entry
  that is not well formed is a finding (HG-WAIVER-003). Nothing is silently dropped.
- ``severity_overrides``: {check ID: severity}; every finding of that ID gets the severity, and
  ``severity_original`` keeps the catalogue's.
Pure functions (``today`` is given); stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import fnmatch
import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import (
    SEVERITY_RANK, CheckSet)

CHECKS = CheckSet(area="waivers", prefix="HG-WAIVER")
UNKNOWN_ID = CHECKS.define(
    "HG-WAIVER-001", "Waiver or severity override names no known check", "low",
    reads="hostguard_waivers, hostguard_waivers_file, hostguard_severity_overrides",
    remediation="Fix the check ID (docs/checks.md lists them) or remove the entry.")
EXPIRED = CHECKS.define(
    "HG-WAIVER-002", "Waiver expired", "medium",
    reads="hostguard_waivers, hostguard_waivers_file",
    remediation="Fix what the waived check reports, or renew the waiver with a new justification "
                "and expiry date.")
INVALID = CHECKS.define(
    "HG-WAIVER-003", "Waiver entry is not well formed", "medium",
    reads="hostguard_waivers, hostguard_waivers_file",
    remediation="Give id, justification, owner and expires (YYYY-MM-DD); see docs/waivers.md.")

REQUIRED = ("id", "justification", "owner", "expires")
_ID = re.compile(r"^HG-[A-Z0-9*?]+-[0-9*?]+$|^HG-[A-Z0-9*?]+-\*$|^\*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value):
    """A ``datetime.date`` from YYYY-MM-DD (a YAML date is accepted as is); None if invalid."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return datetime.datetime.strptime(value.strip(), "%Y-%m-%d").date()
        except ValueError:
            return None
    return None


def entry_problems(entry):
    """Why one waiver entry is not usable (empty list when it is)."""
    if not isinstance(entry, dict):
        return ["a waiver must be a mapping, got %s" % type(entry).__name__]
    problems = ["missing %s" % key for key in REQUIRED if not entry.get(key)]
    unknown = sorted(set(entry) - set(REQUIRED) - {"subject", "source"})
    if unknown:
        problems.append("unknown key(s): %s" % ", ".join(str(k) for k in unknown))
    if entry.get("id") and not (isinstance(entry["id"], str) and _ID.match(entry["id"])):
        problems.append("id %r is not a check ID (HG-AREA-NNN, globs allowed)" % (entry["id"],))
    if entry.get("expires") and parse_date(entry["expires"]) is None:
        problems.append("expires %r is not a date (YYYY-MM-DD)" % (entry["expires"],))
    if "subject" in entry and not isinstance(entry["subject"], str):
        problems.append("subject must be a string (a glob)")
    return problems


def _label(entry, index):
    if isinstance(entry, dict):
        return "%s (%s #%d)" % (entry.get("id") or "?", entry.get("source") or "waivers", index + 1)
    return "waiver #%d" % (index + 1)


def _matches_id(pattern, check_id):
    return pattern == check_id or fnmatch.fnmatchcase(check_id, pattern)


def _matches(entry, finding):
    if not _matches_id(entry["id"], str(finding.get("id"))):
        return False
    subject = entry.get("subject")
    return subject is None or fnmatch.fnmatchcase(str(finding.get("subject")), subject)


def apply(findings, waivers=None, severity_overrides=None, known_ids=None, today=None):
    """Findings with overrides and waivers applied, plus HG-WAIVER-* findings.

    ``known_ids``: every check ID of the catalogue (unknown IDs are reported); ``today``: a date
    (default: the controller's UTC date). Returns (findings, waiver_summary)."""
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    known = set(known_ids or ())
    out = [dict(f) for f in findings]
    extra = []
    overrides = severity_overrides or {}
    for check_id, severity in sorted(overrides.items()):
        if severity not in SEVERITY_RANK:
            extra.append(INVALID.fail("severity override %s" % check_id,
                                      {"severity": str(severity), "allowed": sorted(SEVERITY_RANK)}))
            continue
        if known and check_id not in known:
            extra.append(UNKNOWN_ID.fail(check_id, {"kind": "severity override"}))
            continue
        for finding in out:
            if finding.get("id") == check_id and finding.get("severity") != severity:
                finding.setdefault("severity_original", finding.get("severity"))
                finding["severity"] = severity
    valid = []
    for index, entry in enumerate(waivers or []):
        problems = entry_problems(entry)
        if problems:
            extra.append(INVALID.fail(_label(entry, index), {"problems": problems}))
            continue
        if known and not any(_matches_id(entry["id"], cid) for cid in known):
            extra.append(UNKNOWN_ID.fail(entry["id"], {"kind": "waiver", "source": entry.get("source")}))
            continue
        valid.append(entry)
    summary = {"waived": 0, "expired": 0, "entries": len(waivers or []), "unused": 0}
    for entry in valid:
        expires = parse_date(entry["expires"])
        expired = today > expires
        record = {"justification": str(entry["justification"]), "owner": str(entry["owner"]),
                  "expires": expires.isoformat(), "source": entry.get("source") or "waivers"}
        if entry.get("subject") is not None:
            record["subject"] = entry["subject"]
        used = False
        for finding in out:
            if finding.get("status") not in ("fail", "waived") or not _matches(entry, finding):
                continue
            if finding.get("status") == "waived":
                continue                       # the first matching waiver wins
            used = True
            if expired:
                finding["waiver"] = dict(record, expired=True,
                                         note="waiver expired on %s; failing again" % record["expires"])
            else:
                finding["status"] = "waived"
                finding["waiver"] = record
                summary["waived"] += 1
        if expired:
            summary["expired"] += 1
            extra.append(EXPIRED.fail(entry["id"], dict(record, subject_glob=entry.get("subject"))))
        elif not used:
            summary["unused"] += 1
    return out + extra, summary
