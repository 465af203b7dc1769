"""Grading of Redis instances, configs and units from synthetic inputs."""
import json
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.redis import audit as redis
from conftest import write  # noqa: E402


def by_id(findings, check_id):
    hits = [f for f in findings if f["id"] == check_id]
    assert len(hits) == 1, [f["id"] for f in findings]
    return hits[0]


@pytest.mark.parametrize("path,expected", [
    ("/var/spool/cron", "cron spool"),
    ("/var/spool/cron/crontabs", "cron spool"),
    ("/srv/chroot/var/spool/cron", "cron spool"),
    ("/etc/cron.d", "cron directory"),
    ("/etc/rc.d/init.d", "rc.d (boot scripts)"),
    ("/etc/init.d", "init.d (boot scripts)"),
    ("/root/.ssh", "ssh keys (.ssh)"),
    ("/home/alice/.ssh/", "ssh keys (.ssh)"),
    ("/etc", "system configuration (/etc)"),
    ("/var/www/html", "web root"),
    ("/var/lib/redis", None),
    ("/etcetera", None),
    ("/tmp/x", None),
    ("", None),
])
def test_classify_dir(path, expected):
    assert redis.classify_dir(path) == expected


def probe(ping="ok", config="allowed", runtime=None, acl_flags=("on", "nopass"), endpoint="127.0.0.1:6379",
          non_loopback=False, status="ok"):
    return {"endpoint": endpoint, "status": status, "error": None if status == "ok" else "timeout: x",
            "ping": ping, "auth": "not_tried", "version": "7.0.15", "config_file": None,
            "config_access": config, "runtime": runtime or {},
            "acl_default": {"flags": list(acl_flags), "passwords": 0} if acl_flags else None,
            "unauth": {"config_access": config}, "non_loopback": non_loopback}


def instance(probes, listeners=None, uid=105, eff=None, cwd="/var/lib/redis", config_path=None):
    return {"name": "redis-server pid 1", "pid": 1, "uid": uid, "user": "redis", "cwd": cwd,
            "listeners": listeners if listeners is not None else
            [{"family": "tcp", "address": "127.0.0.1", "port": 6379, "inode": 1}],
            "probes": probes, "effective": eff or {}, "config_path": config_path}


def test_exposed_on_all_interfaces_without_auth_is_critical():
    runtime = {"protected-mode": "no", "dir": "/var/lib/redis", "dbfilename": "dump.rdb"}
    inst = instance([probe(runtime=runtime)],
                    listeners=[{"family": "tcp", "address": "0.0.0.0", "port": 6379, "inode": 1}])
    findings = redis.grade_instance(inst)
    assert by_id(findings, "HG-REDIS-001")["status"] == "fail"
    f003 = by_id(findings, "HG-REDIS-003")
    assert f003["status"] == "fail" and f003["severity"] == "critical"
    assert by_id(findings, "HG-REDIS-006")["severity"] == "high"
    assert by_id(findings, "HG-REDIS-002")["status"] == "fail"


def test_all_interfaces_but_protected_mode_on_is_not_remote_exposure():
    inst = instance([probe(runtime={"protected-mode": "yes"})],
                    listeners=[{"family": "tcp", "address": "0.0.0.0", "port": 6379, "inode": 1}])
    findings = redis.grade_instance(inst)
    assert by_id(findings, "HG-REDIS-001")["status"] == "pass"
    assert by_id(findings, "HG-REDIS-003")["severity"] == "high"


def test_direct_probe_of_non_loopback_address():
    inst = instance([probe(endpoint="10.1.2.3:6379", non_loopback=True)],
                    listeners=[{"family": "tcp", "address": "10.1.2.3", "port": 6379, "inode": 1}])
    assert by_id(redis.grade_instance(inst), "HG-REDIS-001")["status"] == "fail"
    denied = instance([probe(ping="denied", config=None, endpoint="10.1.2.3:6379", non_loopback=True)],
                      listeners=[{"family": "tcp", "address": "10.1.2.3", "port": 6379, "inode": 1}])
    findings = redis.grade_instance(denied)
    assert by_id(findings, "HG-REDIS-001")["status"] == "pass"
    assert by_id(findings, "HG-REDIS-003")["status"] == "pass"


def test_auth_required():
    findings = redis.grade_instance(instance([probe(ping="noauth", config="noauth", acl_flags=None)]))
    assert by_id(findings, "HG-REDIS-006")["status"] == "pass"
    assert by_id(findings, "HG-REDIS-003")["status"] == "pass"
    assert by_id(findings, "HG-REDIS-004")["evidence"]["dir_source"] == "/proc/<pid>/cwd"


def test_config_renamed():
    findings = redis.grade_instance(instance([probe(config="renamed_or_disabled")]))
    assert by_id(findings, "HG-REDIS-003")["status"] == "pass"


def test_drift_from_config_is_critical_even_outside_system_dirs():
    eff = {"dir": "/var/lib/redis", "dbfilename": "dump.rdb", "explicit": ["dir", "dbfilename"]}
    inst = instance([probe(runtime={"dir": "/srv/data", "dbfilename": "dump.rdb"})], eff=eff,
                    config_path="/etc/redis/redis.conf")
    f004 = by_id(redis.grade_instance(inst), "HG-REDIS-004")
    assert f004["status"] == "fail" and f004["severity"] == "critical"
    assert f004["subject"] == "/srv/data/dump.rdb" == f004["evidence"]["path"]


def test_dbfilename_drift_only_is_high():
    eff = {"dir": "/var/lib/redis", "dbfilename": "dump.rdb", "explicit": ["dir", "dbfilename"]}
    inst = instance([probe(runtime={"dir": "/var/lib/redis", "dbfilename": "other.rdb"})], eff=eff,
                    config_path="/etc/redis/redis.conf")
    f004 = by_id(redis.grade_instance(inst), "HG-REDIS-004")
    assert f004["status"] == "fail" and f004["severity"] == "high"


def test_relative_config_dir_is_not_compared():
    eff = {"dir": "./", "dbfilename": "dump.rdb", "explicit": []}
    inst = instance([probe(runtime={"dir": "/var/lib/redis"})], eff=eff, config_path="/etc/redis/redis.conf")
    assert by_id(redis.grade_instance(inst), "HG-REDIS-004")["status"] == "pass"


def test_runs_as_root_and_probe_error():
    inst = instance([probe(status="error", ping=None)], uid=0)
    findings = redis.grade_instance(inst)
    assert by_id(findings, "HG-REDIS-007")["status"] == "fail"
    assert by_id(findings, "HG-REDIS-010")["status"] == "error"
    assert by_id(findings, "HG-REDIS-003")["status"] == "skip"


def test_protections():
    f = redis._grade_protections("x", {"enable-protected-configs": "yes", "enable-debug-command": "local",
                                       "enable-module-command": "no"}, "config")
    assert f["status"] == "fail" and f["severity"] == "high"
    f = redis._grade_protections("x", {"enable-debug-command": "local"}, "config")
    assert f["status"] == "fail" and f["severity"] == "medium"
    assert redis._grade_protections("x", {"enable-debug-command": "no"}, "config")["status"] == "pass"


DEBIAN_UNIT = """[Unit]
Description=Advanced key-value store
[Service]
ExecStart=/usr/bin/redis-server /etc/redis/redis.conf --supervised systemd --daemonize no
User=redis
ProtectHome=true
ProtectSystem=strict
ReadWritePaths=-/var/lib/redis
ReadWritePaths=-/var/log/redis
NoNewPrivileges=true
ReadWriteDirectories=-/etc/redis
[Install]
Alias=redis.service
"""


def test_units_dropins_alias_and_grading(tmp_path):
    write(tmp_path, "/lib/systemd/system/redis-server.service", DEBIAN_UNIT)
    os.makedirs(str(tmp_path / "etc/systemd/system"))
    os.symlink("/lib/systemd/system/redis-server.service", str(tmp_path / "etc/systemd/system/redis.service"))
    units = redis.find_units(str(tmp_path))
    assert list(units) == ["redis-server.service"]     # the alias is not a second unit
    assert redis.grade_units(units, str(tmp_path))[0]["status"] == "pass"
    settings, _problems = redis.parse_unit(units["redis-server.service"]["files"], str(tmp_path))
    assert redis.unit_config_path(settings) == "/etc/redis/redis.conf"
    # a drop-in that undoes the sandbox
    write(tmp_path, "/etc/systemd/system/redis-server.service.d/override.conf",
          "[Service]\nUser=\nProtectSystem=false\nReadWritePaths=\nReadWritePaths=/var/spool/cron\n")
    units = redis.find_units(str(tmp_path))
    finding = redis.grade_units(units, str(tmp_path))[0]
    assert finding["status"] == "fail"
    weak = finding["evidence"]["weaknesses"]
    assert "User= not set (runs as root)" in weak
    assert "ProtectSystem=false (want strict)" in weak
    assert "ReadWritePaths includes /var/spool/cron" in weak


def test_masked_unit(tmp_path):
    write(tmp_path, "/lib/systemd/system/redis-server.service", DEBIAN_UNIT)
    os.makedirs(str(tmp_path / "etc/systemd/system"))
    os.symlink("/dev/null", str(tmp_path / "etc/systemd/system/redis-server.service"))
    finding = redis.grade_units(redis.find_units(str(tmp_path)), str(tmp_path))[0]
    assert finding["status"] == "skip"


def test_scrub():
    data = {"a": ["x topSecret y", {"topSecret": 1}], "b": "ok"}
    assert redis.scrub(data, {"topSecret", "", "ab"}) == {"a": ["x <redacted> y", {"<redacted>": 1}], "b": "ok"}


def test_static_audit_of_a_root_tree(tmp_path):
    """root != / : config files and units only, no /proc, no probe; secrets never returned."""
    conf = write(tmp_path, "/etc/redis/redis.conf",
                 "bind 0.0.0.0\nprotected-mode no\nenable-debug-command yes\nrequirepass Hunter2-Secret\n"
                 "aclfile /etc/redis/users.acl\nrename-command CONFIG cfg-Obscure-9\n")
    os.chmod(str(conf), 0o644)
    acl = write(tmp_path, "/etc/redis/users.acl", "user default on nopass ~* +@all\nuser ops on >OpsPw-77 +@all\n")
    os.chmod(str(acl), 0o604)
    write(tmp_path, "/etc/redis/sentinel.conf", "sentinel monitor mymaster 127.0.0.1 6379 2\n")
    result = redis.audit({"root": str(tmp_path), "endpoints": ["127.0.0.1:1"]})
    text = json.dumps(result)
    for secret in ("Hunter2-Secret", "OpsPw-77", "cfg-Obscure-9"):
        assert secret not in text
    assert result["facts"]["instances"] == [] and result["facts"]["probed"] is False
    findings = [f for f in result["findings"] if f["subject"] == "/etc/redis/redis.conf"]
    status = dict((f["id"], (f["status"], f["severity"])) for f in findings)
    assert status["HG-REDIS-002"] == ("fail", "high")
    assert status["HG-REDIS-005"] == ("fail", "high")
    assert status["HG-REDIS-009"] == ("fail", "high")
    assert status["HG-REDIS-013"] == ("fail", "medium")
    assert status["HG-REDIS-006"][0] == "fail"     # aclfile's default user is nopass
    acl_f = [f for f in result["findings"] if f["subject"] == "/etc/redis/users.acl"]
    assert acl_f and acl_f[0]["id"] == "HG-REDIS-009" and acl_f[0]["status"] == "fail"
    assert not [f for f in result["findings"] if f["subject"] == "/etc/redis/sentinel.conf"]
    skipped = [f for f in result["findings"] if f["id"] == "HG-REDIS-010"]
    assert skipped[0]["status"] == "skip"


def test_bad_endpoint_is_an_error_finding():
    result = redis.audit({"root": "/nonexistent-hg-root", "endpoints": ["nonsense"]})
    f = [f for f in result["findings"] if f["id"] == "HG-REDIS-010"][0]
    assert f["status"] == "error" and "nonsense" in f["subject"]
