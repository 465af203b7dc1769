# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One audited system seen read-only under ``root``: the facts the Lynis-category areas share.

``Host(root)`` answers the questions Lynis's shell tests ask (``[ -f file ]``, ``IsRunning``,
``PackageIsInstalled``, ``which``) from files only:

- every path is joined under ``root``; a symlink is followed only inside ``root``
  (``safe_read.resolve_symlink``); files are read through ``safe_read`` (bounded head,
  regular files only, never a FIFO or a device);
- processes come from ``<root>/proc`` (``procfs``), packages from
  ``<root>/var/lib/dpkg/status`` (parsed once per file version, bounded);
- commands run only through ``run()``, which refuses unless ``root`` is ``/``.

Each check is declared by ``@CHECKS.check(...)`` above the function that evaluates it
(core.findings.CheckSet), so an area's audit is ``run_evaluators(CHECKS, Host(root))``: an
exception in one check becomes that check's ``error`` finding, never a crash of the area.
Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import os
import stat
import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core import hostio, paths, procfs, safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import INVENTORY_REMEDIATION, area_result

MAX_CONFIG_BYTES = 1024 * 1024
MAX_DPKG_STATUS_BYTES = 64 * 1024 * 1024
MAX_LIST_ENTRIES = 4096
# /proc and /sys files report a size that is not their content's (0, 4096): a head read of
# them (16 bytes of selinux/enforce) is no cut
PSEUDO_FS = ("/proc/", "/sys/")
BIN_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
_DPKG_CACHE = {}     # (real path, inode, size, mtime) -> parsed status; one entry per path
# The areas of one host_audit run each build a Host: the process table is shared between them
# for at most PROCESS_CACHE_SECONDS; only pids not seen in that window are read again (a pid
# that vanished is dropped at once).
_PROC_CACHE = {}
PROCESS_CACHE_SECONDS = 5.0


class Host(object):
    """The audited system under ``root``; small caches live as long as the object."""

    def __init__(self, root="/", command_timeout=hostio.DEFAULT_COMMAND_TIMEOUT):
        self.root = root or "/"
        self.live = hostio.is_live(self.root)
        self.command_timeout = command_timeout
        self._procs = None
        self._which = {}
        self.cache = {}      # per-audit memo for an area's own derived facts
        self.cut = []        # "path: the first N of M bytes read" for each read cut short

    # ----------------------------------------------------------------- paths and files
    def real(self, path):
        return safe_read.join_root(self.root, path)

    def resolve(self, path):
        """(stat info, path inside root) of ``path`` after following symlinks inside root
        (every component, by core.paths: never the host's kernel), or None."""
        try:
            res = paths.resolve(self.root, path)
        except (OSError, ValueError):
            return None
        if not res.ok or res.st is None:
            return None
        return safe_read.stat_to_info(res.st), res.path

    def stat(self, path):
        found = self.resolve(path)
        return found[0] if found else None

    def lstat(self, path):
        """lstat info of ``path`` (a final link is not followed; the links on the way are
        followed inside root by core.paths, never by the host's kernel), or None."""
        try:
            res = paths.resolve(self.root, path, follow=False)
        except (OSError, ValueError):
            return None
        if not res.ok or res.st is None:
            return None
        return safe_read.stat_to_info(res.st)

    def is_file(self, path):
        info = self.stat(path)
        return bool(info) and info["type"] == "file"

    def is_dir(self, path):
        info = self.stat(path)
        return bool(info) and info["type"] == "directory"

    def exists(self, path):
        return self.stat(path) is not None

    def read(self, path, max_bytes=MAX_CONFIG_BYTES):
        """Text of a regular file (symlinks followed inside root) or None when absent or
        unreadable. Invalid UTF-8 becomes \\xNN escapes."""
        try:   # resolved inside root component by component (issue 17), regular files only
            data, info, truncated = safe_read.read_in_root(self.root, path, max_bytes)
        except (safe_read.SafeReadError, OSError, ValueError):
            return None
        if truncated and not path.startswith(PSEUDO_FS):   # said by run_evaluators: never a pass on it
            self.cut.append("%s: only the first %d of %d bytes read" % (path, len(data), info["size"]))
        return data.decode("utf-8", "backslashreplace")

    def lines(self, path, max_bytes=MAX_CONFIG_BYTES):
        text = self.read(path, max_bytes)
        return None if text is None else text.splitlines()

    def config_lines(self, path, comment="#", max_bytes=MAX_CONFIG_BYTES):
        """Non-empty, non-comment, stripped lines; [] when the file is absent."""
        out = []
        for line in self.lines(path, max_bytes) or []:
            text = line.strip()
            if text and not text.startswith(comment):
                out.append(text)
        return out

    def listdir(self, path, limit=MAX_LIST_ENTRIES):
        """Sorted names in a directory (a symlinked directory is followed inside root)."""
        try:
            return paths.sorted_names(self.root, path)[0][:limit]
        except (OSError, ValueError):
            return []

    def glob_files(self, directory, suffix="", limit=MAX_LIST_ENTRIES):
        """Paths of regular files in ``directory`` whose name ends with ``suffix``."""
        out = []
        for name in self.listdir(directory, limit):
            path = directory.rstrip("/") + "/" + name
            if name.endswith(suffix) and self.is_file(path):
                out.append(path)
        return out

    def which(self, *names):
        """The first executable of ``names`` in the usual bin directories, or None."""
        for name in names:
            if name not in self._which:
                self._which[name] = None
                for directory in BIN_DIRS:
                    if not os.path.lexists(self.real(directory + "/" + name)):
                        continue     # the common case: one lstat, no symlink resolution
                    info = self.stat(directory + "/" + name)
                    if info and info["type"] == "file" and int(info["mode"], 8) & 0o111:
                        self._which[name] = directory + "/" + name
                        break
            if self._which[name]:
                return self._which[name]
        return None

    # ------------------------------------------------------------------------ processes
    def processes(self):
        """[{pid, comm, argv}] of user-space processes (bounded by procfs)."""
        if self._procs is None:
            pids, _trunc = procfs.list_pids(self.root)
            root_key = os.path.abspath(self.root)
            cached = _PROC_CACHE.get(root_key)
            known = {}
            if cached and time.monotonic() - cached[0] < PROCESS_CACHE_SECONDS:
                known = cached[1]
            out, table = [], {}
            for pid in pids:
                # a kernel thread is cached as None: known, not to be read again in the window
                entry = known[pid] if pid in known else self._read_process(pid)
                table[pid] = entry
                if entry is not None:
                    out.append(entry)
            self._procs = out
            if not cached or time.monotonic() - cached[0] >= PROCESS_CACHE_SECONDS:
                _PROC_CACHE.clear()
                _PROC_CACHE[root_key] = (time.monotonic(), table)
            else:
                cached[1].update(table)
        return self._procs

    def _read_process(self, pid):
        name = procfs.comm(self.root, pid)
        if name is None:
            return None
        argv = procfs.cmdline(self.root, pid, max_bytes=1024, max_args=8) or []
        if not argv and pid != 1:
            return None         # kernel thread
        return {"pid": pid, "comm": name, "argv": argv}

    def running(self, *names):
        """Processes whose name (comm, or argv[0]'s basename: Lynis's ``ps`` match) is in
        ``names``."""
        wanted = set(names)
        out = []
        for proc in self.processes():
            base = os.path.basename(proc["argv"][0]) if proc["argv"] else ""
            if proc["comm"] in wanted or base in wanted:
                out.append(proc)
        return out

    # ------------------------------------------------------------------------- packages
    def packages(self):
        """{name: {"status", "version", "arch"}} from the dpkg status file ({} if none)."""
        path = self.real("/var/lib/dpkg/status")      # the cache key only: read inside root
        found = self.resolve("/var/lib/dpkg/status")
        if not found or found[0]["type"] != "file":
            return {}
        info = found[0]
        key = (info["inode"], info["size"], info["mtime"])
        cached = _DPKG_CACHE.get(path)
        if cached and cached[0] == key:
            return cached[1]
        try:
            data, _i, _t = safe_read.read_in_root(self.root, "/var/lib/dpkg/status", MAX_DPKG_STATUS_BYTES)
        except (safe_read.SafeReadError, OSError, ValueError):
            return {}
        parsed = parse_dpkg_status(data.decode("utf-8", "backslashreplace"))
        _DPKG_CACHE.clear()
        _DPKG_CACHE[path] = (key, parsed)
        return parsed

    def installed(self, *names):
        """Names of ``names`` that dpkg lists as installed (Lynis: ``dpkg -l`` ``ii``)."""
        pkgs = self.packages()
        return [n for n in names if pkgs.get(n, {}).get("status", "").endswith(" installed")]

    # ------------------------------------------------------------------------- systemd
    def unit_enabled(self, name):
        """True when a ``*.wants``/``*.requires`` directory of /etc/systemd/system links it."""
        for entry in self.listdir("/etc/systemd/system"):
            if entry.endswith((".wants", ".requires")):
                if self.lstat("/etc/systemd/system/%s/%s" % (entry, name)):
                    return True
        return False

    # ------------------------------------------------------------------------- commands
    def run(self, argv, max_bytes=hostio.MAX_COMMAND_OUTPUT):
        """Run a command on this host only; None when auditing another root."""
        if not self.live:
            return None
        return hostio.run_command(argv, self.command_timeout, max_bytes)


def mode_of(info):
    return int(info["mode"], 8) if info else 0


def is_world_writable(info):
    return bool(info) and info["type"] != "symlink" and bool(mode_of(info) & stat.S_IWOTH)


def parse_dpkg_status(text):
    """dpkg's status file (deb822 stanzas) -> {package: {status, version, arch}}."""
    out = {}
    for stanza in text.split("\n\n"):
        fields = {}
        for line in stanza.splitlines():
            if not line or line[0] in " \t":
                continue
            key, sep, value = line.partition(":")
            if sep and key in ("Package", "Status", "Version", "Architecture"):
                fields[key] = value.strip()
        name = fields.get("Package")
        if name:
            out[name] = {"status": fields.get("Status", ""), "version": fields.get("Version", ""),
                         "arch": fields.get("Architecture", "")}
    return out


def run_evaluators(checks, host, facts=None):
    """Run the function(host) of every check of ``checks`` (a CheckSet) declared with an
    evaluator, in definition order; a function returns a finding, a list of findings or None.
    An exception becomes the check's error finding."""
    findings = []
    for check, function in checks.evaluators:
        before = len(host.cut)
        try:
            result = function(host)
        except Exception as exc:  # one broken check must not hide the others
            result = check.error(check.id, "internal error: %s: %s" % (type(exc).__name__, exc))
        if result is None:
            continue
        result = [result] if isinstance(result, dict) else list(result)
        findings.extend(not_verified_when_cut(check, result, host.cut[before:]))
    return area_result(findings, facts or {"root": host.root, "live": host.live})


def not_verified_when_cut(check, findings, cut):
    """The findings of one check, where a file it read was cut at Host.read's byte cap: a pass
    becomes an error "not verified: ..." (the unread tail may say otherwise: a Storage=volatile
    after 2 MiB of comment in a journald drop-in passed), every finding names the cut."""
    if not cut:
        return findings
    out = []
    for finding in findings:
        evidence = dict(finding.get("evidence") or {}, not_fully_read=cut[:8])
        if finding.get("status") == "pass":
            finding = check.error(finding["subject"], "not verified: %s" % "; ".join(cut[:3]), evidence=evidence)
        else:
            finding = dict(finding, evidence=evidence)
        out.append(finding)
    return out


def skip_unless(subject, why, which=None, running=None, is_file=None):
    """Below ``@CHECKS.check``: the check is skipped, as Lynis skips its test, unless the host has
    the program ``which`` (in PATH; a tuple: any of them), a process ``running`` and the regular
    file ``is_file``; ``why`` says what is missing."""
    def wrap(function):
        @functools.wraps(function)
        def evaluate(check, host):
            names = (which,) if isinstance(which, str) else which
            if ((names and not host.which(*names)) or (running and not host.running(running))
                    or (is_file and not host.is_file(is_file))):
                return check.skip(subject, why + " (Lynis skips too)")
            return function(check, host)
        return evaluate
    return wrap


def verdict(check, subject, failed, evidence=None, detail=None):
    """``check.fail`` when ``failed`` else ``check.passed``: most Lynis tests are one test."""
    if failed:
        return check.fail(subject, evidence, detail)
    return check.passed(subject, evidence, detail)


def find_presence(host, binaries=(), processes=(), files=(), packages=()):
    """What of a tool is on the host: {"binary", "running", "files", "packages"} (falsy = none)."""
    return {"binary": host.which(*binaries) if binaries else None,
            "running": sorted(set(p["comm"] for p in host.running(*processes))) if processes else [],
            "files": [f for f in files if host.exists(f)],
            "packages": host.installed(*packages) if packages else []}


def present(found):
    return bool(found["binary"] or found["running"] or found["files"] or found["packages"])


def define_presence(checks, check_id, title, lynis, binaries=(), processes=(), files=(), packages=(),
                    found_key=None):
    """An inventory check (severity info, always pass) that records whether a tool is present,
    as Lynis's "<tool> availability" tests do. ``found_key`` names the host.cache list the
    tool is added to when present (e.g. the area's "any scanner found" summary reads it)."""
    reads = ", ".join(list(binaries) + ["process " + p for p in processes] + list(files)
                      + ["package " + p for p in packages])

    @checks.info(check_id, title, lynis, reads)
    def evaluate(check, host):
        found = find_presence(host, binaries, processes, files, packages)
        if found_key and present(found):
            host.cache.setdefault(found_key, []).append(check_id)
        return check.passed(title, dict((k, v) for k, v in found.items() if v) or {"present": False})
    return evaluate.check


def define_info(checks, check_id, title, lynis, reads):
    """An inventory check (severity info, passes with what it found: Lynis only logs it) whose
    findings several functions make; one function's: ``@CHECKS.info`` above it."""
    return checks.define(check_id, title, "info", reads=reads, remediation=INVENTORY_REMEDIATION,
                         references={"lynis": lynis})


def define_file_inventory(checks, check_id, title, lynis, path):
    """An inventory check of one file (a boot loader's or a tool's configuration): passes with
    {"present": ``path`` is a regular file}, as Lynis only logs whether it found the file."""
    @checks.info(check_id, title, lynis, path)
    def evaluate(check, host):
        return check.passed(path, {"present": host.is_file(path)})
    return evaluate.check


def define_process_inventory(checks, check_id, title, lynis, subject, names):
    """An inventory check of a daemon: passes with {"running": a process named one of
    ``names`` runs} (read from /proc/*/comm under root)."""
    @checks.info(check_id, title, lynis, "/proc/*/comm")
    def evaluate(check, host):
        return check.passed(subject, {"running": bool(host.running(*names))})
    return evaluate.check
