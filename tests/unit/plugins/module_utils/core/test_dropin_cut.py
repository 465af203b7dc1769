"""Issue 17 item 3: a systemd drop-in walk cut by count (more than MAX_DROPINS names in a
drop-in directory) is a finding ("not fully scanned: ...") in every area that reads drop-ins,
never only a fact; an area whose value a later drop-in may set never passes. Counted, not timed."""
import os

from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.auth import single_user
from ansible_collections.hostguard.hardening.plugins.module_utils.boot import AREA as BOOT
from ansible_collections.hostguard.hardening.plugins.module_utils.core import systemd_units
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host
from ansible_collections.hostguard.hardening.plugins.module_utils.core.registry import REGISTRY
from ansible_collections.hostguard.hardening.plugins.module_utils.oom import audit as oom_audit
from ansible_collections.hostguard.hardening.plugins.module_utils.redis import collect as redis_collect
from ansible_collections.hostguard.hardening.plugins.module_utils.redis import unit_checks

EXTRA = 72


def _dropins(root, unit, body="[Service]\n"):
    count = systemd_units.MAX_DROPINS + EXTRA
    for index in range(count):
        write(root, "/etc/systemd/system/%s.d/%03d-x.conf" % (unit, index), body)
    return count


def test_find_unit_counts_and_names_the_unread_dropins(tmp_path):
    root = str(tmp_path)
    write(root, "/lib/systemd/system/demo.service", "[Service]\nExecStart=/bin/demo\n")
    count = _dropins(root, "demo.service")
    unit = systemd_units.find_unit(root, "demo.service")
    assert len(unit["dropins"]) == systemd_units.MAX_DROPINS
    assert unit["dropins_not_read_count"] == EXTRA and len(unit["dropins_not_read"]) <= 64
    cut = systemd_units.dropins_cut(unit)
    assert cut.startswith("not fully scanned: demo.service: %d drop-in(s)" % EXTRA)
    assert "%03d-x.conf" % (count - 1) in cut       # the last one (it applies last) is named
    assert systemd_units.dropins_cut(systemd_units.find_unit(root, "none.service")) is None


def test_oom_service_with_a_cut_dropin_walk_is_an_error_finding(tmp_path):
    root = str(tmp_path)
    write(root, "/lib/systemd/system/demo.service", "[Service]\nExecStart=/bin/demo\nOOMScoreAdjust=-500\n")
    _dropins(root, "demo.service")
    procs = [{"pid": 42, "comm": "demo", "exe": "/bin/demo", "unit": "demo.service", "oom_score_adj": -500}]
    findings, _fact, _mains = oom_audit.audit_service(root, {"name": "demo", "units": ["demo.service"]},
                                                      procs, {}, False)
    [judged] = [f for f in findings if f["id"] == "HG-OOM-002"]
    assert judged["status"] == "error" and judged["detail"].startswith("not fully scanned")


def test_redis_unit_with_a_cut_dropin_walk_is_never_a_pass(tmp_path):
    root = str(tmp_path)
    write(root, "/lib/systemd/system/redis-server.service",
          "[Service]\nUser=redis\nProtectSystem=strict\nNoNewPrivileges=yes\nProtectHome=yes\n"
          "ExecStart=/usr/bin/redis-server /etc/redis/redis.conf\n")
    _dropins(root, "redis-server.service")
    [finding] = unit_checks.grade_units(redis_collect.find_units(root), root)
    assert finding["status"] == "error" and "not fully scanned" in finding["detail"]


def test_single_user_with_a_cut_dropin_walk_is_an_error(tmp_path):
    root = str(tmp_path)
    write(root, "/lib/systemd/system/rescue.service", "[Service]\nExecStart=-/lib/systemd/systemd-sulogin-shell rescue\n")
    _dropins(root, "rescue.service")
    [finding] = single_user.single_user_findings(Host(root))
    assert finding["status"] == "error" and "not fully scanned: rescue.service" in finding["detail"]


def test_boot_exposure_with_a_cut_dropin_walk_is_an_error(tmp_path):
    root = str(tmp_path)
    safe = "[Service]\nExecStart=/bin/demo\nDynamicUser=yes\n"
    write(root, "/lib/systemd/system/demo.service", safe)
    os.makedirs(str(tmp_path / "etc/systemd/system/multi-user.target.wants"))
    os.symlink("/lib/systemd/system/demo.service",
               str(tmp_path / "etc/systemd/system/multi-user.target.wants/demo.service"))
    _dropins(root, "demo.service")
    [found] = [f for f in BOOT.run({"root": root})["findings"] if f["id"] == "HG-BOOT-016"]
    assert found["status"] == "error" and "not fully scanned: demo.service" in found["detail"]


def test_persistence_dropin_directory_over_max_entries_is_a_finding(tmp_path):
    root = str(tmp_path)
    write(root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")
    write(root, "/etc/systemd/system/demo.service", "[Service]\nExecStart=/bin/true\n")
    for index in range(60):
        write(root, "/etc/systemd/system/demo.service.d/%03d-x.conf" % index, "[Service]\n")
    result = REGISTRY["persistence"].run({"root": root, "max_entries": 50})
    cut = [f for f in result["findings"] if f["id"] == "HG-PERS-043"
           and f["subject"] == "/etc/systemd/system/demo.service.d"]
    assert cut and cut[0]["status"] == "fail" and cut[0]["evidence"]["entries"] == 60
