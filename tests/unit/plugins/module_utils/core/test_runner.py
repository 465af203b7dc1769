"""The aggregate runner (plugins/module_utils/core/runner.py)."""
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.core import runner as areas
from ansible_collections.hostguard.hardening.plugins.module_utils.core.area import Area
from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import Check, CheckSet

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


def reg(**functions):
    """A registry of throw-away areas around plain audit functions."""
    return dict((name, Area(name=name, prefix=None, title=name, options={"opt": {"type": "raw"}},
                            checks=CheckSet(name, None), audit=function))
                for name, function in functions.items())


def run(names, registry, root="/", timeout=areas.DEFAULT_AREA_TIMEOUT, options=None):
    params = dict((name, dict((options or {}).get(name) or {})) for name in names)
    return areas.run_areas(params, root=root, timeout=timeout, registry=registry)


def test_run_areas_passes_root_and_options_and_collects_facts_and_timings():
    out = run(["good"], reg(good=good_area), root="/mnt/img",
              options={"good": {"opt": 7, "root": "/ignored"}})
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
    out = run(["bad", "good"], reg(bad=function, good=good_area))
    assert out["areas"] == ["bad", "good"]
    errors = [f for f in out["findings"] if f["id"] == "HG-CORE-001"]
    assert len(errors) == 1 and errors[0]["status"] == "error"
    assert errors[0]["subject"] == "bad"
    assert needle in errors[0]["detail"]
    assert out["errors"] == errors
    assert any(f["id"] == "HG-TEST-001" for f in out["findings"])


def test_unavailable_area_is_an_error_not_a_crash():
    out = run(["nosuch"], {})
    assert [f["id"] for f in out["findings"]] == ["HG-CORE-001"]
    assert out["findings"][0]["evidence"]["reason"] == "unavailable"


def test_blocking_area_is_interrupted_by_the_deadline(tmp_path):
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)

    def blocking_area(options):
        with open(fifo, "rb") as handle:   # blocks: nobody ever writes
            handle.read()
        return {"findings": [], "facts": {}}

    out = run(["block", "good"], reg(block=blocking_area, good=good_area), timeout=1)
    err = [f for f in out["findings"] if f["id"] == "HG-CORE-001"]
    assert len(err) == 1 and err[0]["evidence"]["reason"] == "timeout"
    assert any(f["id"] == "HG-TEST-001" for f in out["findings"])


def test_duplicate_area_names_are_refused_by_validation():
    errors = areas.validate_areas(["a", "a", "b"], {}, "/", reg(a=good_area))[1]
    assert errors and "unknown area(s): b" in errors[0]


def test_related_links_failed_findings_of_different_areas_about_one_path():
    out = run(["good", "rtest"], reg(good=good_area, rtest=redis_area))
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


def test_real_cron_area_through_run_areas(tmp_path):
    spool = tmp_path / "var" / "spool" / "cron"
    spool.mkdir(parents=True)
    (spool / "dump.rdb").write_bytes(b"REDIS0009" + b"\0" * 4096)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    out = areas.audit_host(["cron"], root=str(tmp_path))
    assert out["errors"] == []
    failed = [(f["id"], f["subject"]) for f in out["findings"] if f["status"] == "fail"]
    assert ("HG-CRON-001", "/var/spool/cron/dump.rdb") in failed
    assert "files" in out["facts"]["cron"]


def test_real_cron_area_bad_root_is_an_error_finding(tmp_path):
    out = areas.audit_host(["cron"], root=str(tmp_path / "missing"))
    assert [f["id"] for f in out["findings"]] == ["HG-CORE-001"]
    assert "not a directory" in out["findings"][0]["detail"]
