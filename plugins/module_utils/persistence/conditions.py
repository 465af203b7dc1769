# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``[Unit] Condition*=`` and ``Assert*=`` of a unit, evaluated against ``root`` where files
decide them (systemd.unit(5) "Conditions and Asserts").

Semantics followed: every non-triggering condition must hold, and when there are triggering
ones (``|`` prefix) at least one of them; ``!`` negates; an empty assignment resets the list of
that key. A failing Condition skips the unit (no error; what it pulls in is still started,
since conditions are checked when the job runs, not when dependencies are queued); a failing
Assert fails the start.

Decided from files under root: PathExists, PathExistsGlob (wildcards in the last component
only), PathIsDirectory, PathIsSymbolicLink, DirectoryNotEmpty, FileNotEmpty, FileIsExecutable.
Everything else (Virtualization, KernelCommandLine, Host, ACPower, FirstBoot, NeedsUpdate,
Security, Capability, PathIsMountPoint, PathIsReadWrite, Memory, ...), a path holding a
specifier (``%h``), a relative path, and - when root is not ``/`` - a path in the runtime
file systems (/run, /proc, /sys, /dev, /tmp) is *unknown*: the unit is reported
``conditional`` with the condition, never guessed.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch

from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.locate import list_dir, resolve

PREFIXES = ("Condition", "Assert")
PATH_TESTS = ("PathExists", "PathExistsGlob", "PathIsDirectory", "PathIsSymbolicLink",
              "DirectoryNotEmpty", "FileNotEmpty", "FileIsExecutable")
RUNTIME_PATHS = ("/run", "/proc", "/sys", "/dev", "/tmp", "/var/run")
MAX_GLOB_ENTRIES = 4096


def is_condition_key(key):
    return key.startswith(PREFIXES) and len(key) > len("Assert")


def _runtime(root, path):
    return (root or "/").rstrip("/") != "" and any(path == p or path.startswith(p + "/") for p in RUNTIME_PATHS)


def path_test(root, test, path):
    """True/False for one file test on ``path`` under root, None when files cannot decide it."""
    if "%" in path or not path.startswith("/") or _runtime(root, path):
        return None
    if test == "PathExistsGlob":
        parent, _sep, pattern = path.rpartition("/")
        if any(c in parent for c in "*?["):
            return None
        names, _total, res = list_dir(root, parent or "/", MAX_GLOB_ENTRIES)
        if res["status"] not in ("ok", "missing", "not_dir"):
            return None
        return any(fnmatch.fnmatchcase(n, pattern) for n in names)
    res = resolve(root, path, follow=test != "PathIsSymbolicLink")
    if res["status"] in ("missing", "not_dir"):
        return False
    if res["status"] != "ok":
        return None
    kind = res["info"]["type"]
    if test == "PathExists":
        return True
    if test == "PathIsDirectory":
        return kind == "directory"
    if test == "PathIsSymbolicLink":
        return kind == "symlink"
    if test == "DirectoryNotEmpty":
        if kind != "directory":
            return False
        _names, total, _r = list_dir(root, path, 1)
        return total > 0
    if test == "FileNotEmpty":
        return kind == "file" and res["info"]["size"] > 0
    if test == "FileIsExecutable":
        return kind == "file" and int(res["info"]["mode"], 8) & 0o111 != 0
    return None


def evaluate_one(root, key, value):
    """(result True/False/None, triggering, text) of one assignment."""
    prefix = "Condition" if key.startswith("Condition") else "Assert"
    test = key[len(prefix):]
    text = "%s=%s" % (key, value)
    triggering = value.startswith("|")
    value = value[1:].lstrip() if triggering else value
    negate = value.startswith("!")
    value = value[1:].lstrip() if negate else value
    if test not in PATH_TESTS:
        return None, triggering, text
    result = path_test(root, test, value)
    if result is not None and negate:
        result = not result
    return result, triggering, text


def combine(results):
    """systemd's rule over [(result, triggering, text)] -> (True/False/None, [texts that decide])."""
    plain = [r for r in results if not r[1]]
    trig = [r for r in results if r[1]]
    failed = [t for res, _tr, t in plain if res is False]
    if failed:
        return False, failed
    unknown = [t for res, _tr, t in plain if res is None]
    if trig:
        if any(res is True for res, _tr, _t in trig):
            return (None, unknown) if unknown else (True, [])
        trig_unknown = [t for res, _tr, t in trig if res is None]
        if not trig_unknown:
            return False, [t for _r, _tr, t in trig]
        unknown = unknown + trig_unknown
    return (None, unknown) if unknown else (True, [])


def evaluate(root, unit_settings):
    """{"condition": (result, texts), "assert": (result, texts)} of one unit's [Unit] section;
    (True, []) when it has none."""
    out = {}
    for prefix in PREFIXES:
        results = []
        for key, values in sorted(unit_settings.items()):
            if not key.startswith(prefix) or not is_condition_key(key):
                continue
            for value in values:
                results.append(evaluate_one(root, key, value))
        out[prefix.lower()] = combine(results)
    return out


def summary(evaluated):
    """(result True/False/None, reason text) for the verdict: an Assert failing fails the start,
    a Condition failing skips the unit; unknown either way is None with the conditions named."""
    cond, ctexts = evaluated["condition"]
    asrt, atexts = evaluated["assert"]
    if cond is False:
        return False, "%s is false under root: systemd skips the unit (ConditionResult=no)" % ", ".join(ctexts)
    if asrt is False:
        return False, "%s is false under root: the start fails (AssertResult=no)" % ", ".join(atexts)
    if cond is None or asrt is None:
        return None, "runs only if %s holds (not decidable from files)" % " and ".join((ctexts or []) + (atexts or []))
    return True, ""
