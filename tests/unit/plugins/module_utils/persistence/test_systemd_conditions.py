"""Would-run with Condition*/Assert* (decided from files under root, else 'conditional' with the
condition) and OnFailure=/OnSuccess= chains; real systemd agrees in
tests/integration/test_persistence_systemd.py."""
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.persistence import AREA
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence import conditions

from conftest import write
import persistence_tree as pt


def run(root):
    return AREA.run({"root": str(root), "sections": ["systemd"]})


def fact(result, name, scope="system"):
    return [u for u in result["facts"]["systemd"]["units"] if u["name"] == name and u["scope"] == scope][0]


@pytest.fixture
def root(tmp_path):
    return pt.base(tmp_path)


def enabled_with(root, name, unit_extra, execstart="/usr/bin/true"):
    pt.unit(root, "/etc/systemd/system/" + name,
            pt.service(execstart).replace("[Unit]\n", "[Unit]\n" + unit_extra + "\n", 1))
    pt.enable(root, name)


@pytest.mark.parametrize("condition,make,expected", [
    ("ConditionPathExists=/etc/hgp-flag", None, False),
    ("ConditionPathExists=/etc/hgp-flag", "file", True),
    ("ConditionPathExists=!/etc/hgp-flag", "file", False),
    ("ConditionPathExists=!/etc/hgp-flag", None, True),
    ("ConditionPathIsDirectory=/etc/hgp-flag", "file", False),
    ("ConditionPathIsDirectory=/etc/hgp-flag", "dir", True),
    ("ConditionDirectoryNotEmpty=/etc/hgp-flag", "dir", False),
    ("ConditionDirectoryNotEmpty=/etc/hgp-flag", "fulldir", True),
    ("ConditionFileNotEmpty=/etc/hgp-flag", "empty", False),
    ("ConditionFileNotEmpty=/etc/hgp-flag", "file", True),
    ("ConditionFileIsExecutable=/etc/hgp-flag", "file", False),
    ("ConditionFileIsExecutable=/etc/hgp-flag", "exec", True),
    ("ConditionPathIsSymbolicLink=/etc/hgp-flag", "link", True),
    ("ConditionPathIsSymbolicLink=/etc/hgp-flag", "file", False),
    ("ConditionPathExistsGlob=/etc/hgp-fl*", "file", True),
    ("ConditionPathExistsGlob=/etc/hgp-x*", "file", False),
    ("AssertPathExists=/etc/hgp-flag", None, False),
    ("AssertPathExists=/etc/hgp-flag", "file", True),
    ("ConditionVirtualization=container", None, "conditional"),
    ("ConditionKernelCommandLine=hgp.on", "file", "conditional"),
    ("ConditionPathExists=%h/x", None, "conditional"),
    # triggering: any one of the | conditions; the plain ones must all hold
    ("ConditionPathExists=|/etc/nope\nConditionPathExists=|/etc/hgp-flag", "file", True),
    ("ConditionPathExists=|/etc/nope\nConditionPathExists=|/etc/nope2", "file", False),
    ("ConditionPathExists=/etc/hgp-flag\nConditionPathExists=|/etc/nope\nConditionHost=|x", "file", "conditional"),
    # an empty assignment resets every condition before it
    ("ConditionPathExists=/etc/nope\nConditionPathExists=", None, True),
])
def test_conditions_decide_would_run(root, condition, make, expected):
    host = os.path.join(str(root), "etc/hgp-flag")
    if make == "file":
        write(root, "/etc/hgp-flag", "x\n", mode=0o644)
    elif make == "empty":
        write(root, "/etc/hgp-flag", "", mode=0o644)
    elif make == "exec":
        write(root, "/etc/hgp-flag", "#!/bin/sh\n", mode=0o755)
    elif make in ("dir", "fulldir"):
        os.makedirs(host)
        if make == "fulldir":
            write(root, "/etc/hgp-flag/a", "x")
    elif make == "link":
        os.symlink("/etc/passwd", host)
    enabled_with(root, "hgp-c.service", condition)
    item = fact(run(root), "hgp-c.service")
    assert item["would_run"] == expected, item
    if expected is not True:
        assert condition.splitlines()[-1].split("=", 1)[0] in item["reason"], item


def test_runtime_paths_are_not_decided_on_an_image_root(root):
    enabled_with(root, "hgp-c.service", "ConditionPathExists=/run/hgp-flag")
    item = fact(run(root), "hgp-c.service")
    assert item["would_run"] == "conditional" and "/run/hgp-flag" in item["reason"]


def test_a_skipped_unit_still_pulls_its_wants_but_a_skipped_timer_triggers_nothing(root):
    enabled_with(root, "hgp-skip.service", "ConditionPathExists=/etc/nope\nWants=hgp-pulled.service")
    pt.unit(root, "/etc/systemd/system/hgp-pulled.service", pt.service("/usr/bin/true", wanted_by=None))
    pt.unit(root, "/etc/systemd/system/hgp-t.timer",
            pt.timer().replace("[Timer]", "[Unit]\nConditionPathExists=/etc/nope\n[Timer]"))
    pt.unit(root, "/etc/systemd/system/hgp-t.service", pt.service("/tmp/.x/payload", wanted_by=None))
    pt.enable(root, "hgp-t.timer", target="timers.target")
    out = run(root)
    assert fact(out, "hgp-skip.service")["would_run"] is False
    assert fact(out, "hgp-pulled.service")["would_run"] is True
    assert fact(out, "hgp-t.timer")["would_run"] is False
    assert fact(out, "hgp-t.service")["would_run"] is False
    (hit,) = [f for f in out["findings"] if f["id"] == "HG-PERS-001"]
    assert hit["severity"] == "high" and hit["evidence"]["would_run"] is False


def test_undecidable_timer_makes_its_service_conditional(root):
    pt.unit(root, "/etc/systemd/system/hgp-t.timer",
            pt.timer().replace("[Timer]", "[Unit]\nConditionVirtualization=!container\n[Timer]"))
    pt.unit(root, "/etc/systemd/system/hgp-t.service", pt.service("/usr/bin/true", wanted_by=None))
    pt.enable(root, "hgp-t.timer", target="timers.target")
    out = run(root)
    assert fact(out, "hgp-t.timer")["would_run"] == "conditional"
    svc = fact(out, "hgp-t.service")
    assert svc["would_run"] == "conditional" and "ConditionVirtualization" in svc["reason"]


def test_onfailure_chain_is_a_conditional_plant_and_critical(root):
    enabled_with(root, "hgp-main.service", "OnFailure=hgp-fail.service\nOnSuccess=hgp-ok.service")
    pt.unit(root, "/etc/systemd/system/hgp-fail.service", pt.service("/dev/shm/.r", wanted_by=None))
    pt.unit(root, "/etc/systemd/system/hgp-ok.service", pt.service("/usr/bin/true", wanted_by=None))
    pt.unit(root, "/etc/systemd/system/hgp-then.service", pt.service("/usr/bin/true", wanted_by=None))
    write(root, "/etc/systemd/system/hgp-fail.service.d/w.conf", "[Unit]\nWants=hgp-then.service\n")
    out = run(root)
    fail = fact(out, "hgp-fail.service")
    assert fail["would_run"] == "conditional" and "hgp-main.service fails" in fail["reason"]
    assert "OnFailure=hgp-fail.service" in fail["reason"]
    assert fact(out, "hgp-ok.service")["would_run"] == "conditional"
    assert "succeeds" in fact(out, "hgp-ok.service")["reason"]
    assert fact(out, "hgp-then.service")["would_run"] == "conditional"     # pulled by a chained unit
    (hit,) = [f for f in out["findings"] if f["id"] == "HG-PERS-001"]
    assert hit["severity"] == "critical" and hit["evidence"]["would_run"] == "conditional"
    assert out["facts"]["systemd"]["counts"]["conditional"] == 3


def test_onfailure_of_a_unit_nothing_starts_does_not_run(root):
    pt.unit(root, "/etc/systemd/system/hgp-idle.service",
            pt.service("/usr/bin/true", wanted_by=None).replace("[Unit]\n", "[Unit]\nOnFailure=hgp-f.service\n"))
    pt.unit(root, "/etc/systemd/system/hgp-f.service", pt.service("/usr/bin/true", wanted_by=None))
    out = run(root)
    assert fact(out, "hgp-f.service")["would_run"] is False


def test_onfailure_of_a_skipped_unit_never_fires(root):
    enabled_with(root, "hgp-main.service", "ConditionPathExists=/etc/nope\nOnFailure=hgp-f.service")
    pt.unit(root, "/etc/systemd/system/hgp-f.service", pt.service("/usr/bin/true", wanted_by=None))
    assert fact(run(root), "hgp-f.service")["would_run"] is False


def test_wants_from_a_drop_in_of_an_enabled_unit_pulls(root):
    enabled_with(root, "hgp-en.service", "")
    pt.unit(root, "/usr/lib/systemd/system/hgp-dep.service", pt.service("/usr/bin/true", wanted_by=None))
    write(root, "/etc/systemd/system/hgp-en.service.d/p.conf", "[Unit]\nBindsTo=hgp-dep.service\n")
    item = fact(run(root), "hgp-dep.service")
    assert item["would_run"] is True and "BindsTo=hgp-dep.service" in item["reason"]


def test_condition_paths_never_leave_root(tmp_path):
    root = pt.base(tmp_path / "r")
    os.symlink("/", os.path.join(str(root), "up"))        # /up -> / inside root is root itself
    assert conditions.path_test(str(root), "PathExists", "/up/etc/passwd") is True
    assert conditions.path_test(str(root), "PathExists", "/up/bin/sh") is os.path.exists(os.path.join(str(root), "bin/sh"))


def test_user_runtime_and_xdg_dirs_are_searched(tmp_path):
    root = pt.base(tmp_path, users=(("root", 0, "/root"), ("alice", 1000, "/home/alice")))
    # systemd-run --user writes transient units under $XDG_RUNTIME_DIR (no file in the home)
    pt.unit(root, "/run/user/1000/systemd/transient/run-x.service", pt.service("/dev/shm/.x", wanted_by=None))
    pt.unit(root, "/etc/xdg/systemd/user/xdg.service", pt.service("/tmp/.y", wanted_by="default.target"))
    pt.enable(root, "xdg.service", target="default.target", base="/etc/xdg/systemd/user", unit_dir="/etc/xdg/systemd/user")
    out = run(root)
    t = fact(out, "run-x.service", scope="user:alice")
    assert t["kind"] == "transient" and t["state"] == "transient"
    assert fact(out, "xdg.service", scope="user")["would_run"] is True
    subjects = set((f["id"], f["subject"]) for f in out["findings"])
    assert ("HG-PERS-004", "/run/user/1000/systemd/transient/run-x.service") in subjects
    assert ("HG-PERS-001", "/etc/xdg/systemd/user/xdg.service") in subjects


def test_a_search_dir_linked_to_another_is_named_by_its_target(tmp_path):
    root = pt.base(tmp_path, users=(("root", 0, "/root"),))
    pt.unit(root, "/etc/systemd/user/g.service", pt.service("/tmp/.g", wanted_by="default.target"))
    pt.symlink(root, "/etc/xdg/systemd/user", "../../systemd/user")       # as Debian ships it
    out = run(root)
    assert fact(out, "g.service", scope="user")["path"] == "/etc/systemd/user/g.service"
    assert [f["subject"] for f in out["findings"] if f["id"] == "HG-PERS-001"] == ["/etc/systemd/user/g.service"]
