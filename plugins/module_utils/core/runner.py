# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The aggregate runner behind ``host_audit``: every selected area, one module call.

``run_areas`` runs the selected areas (``core.registry.AREAS``) one after the other in the same
process (one module round trip per host), with parameters already validated by each area's
``Area.validate``; it turns any exception, time-out or malformed result of an area into an
``error`` finding ``HG-CORE-001`` (the audit never crashes because of one area), sorts the
findings and links findings of different areas that are about the same path (``related``).
Stdlib only: this runs on the target inside AnsiballZ.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import signal
import threading
import time
import traceback

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import (
    AREA_STATUSES, SEVERITY_RANK, CheckSet, sort_findings)
from ansible_collections.hostguard.hardening.plugins.module_utils.core.redact import (
    sanitize_finding, sanitize_value)

CHECKS = CheckSet(area="core", prefix="HG-CORE")
AREA_FAILED = CHECKS.define(
    "HG-CORE-001", "An audit area failed to run", "medium",
    reads="the area's own inputs",
    remediation="Read the finding's detail (exception or time-out); the checks of this "
                "area were not evaluated on this host. Report a bug if the host is sane.")

DEFAULT_AREA_TIMEOUT = 300
REQUIRED_FINDING_KEYS = ("id", "title", "severity", "status", "subject")
# Where a finding names a filesystem path; see related_paths().
PATH_EVIDENCE_KEYS = ("path", "file", "target")


class AreaTimeout(Exception):
    pass


class _Deadline(object):
    """Raise AreaTimeout in the main thread after ``seconds`` (SIGALRM); a no-op elsewhere.

    Areas time-box their own I/O; this is the backstop so that one area that blocks anyway
    (a FIFO opened by mistake, a wedged NFS mount) costs a finding, not the whole audit."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.armed = False
        self.previous = None

    def _fire(self, signum, frame):
        raise AreaTimeout("area did not finish within %s s" % self.seconds)

    def __enter__(self):
        if (self.seconds and self.seconds > 0 and hasattr(signal, "setitimer")
                and threading.current_thread() is threading.main_thread()):
            self.previous = signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, float(self.seconds))
            self.armed = True
        return self

    def __exit__(self, *exc):
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous or signal.SIG_DFL)
        return False


def area_error(area, detail, evidence=None):
    ev = {"area": area}
    ev.update(evidence or {})
    return AREA_FAILED.error(area, detail, ev)


def _validate_result(area, result):
    """Return (findings, facts) or raise ValueError describing what is malformed."""
    if not isinstance(result, dict):
        raise ValueError("audit() returned %s, not a dict" % type(result).__name__)
    findings = result.get("findings")
    if not isinstance(findings, list):
        raise ValueError("audit() result has no 'findings' list")
    for index, item in enumerate(findings):
        if not isinstance(item, dict):
            raise ValueError("finding %d is %s, not a dict" % (index, type(item).__name__))
        missing = [key for key in REQUIRED_FINDING_KEYS if key not in item]
        if missing:
            raise ValueError("finding %d lacks %s" % (index, ", ".join(missing)))
        if item["status"] not in AREA_STATUSES or item["severity"] not in SEVERITY_RANK:
            raise ValueError("finding %d (%s) has status %r / severity %r"
                             % (index, item.get("id"), item["status"], item["severity"]))
    facts = result.get("facts") or {}
    if not isinstance(facts, dict):
        raise ValueError("audit() result 'facts' is not a dict")
    # Extra top-level keys of an area's result (cron's ``files`` inventory) are facts too.
    extra = dict((k, v) for k, v in result.items()
                 if k not in ("findings", "facts", "seconds") and k not in facts)
    if extra:
        facts = dict(facts)
        facts.update(extra)
    return findings, facts


def run_area(area, function, options, timeout=DEFAULT_AREA_TIMEOUT):
    """Run one area; never raises. Returns (findings, facts, seconds, error_or_None)."""
    start = time.monotonic()
    try:
        with _Deadline(timeout):
            result = function(dict(options))
        findings, facts = _validate_result(area, result)
        # The redaction gate, once more for everything an area returns (idempotent: Check
        # findings already passed it): no area can leak a secret by forgetting it.
        findings = [sanitize_finding(item) for item in findings]
        facts = sanitize_value(facts)
        error = None
    except AreaTimeout as exc:
        error = area_error(area, str(exc), {"reason": "timeout", "timeout_seconds": timeout})
        findings, facts = [], {}
    except Exception as exc:  # pylint: disable=broad-except
        # the contract: an area that crashes becomes an error finding, never a crashed audit
        tb = traceback.extract_tb(exc.__traceback__)
        where = ["%s:%d %s" % (os.path.basename(f.filename), f.lineno, f.name) for f in tb[-3:]]
        error = area_error(area, "%s: %s" % (type(exc).__name__, exc),
                           {"reason": "exception", "exception": type(exc).__name__,
                            "traceback_tail": where})
        findings, facts = [], {}
    return findings, facts, round(time.monotonic() - start, 4), error


def related_paths(finding):
    """The filesystem paths a finding is about: an absolute ``subject``, ``evidence.path``
    (or ``file``/``target``), ``evidence.paths`` and ``evidence.dir`` + ``evidence.dbfilename``
    (a Redis runtime ``CONFIG GET dir/dbfilename`` pair). Normalised, absolute only."""
    out = set()
    candidates = [finding.get("subject")]
    evidence = finding.get("evidence") or {}
    if isinstance(evidence, dict):
        candidates.extend(evidence.get(key) for key in PATH_EVIDENCE_KEYS)
        paths = evidence.get("paths")
        if isinstance(paths, list):
            candidates.extend(paths)
        if isinstance(evidence.get("dir"), str) and isinstance(evidence.get("dbfilename"), str):
            candidates.append(os.path.join(evidence["dir"], evidence["dbfilename"]))
    for value in candidates:
        if isinstance(value, str) and value.startswith("/") and "\n" not in value:
            out.add(os.path.normpath(value))
    return out


def link_related(tagged):
    """``tagged``: list of (area, finding). Failed findings of *different* areas that name the
    same path get ``related``: the sorted IDs of the others (e.g. cron's RDB-in-spool finding
    and redis's "dir points into the cron spool" finding). Mutates and returns the findings."""
    by_path = {}
    for index, (area, finding) in enumerate(tagged):
        if finding.get("status") != "fail":
            continue
        for path in related_paths(finding):
            by_path.setdefault(path, []).append(index)
    links = {}
    for path, indexes in by_path.items():
        for i in indexes:
            for j in indexes:
                if tagged[i][0] != tagged[j][0]:
                    links.setdefault(i, set()).add(tagged[j][1]["id"])
    for i, ids in links.items():
        tagged[i][1]["related"] = sorted(ids)
    return [finding for _area, finding in tagged]


def run_areas(area_params, root="/", timeout=DEFAULT_AREA_TIMEOUT, registry=None):
    """Run the areas named in ``area_params`` ({name: validated params}, in that order).

    ``registry``: {name: Area} (default ``core.registry.REGISTRY``). Returns
    {"areas", "findings", "facts", "timings", "errors"}; ``errors`` holds the HG-CORE-001
    findings (they are also in ``findings``)."""
    if registry is None:
        from ansible_collections.hostguard.hardening.plugins.module_utils.core.registry import REGISTRY
        registry = REGISTRY
    tagged, facts, timings, errors, ran = [], {}, {}, [], []
    total_start = time.monotonic()
    for area, params in area_params.items():
        if area in ran:
            continue
        ran.append(area)
        descriptor = registry.get(area)
        if descriptor is None:
            err = area_error(area, "area not available: no such area in this build",
                             {"reason": "unavailable"})
            errors.append(err)
            tagged.append((area, err))
            timings[area] = 0.0
            continue
        options = dict(params or {})
        options["root"] = root
        findings, area_facts, seconds, err = run_area(area, descriptor.audit, options, timeout)
        tagged.extend((area, f) for f in findings)
        if err is not None:
            errors.append(err)
            tagged.append((area, err))
        facts[area] = area_facts
        timings[area] = seconds
    timings["total"] = round(time.monotonic() - total_start, 4)
    findings = sort_findings(link_related(tagged))
    return {"areas": ran, "findings": findings, "facts": facts,
            "timings": timings, "errors": errors}


def validate_areas(areas, options, root, registry):
    """({area: params}, [errors]): every selected area's options checked by its own spec."""
    known = list(registry)
    errors = []
    unknown = [a for a in list(areas) + list(options) if a not in registry]
    if unknown:
        errors.append("unknown area(s): %s; known: %s" % (", ".join(sorted(set(unknown))), ", ".join(known)))
        return {}, errors
    out = {}
    for name in areas:
        given = options.get(name) or {}
        if not isinstance(given, dict):
            errors.append("area %s: options must be a dict, got %s" % (name, type(given).__name__))
            continue
        params, errs = registry[name].validate(given, root=root)
        errors.extend("area %s: %s" % (name, err) for err in errs)
        params.pop("root", None)
        out[name] = params
    return out, errors


def audit_host(areas=None, options=None, root="/", timeout=DEFAULT_AREA_TIMEOUT, registry=None):
    """Validate then run, as host_audit does: raises ValueError on bad options."""
    if registry is None:
        from ansible_collections.hostguard.hardening.plugins.module_utils.core.registry import REGISTRY
        registry = REGISTRY
    params, errors = validate_areas(list(areas or registry), options or {}, root, registry)
    if errors:
        raise ValueError("; ".join(errors))
    return run_areas(params, root=root, timeout=timeout, registry=registry)
