import os
import socket

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.core import procfs
from procfixture import add_process, write


def test_process_fields(tmp_path):
    add_process(tmp_path, 42, "redis-server", rss_kib=5120, adj=-1000, uid=101,
                cmdline=["/usr/bin/redis-server", "127.0.0.1:6379"], unit="redis-server.service")
    info = procfs.process(str(tmp_path), 42)
    assert info["comm"] == "redis-server"
    assert info["uid"] == 101
    assert info["rss_kib"] == 5120
    assert info["oom_score_adj"] == -1000
    assert info["oom_score"] == 0
    assert info["cmdline"] == ["/usr/bin/redis-server", "127.0.0.1:6379"]
    assert not info["kernel_thread"]
    assert procfs.systemd_unit_of(procfs.cgroups(str(tmp_path), 42)) == "redis-server.service"


def test_kernel_thread_and_listing(tmp_path):
    add_process(tmp_path, 2, "kthreadd", kernel=True, ppid=0)
    add_process(tmp_path, 10, "bash")
    write(tmp_path, "/proc/self/status", "Name: x\n")  # non-numeric entries are ignored
    pids, trunc = procfs.list_pids(str(tmp_path))
    assert pids == [2, 10] and not trunc
    assert procfs.process(str(tmp_path), 2)["kernel_thread"]
    assert [p["pid"] for p in procfs.iter_processes(str(tmp_path))] == [10]
    assert [p["pid"] for p in procfs.iter_processes(str(tmp_path), include_kernel=True)] == [2, 10]
    assert procfs.list_pids(str(tmp_path), limit=1) == ([2], True)


def test_vanished_process_is_none(tmp_path):
    add_process(tmp_path, 10, "bash")
    os.remove(str(tmp_path / "proc/10/status"))
    assert procfs.process(str(tmp_path), 10) is None
    assert procfs.process(str(tmp_path), 999) is None
    assert procfs.cmdline(str(tmp_path), 999) is None
    assert procfs.socket_inodes(999, str(tmp_path)) == []


def test_cmdline_bounded(tmp_path):
    add_process(tmp_path, 11, "x", cmdline=["a"] * 500)
    args = procfs.cmdline(str(tmp_path), 11, max_args=10)
    assert args[:10] == ["a"] * 10 and args[10] == "...<490 more args>"
    write(tmp_path, "/proc/12/cmdline", b"\xff\xfe\x00" + b"b" * 10000)
    cut = procfs.cmdline(str(tmp_path), 12, max_bytes=100)
    assert cut[0] == "\\xff\\xfe" and len(cut[1]) == 97


def test_cmdline_fifo_refused(tmp_path):
    add_process(tmp_path, 13, "x")
    os.remove(str(tmp_path / "proc/13/cmdline"))
    os.mkfifo(str(tmp_path / "proc/13/cmdline"))
    assert procfs.cmdline(str(tmp_path), 13) is None  # never blocks on a FIFO


def test_legacy_oom_adj(tmp_path):
    add_process(tmp_path, 14, "old")
    os.remove(str(tmp_path / "proc/14/oom_score_adj"))
    write(tmp_path, "/proc/14/oom_adj", "-17\n")
    assert procfs.oom_score_adj(str(tmp_path), 14) == -1000
    write(tmp_path, "/proc/14/oom_adj", "15\n")
    assert procfs.oom_score_adj(str(tmp_path), 14) == 882


TCP = """  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 5555 1 0 100 0 0 10 0
   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6666 1 0 100 0 0 10 0
   2: 0100007F:18EB 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000   101        0 7777 1 0 100 0 0 10 0
"""
TCP6 = """  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:18EB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 8888 1 0 100 0 0 10 0
"""
UNIX = """Num       RefCount Protocol Flags    Type St Inode Path
0000000000000000: 00000002 00000000 00010000 0001 01 9999 /run/redis/redis.sock
0000000000000000: 00000003 00000000 00000000 0001 03 9998 /run/other.sock
"""


def test_listening_sockets(tmp_path):
    write(tmp_path, "/proc/net/tcp", TCP)
    write(tmp_path, "/proc/net/tcp6", TCP6)
    write(tmp_path, "/proc/net/unix", UNIX)
    socks = procfs.listening_sockets(str(tmp_path))
    simple = sorted((s["proto"], s["addr"], s["port"], s["inode"]) for s in socks)
    assert simple == sorted([("tcp", "127.0.0.1", 6379, 5555), ("tcp", "0.0.0.0", 22, 6666),
                             ("tcp6", "::1", 6379, 8888),
                             ("unix", "/run/redis/redis.sock", None, 9999)])


def add_fds(root, pid, targets):
    """/proc/<pid>/fd/<n> -> target links (fd numbers in the order given)."""
    fd = root / ("proc/%d/fd" % pid)
    fd.mkdir()
    for number, target in targets:
        os.symlink(target, str(fd / str(number)))


def test_socket_inodes_and_join(tmp_path):
    write(tmp_path, "/proc/net/tcp", TCP)
    add_process(tmp_path, 42, "redis-server")
    add_fds(tmp_path, 42, [(6, "socket:[5555]"), (0, "/dev/null"), (7, "socket:[12]")])
    assert procfs.socket_inodes(42, str(tmp_path)) == [12, 5555]
    held = procfs.listeners_by_pid(str(tmp_path))
    assert list(held) == [42] and held[42][0]["port"] == 6379


def test_real_listening_socket_is_found():
    """The real /proc of this machine: a socket we open shows up with its inode."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        inode = os.fstat(srv.fileno()).st_ino
        found = [s for s in procfs.listening_sockets("/") if s["port"] == port]
        assert found and found[0]["addr"] == "127.0.0.1" and found[0]["inode"] == inode
        assert inode in procfs.socket_inodes(os.getpid())
    finally:
        srv.close()


@pytest.mark.parametrize("hexaddr,family,expected", [
    ("0100007F:0050", 4, ("127.0.0.1", 80)),
    ("00000000000000000000000001000000:0050", 6, ("::1", 80)),
    ("0000000000000000FFFF00000100007F:1F90", 6, ("::ffff:127.0.0.1", 8080)),
])
def test_decode_address(hexaddr, family, expected):
    assert procfs.decode_address(hexaddr, family, "little") == expected


def test_process_listeners_read_the_process_namespace(tmp_path):
    """/proc/<pid>/net is the process's own namespace: a container's listener is not in /proc/net."""
    write(tmp_path, "/proc/net/tcp", TCP.splitlines()[0] + "\n")   # host namespace: nothing
    write(tmp_path, "/proc/43/net/tcp", TCP)
    write(tmp_path, "/proc/43/net/unix", UNIX)
    add_process(tmp_path, 43, "redis-server")
    add_fds(tmp_path, 43, [(6, "socket:[5555]"), (7, "socket:[9999]"), (8, "socket:[6666]")])
    assert procfs.listeners_by_pid(str(tmp_path)) == {}
    got = procfs.process_listeners(str(tmp_path), 43)
    assert sorted((s["proto"], s["port"], s["inode"]) for s in got) == [
        ("tcp", 22, 6666), ("tcp", 6379, 5555), ("unix", None, 9999)]
    assert procfs.process_listeners(str(tmp_path), 43, max_fds=1)[0]["inode"] in (5555, 9999, 6666)
    assert procfs.process_listeners(str(tmp_path), 999) == []


def test_cwd_namespace_and_padded_cmdline(tmp_path):
    add_process(tmp_path, 44, "redis-server")
    os.symlink("/var/lib/redis", str(tmp_path / "proc/44/cwd"))
    os.makedirs(str(tmp_path / "proc/44/ns"))
    os.symlink("net:[4026531840]", str(tmp_path / "proc/44/ns/net"))
    write(tmp_path, "/proc/44/cmdline", b"/usr/bin/redis-server 127.0.0.1:6379" + b"\x00" * 40)
    assert procfs.cwd(str(tmp_path), 44) == "/var/lib/redis"
    assert procfs.namespace(str(tmp_path), 44, "net") == "net:[4026531840]"
    assert procfs.namespace(str(tmp_path), 44, "mnt") is None
    assert procfs.cmdline(str(tmp_path), 44) == ["/usr/bin/redis-server 127.0.0.1:6379"]
    assert procfs.cwd(str(tmp_path), 999) is None


def test_real_own_namespace_and_cwd():
    assert procfs.namespace("/", "self", "net").startswith("net:[")
    assert procfs.cwd("/", os.getpid()) == os.getcwd()


def test_process_table_is_shared_between_hosts_kernel_threads_included(tmp_path, monkeypatch):
    """host_audit builds one Host per area: within the cache window a second Host reads no
    process again, kernel threads (cached as "not a user process") included."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.core import hostfacts, procfs as P
    from procfixture import add_process
    add_process(str(tmp_path), 1, "systemd")
    add_process(str(tmp_path), 2, "kthreadd", kernel=True)
    add_process(str(tmp_path), 300, "sshd")
    monkeypatch.setattr(hostfacts, "_PROC_CACHE", {})
    reads = []
    real_comm = P.comm
    monkeypatch.setattr(P, "comm", lambda root, pid: reads.append(pid) or real_comm(root, pid))
    first = hostfacts.Host(str(tmp_path)).processes()
    assert sorted(p["comm"] for p in first) == ["sshd", "systemd"] and sorted(reads) == [1, 2, 300]
    del reads[:]
    assert hostfacts.Host(str(tmp_path)).processes() == first
    assert reads == []
