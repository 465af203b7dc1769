"""Redis config parsing (fixture trees under tmp_path) and /proc table parsing."""
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.core import procfs
from ansible_collections.hostguard.hardening.plugins.module_utils.redis import audit as redis
from conftest import write  # noqa: E402


@pytest.mark.parametrize("line,expected", [
    ("bind 127.0.0.1 -::1", ["bind", "127.0.0.1", "-::1"]),
    ('rename-command CONFIG ""', ["rename-command", "CONFIG", ""]),
    ("rename-command CONFIG ''", ["rename-command", "CONFIG", ""]),
    ('requirepass "a b\\"c\\x41\\n"', ["requirepass", 'a b"cA\n']),
    ("requirepass 'it\\'s'", ["requirepass", "it's"]),
    ("  dir   /var/lib/redis  ", ["dir", "/var/lib/redis"]),
    ('logfile ""', ["logfile", ""]),
])
def test_split_args(line, expected):
    assert redis.split_args(line) == expected


@pytest.mark.parametrize("line", ['requirepass "abc', "dir 'x", 'dir "a"b'])
def test_split_args_unbalanced(line):
    with pytest.raises(redis.ConfigSyntaxError):
        redis.split_args(line)


def test_parse_include_last_wins_and_renames(tmp_path):
    write(tmp_path, "/etc/redis/redis.conf",
          "# comment\nport 6379\nbind 10.0.0.1 127.0.0.1\ninclude /etc/redis/local.d/*.conf\n"
          "protected-mode yes\nrename-command CONFIG \"\"\nrename-command FLUSHALL s3cr3tname\n"
          "NoSuchDirective whatever\n")
    write(tmp_path, "/etc/redis/local.d/b.conf", "protected-mode no\nport 6380\n")
    write(tmp_path, "/etc/redis/local.d/a.conf", "port 7000\nbind 127.0.0.1 -::1\n")
    parsed = redis.parse_config("/etc/redis/redis.conf", str(tmp_path))
    assert [f["path"] for f in parsed["files"]] == [
        "/etc/redis/redis.conf", "/etc/redis/local.d/a.conf", "/etc/redis/local.d/b.conf"]
    assert parsed["problems"] == []
    eff = redis.effective_config(parsed)
    assert eff["port"] == "6380"                    # b.conf after a.conf (sorted glob)
    assert eff["protected-mode"] == "yes"           # line after the include wins
    assert eff["bind"] == ["127.0.0.1", "-::1"]     # last bind line replaces the list
    assert redis.bind_is_loopback_only(eff["bind"])
    assert eff["renamed_commands"] == {"CONFIG": "disabled", "FLUSHALL": "renamed"}
    assert "s3cr3tname" not in repr(redis._public_effective(eff))
    assert "s3cr3tname" in redis.config_secrets(parsed)


def test_include_cycle_and_depth(tmp_path):
    write(tmp_path, "/etc/redis/a.conf", "include /etc/redis/b.conf\nport 1\n")
    write(tmp_path, "/etc/redis/b.conf", "include /etc/redis/a.conf\nport 2\n")
    parsed = redis.parse_config("/etc/redis/a.conf", str(tmp_path))
    reasons = [p["reason"] for p in parsed["problems"]]
    assert reasons == ["include_cycle"]
    assert redis.effective_config(parsed)["port"] == "1"
    # a chain deeper than the bound
    for i in range(12):
        write(tmp_path, "/etc/redis/chain%d.conf" % i, "include /etc/redis/chain%d.conf\n" % (i + 1))
    write(tmp_path, "/etc/redis/chain12.conf", "port 9\n")
    deep = redis.parse_config("/etc/redis/chain0.conf", str(tmp_path), max_depth=5)
    assert [p["reason"] for p in deep["problems"]] == ["include_depth"]
    assert len(deep["files"]) == 6


def test_missing_unreadable_and_special_includes(tmp_path):
    write(tmp_path, "/etc/redis/redis.conf",
          "include /etc/redis/missing.conf\ninclude /etc/redis/fifo.conf\ninclude /etc/redis/link.conf\nport 5\n")
    os.mkfifo(str(tmp_path / "etc/redis/fifo.conf"))
    os.symlink("/dev/zero", str(tmp_path / "etc/redis/link.conf"))
    parsed = redis.parse_config("/etc/redis/redis.conf", str(tmp_path))
    # the absolute link is resolved inside root (issue 17): <root>/dev/zero does not exist
    assert sorted(p["reason"] for p in parsed["problems"]) == ["missing", "missing", "not_regular"]
    assert redis.effective_config(parsed)["port"] == "5"


def test_invalid_utf8_and_syntax_errors(tmp_path):
    write(tmp_path, "/etc/redis/redis.conf", b"dir /var/lib/\xff\xferedis\nrequirepass \"pw-Qz81\nport 1\n")
    parsed = redis.parse_config("/etc/redis/redis.conf", str(tmp_path))
    eff = redis.effective_config(parsed)
    assert eff["dir"] == "/var/lib/\\xff\\xferedis"
    assert eff["port"] == "1"
    assert [p["reason"] for p in parsed["problems"]] == ["syntax"]
    assert "pw-Qz81" not in repr(parsed["problems"])   # the secret's text is not echoed


def test_huge_file_is_read_bounded(tmp_path):
    path = write(tmp_path, "/etc/redis/redis.conf", "port 1\n")
    with open(str(path), "ab") as handle:
        handle.truncate(3 * 1024 * 1024 * 1024)   # 3 GiB sparse file
    parsed = redis.parse_config("/etc/redis/redis.conf", str(tmp_path), max_bytes=1024 * 1024)
    assert [p["reason"] for p in parsed["problems"]] == ["truncated"]
    assert redis.effective_config(parsed)["port"] == "1"


def test_long_line_skipped(tmp_path):
    write(tmp_path, "/etc/redis/redis.conf", "dir " + "x" * (redis.MAX_CONFIG_LINE + 10) + "\nport 2\n")
    parsed = redis.parse_config("/etc/redis/redis.conf", str(tmp_path))
    assert [p["reason"] for p in parsed["problems"]] == ["long_line"]
    assert redis.effective_config(parsed)["dir"] == "./"


def test_users_and_secrets_never_kept(tmp_path):
    write(tmp_path, "/etc/redis/redis.conf",
          "user default off\nuser app on >appPassw0rd ~app:* +@read\nrequirepass topSecretPw\nmasterauth mAsterPw\n")
    parsed = redis.parse_config("/etc/redis/redis.conf", str(tmp_path))
    eff = redis.effective_config(parsed)
    assert eff["users"]["app"] == {"name": "app", "enabled": True, "nopass": False, "passwords": 1,
                                   "rules": ["~app:*", "+@read"]}
    assert eff["requirepass_set"] is True
    text = repr(redis._public_effective(eff)) + repr(parsed["files"])
    for secret in ("appPassw0rd", "topSecretPw", "mAsterPw"):
        assert secret not in text
        assert secret in redis.config_secrets(parsed)
    assert parsed["files"][0]["secret"] is True


def test_defaults_when_nothing_set(tmp_path):
    write(tmp_path, "/etc/redis/redis.conf", "\n\n# nothing\n")
    eff = redis.effective_config(redis.parse_config("/etc/redis/redis.conf", str(tmp_path)))
    assert eff["bind"] == ["*", "-::*"] and not eff["bind_configured"]
    assert eff["protected-mode"] == "yes" and eff["port"] == "6379"
    assert not redis.bind_is_loopback_only(eff["bind"])


def test_discover_config_paths(tmp_path):
    write(tmp_path, "/etc/redis/redis.conf", "port 1\n")
    write(tmp_path, "/etc/valkey/valkey.conf", "port 2\n")
    write(tmp_path, "/usr/local/etc/redis-6380.conf", "port 3\n")
    found = redis.discover_config_paths(str(tmp_path), ["/opt/x.conf"])
    assert found == ["/etc/redis/redis.conf", "/usr/local/etc/redis-6380.conf", "/etc/valkey/valkey.conf",
                     "/opt/x.conf"]


TCP = """  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 20001 1 0
   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 20002 1 0
   2: 0100007F:18EB 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000   105        0 20003 1 0
"""
TCP6 = """  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:18EB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 20004 1 0
   1: 00000000000000000000000000000000:18EC 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 20005 1 0
"""
UNIX = """Num       RefCount Protocol Flags    Type St Inode Path
0000000000000000: 00000002 00000000 00010000 0001 01 20006 /run/redis/redis-server.sock
0000000000000000: 00000003 00000000 00000000 0001 03 20007 /run/redis/redis-server.sock
0000000000000000: 00000002 00000000 00010000 0001 01 20008 @abstract
"""


def test_parse_net_tables():
    tcp = procfs.parse_inet_table(TCP.splitlines(), "tcp")
    assert [(t["addr"], t["port"], t["inode"]) for t in tcp] == [("127.0.0.1", 6379, 20001), ("0.0.0.0", 8080, 20002)]
    tcp6 = procfs.parse_inet_table(TCP6.splitlines(), "tcp6")
    assert [(t["addr"], t["port"]) for t in tcp6] == [("::1", 6379), ("::", 6380)]
    unix = procfs.parse_unix_table(UNIX.splitlines())
    assert [(u["inode"], u["path"]) for u in unix] == [(20006, "/run/redis/redis-server.sock"), (20008, "@abstract")]
    assert procfs.parse_inet_table("garbage\nnot a table\n".splitlines(), "tcp") == []


def test_fake_proc_tree(tmp_path):
    """A fixture /proc: one redis-server (uid 105) and one unrelated process."""
    proc = tmp_path / "proc"
    for pid, comm, cmd, uid in ((100, "redis-server", b"/usr/bin/redis-server 127.0.0.1:6379\0\0", 105),
                                (200, "bash", b"bash\0", 0)):
        base = proc / str(pid)
        (base / "fd").mkdir(parents=True)
        (base / "net").mkdir()
        (base / "comm").write_text(comm + "\n")
        (base / "cmdline").write_bytes(cmd)
        (base / "status").write_text("Name:\t%s\nUid:\t%d\t%d\t%d\t%d\n" % (comm, uid, uid, uid, uid))
        os.symlink("/var/lib/redis", str(base / "cwd"))
        (base / "net" / "tcp").write_text(TCP)
        (base / "net" / "tcp6").write_text(TCP6)
        (base / "net" / "unix").write_text(UNIX)
    os.symlink("socket:[20001]", str(proc / "100" / "fd" / "6"))
    os.symlink("socket:[20006]", str(proc / "100" / "fd" / "7"))
    os.symlink("/dev/null", str(proc / "100" / "fd" / "0"))
    write(tmp_path, "/etc/passwd", "root:x:0:0::/root:/bin/sh\nredis:x:105:107::/var/lib/redis:/usr/sbin/nologin\n")
    servers = redis.find_servers(str(tmp_path))
    assert len(servers) == 1
    server = servers[0]
    assert (server["pid"], server["user"], server["uid"], server["cwd"]) == (100, "redis", 105, "/var/lib/redis")
    assert sorted(l["inode"] for l in server["listeners"]) == [20001, 20006]
    assert redis.endpoints_of(server["listeners"]) == [("tcp", "127.0.0.1", 6379),
                                                       ("unix", "/run/redis/redis-server.sock")]
