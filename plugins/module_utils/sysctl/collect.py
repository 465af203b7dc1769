# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Facts of area sysctl: runtime values (``<root>/proc/sys``) and the persisted configuration
(sysctl.d) with systemd-sysctl's precedence. Bounded I/O, no verdicts.

Persisted values follow systemd-sysctl's precedence, sysctl.d(5) (systemd 256,
https://www.freedesktop.org/software/systemd/man/256/sysctl.d.html and the Debian/CentOS
pages of the same man page):
- configuration files are read from /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d,
  /usr/lib/sysctl.d (and /lib/sysctl.d on split-/usr systems);
- "Files in /etc/ override files with the same name in /usr/lib/ and /run/. Files in /run/
  override files with the same name in /usr/lib/" -> for one basename the first directory in
  that list wins and the other files of that name are not read at all; a symlink to
  /dev/null masks the name;
- "All configuration files are sorted by their filename in lexicographic order, regardless
  of which of the directories they reside in. If multiple files specify the same variable
  name, the entry in the file with the lexicographically latest name will be applied";
  inside one file the last assignment wins;
- glob keys ("net.ipv4.conf.*.rp_filter = 1") set every matching key, but "Keys for which
  an explicit pattern exists will be excluded from any glob matching"; "-key" (no "=")
  excludes a key from globs; "-key = v" only means "ignore errors";
- either "/" or "." separates the key's parts: if the first separator is "/", the rest is
  left intact, else dots and slashes are swapped.
/etc/sysctl.conf is not read by systemd-sysctl itself: Debian links it in as
/etc/sysctl.d/99-sysctl.conf. procps' ``sysctl --system`` reads it last of all
(procps-ng commit 1009592 "sysctl: add --system switch": "/etc/sysctl.conf is always
applied last"); with ``loader: procps`` we model that order, with ``loader: systemd``
(default) /etc/sysctl.conf counts only where a sysctl.d entry links to it, and when nothing
does, it is applied last (what a non-systemd boot's ``sysctl --system`` would do).

Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


import fnmatch
import os


from ansible_collections.hostguard.hardening.plugins.module_utils.core import systemd_units
from ansible_collections.hostguard.hardening.plugins.module_utils.core.budget import FairBudget
from ansible_collections.hostguard.hardening.plugins.module_utils.core.paths import resolve, sample_names, sorted_names
from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import (
    SafeReadError, decode_line, iter_lines_in_root, join_root, read_in_root)
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.parse_conf import parse_conf_lines
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.parse_key import key_problem, key_to_relpath, normalize_value


SYSCTL_DIRS = ("/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d",
               "/usr/lib/sysctl.d", "/lib/sysctl.d")
SYSCTL_CONF = "/etc/sysctl.conf"
MAX_FILES_PER_DIR = 512
MAX_CONF_BYTES = 256 * 1024          # one sysctl.d file (a real one is a few KiB)
MAX_TOTAL_CONF_BYTES = 2 * 1024 * 1024  # all of them together
MAX_CONF_LINE = 4096
MAX_ENTRIES_PER_FILE = 4096
MAX_TOTAL_ENTRIES = 16384
MAX_VALUE_BYTES = 4096


def runtime_path(root, key):
    """The host path of the /proc/sys file of a valid key, or None (never a path outside
    <root>/proc/sys)."""
    if key_problem(key):
        return None
    base = os.path.normpath(join_root(root, "/proc/sys"))
    path = os.path.normpath(os.path.join(base, key_to_relpath(key)))
    if not path.startswith(base + "/"):
        return None
    return path


def runtime_file(key):
    """/proc/sys/<key as a path>, as the audited system names it (key already validated)."""
    return "/proc/sys/" + key_to_relpath(key)


def read_runtime(root, key):
    """(value, status): status ok|missing|permission|invalid_key|error. Never writes."""
    if runtime_path(root, key) is None:
        return None, "invalid_key"
    try:
        # resolved inside root component by component (core.paths): a link in a fixture or
        # image /proc/sys is never followed by the host's kernel
        data, _info, _trunc = read_in_root(root, runtime_file(key), MAX_VALUE_BYTES)
    except SafeReadError as exc:
        if exc.reason in ("missing", "not_dir"):
            return None, "missing"
        if exc.reason in ("permission", "denied"):
            return None, "permission"
        return None, "error"
    except OSError:
        return None, "error"
    return normalize_value(decode_line(data)), "ok"


class Budget(object):
    """The sysctl.d byte and entry budgets, fair across the files (core.budget: each file has
    its own cap and the total keeps an even share for every file still to read, so one huge
    file early in the order cannot push a later one out); ``cuts`` says what was not read."""

    def __init__(self, total_bytes=MAX_TOTAL_CONF_BYTES, total_entries=MAX_TOTAL_ENTRIES):
        self.total_bytes = total_bytes
        self.total_entries = total_entries
        self.cuts = []
        self.plan(1)

    def plan(self, files):
        """Share the totals between ``files`` files (called once the file list is known)."""
        self.byte_budget = FairBudget(self.total_bytes, MAX_CONF_BYTES, files)
        self.entry_budget = FairBudget(self.total_entries, MAX_ENTRIES_PER_FILE, files)

    @property
    def bytes(self):
        return self.byte_budget.left

    @property
    def entries(self):
        return self.entry_budget.left


def read_conf(root, path, errors, budget=None):
    """Entries of one configuration file (path as the audited system sees it), read within
    its share of the budgets; a cut is recorded in ``budget.cuts``."""
    budget = budget if budget is not None else Budget()
    max_bytes = budget.byte_budget.grant()
    max_entries = budget.entry_budget.grant()
    if max_bytes <= 0 or max_entries <= 0:
        budget.cuts.append({"file": path, "reason": "total budget spent",
                            "message": "not read: the sysctl.d budget (%d bytes, %d entries) "
                                       "was spent on earlier files" % (budget.total_bytes,
                                                                       budget.total_entries)})
        return []
    out = []
    used = 0
    cut_lines = 0
    ignored = []
    try:
        _info, lines = iter_lines_in_root(root, path, max_bytes, MAX_CONF_LINE)   # inside root (core.paths)
        for lineno, raw, cut in lines:
            used += len(raw) + 1
            if cut:
                cut_lines += 1
                continue  # an over-long line is no sysctl assignment we could trust
            text = decode_line(raw)
            entries = parse_conf_lines([(lineno, text)], path)
            if not entries and text.strip() and text.strip()[0] not in "#;":
                ignored.append(lineno)     # systemd-sysctl: "Line is not an assignment, ignoring"
            if entries and len(out) >= max_entries:
                budget.cuts.append({"file": path, "reason": "entries",
                                    "message": "not fully scanned: more than %d assignments (entry "
                                               "budget: %s); read up to line %d"
                                               % (max_entries, budget.entry_budget.describe("entries"), lineno)})
                break
            out.extend(entries)
    except SafeReadError as exc:
        errors.append({"file": path, "reason": exc.reason, "message": exc.message})
        return []
    budget.byte_budget.spend(min(used, max_bytes))
    budget.entry_budget.spend(len(out))
    if used >= max_bytes:
        budget.cuts.append({"file": path, "reason": "bytes",
                            "message": "not fully scanned: only the first %d bytes were read "
                                       "(byte budget: %s)" % (max_bytes, budget.byte_budget.describe())})
    if ignored:
        errors.append({"file": path, "reason": "not_an_assignment",
                       "message": "%d line(s) systemd-sysctl ignores (not an assignment): line %s"
                                  % (len(ignored), ", ".join(str(n) for n in ignored[:10]))})
    if cut_lines:
        budget.cuts.append({"file": path, "reason": "line",
                            "message": "%d line(s) longer than %d bytes ignored"
                                       % (cut_lines, MAX_CONF_LINE)})
    return out


def config_files(root="/", dirs=SYSCTL_DIRS, loader="systemd"):
    """The configuration files that are applied, in application order.

    Returns (files, shadowed, errors): files = [{name, path, real, dir}], shadowed = files
    not read because an earlier directory holds the same basename (or are masked)."""
    chosen = {}
    shadowed = []
    errors = []
    seen_dirs = set()
    for directory in dirs:
        try:   # a directory link is resolved inside root, never on the host (issue 17)
            names, res = sorted_names(root, directory)
            st = res.st
        except OSError:
            continue
        ident = (st.st_dev, st.st_ino)
        if ident in seen_dirs:
            continue  # /lib -> /usr/lib on merged-/usr systems: the same directory
        seen_dirs.add(ident)
        if len(names) > MAX_FILES_PER_DIR:   # said, never a silent cut (issue 17)
            errors.append({"file": directory, "reason": "too_many_files",
                           "message": "more than %d names: not read: %s" % (
                               MAX_FILES_PER_DIR, sample_names(names[MAX_FILES_PER_DIR:]))})
        for name in names[:MAX_FILES_PER_DIR]:
            if not name.endswith(".conf"):
                continue
            path = directory + "/" + name
            if name in chosen:
                shadowed.append({"path": path, "by": chosen[name]["path"]})
                continue
            real, masked = systemd_units.resolve_config_file(root, path)
            chosen[name] = {"name": name, "path": path, "real": real, "dir": directory,
                            "masked": masked}
            if real is None and not masked:
                errors.append({"file": path, "reason": "not_regular",
                               "message": "broken symlink or not a regular file"})
    files = [chosen[n] for n in sorted(chosen)]
    for item in files:
        if item["masked"]:
            shadowed.append({"path": item["path"], "by": "/dev/null (masked)"})
    files = [f for f in files if f["real"]]
    linked = any(f["real"] == SYSCTL_CONF for f in files)
    if loader == "procps" or not linked:
        if resolve(root, SYSCTL_CONF, follow=False).ok:
            files.append({"name": "sysctl.conf", "path": SYSCTL_CONF, "real": SYSCTL_CONF,
                          "dir": "/etc", "masked": False})
    return files, shadowed, errors


def persisted_entries(root="/", dirs=SYSCTL_DIRS, loader="systemd", budget=None):
    """All entries of all applied files in order, plus file bookkeeping."""
    files, shadowed, errors = config_files(root, dirs, loader)
    budget = budget if budget is not None else Budget()
    budget.plan(len(files))
    entries = []
    for item in files:
        for entry in read_conf(root, item["real"], errors, budget):
            if item["real"] != item["path"]:
                entry["file"] = "%s -> %s" % (item["path"], item["real"])
            entries.append(entry)
    return entries, files, shadowed, errors


def winning_entries(entries, keys=None):
    """key -> the entry that systemd-sysctl applies last for it (explicit beats glob).

    Explicit keys come from ``entries``; glob entries are evaluated only against ``keys``
    (and the explicit keys), since we do not walk all of /proc/sys."""
    explicit = {}
    for entry in entries:
        if not entry["glob"] and not entry["exclude"]:
            explicit[entry["key"]] = entry
    excluded = set(e["key"] for e in entries if e["exclude"] and not e["glob"])
    globs = [e for e in entries if e["glob"] and not e["exclude"]]
    out = dict(explicit)
    for key in set(keys or ()) | set(explicit):
        if key in explicit or key in excluded:
            continue
        for entry in globs:
            if fnmatch.fnmatchcase(key, entry["key"]):
                out[key] = dict(entry, key=key, pattern=entry["key"])
    return out
