# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Facts of area redis: running servers from /proc (user, cwd, listeners, unit), redis/valkey
systemd units, the config files to read. Bounded I/O, no verdicts."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.hostguard.hardening.plugins.module_utils.core import accounts
from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths
from ansible_collections.hostguard.hardening.plugins.module_utils.core import procfs
from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core import systemd_units
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.read_config import expand_glob


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
SERVER_NAMES = ("redis-server", "valkey-server")
MAX_SERVER_FDS = 65536   # a busy server holds maxclients (10000 by default) sockets and more


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


def find_units(root="/"):
    """{unit name: {masked, files: [unit file then drop-ins, in order]}} for redis/valkey units
    (systemd_units.find_units: search path precedence, masking, aliases left out)."""
    units = {}
    for name, unit in systemd_units.find_units(root, UNIT_PATTERNS).items():
        units[name] = {"masked": unit["masked"],
                       "files": [] if unit["masked"] else systemd_units.unit_files(unit),
                       "cut": systemd_units.dropins_cut(unit)}
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


def unit_config_path(settings):
    """The config path on a unit's ExecStart (first argument ending in .conf)."""
    for line in settings.get("ExecStart", []):
        for arg in line.lstrip("@-:+!").split()[1:]:
            if arg.endswith(".conf"):
                return arg
    return None


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
