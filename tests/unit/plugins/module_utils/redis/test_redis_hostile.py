"""Issue 17: a Redis that lies (types, sizes, timing) and hostile include trees.

Every probe yields a value or an ``error`` with the reason, never an exception; one deadline
per instance; include byte budgets, repetition and glob bounds. Bounded by counts, not time."""
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.hostguard.hardening.plugins.module_utils.redis import audit as redis
from ansible_collections.hostguard.hardening.plugins.module_utils.redis import resp
from procfixture import write
from redis_liar import LyingRedis

LIES = {
    "info_integer": {"INFO": b":1\r\n"},
    "info_array": {"INFO": b"*1\r\n$1\r\nx\r\n"},
    "info_nil": {"INFO": b"$-1\r\n"},
    "config_nested": {"CONFIG": b"*2\r\n$3\r\ndir\r\n*1\r\n*1\r\n$1\r\nx\r\n"},
    "config_dir_integer": {"CONFIG": b"*2\r\n$3\r\ndir\r\n:5\r\n"},
    "config_protected_mode_integer": {"CONFIG": b"*2\r\n$14\r\nprotected-mode\r\n:0\r\n"},
    "config_odd": {"CONFIG": b"*1\r\n$3\r\ndir\r\n"},
    "config_key_integer": {"CONFIG": b"*2\r\n:1\r\n$1\r\nx\r\n"},
    "config_scalar": {"CONFIG": b"+OK\r\n"},
    "acl_passwords_integer": {"ACL": b"*2\r\n$9\r\npasswords\r\n:3\r\n"},
    "acl_scalar": {"ACL": b":7\r\n"},
    "ping_array": {"PING": b"*0\r\n"},
    "ping_garbage": {"PING": b"HTTP/1.1 400 Bad Request\r\n"},
    "huge_bulk": {"INFO": b"$999999999\r\n"},
    "deep": {"CONFIG": b"*1\r\n" * 50},
    "silent": {"INFO": None},
    "bad_int": {"CONFIG": b"*x\r\n"},
}


def test_the_honest_fake_is_graded_as_redis():
    server = LyingRedis()
    try:
        probe = redis.probe_endpoint(server.address, timeout=0.5)
    finally:
        server.close()
    assert probe["status"] == "ok" and probe["version"] == "7.0.15"
    assert probe["runtime"]["dir"] == "/var/lib/redis"


@pytest.mark.parametrize("lie", sorted(LIES))
def test_lying_server_gives_a_value_or_an_error(lie):
    server = LyingRedis(LIES[lie])
    try:
        probe = redis.probe_endpoint(server.address, timeout=0.5, max_reply_bytes=65536)
    finally:
        server.close()
    assert probe["status"] in ("ok", "error")
    if probe["status"] == "error":
        assert probe["error"] and probe.get("error_reason") != "internal", probe
    assert json.dumps(probe)
    for value in (probe.get("runtime") or {}).values():
        assert isinstance(value, str)


@pytest.mark.parametrize("lie", ["info_integer", "config_dir_integer",
                                 "config_protected_mode_integer", "config_nested"])
def test_grading_a_lying_instance_does_not_crash(lie):
    """The issue's crash sites (resp.py:346/365, redis.py:534/870): grade the probe."""
    server = LyingRedis(LIES[lie])
    try:
        probe = redis.probe_endpoint(server.address, timeout=0.5)
    finally:
        server.close()
    probe["non_loopback"] = False
    inst = {"name": "redis-server pid 1", "pid": 1, "uid": 999, "user": "redis", "cwd": "/var/lib/redis",
            "listeners": [{"family": "tcp", "address": "127.0.0.1", "port": server.port}], "probes": [probe], "unit": None}
    findings = redis.grade_instance(inst)
    assert any(f["id"] == "HG-REDIS-010" and f["status"] == "error" and "type" in f["detail"]
               for f in findings), findings


def test_one_deadline_per_instance_bounds_the_calls():
    """5 listeners answering each command at 0.9x the timeout: the instance shares one deadline
    (INSTANCE_BUDGET x timeout), so the servers see at most a handful of calls in total, and a
    finding says which endpoints were not probed (counts, not seconds)."""
    timeout = 0.2
    servers = [LyingRedis(delay=0.9 * timeout) for _listener in range(5)]
    try:
        server = {"kind": "redis-server", "pid": 4242,
                  "listeners": [{"family": "tcp", "address": "127.0.0.1", "port": s.port} for s in servers]}
        inst = {"name": "redis-server pid 4242", "probes": []}
        findings = redis.probe_instance(inst, server, 0, None, None, timeout, 65536)
        calls = sum(s.calls for s in servers)
    finally:
        for s in servers:
            s.close()
    # each call costs >= 0.9 x timeout of the shared budget: at most budget / (0.9 timeout) + 1
    # calls answered or cut (13 calls per endpoint = 65 before)
    assert calls <= int(redis.INSTANCE_BUDGET / 0.9) + 2, calls
    assert findings and findings[0]["id"] == "HG-REDIS-010"
    assert "not fully probed" in findings[0]["detail"]
    assert len(inst["probes"]) + len(findings[0]["evidence"]["skipped"]) == 5


def test_instance_cap_is_reported():
    server = {"kind": "redis-server", "pid": 1,
              "listeners": [{"family": "tcp", "address": "127.0.0.1", "port": 1}]}
    inst = {"name": "redis-server pid 1", "probes": []}
    [finding] = redis.probe_instance(inst, server, redis.MAX_PROBED_INSTANCES, None, None, 1.0, 65536)
    assert finding["evidence"]["reason"] == "instance_cap" and inst["probes"] == []


@settings(max_examples=int(os.environ.get("HOSTGUARD_FUZZ_EXAMPLES", 30)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["PING", "INFO", "CONFIG", "ACL"]),
                       st.one_of(st.binary(max_size=200),
                                 st.builds(lambda t, n: t + str(n).encode() + b"\r\n",
                                           st.sampled_from([b"*", b"$", b":", b"+", b"-"]),
                                           st.integers(-3, 300))),
                       max_size=4))
def test_property_any_reply_yields_a_value_or_an_error(replies):
    server = LyingRedis(replies)
    try:
        probe = redis.probe_endpoint(server.address, timeout=0.2, max_reply_bytes=4096)
    finally:
        server.close()
    assert probe["status"] in ("ok", "error")
    assert probe.get("error_reason") != "internal", probe
    inst = {"name": "x", "pid": 1, "uid": 1, "user": "u", "cwd": None, "listeners": [],
            "probes": [dict(probe, non_loopback=False)], "unit": None}
    assert json.dumps(redis.grade_instance(inst))


# ------------------------------------------------------------------ includes

def test_one_big_file_included_255_times_is_read_once(tmp_path):
    root = str(tmp_path)
    write(root, "/etc/redis/big.conf", b"# filler\n" * (4 * 1024 * 1024 // 9) + b"port 7000\n")
    write(root, "/etc/redis/redis.conf", "include /etc/redis/big.conf\n" * 255 + "bind 127.0.0.1\n")
    parsed = redis.parse_config("/etc/redis/redis.conf", root)
    reasons = [p["reason"] for p in parsed["problems"]]
    assert reasons.count("repeated_include") == 254
    assert [f["path"] for f in parsed["files"]] == ["/etc/redis/redis.conf", "/etc/redis/big.conf"]
    names = [d[2] for d in parsed["directives"]]
    assert "bind" in names            # the line after the includes is still read


def test_total_byte_budget_over_distinct_includes(tmp_path):
    root = str(tmp_path)
    for index in range(12):
        write(root, "/etc/redis/c%02d.conf" % index, b"# x\n" * (1024 * 1024 // 4))
    write(root, "/etc/redis/redis.conf", "include /etc/redis/c*.conf\nport 6380\n")
    parsed = redis.parse_config("/etc/redis/redis.conf", root)
    reasons = [p["reason"] for p in parsed["problems"]]
    assert "byte_budget" in reasons or "truncated" in reasons
    assert sum(f["size"] for f in parsed["files"] if not f["truncated"]) <= redis.MAX_TOTAL_CONFIG_BYTES
    assert ("/etc/redis/redis.conf", 2, "port", ["6380"]) in parsed["directives"]


def test_glob_over_self_symlinks_is_bounded(tmp_path):
    root = str(tmp_path)
    os.makedirs(str(tmp_path / "srv/l"))
    os.symlink(".", str(tmp_path / "srv/l/a"))
    os.symlink(".", str(tmp_path / "srv/l/b"))
    write(root, "/srv/l/x.conf", "port 1\n")
    write(root, "/etc/redis/redis.conf", "include /srv/l/" + "*/" * 20 + "x.conf\nport 2\n")
    parsed = redis.parse_config("/etc/redis/redis.conf", root)
    cut = [p for p in parsed["problems"] if p["reason"] == "glob_cut"]
    assert len(cut) == 1 and "not fully expanded" in cut[0]["detail"]
    assert ("/etc/redis/redis.conf", 2, "port", ["2"]) in parsed["directives"]
    assert len(parsed["files"]) <= redis.MAX_FILES


def test_nul_in_include_path(tmp_path):
    root = str(tmp_path)
    write(root, "/etc/redis/redis.conf", 'include "/etc/redis/a\\x00b.conf"\nport 3\n')
    parsed = redis.parse_config("/etc/redis/redis.conf", root)
    assert [p["reason"] for p in parsed["problems"]] == ["invalid_path"]
    assert ("/etc/redis/redis.conf", 2, "port", ["3"]) in parsed["directives"]


def test_include_link_is_resolved_inside_root(tmp_path):
    root = tmp_path / "root"
    write(str(tmp_path), "outside/secret.conf", "requirepass HOSTFILE\n")
    write(str(root), "/etc/redis/redis.conf", "include /etc/redis/l.conf\n")
    os.symlink(str(tmp_path / "outside/secret.conf"), str(root / "etc/redis/l.conf"))
    parsed = redis.parse_config("/etc/redis/redis.conf", str(root))
    assert all(d[2] != "requirepass" for d in parsed["directives"])
    assert [p["reason"] for p in parsed["problems"]] == ["missing"]


@settings(max_examples=int(os.environ.get("HOSTGUARD_FUZZ_EXAMPLES", 80)), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000))
def test_property_parse_config_never_raises(tmp_path_factory, data):
    root = str(tmp_path_factory.mktemp("redis"))
    write(root, "/etc/redis/redis.conf", data)
    parsed = redis.parse_config("/etc/redis/redis.conf", root)
    assert isinstance(parsed["directives"], list)


@settings(max_examples=int(os.environ.get("HOSTGUARD_FUZZ_EXAMPLES", 200)), deadline=None)
@given(st.text(max_size=300))
def test_property_split_args(line):
    try:
        args = redis.split_args(line)
    except redis.ConfigSyntaxError:
        return
    assert all(isinstance(a, str) for a in args)


@settings(max_examples=int(os.environ.get("HOSTGUARD_FUZZ_EXAMPLES", 200)), deadline=None)
@given(st.binary(max_size=300))
def test_property_decode_reply(data):
    try:
        resp.decode_reply(data, max_bytes=4096)
    except resp.RespError:
        pass


def test_a_glob_cut_on_the_way_never_returns_the_directories_as_matches(tmp_path):
    """``include /etc/redis/d/*/*.conf`` over 300 directories, one holding a .conf: the first
    component's 300 matches went over the 256-file cap and the audit returned those directories
    as the include's files (256 "is a directory" errors, the real file never read). Directories
    on the way are capped by the entry budget only; a literal last part must exist (glob(3))."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.redis.read_config import expand_glob
    root = str(tmp_path)
    for index in range(300):
        os.makedirs(os.path.join(root, "etc/redis/d/%03d" % index))
    write(root, "/etc/redis/d/299/x.conf", "protected-mode no\n")
    assert expand_glob("/etc/redis/d/*/*.conf", root) == (["/etc/redis/d/299/x.conf"], None)
    assert expand_glob("/etc/redis/d/*/x.conf", root) == (["/etc/redis/d/299/x.conf"], None)
    matches, cut = expand_glob("/etc/redis/d/*/*.conf", root, max_entries=100)
    assert matches == [] and "more than 100 directory entries" in cut
    for index in range(300):
        write(root, "/etc/redis/d/%03d/y.conf" % index, "\n")
    matches, cut = expand_glob("/etc/redis/d/*/*.conf", root)
    assert len(matches) == 256 and all(m.endswith(".conf") for m in matches) and cut == "more than 256 matches"
