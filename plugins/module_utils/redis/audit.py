# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Redis exposure audit: config files, running instances, a read-only live probe, grading.

Seed 000: a 600 MB ``/var/spool/cron/dump.rdb`` was written by a Redis anyone could reach
and reconfigure (``CONFIG SET dir /var/spool/cron``, ``CONFIG SET dbfilename root``, a key
holding a cron line, ``SAVE``). Lynis (DBS-1880..1888, include/tests_databases) only checks
that redis-server runs, that config files are not world-readable, and greps them for
``^requirepass``, ``^rename-command CONFIG`` and ``^bind (localhost|127\\.)``. Here we judge
the instance that is actually running:

1. config files (``/etc/redis/*.conf`` ...) parsed as Redis does (``sdssplitargs``
   quoting, last line wins, ``include`` inline with globs), bounded depth and cycles;
2. running redis-server / valkey-server processes from /proc: user, cwd (= runtime
   ``dir``: Redis ``chdir``s into it, also on ``CONFIG SET dir``), listening sockets,
   systemd unit (from /proc/<pid>/cgroup);
3. a probe per endpoint, read-only: PING, AUTH (optional password), INFO server,
   CONFIG GET, ACL WHOAMI / ACL GETUSER default. Never CONFIG SET, never a write;
4. findings HG-REDIS-0xx made from ``CHECKS``.

Secrets (requirepass, masterauth, user ``>password`` / ``#hash`` rules, the probe
password, the names CONFIG was renamed to) are never copied into results; a final scrub
replaces any that slipped into the result with ``<redacted>``. Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import os
import posixpath
import stat
import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core import accounts
from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths
from ansible_collections.hostguard.hardening.plugins.module_utils.core import procfs
from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core import systemd_units
from ansible_collections.hostguard.hardening.plugins.module_utils.redis import resp
from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import (
    Check, CheckSet, area_result, sort_findings)

AREA = "redis"
MAX_CONFIG_BYTES = 4 * 1024 * 1024      # redis.conf is ~107 KB; anything far bigger is hostile
MAX_CONFIG_LINE = 64 * 1024
MAX_INCLUDE_DEPTH = 8
MAX_FILES = 256
MAX_TOTAL_CONFIG_BYTES = 8 * 1024 * 1024   # all config files and includes of one config together
MAX_GLOB_ENTRIES = 4096                    # directory entries an include glob may look at
MAX_PROBED_INSTANCES = 16
MAX_ENDPOINTS_PER_INSTANCE = 8
MAX_EXTRA_ENDPOINTS = 32
# One deadline per instance: all its endpoints and calls share INSTANCE_BUDGET x timeout.
INSTANCE_BUDGET = 2.0
REDACTED = "<redacted>"

DEFAULT_CONFIG_GLOBS = (
    "/etc/redis.conf",
    "/etc/redis/*.conf",
    "/usr/local/etc/redis*.conf",
    "/usr/local/etc/redis/*.conf",
    "/usr/local/redis/etc/*.conf",        # Lynis DBS-1882 also looks here
    "/etc/valkey/*.conf",
    "/etc/valkey.conf",
)
UNIT_PATTERNS = ("redis*.service", "valkey*.service")

# Redis 7 defaults (redis.conf shipped with 7.0; src/config.c standardConfig table).
DEFAULTS = {
    "port": "6379",
    "protected-mode": "yes",
    "dir": "./",
    "dbfilename": "dump.rdb",
    "enable-protected-configs": "no",
    "enable-debug-command": "no",
    "enable-module-command": "no",
}
# Without a ``bind`` line Redis 7 listens on every interface ("* -::*").
DEFAULT_BIND = ["*", "-::*"]
PROTECTION_DIRECTIVES = ("enable-protected-configs", "enable-debug-command", "enable-module-command")
SINGLE_VALUED = ("port", "protected-mode", "unixsocket", "unixsocketperm", "aclfile", "dir",
                 "dbfilename", "enable-protected-configs", "enable-debug-command",
                 "enable-module-command", "daemonize", "supervised", "logfile", "pidfile")
SECRET_DIRECTIVES = ("requirepass", "masterauth", "masteruser")
CONFIG_KEYS_TO_GET = ("dir", "dbfilename", "protected-mode", "bind", "port", "unixsocket",
                      "enable-protected-configs", "enable-debug-command", "enable-module-command")

# Where an RDB must never land: a file Redis writes there can be run by cron, init, a
# login or a shell (the attack of seed 000; MITRE T1053.003 / T1098.004 / T1037).
# Matched as a sequence of path components anywhere in the path (so a chroot or an
# audited ``root`` is covered), except the top-level system trees (prefix match).
DANGEROUS_COMPONENTS = (
    (("var", "spool", "cron"), "cron spool"),
    (("var", "spool", "anacron"), "cron spool"),
    (("etc", "cron.d"), "cron directory"),
    (("etc", "cron.hourly"), "cron directory"),
    (("etc", "cron.daily"), "cron directory"),
    (("etc", "cron.weekly"), "cron directory"),
    (("etc", "cron.monthly"), "cron directory"),
    (("etc", "rc.d"), "rc.d (boot scripts)"),
    (("etc", "init.d"), "init.d (boot scripts)"),
    (("etc", "profile.d"), "shell startup"),
    ((".ssh",), "ssh keys (.ssh)"),
)
DANGEROUS_PREFIXES = (
    ("/etc", "system configuration (/etc)"),
    ("/root", "root's home"),
    ("/boot", "boot files"),
    ("/bin", "system binaries"),
    ("/sbin", "system binaries"),
    ("/usr", "system files (/usr)"),
    ("/lib", "system libraries"),
    ("/lib64", "system libraries"),
    ("/var/www", "web root"),
    ("/srv/www", "web root"),
)
DANGEROUS_FILENAMES = {"root": "named like a user (cron spool file)", "authorized_keys": "ssh authorized_keys",
                       "crontab": "crontab", "rc.local": "rc.local"}

REFS = {"attack": "T1190"}
CHECKS = CheckSet.of("redis", "HG-REDIS", (
    Check("HG-REDIS-001", "Redis reachable on a non-loopback address without authentication",
          "critical", AREA, "listening sockets, live probe",
          "Bind to 127.0.0.1/::1 or a unix socket, set a password (requirepass or ACL users), "
          "keep protected-mode yes and firewall the port",
          {"lynis": "DBS-1888", "attack": "T1190"}),
    Check("HG-REDIS-002", "Redis protected-mode is off", "high", AREA, "config file, CONFIG GET protected-mode",
          "Set 'protected-mode yes' (the default)", {"lynis": "DBS-1888", "attack": "T1190"}),
    Check("HG-REDIS-003", "Redis CONFIG command callable by an unauthenticated client", "high", AREA,
          "live probe (CONFIG GET without AUTH)",
          "Require authentication; deny CONFIG to untrusted ACL users (-@dangerous) or "
          "rename-command CONFIG \"\"", {"lynis": "DBS-1886", "attack": "T1190"}),
    Check("HG-REDIS-004", "Redis dir/dbfilename drifted from the config or points into a system directory",
          "critical", AREA, "CONFIG GET dir/dbfilename, /proc/<pid>/cwd, config file",
          "Treat the host as compromised: inspect and quarantine the written file (see the cron "
          "audit of the same path), restart Redis from its config, then close access",
          {"attack": "T1053.003"}),
    Check("HG-REDIS-005", "Redis 7 protections turned off (enable-protected-configs / "
          "enable-debug-command / enable-module-command)", "high", AREA, "config file, CONFIG GET",
          "Remove these lines or set them to 'no' (default since Redis 7.0)", {"attack": "T1190"}),
    Check("HG-REDIS-006", "Redis authentication configured", "high", AREA,
          "requirepass / user / aclfile, ACL GETUSER default, probe",
          "Set requirepass or define ACL users and make the default user 'off' or passworded",
          {"lynis": "DBS-1884", "attack": "T1190"}),
    Check("HG-REDIS-007", "Redis runs as root", "high", AREA, "/proc/<pid>/status Uid",
          "Run redis-server as a dedicated unprivileged user (User=redis in the unit)",
          {"attack": "T1190"}),
    Check("HG-REDIS-008", "Redis systemd unit without sandboxing", "medium", AREA,
          "unit files and drop-ins (User, ProtectSystem, ReadWritePaths, NoNewPrivileges, ProtectHome)",
          "Use a drop-in: User=redis, ProtectSystem=strict, ReadWritePaths=/var/lib/redis, "
          "NoNewPrivileges=yes, ProtectHome=yes", {"attack": "T1053.003"}),
    Check("HG-REDIS-009", "Redis config file readable by everyone", "high", AREA, "config file mode",
          "chmod 640 (owner redis or root, group redis)", {"lynis": "DBS-1882"}),
    Check("HG-REDIS-010", "Redis endpoint probe", "medium", AREA, "live probe",
          "Check that the endpoint is a Redis server and answers; an endpoint that accepts and "
          "never answers is not a healthy Redis", {"attack": "T1190"}),
    Check("HG-REDIS-011", "Redis server running", "info", AREA, "/proc, live probe",
          "Inventory only", {"lynis": "DBS-1880"}),
    Check("HG-REDIS-012", "Redis config file could not be read completely", "medium", AREA,
          "config files and includes",
          "Fix the unreadable, cyclic or oversized include so the audit (and you) can see the config",
          {"lynis": "DBS-1882"}),
    Check("HG-REDIS-013", "Redis bind includes non-loopback addresses", "medium", AREA, "config file bind",
          "bind 127.0.0.1 -::1 unless remote clients are intended (then require auth and TLS)",
          {"lynis": "DBS-1888", "attack": "T1190"}),
))


# ---------------------------------------------------------------- config parsing

class ConfigSyntaxError(ValueError):
    pass


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a"}


def split_args(line):
    """Split a config line as Redis' ``sdssplitargs`` does.

    Double quotes take ``\\xHH``, ``\\n``, ``\\r``, ``\\t``, ``\\b``, ``\\a`` and ``\\<char>``;
    single quotes take only ``\\'``; a closing quote must be followed by a space or the end.
    Raises ConfigSyntaxError on unbalanced quotes (Redis refuses to start on them).
    """
    args = []
    i, n = 0, len(line)
    hexdigits = "0123456789abcdefABCDEF"
    while True:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            return args
        current = []
        inq = insq = False
        while True:
            if inq:
                if i >= n:
                    raise ConfigSyntaxError("unbalanced double quotes")
                ch = line[i]
                if ch == "\\" and i + 3 < n and line[i + 1] == "x" and line[i + 2] in hexdigits \
                        and line[i + 3] in hexdigits:
                    current.append(chr(int(line[i + 2:i + 4], 16)))
                    i += 3
                elif ch == "\\" and i + 1 < n:
                    i += 1
                    current.append(_ESCAPES.get(line[i], line[i]))
                elif ch == '"':
                    if i + 1 < n and not line[i + 1].isspace():
                        raise ConfigSyntaxError("closing quote must be followed by a space")
                    i += 1
                    break
                else:
                    current.append(ch)
            elif insq:
                if i >= n:
                    raise ConfigSyntaxError("unbalanced single quotes")
                ch = line[i]
                if ch == "\\" and i + 1 < n and line[i + 1] == "'":
                    i += 1
                    current.append("'")
                elif ch == "'":
                    if i + 1 < n and not line[i + 1].isspace():
                        raise ConfigSyntaxError("closing quote must be followed by a space")
                    i += 1
                    break
                else:
                    current.append(ch)
            else:
                if i >= n:
                    break
                ch = line[i]
                if ch.isspace():
                    break
                if ch == '"':
                    inq = True
                elif ch == "'":
                    insq = True
                else:
                    current.append(ch)
            i += 1
        args.append("".join(current))


def parse_config(path, root="/", max_depth=MAX_INCLUDE_DEPTH, max_bytes=MAX_CONFIG_BYTES,
                 total_bytes=MAX_TOTAL_CONFIG_BYTES):
    """Read a Redis config and its includes. ``path`` is as seen by the audited system.

    Returns {"path", "directives": [(file, lineno, name, args)], "files": [{path, mode, uid,
    size, truncated, secret}], "problems": [{path, reason, detail}], "sentinel": bool}.
    Includes are processed inline where they appear (Redis: ``include`` is executed when
    its line is read, and the last value of a directive wins), globs expand sorted.
    Bounded (issue 17): every path is resolved inside ``root`` by core.paths (links too), a
    NUL in an include is refused, all files together may use ``total_bytes``, a file already
    read is not read again (one 4 MiB file included 255 times), a glob looks at no more than
    MAX_GLOB_ENTRIES directory entries (self-symlinks doubling per level); each cut is a
    problem saying what was not read.
    """
    state = {"directives": [], "files": [], "problems": [], "sentinel": False, "seen": 0,
             "bytes_left": total_bytes, "read": {}}
    _parse_file(path, root, state, depth=0, stack=(), max_depth=max_depth, max_bytes=max_bytes)
    return {"path": path, "directives": state["directives"], "files": state["files"],
            "problems": state["problems"], "sentinel": state["sentinel"]}


def read_config_file(root, path, max_bytes):
    """(data, info, truncated, identity) of a config file resolved inside ``root``
    (safe_read.read_in_root). Raises safe_read.SafeReadError."""
    data, info, truncated = safe_read.read_in_root(root, path, max_bytes)
    return data, info, truncated, (info["dev"], info["inode"])


def _parse_file(path, root, state, depth, stack, max_depth, max_bytes):
    if path in stack:
        state["problems"].append({"path": path, "reason": "include_cycle",
                                  "detail": "include cycle: %s" % " -> ".join(stack + (path,))})
        return
    if depth > max_depth:
        state["problems"].append({"path": path, "reason": "include_depth",
                                  "detail": "include depth above %d" % max_depth})
        return
    if state["seen"] >= MAX_FILES:
        state["problems"].append({"path": path, "reason": "too_many_files",
                                  "detail": "more than %d config files" % MAX_FILES})
        return
    if state["bytes_left"] <= 0:
        state["problems"].append({"path": path, "reason": "byte_budget",
                                  "detail": "not read: the %d-byte budget of this config and its "
                                            "includes is spent" % MAX_TOTAL_CONFIG_BYTES})
        return
    state["seen"] += 1
    try:
        data, info, truncated, ident = read_config_file(root, path, min(max_bytes, state["bytes_left"]))
    except safe_read.SafeReadError as exc:
        state["problems"].append({"path": path, "reason": exc.reason, "detail": exc.message})
        return
    if ident in state["read"]:
        state["problems"].append({"path": path, "reason": "repeated_include",
                                  "detail": "already read (as %s): included again, not re-read"
                                            % state["read"][ident]})
        return
    state["read"][ident] = path
    state["bytes_left"] -= len(data)
    entry = {"path": path, "mode": info["mode"], "uid": info["uid"], "gid": info["gid"],
             "size": info["size"], "truncated": truncated, "secret": False, "included_by": stack[-1] if stack else None}
    state["files"].append(entry)
    if truncated:
        state["problems"].append({"path": path, "reason": "truncated",
                                  "detail": "not fully scanned: only the first %d of %d bytes were read"
                                            % (len(data), info["size"])})
        # do not parse a half line at the cut
        cut = data.rfind(b"\n")
        data = data[:cut + 1] if cut >= 0 else b""
    for lineno, raw in enumerate(data.split(b"\n"), 1):
        if len(raw) > MAX_CONFIG_LINE:
            state["problems"].append({"path": path, "reason": "long_line",
                                      "detail": "line %d longer than %d bytes ignored" % (lineno, MAX_CONFIG_LINE)})
            continue
        line = safe_read.decode_line(raw).strip(" \t\r\n")
        if not line or line.startswith("#"):
            continue
        try:
            args = split_args(line)
        except ConfigSyntaxError as exc:
            state["problems"].append({"path": path, "reason": "syntax",
                                      "detail": "line %d: %s (Redis would refuse to start)" % (lineno, exc)})
            continue
        if not args:
            continue
        name = args[0].lower()
        if name == "sentinel":
            state["sentinel"] = True
        if name in SECRET_DIRECTIVES[:2] and len(args) > 1 and args[1] != "":
            entry["secret"] = True
        if name == "user" and any(a[:1] in (">", "#") for a in args[2:]):
            entry["secret"] = True
        if name == "include" and len(args) == 2:
            target = args[1]
            if "\x00" in target:
                state["problems"].append({"path": path, "reason": "invalid_path",
                                          "detail": "line %d: include path holds a NUL byte (not read)" % lineno})
                continue
            if not target.startswith("/"):
                # Redis resolves relative includes against its cwd; the config's dir is our best guess
                target = posixpath.join(posixpath.dirname(path), target)
            matches, cut = expand_glob(target, root)
            if cut:
                state["problems"].append({"path": path, "reason": "glob_cut",
                                          "detail": "line %d: include %s not fully expanded: %s"
                                                    % (lineno, args[1], cut)})
            for included in matches:
                _parse_file(included, root, state, depth + 1, stack + (path,), max_depth, max_bytes)
            continue
        state["directives"].append((path, lineno, name, args[1:]))


_GLOB_CHARS = "*?["


def expand_glob(pattern, root="/", max_entries=MAX_GLOB_ENTRIES, max_matches=MAX_FILES):
    """(sorted matching paths, cut reason or None) of an absolute glob inside ``root``, as
    glob(3) would (``*`` does not match a leading dot), component by component through
    core.paths (links resolved inside root), looking at no more than ``max_entries`` names."""
    if not any(ch in pattern for ch in _GLOB_CHARS):
        return [pattern], None
    parts = [p for p in pattern.split("/") if p]
    candidates = ["/"]
    budget = max_entries
    for index, part in enumerate(parts):
        if not any(ch in part for ch in _GLOB_CHARS):
            candidates = [posixpath.join(base, part) for base in candidates]
            continue
        found = []
        for base in candidates:
            try:
                names, truncated, _res = paths.list_dir(root, base, budget + 1)
            except (paths.PathRefused, OSError, ValueError):
                continue
            budget -= len(names)
            if truncated or budget < 0:
                return sorted(set(found))[:max_matches], (
                    "more than %d directory entries looked at (a link loop?)" % max_entries)
            for name in names:
                if name.startswith(".") and not part.startswith("."):
                    continue
                if fnmatch.fnmatchcase(name, part):
                    found.append(posixpath.join(base, name))
                    if len(found) > max_matches:
                        return sorted(set(found))[:max_matches], "more than %d matches" % max_matches
        candidates = found
    return sorted(set(candidates))[:max_matches], None


def parse_user_rules(args):
    """An ACL ``user`` line's rules -> a secret-free summary."""
    name = args[0] if args else ""
    summary = {"name": name, "enabled": False, "nopass": False, "passwords": 0, "rules": []}
    for rule in args[1:]:
        low = rule.lower()
        if low == "on":
            summary["enabled"] = True
        elif low == "off":
            summary["enabled"] = False
        elif low == "nopass":
            summary["nopass"] = True
            summary["passwords"] = 0
        elif low == "resetpass":
            summary["nopass"] = False
            summary["passwords"] = 0
        elif rule[:1] in (">", "#"):
            summary["passwords"] += 1
            summary["nopass"] = False
        elif rule[:1] in ("<", "!"):
            summary["passwords"] = max(0, summary["passwords"] - 1)
        elif low == "reset":
            summary.update({"enabled": False, "nopass": False, "passwords": 0, "rules": []})
        else:
            summary["rules"].append(rule)
    return summary


def effective_config(parsed):
    """The values Redis would use, from parsed directives. No secret values are kept."""
    values = {}
    bind = None
    renamed = {}
    users = {}
    requirepass = None
    for _path, _lineno, name, args in parsed["directives"]:
        if name == "bind":
            bind = list(args)
        elif name == "rename-command" and len(args) == 2:
            # the new name is itself a secret-by-obscurity: keep only renamed/disabled
            renamed[args[0].upper()] = "disabled" if args[1] == "" else "renamed"
        elif name == "user" and args:
            users[args[0]] = parse_user_rules(args)
        elif name == "requirepass" and args:
            requirepass = args[0] != ""
        elif name in SINGLE_VALUED and args:
            values[name] = args[0]
    out = dict(DEFAULTS)
    out.update(values)
    out["bind"] = bind if bind is not None else list(DEFAULT_BIND)
    out["bind_configured"] = bind is not None
    out["renamed_commands"] = renamed
    out["users"] = users
    out["requirepass_set"] = bool(requirepass)
    out["explicit"] = sorted(values)
    if requirepass:
        users.setdefault("default", {"name": "default", "enabled": True, "nopass": False,
                                     "passwords": 1, "rules": ["~*", "+@all"]})["passwords"] = 1
    return out


def bind_is_loopback_only(bind):
    """True if every address in a bind list is loopback (a leading '-' marks it optional)."""
    if not bind:
        return False
    for item in bind:
        address = item.lstrip("-")
        if not is_loopback(address):
            return False
    return True


def config_secrets(parsed, root="/"):
    """Secret values of a parsed config (for the final scrub only; never returned)."""
    out = set()
    for _path, _lineno, name, args in parsed["directives"]:
        if name in SECRET_DIRECTIVES[:2] and args and args[0]:
            out.add(args[0])
        elif name == "rename-command" and len(args) == 2 and args[1]:
            out.add(args[1])
        elif name == "user":
            for rule in args[1:]:
                if rule[:1] in (">", "#", "<", "!") and len(rule) > 1:
                    out.add(rule[1:])
    return out


def parse_aclfile(path, root="/"):
    """Users of an aclfile (``user <name> <rules>`` lines) as secret-free summaries."""
    try:
        data, info, _trunc, _ident = read_config_file(root, path, MAX_CONFIG_BYTES)
    except safe_read.SafeReadError as exc:
        return None, {"path": path, "reason": exc.reason, "detail": exc.message}, set()
    users = {}
    secrets = set()
    for raw in data.split(b"\n"):
        try:
            args = split_args(safe_read.decode_line(raw).strip())
        except ConfigSyntaxError:
            continue
        if len(args) >= 2 and args[0].lower() == "user":
            users[args[1]] = parse_user_rules(args[1:])
            secrets.update(r[1:] for r in args[2:] if r[:1] in (">", "#", "<", "!") and len(r) > 1)
    return {"users": users, "mode": info["mode"], "path": path}, None, secrets


def discover_config_paths(root="/", extra=()):
    found = []
    for pattern in DEFAULT_CONFIG_GLOBS:
        matches, _cut = expand_glob(pattern, root)
        for match in matches:
            if pattern == match and not paths.resolve(root, match).ok:
                continue
            found.append(match)
    for path in extra or ():
        if path:
            found.append(path)
    out = []
    for path in found:
        if path not in out:
            out.append(path)
    return out


# ---------------------------------------------------------------- systemd units

def find_units(root="/"):
    """{unit name: {masked, files: [unit file then drop-ins, in order]}} for redis/valkey units
    (systemd_units.find_units: search path precedence, masking, aliases left out)."""
    units = {}
    for name, unit in systemd_units.find_units(root, UNIT_PATTERNS).items():
        units[name] = {"masked": unit["masked"],
                       "files": [] if unit["masked"] else systemd_units.unit_files(unit)}
    return units


def parse_unit(files, root="/"):
    """[Service] settings of a unit and its drop-ins (later wins; empty resets lists)."""
    settings = {}
    problems = []
    list_keys = ("ReadWritePaths", "ReadWriteDirectories", "ExecStart")
    for path in files:
        try:
            lines = systemd_units.read_lines(root, path)
        except safe_read.SafeReadError as exc:
            problems.append({"path": path, "reason": exc.reason})
            continue
        for _lineno, key, value in systemd_units.section_assignments(lines, "Service"):
            if key in list_keys:
                if value == "":
                    settings[key] = []
                else:
                    settings.setdefault(key, []).extend(value.split() if key != "ExecStart" else [value])
            else:
                settings[key] = value
    return settings, problems


def grade_unit_settings(settings):
    """Weaknesses of a unit's sandboxing; [] when it is sandboxed well enough."""
    weak = []
    user = settings.get("User", "")
    if settings.get("DynamicUser", "").lower() in ("yes", "true", "1", "on"):
        user = user or "<dynamic>"
    if not user or user in ("root", "0"):
        weak.append("User= not set (runs as root)" if not user else "User=root")
    protect = settings.get("ProtectSystem", "").lower()
    if protect not in ("strict", "full", "yes", "true", "1", "on"):
        weak.append("ProtectSystem=%s (want strict)" % (protect or "<unset>"))
    writable = settings.get("ReadWritePaths", []) + settings.get("ReadWriteDirectories", [])
    for item in writable:
        path = item.lstrip("-+")
        cat = classify_dir(path) if path not in ("/etc/redis", "/etc/valkey") else None
        if path in ("/", "/var", "/var/spool", "/etc") or cat:
            weak.append("ReadWritePaths includes %s" % path)
    if settings.get("NoNewPrivileges", "").lower() not in ("yes", "true", "1", "on"):
        weak.append("NoNewPrivileges not enabled")
    if settings.get("ProtectHome", "").lower() not in ("yes", "true", "1", "on", "read-only", "tmpfs"):
        weak.append("ProtectHome not enabled (.ssh writable)")
    return weak


def unit_config_path(settings):
    """The config path on a unit's ExecStart (first argument ending in .conf)."""
    for line in settings.get("ExecStart", []):
        for arg in line.lstrip("@-:+!").split()[1:]:
            if arg.endswith(".conf"):
                return arg
    return None


# ---------------------------------------------------------------- classification

def classify_dir(path):
    """Why writing an RDB into ``path`` is dangerous, or None."""
    if not path:
        return None
    norm = posixpath.normpath(path)
    parts = tuple(p for p in norm.split("/") if p)
    for pattern, label in DANGEROUS_COMPONENTS:
        size = len(pattern)
        for start in range(0, len(parts) - size + 1):
            if parts[start:start + size] == pattern:
                return label
    for prefix, label in DANGEROUS_PREFIXES:
        if norm == prefix or norm.startswith(prefix + "/"):
            return label
    return None


def dump_path(directory, dbfilename):
    if not directory:
        return None
    return posixpath.normpath(posixpath.join(directory, dbfilename or DEFAULTS["dbfilename"]))


# ---------------------------------------------------------------- live probe

def _classify_error(reply):
    code = reply.code.upper()
    if code == "NOAUTH":
        return "noauth"
    if code == "NOPERM":
        return "noperm"
    if code == "DENIED":
        return "denied"
    if code == "WRONGPASS":
        return "wrongpass"
    if "unknown command" in reply.text.lower():
        return "unknown_command"
    return "error"


def probe_endpoint(address, password=None, username=None, timeout=resp.DEFAULT_TIMEOUT,
                   max_reply_bytes=resp.DEFAULT_MAX_REPLY_BYTES, deadline=None):
    """Read-only probe of one endpoint. Never raises: network, protocol and reply-type
    trouble (a server that lies) all give ``status: error`` with the reason.

    ``deadline`` (a time.monotonic() value): the instance's one deadline, shared by all its
    endpoints; no call of this probe runs past it.

    Returns {"endpoint", "status": ok|error, "error", "ping", "auth", "version",
    "config_file", "config_access", "runtime", "acl_default", "whoami"}.
    """
    out = {"endpoint": resp.format_address(address), "status": "ok", "error": None,
           "ping": None, "auth": "not_tried", "version": None, "config_file": None,
           "process_id": None, "config_access": None, "runtime": {}, "acl_default": None,
           "whoami": None, "unauth": {}}
    client = resp.RespClient(address, timeout=timeout, max_reply_bytes=max_reply_bytes,
                             deadline=deadline)
    try:
        client.connect()
        reply = client.call("PING")
        if isinstance(reply, resp.ErrorReply):
            out["ping"] = _classify_error(reply)
        elif resp.text(reply) == "PONG":
            out["ping"] = "ok"
        else:
            out["ping"] = "unexpected"
            out["status"] = "error"
            out["error"] = "PING answered %r: not a Redis server?" % (str(resp.text(reply))[:64],)
            return out
        if out["ping"] == "denied":
            return out
        _query(client, out, out["unauth"])
        out["config_access"] = out["unauth"].get("config_access")
        if password:
            args = ("AUTH", username, password) if username else ("AUTH", password)
            reply = client.call(*args)
            if isinstance(reply, resp.ErrorReply):
                out["auth"] = "failed"
            else:
                out["auth"] = "ok"
                authed = {}
                _query(client, out, authed)
                out["authenticated"] = authed
    except resp.RespError as exc:
        out["status"] = "error"
        out["error"] = "%s: %s" % (exc.reason, exc.message)
        out["error_reason"] = exc.reason
    except Exception as exc:  # pylint: disable=broad-except
        # a lying server never crashes the area
        out["status"] = "error"
        out["error"] = "internal: %s: %s" % (type(exc).__name__, exc)
        out["error_reason"] = "internal"
    finally:
        client.close()
    return out


def probe_instance(inst, server, index, password, username, timeout, max_reply):
    """Probe the endpoints of one running instance under ONE deadline (INSTANCE_BUDGET x
    timeout for all of them) and the caps; returns findings for what was not probed (issue 17:
    5 listeners answering at 0.9x the timeout took 117 s with a deadline per call)."""
    findings = []
    endpoints = endpoints_of(server["listeners"])
    if index >= MAX_PROBED_INSTANCES:
        inst["not_probed"] = [{"endpoint": resp.format_address(a), "why": "instance cap"} for a in endpoints]
        return [CHECKS["HG-REDIS-010"].error(inst["name"], "not probed: more than %d Redis instances on this "
                                             "host" % MAX_PROBED_INSTANCES,
                                             {"reason": "instance_cap", "endpoints": len(endpoints)})]
    budget = INSTANCE_BUDGET * timeout
    deadline = time.monotonic() + budget
    cut = []
    for address in endpoints:
        name = resp.format_address(address)
        if (address[0] == "tcp" and not server.get("same_netns", True)) or \
                (address[0] == "unix" and not server.get("same_mntns", True)):
            inst.setdefault("not_probed", []).append({"endpoint": name, "why": "in another namespace (container)"})
            continue
        if len(inst["probes"]) >= MAX_ENDPOINTS_PER_INSTANCE:
            cut.append((name, "endpoint cap (%d)" % MAX_ENDPOINTS_PER_INSTANCE))
            continue
        if time.monotonic() >= deadline:
            cut.append((name, "instance deadline (%.1f s) spent" % budget))
            continue
        probe = probe_endpoint(address, password, username, timeout, max_reply, deadline=deadline)
        probe["non_loopback"] = address[0] == "tcp" and not is_loopback(address[1])
        inst["probes"].append(probe)
    if cut:
        inst.setdefault("not_probed", []).extend({"endpoint": n, "why": why} for n, why in cut)
        findings.append(CHECKS["HG-REDIS-010"].error(
            inst["name"], "not fully probed: %d endpoint(s) skipped (%s)" % (len(cut), cut[0][1]),
            {"reason": "instance_budget", "skipped": [n for n, _w in cut], "budget_seconds": budget}))
    return findings


def _query(client, out, into):
    info = client.call("INFO", "server")
    if isinstance(info, resp.ErrorReply):
        into["info"] = _classify_error(info)
    else:
        fields = resp.parse_info(info)     # RespTypeError for ":1" and other lies
        into["info"] = "ok"
        out["version"] = fields.get("redis_version") or fields.get("valkey_version") or out["version"]
        out["config_file"] = fields.get("config_file") or out["config_file"]
        out["process_id"] = fields.get("process_id") or out["process_id"]
        out["executable"] = fields.get("executable")
    runtime = {}
    access = None
    for key in CONFIG_KEYS_TO_GET:
        reply = client.call("CONFIG", "GET", key)
        if isinstance(reply, resp.ErrorReply):
            access = _classify_error(reply)
            if access == "unknown_command":
                access = "renamed_or_disabled"
            break
        access = "allowed"
        runtime.update(resp.pairs_to_dict(reply, "CONFIG GET %s" % key))
    into["config_access"] = access
    if runtime:
        out["runtime"] = runtime
    reply = client.call("ACL", "WHOAMI")
    if not isinstance(reply, resp.ErrorReply):
        out["whoami"] = resp.expect_text(reply, "ACL WHOAMI")
    reply = client.call("ACL", "GETUSER", "default")
    if isinstance(reply, resp.ErrorReply):
        into["acl"] = _classify_error(reply)
    elif reply is not None:
        fields = resp.pairs_to_dict(reply, "ACL GETUSER", lists=True)
        into["acl"] = "ok"
        passwords = fields.get("passwords")
        # keep flags and command rules; never the password hashes
        out["acl_default"] = {"flags": fields.get("flags"),
                              "passwords": len(passwords) if isinstance(passwords, list) else 0,
                              "commands": fields.get("commands"),
                              "keys": fields.get("keys")}


# ---------------------------------------------------------------- instances

SERVER_NAMES = ("redis-server", "valkey-server")
MAX_SERVER_FDS = 65536   # a busy server holds maxclients (10000 by default) sockets and more


def is_loopback(address):
    if address in ("localhost",):
        return True
    if address.startswith("127."):
        return True
    return address in ("::1", "0:0:0:0:0:0:0:1")


def server_kind(comm, cmdline):
    """'redis-server' / 'valkey-server' if this process is one, else None."""
    candidates = [comm or ""]
    if cmdline:
        candidates.append(os.path.basename(cmdline[0].split(" ", 1)[0]))
    for name in candidates:
        for server in SERVER_NAMES:
            if name == server or name.startswith(server):
                return server
    return None


def _listener(sock):
    """A procfs listening-socket dict as the instance facts show it."""
    if sock["proto"] == "unix":
        return {"inode": sock["inode"], "path": sock["path"], "family": "unix"}
    address = sock["addr"]
    # an IPv4-mapped IPv6 address is an IPv4 listener
    if address.startswith("::ffff:") and "." in address:
        address = address[7:]
    return {"inode": sock["inode"], "address": address, "port": sock["port"], "family": sock["proto"]}


def server_listeners(root, pid):
    """Listening tcp/tcp6/unix sockets (unix: with a path) of a server, in its namespace."""
    socks = procfs.process_listeners(root, pid, ("tcp", "tcp6", "unix"), MAX_SERVER_FDS)
    return [_listener(s) for s in socks if s["proto"] != "unix" or s["path"]]


def unit_of_pid(pid, root="/"):
    """The systemd service a process belongs to, from /proc/<pid>/cgroup, or None."""
    unit = procfs.systemd_unit_of(procfs.cgroups(root, pid))
    return unit if unit and unit.endswith(".service") else None


def find_servers(root="/", accounts_root=None):
    """Running redis-server / valkey-server processes under the procfs ``root`` with user,
    cwd and listeners (user names from ``accounts_root``/etc/passwd, default ``root``)."""
    users = accounts.passwd_names(root if accounts_root is None else accounts_root)
    own_net = procfs.namespace(root, "self", "net")
    own_mnt = procfs.namespace(root, "self", "mnt")
    out = []
    pids, _trunc = procfs.list_pids(root)
    for pid in pids:
        comm = procfs.comm(root, pid)
        if comm is None:
            continue
        cmdline = procfs.cmdline(root, pid) or []
        kind = server_kind(comm, cmdline)
        if not kind:
            continue
        # thread-group leaders only: redis' own background threads are not in /proc/<pid>
        uids = (procfs.status(root, pid) or {}).get("Uid") or []
        euid = uids[1] if len(uids) > 1 else None
        out.append({
            "pid": pid,
            "kind": kind,
            "comm": comm,
            "cmdline": cmdline,
            "uid": euid,
            "user": users.get(euid) if euid is not None else None,
            "cwd": procfs.cwd(root, pid),
            "listeners": server_listeners(root, pid),
            # a server in another namespace (a container) is not reachable through our
            # loopback / our view of its socket paths
            "same_netns": procfs.namespace(root, pid, "net") == own_net,
            "same_mntns": procfs.namespace(root, pid, "mnt") == own_mnt,
        })
    return out


def proc_root(proc):
    """The procfs root (the directory holding ``proc``) for the module's ``proc`` option,
    or None when the path does not end in a directory named ``proc``."""
    path = os.path.normpath(proc or "/proc")
    if os.path.basename(path) != "proc":
        return None
    return os.path.dirname(path) or "/"


def endpoints_of(listeners):
    """Addresses to probe for a process's listening sockets (wildcards via loopback)."""
    out = []
    for item in listeners:
        if item["family"] == "unix":
            if item["path"] and not item["path"].startswith("@"):
                out.append(("unix", item["path"]))
            continue
        host = item["address"]
        if host == "0.0.0.0":
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        addr = ("tcp", host, item["port"])
        if addr not in out:
            out.append(addr)
    return out


def _non_loopback(listeners):
    return [l for l in listeners if l["family"] != "unix" and not is_loopback(l["address"])]


# ---------------------------------------------------------------- grading

# Problems after which a directive may sit in what was not read (Redis applies the last value
# of a directive, so any unread part can override what was read): such a config's passes are
# reported as "not verified" errors instead (issue 17: no evasion by budget).
NOT_LOST = frozenset(("include_cycle", "include_depth", "repeated_include", "syntax", "missing",
                      "invalid_path"))


def unread_parts(parsed):
    """Paths of the config tree that Redis reads and that were not read, or not fully."""
    out = []
    for problem in parsed["problems"]:
        if problem["reason"] not in NOT_LOST and problem["path"] not in out:
            out.append(problem["path"])
    return out


def _passed_or_unverified(check, subject, ev, unread):
    if not unread:
        return check.passed(subject, ev)
    ev = dict(ev, not_read=unread[:20])
    return check.error(subject, "not verified: %s not read or not fully (HG-REDIS-012); a later "
                                "line there may override what was read" % ", ".join(unread[:5]), ev)


def grade_config(cfg_path, parsed, eff, acl):
    """Static findings of one config file (for instances and configs alike)."""
    findings = []
    check = CHECKS
    unread = unread_parts(parsed)
    for problem in parsed["problems"]:
        findings.append(check["HG-REDIS-012"].error(problem["path"], problem["detail"],
                                                    {"reason": problem["reason"], "config": cfg_path}))
    for entry in parsed["files"]:
        mode = int(entry["mode"], 8)
        world = bool(mode & stat.S_IROTH)
        ev = {"path": entry["path"], "mode": entry["mode"], "holds_secret": entry["secret"]}
        if world and entry["secret"]:
            findings.append(check["HG-REDIS-009"].fail(entry["path"], ev,
                                                       "world-readable and holds a password"))
        elif world:
            findings.append(check["HG-REDIS-009"].fail(entry["path"], ev, "world-readable (no password in it)",
                                                       severity="low"))
        else:
            findings.append(check["HG-REDIS-009"].passed(entry["path"], ev))
    if acl and int(acl.get("mode", "0"), 8) & stat.S_IROTH:
        findings.append(check["HG-REDIS-009"].fail(acl["path"], {"path": acl["path"], "mode": acl["mode"],
                                                                 "holds_secret": True},
                                                   "aclfile is world-readable"))
    pm = eff["protected-mode"].lower()
    ev = {"protected-mode": pm, "source": "config", "config": cfg_path}
    findings.append(check["HG-REDIS-002"].fail(cfg_path, ev) if pm == "no"
                    else _passed_or_unverified(check["HG-REDIS-002"], cfg_path, ev, unread))
    findings.append(_grade_protections(cfg_path, dict((k, eff[k]) for k in PROTECTION_DIRECTIVES), "config",
                                       unread))
    ev = {"bind": eff["bind"], "bind_configured": eff["bind_configured"], "port": eff["port"]}
    if eff["port"] == "0" or bind_is_loopback_only(eff["bind"]):
        findings.append(_passed_or_unverified(check["HG-REDIS-013"], cfg_path, ev, unread))
    else:
        findings.append(check["HG-REDIS-013"].fail(cfg_path, ev, "no bind line: Redis listens on every interface"
                                                   if not eff["bind_configured"] else None))
    return findings


def _grade_protections(subject, values, source, unread=()):
    loose = dict((k, v.lower()) for k, v in values.items() if str(v).lower() in ("yes", "local"))
    ev = {"values": dict((k, str(v).lower()) for k, v in values.items()), "source": source}
    if not loose:
        return _passed_or_unverified(CHECKS["HG-REDIS-005"], subject, ev, list(unread))
    severity = "high" if "yes" in loose.values() else "medium"
    return CHECKS["HG-REDIS-005"].fail(subject, ev, "turned off: %s" % ", ".join(
        "%s %s" % item for item in sorted(loose.items())), severity=severity)


def default_user_state(eff, acl_users, probe):
    """'nopass' | 'password' | 'off' | 'unknown' for the default user."""
    if probe and probe.get("acl_default"):
        flags = probe["acl_default"].get("flags") or []
        if "off" in flags:
            return "off"
        if "nopass" in flags:
            return "nopass"
        return "password"
    if probe and probe.get("ping") == "noauth":
        return "password"
    if probe and probe.get("ping") == "ok" and probe.get("auth") == "not_tried":
        return "nopass"
    users = dict(eff.get("users") or {})
    users.update(acl_users or {})
    if "default" in users:
        user = users["default"]
        if not user["enabled"]:
            return "off"
        return "nopass" if user["nopass"] or not user["passwords"] else "password"
    if eff.get("requirepass_set"):
        return "password"
    return "nopass" if eff else "unknown"


def grade_instance(inst):
    """Findings of one running instance (process + probes + its config)."""
    check = CHECKS
    findings = []
    subject = inst["name"]
    eff = inst.get("effective") or {}
    probes = inst.get("probes") or []
    good = [p for p in probes if p["status"] == "ok"]
    first = good[0] if good else None
    # inventory (Lynis DBS-1880)
    findings.append(check["HG-REDIS-011"].passed(subject, {
        "pid": inst.get("pid"), "user": inst.get("user"), "version": first.get("version") if first else None,
        "listeners": [l.get("path") or "%s:%s" % (l["address"], l["port"]) for l in inst.get("listeners", [])],
        "config": inst.get("config_path"), "unit": inst.get("unit")}))
    for probe in probes:
        ev = {"endpoint": probe["endpoint"], "ping": probe["ping"], "error": probe.get("error")}
        if probe["status"] == "error":
            findings.append(check["HG-REDIS-010"].error(probe["endpoint"], probe.get("error") or "probe failed", ev))
        else:
            findings.append(check["HG-REDIS-010"].passed(probe["endpoint"], ev))
    # authentication (Lynis DBS-1884 greps requirepass; we ask the server)
    state = default_user_state(eff, inst.get("acl_users"), first)
    ev = {"default_user": state, "requirepass_in_config": eff.get("requirepass_set"),
          "acl_default": first.get("acl_default") if first else None,
          "unauthenticated_ping": [p["ping"] for p in good]}
    if state == "nopass":
        listeners = inst.get("listeners") or []
        local_only = bool(listeners) and not _non_loopback(listeners)
        findings.append(check["HG-REDIS-006"].fail(subject, ev, "no authentication: the default user has no password",
                                                   severity="medium" if local_only else None))
    elif state == "unknown":
        findings.append(check["HG-REDIS-006"].skip(subject, "no probe answer and no config to judge", ev))
    else:
        findings.append(check["HG-REDIS-006"].passed(subject, ev, "authentication configured"))
    # runtime protected-mode: CONFIG GET when we could, else the config file
    runtime = {}
    for probe in good:
        runtime.update(probe.get("runtime") or {})
    pm = (runtime.get("protected-mode") or eff.get("protected-mode") or DEFAULTS["protected-mode"]).lower()
    pm_source = "runtime" if "protected-mode" in runtime else ("config" if eff else "default")
    ev = {"protected-mode": pm, "source": pm_source}
    findings.append(check["HG-REDIS-002"].fail(subject, ev) if pm == "no" else check["HG-REDIS-002"].passed(subject, ev))
    prot = dict((k, runtime.get(k) or eff.get(k) or DEFAULTS[k]) for k in PROTECTION_DIRECTIVES)
    findings.append(_grade_protections(subject, prot, "runtime" if runtime else "config"))
    # exposure: non-loopback listener + no auth + nothing denying remote clients
    exposed_listeners = _non_loopback(inst.get("listeners", []))
    unauth_ok = any(p["ping"] == "ok" for p in good)
    direct = [p for p in good if p["ping"] == "ok" and p.get("non_loopback")]
    # Redis 7 networking.c: protected mode refuses non-local clients when the default
    # user is nopass ("server.protected_mode && DefaultUser->flags & USER_FLAG_NOPASS").
    remote_unauth = bool(direct) or (bool(exposed_listeners) and unauth_ok and pm == "no")
    ev = {"non_loopback_listeners": ["%s:%s" % (l["address"], l["port"]) for l in exposed_listeners],
          "unauthenticated_ping": unauth_ok, "protected-mode": pm,
          "probed_directly": [p["endpoint"] for p in direct]}
    if remote_unauth:
        findings.append(check["HG-REDIS-001"].fail(subject, ev))
    else:
        findings.append(check["HG-REDIS-001"].passed(subject, ev))
    # CONFIG without AUTH
    accesses = [p.get("unauth", {}).get("config_access") for p in good if p["ping"] == "ok"]
    ev = {"unauthenticated_config": accesses}
    if "allowed" in accesses:
        findings.append(check["HG-REDIS-003"].fail(subject, ev, severity="critical" if remote_unauth else None))
    elif accesses or any(p["ping"] in ("noauth", "denied") for p in good):
        findings.append(check["HG-REDIS-003"].passed(subject, ev, "CONFIG refused without authentication"))
    else:
        findings.append(check["HG-REDIS-003"].skip(subject, "no probe answered", ev))
    findings.extend(grade_drift(inst, runtime, eff))
    # run-as user
    ev = {"pid": inst.get("pid"), "uid": inst.get("uid"), "user": inst.get("user")}
    if inst.get("uid") == 0:
        findings.append(check["HG-REDIS-007"].fail(subject, ev))
    elif inst.get("uid") is not None:
        findings.append(check["HG-REDIS-007"].passed(subject, ev))
    return findings


def grade_drift(inst, runtime, eff):
    """HG-REDIS-004: the signature of the cron-writing attack."""
    check = CHECKS["HG-REDIS-004"]
    explicit = eff.get("explicit") or ()
    conf_dir = eff.get("dir") if "dir" in explicit else None
    if conf_dir and not conf_dir.startswith("/"):
        conf_dir = None  # relative to the cwd Redis had at start: unknown, do not compare
    conf_db = eff.get("dbfilename") if "dbfilename" in explicit else None
    run_dir = runtime.get("dir") or inst.get("cwd")
    run_db = runtime.get("dbfilename") or conf_db or DEFAULTS["dbfilename"]
    dir_source = "CONFIG GET" if runtime.get("dir") else "/proc/<pid>/cwd"
    if not run_dir:
        return [check.skip(inst["name"], "runtime dir unknown (no probe answer, no /proc cwd)")]
    path = dump_path(run_dir, run_db)
    reasons = []
    category = classify_dir(run_dir)
    if category:
        reasons.append("dir is a %s" % category)
    name_cat = DANGEROUS_FILENAMES.get(run_db)
    if name_cat and category:
        reasons.append("dbfilename %s" % name_cat)
    if conf_dir and posixpath.normpath(conf_dir) != posixpath.normpath(run_dir):
        reasons.append("runtime dir differs from the config file (%s)" % conf_dir)
    if conf_db and "dbfilename" in runtime and conf_db != runtime["dbfilename"]:
        reasons.append("runtime dbfilename differs from the config file (%s)" % conf_db)
    ev = {"path": path, "runtime_dir": run_dir, "runtime_dbfilename": run_db,
          "config_dir": conf_dir, "config_dbfilename": conf_db, "dir_source": dir_source,
          "config": inst.get("config_path"), "instance": inst["name"],
          "related_checks": ["HG-CRON-001"]}
    if not reasons:
        return [check.passed(path, ev)]
    ev["reasons"] = reasons
    severity = "critical" if category or (conf_dir and posixpath.normpath(conf_dir) != posixpath.normpath(run_dir)) \
        else "high"
    return [check.fail(path, ev, "; ".join(reasons), severity=severity)]


def grade_units(units, root="/"):
    findings = []
    for name, unit in sorted(units.items()):
        if unit.get("masked"):
            findings.append(CHECKS["HG-REDIS-008"].skip(name, "unit is masked"))
            continue
        settings, problems = parse_unit(unit["files"], root)
        weak = grade_unit_settings(settings)
        ev = {"files": unit["files"], "User": settings.get("User"), "ProtectSystem": settings.get("ProtectSystem"),
              "ReadWritePaths": settings.get("ReadWritePaths", []) + settings.get("ReadWriteDirectories", []),
              "NoNewPrivileges": settings.get("NoNewPrivileges"), "ProtectHome": settings.get("ProtectHome"),
              "problems": problems}
        if weak:
            ev["weaknesses"] = weak
            findings.append(CHECKS["HG-REDIS-008"].fail(name, ev, "; ".join(weak)))
        else:
            findings.append(CHECKS["HG-REDIS-008"].passed(name, ev))
    return findings


# ---------------------------------------------------------------- scrub

def scrub(value, secrets):
    """Replace every secret (len >= 3) found in strings of ``value`` with <redacted>."""
    secrets = sorted((s for s in secrets if s and len(s) >= 3), key=len, reverse=True)
    if not secrets:
        return value
    return _scrub(value, secrets)


def _scrub(value, secrets):
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return dict((_scrub(k, secrets), _scrub(v, secrets)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_scrub(item, secrets) for item in value]
    return value


# ---------------------------------------------------------------- entry point

def audit(options):
    """Run the Redis area. Options (module argument_spec): root, proc, probe, endpoints,
    password, username, timeout, config_paths, max_reply_bytes."""
    started = time.monotonic()
    root = options.get("root") or "/"
    proc = options.get("proc") or "/proc"
    live = root == "/" and options.get("probe", True)
    timeout = float(options.get("timeout") or resp.DEFAULT_TIMEOUT)
    password = options.get("password") or None
    username = options.get("username") or None
    max_reply = int(options.get("max_reply_bytes") or resp.DEFAULT_MAX_REPLY_BYTES)
    secrets = set([password]) if password else set()
    findings = []

    # processes are read for the live system, or for an explicitly given proc tree
    servers = []
    procfs_root = proc_root(proc)
    if procfs_root is None:
        findings.append(CHECKS["HG-REDIS-011"].error(proc, "the proc option must be a directory named proc "
                                                           "(e.g. /host/proc)"))
    elif root == "/" or proc != "/proc":
        servers = find_servers(procfs_root, root)
    units = find_units(root)
    unit_configs = {}
    for name, unit in units.items():
        if not unit.get("masked"):
            settings, _p = parse_unit(unit["files"], root)
            unit_configs[name] = unit_config_path(settings)

    # probe running instances, then extra endpoints
    instances = []
    for index, server in enumerate(servers):
        inst = dict(server)
        inst["name"] = "%s pid %s" % (server["kind"], server["pid"])
        inst["unit"] = unit_of_pid(server["pid"], procfs_root)
        inst["probes"] = []
        if live:
            findings.extend(probe_instance(inst, server, index, password, username, timeout, max_reply))
        instances.append(inst)
    extra = list(options.get("endpoints") or [])
    if len(extra) > MAX_EXTRA_ENDPOINTS:
        findings.append(CHECKS["HG-REDIS-010"].error(
            "endpoints", "not fully probed: %d endpoints given, the first %d probed"
            % (len(extra), MAX_EXTRA_ENDPOINTS), {"reason": "endpoint_cap", "skipped": extra[MAX_EXTRA_ENDPOINTS:]}))
        extra = extra[:MAX_EXTRA_ENDPOINTS]
    for text in extra:
        try:
            address = resp.parse_address(text)
        except ValueError as exc:
            findings.append(CHECKS["HG-REDIS-010"].error(str(text), str(exc)))
            continue
        if not live:
            findings.append(CHECKS["HG-REDIS-010"].skip(resp.format_address(address), "probing disabled"))
            continue
        owner = next((i for i in instances if address in endpoints_of(i["listeners"])), None)
        if owner is not None and any(p["endpoint"] == resp.format_address(address) for p in owner["probes"]):
            continue  # already probed as a listener of that process
        probe = probe_endpoint(address, password, username, timeout, max_reply,
                               deadline=time.monotonic() + INSTANCE_BUDGET * timeout)
        probe["non_loopback"] = address[0] == "tcp" and not is_loopback(address[1])
        if probe["status"] == "error":
            # not (or not behaving as) a Redis server: report it, do not grade it as one
            findings.append(CHECKS["HG-REDIS-010"].error(probe["endpoint"], probe.get("error") or "probe failed",
                                                         {"endpoint": probe["endpoint"], "ping": probe["ping"],
                                                          "reason": probe.get("error_reason")}))
            continue
        if owner is None and probe.get("process_id"):
            owner = next((i for i in instances if str(i["pid"]) == str(probe["process_id"])), None)
        if owner is not None:
            owner["probes"].append(probe)
            continue
        # an endpoint no local process owns (another host, a container's network namespace)
        instances.append({"name": probe["endpoint"], "pid": None, "uid": None, "user": None, "cwd": None,
                          "listeners": [], "probes": [probe], "unit": None})

    # config files: defaults, extra paths, INFO config_file, unit ExecStart
    extra_paths = list(options.get("config_paths") or [])
    for inst in instances:
        for probe in inst["probes"]:
            if probe.get("config_file"):
                inst.setdefault("config_path", probe["config_file"])
                extra_paths.append(probe["config_file"])
        if not inst.get("config_path") and inst.get("unit") and unit_configs.get(inst["unit"]):
            inst["config_path"] = unit_configs[inst["unit"]]
    extra_paths.extend(p for p in unit_configs.values() if p)
    configs = {}
    included = set()
    for path in discover_config_paths(root, extra_paths):
        parsed = parse_config(path, root)
        if not parsed["files"] and parsed["problems"] and parsed["problems"][0]["reason"] == "missing":
            continue
        configs[path] = parsed
        for entry in parsed["files"][1:]:
            included.add(entry["path"])
        secrets |= config_secrets(parsed)
    # match instances without a known config by port / unixsocket
    for inst in instances:
        if inst.get("config_path"):
            continue
        ports = set(str(l.get("port")) for l in inst["listeners"] if l["family"] != "unix")
        socks = set(l.get("path") for l in inst["listeners"] if l["family"] == "unix")
        for path, parsed in configs.items():
            eff = effective_config(parsed)
            if (eff["port"] != "0" and eff["port"] in ports) or eff.get("unixsocket") in socks:
                inst["config_path"] = path
                break

    acl_cache = {}
    graded_configs = set()
    facts_instances = []
    for inst in instances:
        parsed = configs.get(inst.get("config_path")) if inst.get("config_path") else None
        eff = effective_config(parsed) if parsed else {}
        acl = None
        if eff.get("aclfile"):
            if eff["aclfile"] not in acl_cache:
                acl_cache[eff["aclfile"]] = parse_aclfile(eff["aclfile"], root)
            acl, problem, acl_secrets = acl_cache[eff["aclfile"]]
            secrets |= acl_secrets
            if problem:
                findings.append(CHECKS["HG-REDIS-012"].error(problem["path"], problem["detail"], problem))
        inst["effective"] = eff
        inst["acl_users"] = acl["users"] if acl else None
        findings.extend(grade_instance(inst))
        if parsed and inst["config_path"] not in graded_configs:
            graded_configs.add(inst["config_path"])
            findings.extend(grade_config(inst["config_path"], parsed, eff, acl))
        facts_instances.append(_instance_fact(inst))
    for path, parsed in sorted(configs.items()):
        if path in graded_configs or path in included or parsed["sentinel"]:
            continue
        eff = effective_config(parsed)
        acl = None
        if eff.get("aclfile"):
            acl, problem, acl_secrets = parse_aclfile(eff["aclfile"], root)
            secrets |= acl_secrets
        findings.extend(grade_config(path, parsed, eff, acl))
        # a config no running instance uses: no-auth is still worth saying
        state = default_user_state(eff, acl["users"] if acl else None, None)
        ev = {"default_user": state, "requirepass_in_config": eff.get("requirepass_set"), "running": False}
        local_only = eff["port"] == "0" or bind_is_loopback_only(eff["bind"])
        findings.append(CHECKS["HG-REDIS-006"].fail(path, ev, severity="medium" if local_only else None)
                        if state == "nopass"
                        else CHECKS["HG-REDIS-006"].passed(path, ev, "authentication configured"))
    findings.extend(grade_units(units, root))

    facts = {
        "instances": facts_instances,
        "config_files": dict((path, {
            "files": [dict((k, v) for k, v in f.items()) for f in parsed["files"]],
            "sentinel": parsed["sentinel"],
            "effective": _public_effective(effective_config(parsed)),
            "problems": parsed["problems"],
        }) for path, parsed in configs.items()),
        "units": dict((name, unit["files"]) for name, unit in units.items()),
        "probed": live,
    }
    result = area_result(sort_findings(findings), facts, round(time.monotonic() - started, 3))
    return scrub(result, secrets)


def _public_effective(eff):
    keys = ("bind", "bind_configured", "port", "protected-mode", "unixsocket", "aclfile", "dir",
            "dbfilename", "requirepass_set", "renamed_commands", "users") + PROTECTION_DIRECTIVES
    return dict((k, eff.get(k)) for k in keys if k in eff)


def _instance_fact(inst):
    probes = []
    for probe in inst.get("probes") or []:
        probes.append(dict((k, probe.get(k)) for k in (
            "endpoint", "status", "error", "ping", "auth", "version", "config_file", "config_access",
            "runtime", "acl_default", "whoami")))
    return {"name": inst["name"], "pid": inst.get("pid"), "not_probed": inst.get("not_probed", []), "uid": inst.get("uid"), "user": inst.get("user"),
            "cwd": inst.get("cwd"), "unit": inst.get("unit"), "config": inst.get("config_path"),
            "listeners": inst.get("listeners"), "probes": probes}
