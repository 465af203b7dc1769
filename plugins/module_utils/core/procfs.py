# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading ``/proc`` under a ``root``: processes, their memory and OOM attributes, sockets.

Shared by every area that looks at running processes (OOM posture, Redis instances, ...).
Rules:
- every file is read through ``safe_read`` (bounded head, regular files only); ``/proc``
  files report size 0, so the bound is what protects us, not the size;
- a process may vanish between ``listdir`` and the read: every per-process reader returns
  ``None`` (or an empty value) instead of raising;
- everything is bounded in count (pids, fds, sockets, cmdline arguments and bytes).
``root`` is the directory that holds the audited ``proc`` tree ("/" for this host; a fixture
tree in tests). Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import socket
import struct
import sys

from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import (
    SafeReadError, iter_lines, join_root, read_head)

DEFAULT_MAX_PIDS = 32768
DEFAULT_MAX_FDS = 4096
DEFAULT_MAX_SOCKETS = 65536
MAX_SMALL_FILE = 64 * 1024          # status, cgroup, oom_* ...
MAX_CMDLINE_BYTES = 4096
MAX_CMDLINE_ARGS = 64
MAX_NET_BYTES = 32 * 1024 * 1024    # /proc/net/tcp of a busy host: ~150 bytes a socket

# /proc/<pid>/status fields returned as integers in kB ("VmRSS:     1234 kB").
KB_FIELDS = ("VmPeak", "VmSize", "VmLck", "VmPin", "VmHWM", "VmRSS", "RssAnon", "RssFile",
             "RssShmem", "VmData", "VmStk", "VmExe", "VmLib", "VmPTE", "VmSwap")
INT_FIELDS = ("Tgid", "Ngid", "Pid", "PPid", "TracerPid", "Threads")
ID_FIELDS = ("Uid", "Gid")  # real, effective, saved, filesystem

# TCP states (include/net/tcp_states.h): 0A = TCP_LISTEN, 07 = TCP_CLOSE (an unconnected,
# bound UDP socket shows this state).
TCP_LISTEN = "0A"
UDP_UNCONNECTED = "07"
# /proc/net/unix: __SO_ACCEPTCON flag (include/uapi/linux/net.h) marks a listening socket.
SO_ACCEPTCON = 0x00010000


def proc_path(root, *parts):
    return os.path.join(join_root(root, "/proc"), *[str(p) for p in parts])


def read_proc_bytes(root, pid, name, max_bytes=MAX_SMALL_FILE):
    """Bytes of /proc/<pid>/<name> (pid may be None for /proc/<name>), or None if unreadable."""
    path = proc_path(root, name) if pid is None else proc_path(root, pid, name)
    try:
        data, _info, _trunc = read_head(path, max_bytes)
    except (SafeReadError, OSError):
        return None
    return data


def read_proc_text(root, pid, name, max_bytes=MAX_SMALL_FILE):
    data = read_proc_bytes(root, pid, name, max_bytes)
    if data is None:
        return None
    return data.decode("utf-8", "backslashreplace")


def list_pids(root="/", limit=DEFAULT_MAX_PIDS):
    """Numeric entries of /proc, sorted, at most ``limit``. Returns (pids, truncated)."""
    try:
        names = os.listdir(proc_path(root))
    except OSError:
        return [], False
    # str.isdigit() is true for "²" and "٣": only ASCII digits name a process.
    pids = sorted(int(n) for n in names if n and len(n) < 20 and n.strip("0123456789") == "")
    limit = max(0, int(limit))
    return pids[:limit], len(pids) > limit


def comm(root, pid):
    text = read_proc_text(root, pid, "comm", 256)
    if text is None:
        return None
    return text.rstrip("\n")


def cmdline(root, pid, max_bytes=MAX_CMDLINE_BYTES, max_args=MAX_CMDLINE_ARGS):
    """argv as a list (NUL-split, bounded), [] for kernel threads, None if the pid is gone.

    Trailing NULs are all dropped: a process that rewrites its title (redis-server's
    setproctitle) pads the old argv area with NULs, which are not arguments."""
    data = read_proc_bytes(root, pid, "cmdline", max_bytes)
    if data is None:
        return None
    data = data.rstrip(b"\x00")
    if not data:
        return []
    parts = data.split(b"\x00")
    out = [p.decode("utf-8", "backslashreplace") for p in parts[:max_args]]
    if len(parts) > max_args:
        out.append("...<%d more args>" % (len(parts) - max_args))
    return out


def parse_status(text):
    """Parse /proc/<pid>/status text into a dict; kB fields as ints (kB), ids as int lists."""
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        value = value.strip()
        if key in KB_FIELDS:
            try:
                out[key] = int(value.split()[0])
            except (ValueError, IndexError):
                continue
        elif key in INT_FIELDS:
            try:
                out[key] = int(value)
            except ValueError:
                continue
        elif key in ID_FIELDS:
            try:
                out[key] = [int(v) for v in value.split()]
            except ValueError:
                continue
        elif key in ("Name", "State", "Umask", "NSpid", "CapEff", "CapBnd", "Seccomp",
                     "NoNewPrivs"):
            out[key] = value
    return out


def status(root, pid):
    text = read_proc_text(root, pid, "status")
    if text is None:
        return None
    return parse_status(text)


def _read_int(root, pid, name):
    text = read_proc_text(root, pid, name, 64)
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def oom_score(root, pid):
    return _read_int(root, pid, "oom_score")


def oom_adj_to_score_adj(adj):
    """Legacy /proc/<pid>/oom_adj (-17..15) to oom_score_adj (-1000..1000).

    Same conversion as the kernel's oom_adj_write(): OOM_DISABLE (-17) is -1000,
    otherwise adj * 1000 / 17 (OOM_SCORE_ADJ_MAX / -OOM_DISABLE)."""
    if adj == -17:
        return -1000
    return int(adj * 1000 / 17)


def oom_score_adj(root, pid):
    """oom_score_adj, falling back to the pre-2.6.36 oom_adj (converted)."""
    value = _read_int(root, pid, "oom_score_adj")
    if value is not None:
        return value
    legacy = _read_int(root, pid, "oom_adj")
    if legacy is None:
        return None
    return oom_adj_to_score_adj(legacy)


def cgroups(root, pid):
    """/proc/<pid>/cgroup as a list of {hierarchy, controllers, path}."""
    text = read_proc_text(root, pid, "cgroup")
    if text is None:
        return None
    out = []
    for line in text.splitlines()[:64]:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        out.append({"hierarchy": parts[0], "controllers": parts[1], "path": parts[2]})
    return out


def systemd_unit_of(cgroup_list):
    """The systemd unit a process belongs to, from its cgroup path (v2 or name=systemd)."""
    for entry in cgroup_list or []:
        if entry["hierarchy"] == "0" or entry["controllers"] == "name=systemd":
            for part in reversed(entry["path"].split("/")):
                if part.endswith((".service", ".scope")):
                    return part
    return None


def _readlink(root, pid, *name):
    try:
        return os.readlink(proc_path(root, pid, *name))
    except OSError:
        return None


def exe(root, pid):
    """Target of /proc/<pid>/exe (as the kernel prints it), or None."""
    return _readlink(root, pid, "exe")


def cwd(root, pid):
    """Working directory of a process (/proc/<pid>/cwd), or None."""
    return _readlink(root, pid, "cwd")


def namespace(root, pid, kind):
    """Namespace id of a process (``pid`` may be "self"), e.g. 'net:[4026531840]', or None."""
    return _readlink(root, pid, "ns", kind)


def kib_to_mib(kib):
    return round((kib or 0) / 1024.0, 1)


def process(root, pid, with_cmdline=True):
    """One process as a dict, or None if it vanished (or is unreadable)."""
    st = status(root, pid)
    if st is None:
        return None
    name = comm(root, pid)
    if name is None:
        name = st.get("Name")
    uids = st.get("Uid") or []
    info = {
        "pid": int(pid),
        "ppid": st.get("PPid"),
        "comm": name,
        "uid": uids[0] if uids else None,
        "euid": uids[1] if len(uids) > 1 else None,
        "state": st.get("State"),
        "rss_kib": st.get("VmRSS"),
        "swap_kib": st.get("VmSwap"),
        "vsz_kib": st.get("VmSize"),
        # a task without an mm (kernel thread) has no Vm* lines at all
        "kernel_thread": "VmSize" not in st and int(pid) != 1,
        "oom_score": oom_score(root, pid),
        "oom_score_adj": oom_score_adj(root, pid),
    }
    if with_cmdline:
        info["cmdline"] = cmdline(root, pid) or []
    return info


def iter_processes(root="/", limit=DEFAULT_MAX_PIDS, with_cmdline=True, include_kernel=False):
    """Yield process dicts for every readable pid (bounded by ``limit``)."""
    pids, _trunc = list_pids(root, limit)
    for pid in pids:
        info = process(root, pid, with_cmdline)
        if info is None:
            continue
        if info["kernel_thread"] and not include_kernel:
            continue
        yield info


def meminfo(root="/"):
    """/proc/meminfo as {field: kB}."""
    text = read_proc_text(root, None, "meminfo")
    out = {}
    for line in (text or "").splitlines():
        key, sep, value = line.partition(":")
        if sep:
            try:
                out[key] = int(value.split()[0])
            except (ValueError, IndexError):
                continue
    return out


# --- sockets -------------------------------------------------------------------------------

def _hex_to_ipv4(hexaddr, byteorder=None):
    raw = struct.pack("<I" if (byteorder or sys.byteorder) == "little" else ">I", int(hexaddr, 16))
    return socket.inet_ntop(socket.AF_INET, raw)


def _hex_to_ipv6(hexaddr, byteorder=None):
    fmt = "<I" if (byteorder or sys.byteorder) == "little" else ">I"
    raw = b"".join(struct.pack(fmt, int(hexaddr[i:i + 8], 16)) for i in range(0, 32, 8))
    return socket.inet_ntop(socket.AF_INET6, raw)


def decode_address(hexpair, family, byteorder=None):
    """'0100007F:1F90' -> ('127.0.0.1', 8080). The address is the kernel's __be32 words
    printed as host-order integers (net/ipv4/tcp_ipv4.c get_tcp4_sock, "%08X:%04X")."""
    addr, _sep, port = hexpair.partition(":")
    if family == 6:
        return _hex_to_ipv6(addr, byteorder), int(port, 16)
    return _hex_to_ipv4(addr, byteorder), int(port, 16)


def parse_inet_table(lines, proto, byteorder=None, limit=DEFAULT_MAX_SOCKETS):
    """Listening entries of a /proc/net/{tcp,tcp6,udp,udp6} table (iterable of text lines)."""
    family = 6 if proto.endswith("6") else 4
    want = TCP_LISTEN if proto.startswith("tcp") else UDP_UNCONNECTED
    out = []
    for index, line in enumerate(lines):
        if index == 0 and "local_address" in line:
            continue
        fields = line.split()
        if len(fields) < 10:
            continue
        if fields[3].upper() != want:
            continue
        try:
            addr, port = decode_address(fields[1], family, byteorder)
            inode = int(fields[9])
            uid = int(fields[7])
        except (ValueError, struct.error, OSError):
            continue
        out.append({"proto": proto, "addr": addr, "port": port, "inode": inode, "uid": uid})
        if len(out) >= limit:
            break
    return out


def parse_unix_table(lines, limit=DEFAULT_MAX_SOCKETS):
    """Listening unix sockets from /proc/net/unix lines.

    Columns: Num RefCount Protocol Flags Type St Inode Path (net/unix/af_unix.c unix_seq_show).
    """
    out = []
    for index, line in enumerate(lines):
        if index == 0 and "RefCount" in line:
            continue
        fields = line.split(None, 7)
        if len(fields) < 7:
            continue
        try:
            flags = int(fields[3], 16)
            inode = int(fields[6])
        except ValueError:
            continue
        if not flags & SO_ACCEPTCON:
            continue
        path = fields[7].strip() if len(fields) > 7 else ""
        out.append({"proto": "unix", "addr": path, "port": None, "inode": inode,
                    "path": path, "type": fields[4]})
        if len(out) >= limit:
            break
    return out


def _net_lines(root, name, pid=None):
    path = proc_path(root, "net", name) if pid is None else proc_path(root, pid, "net", name)
    try:
        for _no, line, _cut in iter_lines(path, MAX_NET_BYTES, 4096):
            yield line.decode("ascii", "replace")
    except (SafeReadError, OSError):
        return


def listening_sockets(root="/", protos=("tcp", "tcp6", "udp", "udp6", "unix"),
                      limit=DEFAULT_MAX_SOCKETS, pid=None):
    """Listening sockets of the network namespace /proc/net shows (with ``pid``: the one
    /proc/<pid>/net shows, i.e. that process's own namespace, a container's for instance):
    [{proto, addr, port, inode}] (unix sockets: addr = path, port = None). Missing tables
    (no IPv6) are skipped."""
    out = []
    for proto in protos:
        if proto == "unix":
            out.extend(parse_unix_table(_net_lines(root, "unix", pid), limit))
        else:
            out.extend(parse_inet_table(_net_lines(root, proto, pid), proto, limit=limit))
        if len(out) >= limit:
            return out[:limit]
    return out


def socket_inodes(pid, root="/", limit=DEFAULT_MAX_FDS):
    """Socket inodes held open by ``pid`` (from /proc/<pid>/fd links "socket:[N]").

    Returns a sorted list; [] when the process is gone or its fds are not readable."""
    fd_dir = proc_path(root, pid, "fd")
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return []
    inodes = set()
    for name in names[:max(0, int(limit))]:
        try:
            target = os.readlink(os.path.join(fd_dir, name))
        except OSError:
            continue
        if target.startswith("socket:[") and target.endswith("]"):
            try:
                inodes.add(int(target[8:-1]))
            except ValueError:
                continue
    return sorted(inodes)


def listeners_by_pid(root="/", pids=None, limit=DEFAULT_MAX_PIDS):
    """{pid: [listening socket dicts]} by joining socket inodes with the listening tables."""
    by_inode = dict((s["inode"], s) for s in listening_sockets(root) if s["inode"])
    if pids is None:
        pids, _trunc = list_pids(root, limit)
    out = {}
    for pid in pids:
        held = [by_inode[i] for i in socket_inodes(pid, root) if i in by_inode]
        if held:
            out[int(pid)] = held
    return out


def process_listeners(root, pid, protos=("tcp", "tcp6", "unix"), max_fds=DEFAULT_MAX_FDS):
    """Listening sockets held open by ``pid``, read in the process's own network namespace
    (/proc/<pid>/net/*) and matched by inode with its /proc/<pid>/fd links."""
    inodes = set(socket_inodes(pid, root, max_fds))
    if not inodes:
        return []
    return [s for s in listening_sockets(root, protos, pid=pid) if s["inode"] in inodes]
