# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kernel parameters: runtime (``<root>/proc/sys``) vs persisted (sysctl.d) vs a baseline.

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
import time
import unicodedata

from ansible_collections.hostguard.hardening.plugins.module_utils.core import systemd_units
from ansible_collections.hostguard.hardening.plugins.module_utils.core.paths import sample_names
from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import (
    Check, CheckSet, area_result)
from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import (
    SafeReadError, decode_line, iter_lines, join_root, read_in_root)

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
# The kernel's key syntax as /proc/sys shows it: components are directory entry names
# (no "/", not "." or "..", no NUL); we also refuse whitespace and control characters, which
# no sysctl name holds, and bound length and depth.
MAX_KEY_CHARS = 512
MAX_KEY_DEPTH = 12
MAX_DRIFT_FINDINGS = 200

LYNIS_URL = "https://cisofy.com/lynis/controls/KRNL-6000/"

CHECKS = CheckSet.of("sysctl", "HG-SYSCTL", (
    Check("HG-SYSCTL-001", "Kernel parameter differs from the hardening baseline", "low",
          "sysctl", "<root>/proc/sys",
          "Set the expected value in /etc/sysctl.d/ (a drop-in that sorts last) and load it "
          "with `sysctl --system`, or override the baseline for this host",
          references={"lynis": "KRNL-6000"}, role="sysctl_hardening"),
    Check("HG-SYSCTL-002", "Runtime kernel parameter differs from the persisted configuration",
          "low", "sysctl", "<root>/proc/sys, sysctl.d files",
          "Someone changed the value at runtime (or a boot-time file was never applied): "
          "decide which value is right, persist it in /etc/sysctl.d and apply it",
          references={"lynis": "KRNL-6000"}, role="sysctl_hardening"),
    Check("HG-SYSCTL-003", "sysctl configuration file unreadable or suspicious", "low",
          "sysctl", "sysctl.d files",
          "Make the sysctl configuration a small, root-owned regular file",
          references={}),
    Check("HG-SYSCTL-004", "OOM policy kernel parameter differs from the baseline", "medium",
          "oom", "<root>/proc/sys/vm, <root>/proc/sys/kernel",
          "Set the OOM policy in /etc/sysctl.d (vm.panic_on_oom=0 unless the host is a "
          "cluster-failover node; vm.oom_kill_allocating_task=0; vm.oom_dump_tasks=1)",
          references={"lynis": "KRNL-6000"}, role="sysctl_hardening"),
))

# The Linux keys of Lynis' KRNL-6000 ("config-data=sysctl;key;expected;..." lines of
# default.prf: CISOfy/lynis default.prf, identical in Lynis 3.0.8 /etc/lynis/default.prf).
# "1|2|3" there means "any of". Keys that do not exist on a kernel are not applicable.
LYNIS_KRNL_6000 = (
    ("fs.suid_dumpable", "0"),
    ("fs.protected_fifos", "2"),
    ("fs.protected_hardlinks", "1"),
    ("fs.protected_regular", "2"),
    ("fs.protected_symlinks", "1"),
    ("kernel.core_setuid_ok", "0"),
    ("kernel.core_uses_pid", "1"),
    ("kernel.ctrl-alt-del", "0"),
    ("kernel.dmesg_restrict", "1"),
    ("kernel.exec-shield-randomize", "1"),
    ("kernel.exec-shield", "1"),
    ("kernel.kptr_restrict", "2"),
    ("kernel.maps_protect", "1"),
    ("kernel.modules_disabled", "1"),
    ("kernel.perf_event_paranoid", "3"),
    ("kernel.randomize_va_space", "2"),
    ("kernel.suid_dumpable", "0"),
    ("kernel.sysrq", "0"),
    ("kernel.unprivileged_bpf_disabled", "1"),
    ("kernel.use-nx", "0"),
    ("kernel.yama.ptrace_scope", ["1", "2", "3"]),
    ("net.core.bpf_jit_harden", "2"),
    ("net.ipv4.conf.all.accept_redirects", "0"),
    ("net.ipv4.conf.all.accept_source_route", "0"),
    ("net.ipv4.conf.all.bootp_relay", "0"),
    ("net.ipv4.conf.all.forwarding", "0"),
    ("net.ipv4.conf.all.log_martians", "1"),
    ("net.ipv4.conf.all.mc_forwarding", "0"),
    ("net.ipv4.conf.all.proxy_arp", "0"),
    ("net.ipv4.conf.all.rp_filter", "1"),
    ("net.ipv4.conf.all.send_redirects", "0"),
    ("net.ipv4.conf.default.accept_redirects", "0"),
    ("net.ipv4.conf.default.accept_source_route", "0"),
    ("net.ipv4.conf.default.log_martians", "1"),
    ("net.ipv4.icmp_echo_ignore_broadcasts", "1"),
    ("net.ipv4.icmp_ignore_bogus_error_responses", "1"),
    ("net.ipv4.tcp_syncookies", "1"),
    ("net.ipv4.tcp_timestamps", ["0", "1"]),
    ("net.ipv6.conf.all.send_redirects", "0"),
    ("net.ipv6.conf.all.accept_redirects", "0"),
    ("net.ipv6.conf.all.accept_source_route", "0"),
    ("net.ipv6.conf.default.accept_redirects", "0"),
    ("net.ipv6.conf.default.accept_source_route", "0"),
    ("dev.tty.ldisc_autoload", "0"),
)

OOM_KEYS = ("vm.panic_on_oom", "vm.oom_kill_allocating_task", "vm.overcommit_memory",
            "vm.oom_dump_tasks", "kernel.panic", "kernel.panic_on_oops")


def oom_policy(cluster_failover_node=False):
    """The OOM policy baseline (see docs/oom-posture.md for the reasons).

    Semantics from the kernel's Documentation/admin-guide/sysctl/vm.rst and kernel.rst:
    panic_on_oom 0 = kill a process, 1/2 = panic; oom_kill_allocating_task 1 = kill the task
    that allocated instead of the biggest one (the innocent-victim pattern of seed 002);
    overcommit_memory 0 heuristic, 1 always, 2 strict; oom_dump_tasks 1 = print the task
    table on an OOM kill (the evidence hostguard's oom_events reads); kernel.panic N>0 =
    reboot N seconds after a panic; panic_on_oops 1 = panic on an oops.
    """
    if cluster_failover_node:
        return {
            "vm.panic_on_oom": {"expected": ["1", "2"], "severity": "medium",
                                "why": "a failover node panics so that the cluster fences it"},
            "vm.oom_kill_allocating_task": {"expected": "0", "severity": "medium"},
            "vm.overcommit_memory": {"expected": ["0", "2"], "severity": "low",
                                     "why": "1 (always overcommit) makes OOM kills likelier"},
            "vm.oom_dump_tasks": {"expected": "1", "severity": "low"},
            "kernel.panic": {"expected": ">0", "severity": "medium",
                             "why": "a panicked failover node must reboot to rejoin"},
            "kernel.panic_on_oops": {"expected": "1", "severity": "low"},
        }
    return {
        "vm.panic_on_oom": {"expected": "0", "severity": "high",
                            "why": "one OOM would take the whole host down"},
        "vm.oom_kill_allocating_task": {"expected": "0", "severity": "medium",
                                        "why": "kills whoever allocates, not the hog"},
        "vm.overcommit_memory": {"expected": ["0", "2"], "severity": "low",
                                 "why": "1 (always overcommit) makes OOM kills likelier; "
                                        "Redis hosts may override to allow 1"},
        "vm.oom_dump_tasks": {"expected": "1", "severity": "low",
                              "why": "without the task table an OOM cannot be explained"},
        "kernel.panic": {"expected": ">0", "severity": "low",
                         "why": "a panicked headless server should reboot by itself"},
        "kernel.panic_on_oops": {"expected": ["0", "1"], "severity": "info",
                                 "why": "no opinion for a standalone host; reported"},
    }


def default_baseline(cluster_failover_node=False):
    base = dict((key, {"expected": value, "severity": "low", "source": "lynis"})
                for key, value in LYNIS_KRNL_6000)
    for key, spec in oom_policy(cluster_failover_node).items():
        spec = dict(spec)
        spec["source"] = "oom"
        base[key] = spec
    return base


def merge_baseline(base, overrides):
    """Apply per-host overrides: key -> value | [values] | {expected, severity} | None (drop)."""
    out = dict(base)
    for key, value in (overrides or {}).items():
        key = normalize_key(str(key))
        if value is None:
            out.pop(key, None)
            continue
        old = out.get(key, {"severity": "low", "source": "override"})
        spec = dict(old)
        if isinstance(value, dict):
            spec.update(value)
        else:
            spec["expected"] = value
        spec["overridden"] = True
        out[key] = spec
    return out


# --- keys, values ------------------------------------------------------------------------

def normalize_key(key):
    """sysctl.d(5): if the first separator is '/', '/' separates and dots stay; otherwise
    dots separate and slashes stand for literal dots. Returns the dotted form with any
    literal dot written as '/' (the form `sysctl` prints)."""
    key = key.strip()
    dot, slash = key.find("."), key.find("/")
    if slash >= 0 and (dot < 0 or slash < dot):
        # slash form: a/b.c/d -> a.b/c.d
        return key.strip("/").replace(".", "\x00").replace("/", ".").replace("\x00", "/")
    return key


def key_to_relpath(key):
    """'net.ipv4.conf.enp3s0/200.forwarding' -> 'net/ipv4/conf/enp3s0.200/forwarding'."""
    key = normalize_key(key)
    return key.replace(".", "\x00").replace("/", ".").replace("\x00", "/")


def normalize_value(value):
    """Whitespace-insensitive value (the kernel prints tabs in multi-value keys)."""
    if value is None:
        return None
    return " ".join(str(value).split())


def matches_expected(value, expected):
    """True if ``value`` satisfies ``expected``: a value, a list of values, or a comparison
    string on integers ('>0', '>=1', '<2', '!=0')."""
    if isinstance(expected, (list, tuple)):
        return any(matches_expected(value, item) for item in expected)
    exp = normalize_value(expected)
    val = normalize_value(value)
    for op in (">=", "<=", "!=", ">", "<"):
        if exp.startswith(op):
            try:
                a, b = int(val), int(exp[len(op):].strip())
            except ValueError:
                return False
            return {">=": a >= b, "<=": a <= b, "!=": a != b, ">": a > b, "<": a < b}[op]
    return val == exp


def key_problem(key):
    """Why ``key`` (dotted form) cannot name a file under /proc/sys, or None if it can.

    Checked before any /proc/sys access: ``.etc.shadow`` or ``vm/../../../etc/passwd`` from
    a hostile sysctl.d file must never be read (issue 17)."""
    if not isinstance(key, str) or not key:
        return "empty key"
    if len(key) > MAX_KEY_CHARS:
        return "key longer than %d characters" % MAX_KEY_CHARS
    for ch in key:
        if ch == "\x00" or ch.isspace() or unicodedata.category(ch)[0] in "CZ":
            return "key holds a NUL, whitespace, control or format character"
    parts = key_to_relpath(key).split("/")
    if len(parts) > MAX_KEY_DEPTH:
        return "key deeper than %d components" % MAX_KEY_DEPTH
    for part in parts:
        if part in ("", ".", ".."):
            return "key has an empty, '.' or '..' component"
    return None


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


# --- persisted configuration --------------------------------------------------------------

def parse_conf_lines(lines, source):
    """Parse sysctl.d lines into a list of entries (in file order).

    Entry: {key, value, glob, exclude, ignore_errors, file, line}. ``exclude`` entries carry
    no value ("-key" with no "=")."""
    out = []
    for lineno, raw in lines:
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        ignore = line.startswith("-")
        if ignore:
            line = line[1:].lstrip()
        key, sep, value = line.partition("=")
        key = normalize_key(key)
        if not key:
            continue
        entry = {"key": key, "value": normalize_value(value) if sep else None,
                 "glob": any(c in key for c in "*?["), "exclude": ignore and not sep,
                 "ignore_errors": ignore, "file": source, "line": lineno}
        if not sep and not entry["exclude"]:
            continue  # a line without "=" that is not an exclusion: systemd ignores it
        out.append(entry)
    return out


class Budget(object):
    """What is left of the sysctl.d byte and entry budgets; ``cuts`` says what was not read."""

    def __init__(self, total_bytes=MAX_TOTAL_CONF_BYTES, total_entries=MAX_TOTAL_ENTRIES):
        self.bytes = total_bytes
        self.entries = total_entries
        self.cuts = []


def read_conf(root, path, errors, budget=None):
    """Entries of one configuration file (path as the audited system sees it), read within
    the per-file and the remaining total budgets; a cut is recorded in ``budget.cuts``."""
    budget = budget if budget is not None else Budget()
    max_bytes = min(MAX_CONF_BYTES, max(0, budget.bytes))
    max_entries = min(MAX_ENTRIES_PER_FILE, max(0, budget.entries))
    if max_bytes <= 0 or max_entries <= 0:
        budget.cuts.append({"file": path, "reason": "total budget spent",
                            "message": "not read: the sysctl.d budget (%d bytes, %d entries) "
                                       "was spent on earlier files" % (MAX_TOTAL_CONF_BYTES,
                                                                       MAX_TOTAL_ENTRIES)})
        return []
    out = []
    used = 0
    cut_lines = 0
    try:
        for lineno, raw, cut in iter_lines(join_root(root, path), max_bytes, MAX_CONF_LINE):
            used += len(raw) + 1
            if cut:
                cut_lines += 1
                continue  # an over-long line is no sysctl assignment we could trust
            entries = parse_conf_lines([(lineno, decode_line(raw))], path)
            if entries and len(out) >= max_entries:
                budget.cuts.append({"file": path, "reason": "entries",
                                    "message": "not fully scanned: more than %d assignments; "
                                               "read up to line %d" % (max_entries, lineno)})
                break
            out.extend(entries)
    except SafeReadError as exc:
        errors.append({"file": path, "reason": exc.reason, "message": exc.message})
        return []
    budget.bytes -= used
    budget.entries -= len(out)
    if used >= max_bytes:
        budget.cuts.append({"file": path, "reason": "bytes",
                            "message": "not fully scanned: only the first %d bytes were read"
                                       % max_bytes})
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
        full = join_root(root, directory)
        try:
            st = os.stat(full)
            names = sorted(os.listdir(full))
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
        if os.path.lexists(join_root(root, SYSCTL_CONF)):
            files.append({"name": "sysctl.conf", "path": SYSCTL_CONF, "real": SYSCTL_CONF,
                          "dir": "/etc", "masked": False})
    return files, shadowed, errors


def persisted_entries(root="/", dirs=SYSCTL_DIRS, loader="systemd", budget=None):
    """All entries of all applied files in order, plus file bookkeeping."""
    files, shadowed, errors = config_files(root, dirs, loader)
    budget = budget if budget is not None else Budget()
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


# --- audit ---------------------------------------------------------------------------------

def _where(entry):
    if not entry:
        return None
    return "%s:%s" % (entry["file"], entry["line"])


def evaluate_key(key, spec, runtime, runtime_status, winner):
    """The baseline finding for one key (HG-SYSCTL-004 for OOM policy keys, else HG-SYSCTL-001)."""
    check = CHECKS["HG-SYSCTL-004"] if spec.get("source") == "oom" else CHECKS["HG-SYSCTL-001"]
    expected = spec.get("expected")
    evidence = {"expected": expected, "runtime": runtime,
                "persisted": winner["value"] if winner else None,
                "persisted_in": _where(winner)}
    if spec.get("why"):
        evidence["why"] = spec["why"]
    if spec.get("overridden"):
        evidence["overridden"] = True
    if runtime_status == "missing":
        return check.skip(key, "not applicable: this kernel has no %s" % key, evidence)
    if runtime_status == "invalid_key":
        return check.error(key, "not read: %s" % key_problem(key), evidence)
    if runtime_status != "ok":
        return check.error(key, "cannot read %s (%s)" % (key, runtime_status), evidence)
    if matches_expected(runtime, expected):
        return check.passed(key, evidence)
    return check.fail(key, evidence, severity=spec.get("severity") or check.severity)


def evaluate_drift(key, runtime, runtime_status, winner):
    check = CHECKS["HG-SYSCTL-002"]
    evidence = {"runtime": runtime, "persisted": winner["value"],
                "persisted_in": _where(winner)}
    if winner.get("pattern"):
        evidence["pattern"] = winner["pattern"]
    if runtime_status == "missing":
        return check.skip(key, "not applicable: persisted but absent from this kernel",
                          evidence)
    if runtime_status == "invalid_key":
        return CHECKS["HG-SYSCTL-003"].fail(
            winner["file"], {"key": key, "line": winner["line"], "reason": key_problem(key)},
            detail="not a sysctl key (never read): %s" % key_problem(key))
    if runtime_status != "ok":
        return check.error(key, "cannot read %s (%s)" % (key, runtime_status), evidence)
    if runtime == winner["value"]:
        return check.passed(key, evidence)
    return check.fail(key, evidence, detail="runtime value is not what boot would apply")


# Option names audit() reads besides ``root`` (host_audit rejects any other name).
OPTION_NAMES = frozenset([
    "baseline",
    "baseline_replace",
    "cluster_failover_node",
    "loader",
    "check_drift",
    "report_pass",
])


def audit(options):
    """Options: root, baseline (overrides), cluster_failover_node, loader, check_drift,
    report_pass (include passing findings)."""
    started = time.time()
    root = options.get("root") or "/"
    loader = options.get("loader") or "systemd"
    base = default_baseline(bool(options.get("cluster_failover_node")))
    if options.get("baseline_replace"):
        base = {}
    baseline = merge_baseline(base, options.get("baseline") or {})
    budget = Budget()
    entries, files, shadowed, errors = persisted_entries(root, loader=loader, budget=budget)
    winners = winning_entries(entries, baseline.keys())
    findings = []
    runtime_values = {}
    cache = {}

    def runtime_of(key):
        if key not in cache:
            cache[key] = read_runtime(root, key)
        return cache[key]

    for key in sorted(baseline):
        value, st = runtime_of(key)
        if st == "ok":
            runtime_values[key] = value
        findings.append(evaluate_key(key, baseline[key], value, st, winners.get(key)))

    drift_fail = 0
    if options.get("check_drift", True):
        for key in sorted(winners):
            value, st = runtime_of(key)
            result = evaluate_drift(key, value, st, winners[key])
            if result["id"] != "HG-SYSCTL-002":
                findings.append(result)
                continue
            if result["status"] == "fail":
                drift_fail += 1
                if drift_fail > MAX_DRIFT_FINDINGS:
                    continue
            elif key not in baseline:
                continue  # keep the report small: passes/skips only for baseline keys
            findings.append(result)
    for err in errors[:50]:
        findings.append(CHECKS["HG-SYSCTL-003"].error(err["file"], err["message"],
                                                      {"reason": err["reason"]}))
    for cut in budget.cuts[:50]:
        findings.append(CHECKS["HG-SYSCTL-003"].error(cut["file"], cut["message"],
                                                      {"reason": cut["reason"]}))
    if not options.get("report_pass", True):
        findings = [f for f in findings if f["status"] in ("fail", "error")]
    facts = {
        "runtime": runtime_values,
        "persisted": dict((k, {"value": w["value"], "file": w["file"], "line": w["line"]})
                          for k, w in sorted(winners.items())[:500]),
        "files": [f["path"] if f["path"] == f["real"] else "%s -> %s" % (f["path"], f["real"])
                  for f in files],
        "shadowed": shadowed[:100],
        "loader": loader,
        "baseline_keys": len(baseline),
        "drift_failures": drift_fail,
        "budget_cuts": len(budget.cuts),
    }
    return area_result(findings, facts, round(time.time() - started, 4))
