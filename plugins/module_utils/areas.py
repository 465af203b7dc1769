# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The area registry and the aggregate runner behind ``host_audit``.

An *area* is one ``plugins/module_utils/<area>.py`` with ``audit(options)`` returning
``{"findings": [...], "facts": {...}, "seconds": ...}`` (see docs/architecture.md).
``REGISTRY`` maps the area's name to that function, in report order. To add an area,
add one ``try`` block below (the import must stay inside ``try``: AnsiballZ then treats
it as optional and a collection without that file still builds and runs).

``run_areas`` runs the selected areas one after the other in the same process (one module
round trip per host), turns any exception, time-out or malformed result of an area into an
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

from ansible_collections.hostguard.hardening.plugins.module_utils.findings import (
    STATUSES, SEVERITY_RANK, Check, sort_findings)

# Report order. Names not yet importable are listed in IMPORT_ERRORS instead.
AREA_ORDER = ("cron", "sysctl", "oom", "oom_events", "redis", "baseline")

REGISTRY = {}
IMPORT_ERRORS = {}
# Option names an area accepts (from its module_utils ``DEFAULTS``), used to reject typos.
OPTION_NAMES = {}

try:
    from ansible_collections.hostguard.hardening.plugins.module_utils import cron as _cron
    REGISTRY["cron"] = _cron.audit
    OPTION_NAMES["cron"] = frozenset(getattr(_cron, "DEFAULTS", {})) - frozenset(["root"])
except ImportError as _exc:  # the area's file is not in this build
    IMPORT_ERRORS["cron"] = str(_exc)

# Future areas, one block each, e.g.:
# try:
#     from ansible_collections.hostguard.hardening.plugins.module_utils import sysctl as _sysctl
#     REGISTRY["sysctl"] = _sysctl.audit
#     OPTION_NAMES["sysctl"] = frozenset(_sysctl.DEFAULTS) - frozenset(["root"])
# except ImportError as _exc:
#     IMPORT_ERRORS["sysctl"] = str(_exc)

CHECKS = dict((c.id, c) for c in (
    Check("HG-CORE-001", "An audit area failed to run", "medium", "core",
          reads="the area's own inputs",
          remediation="Read the finding's detail (exception or time-out); the checks of this "
                      "area were not evaluated on this host. Report a bug if the host is sane."),
))

DEFAULT_AREA_TIMEOUT = 300
REQUIRED_FINDING_KEYS = ("id", "title", "severity", "status", "subject")
# Where a finding names a filesystem path; see related_paths().
PATH_EVIDENCE_KEYS = ("path", "file", "target")


def unknown_options(area, options):
    """Option names given for ``area`` that it does not accept (empty when it does not say)."""
    known = OPTION_NAMES.get(area)
    if known is None:
        return []
    return sorted(key for key in (options or {}) if key not in known)


def registered_areas():
    """Names of the areas this build can run, in report order."""
    return [name for name in AREA_ORDER if name in REGISTRY] + sorted(
        name for name in REGISTRY if name not in AREA_ORDER)


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
    return CHECKS["HG-CORE-001"].error(area, detail, ev)


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
        if item["status"] not in STATUSES or item["severity"] not in SEVERITY_RANK:
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
        error = None
    except AreaTimeout as exc:
        error = area_error(area, str(exc), {"reason": "timeout", "timeout_seconds": timeout})
        findings, facts = [], {}
    except Exception as exc:  # pylint: disable=broad-except  (the contract: never crash)
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


def run_areas(areas=None, area_options=None, root="/", timeout=DEFAULT_AREA_TIMEOUT,
              registry=None):
    """Run the selected areas (default: all registered). ``area_options``: {area: {...}}.

    Returns {"areas", "findings", "facts", "timings", "errors"}; ``errors`` holds the
    HG-CORE-001 findings (they are also in ``findings``)."""
    registry = REGISTRY if registry is None else registry
    if areas is None:
        areas = [name for name in AREA_ORDER if name in registry] + sorted(
            name for name in registry if name not in AREA_ORDER)
    area_options = area_options or {}
    tagged, facts, timings, errors, ran = [], {}, {}, [], []
    total_start = time.monotonic()
    for area in areas:
        if area in ran:
            continue
        ran.append(area)
        function = registry.get(area)
        if function is None:
            reason = IMPORT_ERRORS.get(area, "no such area in this build")
            err = area_error(area, "area not available: %s" % reason, {"reason": "unavailable"})
            errors.append(err)
            tagged.append((area, err))
            timings[area] = 0.0
            continue
        options = dict(area_options.get(area) or {})
        options["root"] = root
        findings, area_facts, seconds, err = run_area(area, function, options, timeout)
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
