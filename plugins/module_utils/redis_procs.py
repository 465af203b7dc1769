# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The /proc reading the Redis audit needs: server processes, their user, cwd, and sockets.

Written for the Redis area while ``procfs.py`` (the shared /proc reader) was not yet on
a branch this one could merge; everything here is generic and meant to be folded into
``procfs.py`` (process list, cmdline, uid, listening sockets, socket inodes per pid).

- processes: ``/proc/<pid>/comm``, ``cmdline`` (NUL-separated; redis-server rewrites its
  own title, so the config path is usually *not* there), ``status`` (Uid), ``cwd`` (Redis
  ``chdir``s into its ``dir``, so cwd is the runtime ``dir`` even when CONFIG is refused);
- listening sockets of a process: its ``fd/*`` links ``socket:[inode]`` matched against
  ``/proc/<pid>/net/tcp``, ``tcp6`` (state 0A = LISTEN) and ``unix`` (flag __SO_ACCEPTCON
  0x10000), read in the process's own network namespace.
Every file goes through safe_read (bounded). Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import socket
import struct

from ansible_collections.hostguard.hardening.plugins.module_utils import safe_read

MAX_PROC_FILE = 4096 * 16
MAX_NET_TABLE = 8 * 1024 * 1024
MAX_FDS = 65536
TCP_LISTEN = "0A"
SO_ACCEPTCON = 0x10000


def _read_text(path, max_bytes=MAX_PROC_FILE):
    try:
        data, _info, _trunc = safe_read.read_head(path, max_bytes)
    except safe_read.SafeReadError:
        return None
    return data.decode("utf-8", "backslashreplace")


def list_pids(proc="/proc"):
    try:
        names = os.listdir(proc)
    except OSError:
        return []
    return sorted(int(name) for name in names if name.isdigit())


def read_cmdline(pid, proc="/proc"):
    try:
        data, _info, _trunc = safe_read.read_head(os.path.join(proc, str(pid), "cmdline"), MAX_PROC_FILE)
    except safe_read.SafeReadError:
        return []
    parts = data.split(b"\0")
    while parts and parts[-1] == b"":
        parts.pop()
    return [part.decode("utf-8", "backslashreplace") for part in parts]


def read_comm(pid, proc="/proc"):
    value = _read_text(os.path.join(proc, str(pid), "comm"), 256)
    return value.strip() if value is not None else None


def read_uids(pid, proc="/proc"):
    """(real, effective) uid from ``status``, or (None, None)."""
    status = _read_text(os.path.join(proc, str(pid), "status"))
    if not status:
        return None, None
    for line in status.splitlines():
        if line.startswith("Uid:"):
            fields = line.split()[1:]
            try:
                return int(fields[0]), int(fields[1])
            except (IndexError, ValueError):
                return None, None
    return None, None


def read_cwd(pid, proc="/proc"):
    try:
        return os.readlink(os.path.join(proc, str(pid), "cwd"))
    except OSError:
        return None


def socket_inodes(pid, proc="/proc"):
    """Set of socket inodes held open by ``pid`` (from ``fd/*`` -> ``socket:[N]``)."""
    fd_dir = os.path.join(proc, str(pid), "fd")
    out = set()
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return out
    for name in names[:MAX_FDS]:
        try:
            target = os.readlink(os.path.join(fd_dir, name))
        except OSError:
            continue
        if target.startswith("socket:[") and target.endswith("]"):
            try:
                out.add(int(target[8:-1]))
            except ValueError:
                continue
    return out


def _hex_to_ip(hexaddr):
    """/proc/net/tcp{,6} address (host-order 32-bit words in hex) -> text."""
    raw = bytes(bytearray.fromhex(hexaddr))
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, struct.pack("<I", struct.unpack(">I", raw)[0]))
    if len(raw) == 16:
        words = struct.unpack(">4I", raw)
        packed = b"".join(struct.pack("<I", word) for word in words)
        return socket.inet_ntop(socket.AF_INET6, packed)
    raise ValueError("bad address length")


def parse_net_tcp(content, family="tcp"):
    """Listening sockets of a /proc/net/tcp or tcp6 table: [{inode, address, port, family}]."""
    out = []
    for line in (content or "").splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10 or fields[3] != TCP_LISTEN:
            continue
        try:
            addr_hex, port_hex = fields[1].split(":")
            address = _hex_to_ip(addr_hex)
            port = int(port_hex, 16)
            inode = int(fields[9])
        except (ValueError, TypeError):
            continue
        # an IPv4-mapped IPv6 address is an IPv4 listener
        if address.startswith("::ffff:") and "." in address:
            address = address[7:]
        out.append({"inode": inode, "address": address, "port": port, "family": family})
    return out


def parse_net_unix(content):
    """Listening unix stream sockets with a path: [{inode, path}]."""
    out = []
    for line in (content or "").splitlines()[1:]:
        fields = line.split(None, 7)
        if len(fields) < 8:
            continue
        try:
            flags = int(fields[3], 16)
            inode = int(fields[6])
        except ValueError:
            continue
        if not flags & SO_ACCEPTCON:
            continue
        path = fields[7].strip()
        out.append({"inode": inode, "path": path, "family": "unix"})
    return out


def listening_sockets(pid, proc="/proc"):
    """Listening tcp/tcp6/unix sockets owned by ``pid`` (matched by inode)."""
    inodes = socket_inodes(pid, proc)
    if not inodes:
        return []
    net = os.path.join(proc, str(pid), "net")
    found = []
    for name, family in (("tcp", "tcp"), ("tcp6", "tcp6")):
        found.extend(parse_net_tcp(_read_text(os.path.join(net, name), MAX_NET_TABLE), family))
    found.extend(parse_net_unix(_read_text(os.path.join(net, "unix"), MAX_NET_TABLE)))
    return [item for item in found if item["inode"] in inodes]


def is_loopback(address):
    if address in ("localhost",):
        return True
    if address.startswith("127."):
        return True
    return address in ("::1", "0:0:0:0:0:0:0:1")


def passwd_names(root="/"):
    """uid -> user name from ``<root>/etc/passwd`` (bounded read)."""
    out = {}
    text = _read_text(safe_read.join_root(root, "/etc/passwd"), 4 * 1024 * 1024)
    for line in (text or "").splitlines():
        parts = line.split(":")
        if len(parts) >= 3:
            try:
                out.setdefault(int(parts[2]), parts[0])
            except ValueError:
                continue
    return out


SERVER_NAMES = ("redis-server", "valkey-server")


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


def namespace(pid, kind, proc="/proc"):
    """The ``net``/``mnt`` namespace id of a process (``net:[4026531840]``), or None."""
    try:
        return os.readlink(os.path.join(proc, str(pid), "ns", kind))
    except OSError:
        return None


def find_servers(proc="/proc", root="/"):
    """Running redis-server / valkey-server processes with user, cwd and listeners."""
    users = passwd_names(root)
    own_net = namespace("self", "net", proc)
    own_mnt = namespace("self", "mnt", proc)
    out = []
    for pid in list_pids(proc):
        comm = read_comm(pid, proc)
        if comm is None:
            continue
        cmdline = read_cmdline(pid, proc)
        kind = server_kind(comm, cmdline)
        if not kind:
            continue
        # a thread-group leader only (skip redis' own background threads: they are not in /proc/<pid>)
        ruid, euid = read_uids(pid, proc)
        out.append({
            "pid": pid,
            "kind": kind,
            "comm": comm,
            "cmdline": cmdline,
            "uid": euid,
            "user": users.get(euid) if euid is not None else None,
            "cwd": read_cwd(pid, proc),
            "listeners": listening_sockets(pid, proc),
            # a server in another namespace (a container) is not reachable through our
            # loopback / our view of its socket paths
            "same_netns": namespace(pid, "net", proc) == own_net,
            "same_mntns": namespace(pid, "mnt", proc) == own_mnt,
        })
    return out
