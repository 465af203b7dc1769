"""The area registry and aggregate runner (plugins/module_utils/areas.py)."""
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils import areas
from ansible_collections.hostguard.hardening.plugins.module_utils.findings import Check

FAKE = dict((c.id, c) for c in (
    Check("HG-TEST-001", "a path finding", "critical", "test", "x", "fix it"),
    Check("HG-TEST-002", "another", "low", "test", "x", "fix it"),
))
REDISLIKE = Check("HG-RTEST-001", "dir points into cron", "high", "rtest", "x", "fix it")


def good_area(options):
    return {"findings": [FAKE["HG-TEST-001"].fail("/var/spool/cron/dump.rdb", {"size": 1}),
                         FAKE["HG-TEST-002"].passed("everything")],
            "facts": {"root_seen": options["root"], "opt": options.get("opt")},
            "seconds": 0.0, "files": [{"path": "/x"}]}


def boom_area(options):
    raise RuntimeError("area exploded")


def bad_shape_area(options):
    return {"findings": [{"id": "HG-TEST-009"}]}


def not_dict_area(options):
    return ["nope"]


def redis_area(options):
    return {"findings": [REDISLIKE.fail("redis 127.0.0.1:6379",
                                        {"dir": "/var/spool/cron", "dbfilename": "dump.rdb"})],
            "facts": {}}


def test_registry_has_cron_and_order_is_stable():
    assert "cron" in areas.REGISTRY
    names = areas.registered_areas()
    assert names == [n for n in areas.AREA_ORDER if n in areas.REGISTRY] + sorted(
        n for n in areas.REGISTRY if n not in areas.AREA_ORDER)
    assert names[0] == "cron"


def test_run_areas_passes_root_and_options_and_collects_facts_and_timings():
    out = areas.run_areas(["good"], {"good": {"opt": 7, "root": "/ignored"}}, root="/mnt/img",
                          registry={"good": good_area})
    assert out["areas"] == ["good"]
    assert out["facts"]["good"]["root_seen"] == "/mnt/img"
    assert out["facts"]["good"]["opt"] == 7
    assert out["facts"]["good"]["files"] == [{"path": "/x"}]   # extra result keys become facts
    assert set(out["timings"]) == {"good", "total"}
    assert out["errors"] == []
    assert [f["status"] for f in out["findings"]] == ["fail", "pass"]


@pytest.mark.parametrize("function,needle", [
    (boom_area, "RuntimeError: area exploded"),
    (bad_shape_area, "lacks"),
    (not_dict_area, "not a dict"),
])
def test_failing_area_becomes_core_error_and_others_still_run(function, needle):
    out = areas.run_areas(["bad", "good"], registry={"bad": function, "good": good_area})
    assert out["areas"] == ["bad", "good"]
    errors = [f for f in out["findings"] if f["id"] == "HG-CORE-001"]
    assert len(errors) == 1 and errors[0]["status"] == "error"
    assert errors[0]["subject"] == "bad"
    assert needle in errors[0]["detail"]
    assert out["errors"] == errors
    assert any(f["id"] == "HG-TEST-001" for f in out["findings"])


def test_unavailable_area_is_an_error_not_a_crash():
    out = areas.run_areas(["nosuch"], registry={})
    assert [f["id"] for f in out["findings"]] == ["HG-CORE-001"]
    assert out["findings"][0]["evidence"]["reason"] == "unavailable"


def test_blocking_area_is_interrupted_by_the_deadline(tmp_path):
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)

    def blocking_area(options):
        with open(fifo, "rb") as handle:   # blocks: nobody ever writes
            handle.read()
        return {"findings": [], "facts": {}}

    out = areas.run_areas(["block", "good"], registry={"block": blocking_area, "good": good_area},
                          timeout=1)
    err = [f for f in out["findings"] if f["id"] == "HG-CORE-001"]
    assert len(err) == 1 and err[0]["evidence"]["reason"] == "timeout"
    assert any(f["id"] == "HG-TEST-001" for f in out["findings"])


def test_duplicate_area_names_run_once():
    calls = []

    def counting(options):
        calls.append(1)
        return {"findings": [], "facts": {}}

    out = areas.run_areas(["a", "a"], registry={"a": counting})
    assert calls == [1] and out["areas"] == ["a"]


def test_related_links_failed_findings_of_different_areas_about_one_path():
    out = areas.run_areas(["good", "rtest"], registry={"good": good_area, "rtest": redis_area})
    by_id = dict((f["id"], f) for f in out["findings"])
    assert by_id["HG-TEST-001"]["related"] == ["HG-RTEST-001"]
    assert by_id["HG-RTEST-001"]["related"] == ["HG-TEST-001"]
    assert "related" not in by_id["HG-TEST-002"]          # a pass is never linked


def test_related_ignores_same_area_and_passes():
    a = FAKE["HG-TEST-001"].fail("/etc/cron.d/x")
    b = FAKE["HG-TEST-002"].fail("/etc/cron.d/x")
    c = REDISLIKE.passed("/etc/cron.d/x")
    areas.link_related([("test", a), ("test", b), ("rtest", c)])
    assert "related" not in a and "related" not in b and "related" not in c


def test_related_paths_reads_subject_evidence_path_and_dir_pair():
    f = REDISLIKE.fail("redis", {"path": "/a/../b/c", "paths": ["/d", "relative"],
                                 "dir": "/var/spool/cron", "dbfilename": "root"})
    assert areas.related_paths(f) == {"/b/c", "/d", "/var/spool/cron/root"}


def test_unknown_options_uses_area_defaults():
    assert areas.unknown_options("cron", {"max_read_bytes": 1}) == []
    assert areas.unknown_options("cron", {"max_read_byte": 1}) == ["max_read_byte"]
    assert areas.unknown_options("not-registered", {"anything": 1}) == []


def test_real_cron_area_through_run_areas(tmp_path):
    spool = tmp_path / "var" / "spool" / "cron"
    spool.mkdir(parents=True)
    (spool / "dump.rdb").write_bytes(b"REDIS0009" + b"\0" * 4096)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    out = areas.run_areas(["cron"], root=str(tmp_path))
    assert out["errors"] == []
    failed = [(f["id"], f["subject"]) for f in out["findings"] if f["status"] == "fail"]
    assert ("HG-CRON-001", "/var/spool/cron/dump.rdb") in failed
    assert "files" in out["facts"]["cron"]


def test_real_cron_area_bad_root_is_an_error_finding(tmp_path):
    out = areas.run_areas(["cron"], root=str(tmp_path / "missing"))
    assert [f["id"] for f in out["findings"]] == ["HG-CORE-001"]
    assert "not a directory" in out["findings"][0]["detail"]
