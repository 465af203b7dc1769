"""Issue 17: hostile sysctl.d files never read outside <root>/proc/sys, never blow up memory."""
import json
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl import AREA
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl import audit as sysctl
from procfixture import write

MARKER = "HOSTGUARD-OUTSIDE-PROC-SYS-MARKER"


@pytest.mark.parametrize("key", [
    ".etc.shadow", "vm/../../../../../../../etc/passwd", "vm...x", "../x", "a.b\x00c",
    "a b", "x/" + "/".join(["a"] * 20), "k" * 600, "", "vm.\u202e.x", "kernel..sysrq",
])
def test_invalid_keys_never_touch_the_filesystem(key):
    assert sysctl.key_problem(key) is not None
    assert sysctl.runtime_path("/", key) is None
    assert sysctl.read_runtime("/", key) == (None, "invalid_key")


@pytest.mark.parametrize("key", ["kernel.sysrq", "net.ipv4.conf.enp3s0/200.forwarding",
                                 "net/ipv4/conf/all/rp_filter", "dev.tty.ldisc_autoload"])
def test_valid_keys(key, tmp_path):
    assert sysctl.key_problem(sysctl.normalize_key(key)) is None
    path = sysctl.runtime_path(str(tmp_path), sysctl.normalize_key(key))
    assert path.startswith(str(tmp_path / "proc" / "sys") + "/")


def test_dot_etc_shadow_line_reads_nothing_outside_root(tmp_path):
    """The issue's reproducer, with a marker file outside the root standing in for /etc/shadow:
    a relative escape from <root>/proc/sys and an absolute one."""
    outside = tmp_path / "outside"
    write(str(outside), "etc/shadow", MARKER + ":$6$hash\n")
    root = tmp_path / "root"
    write(str(root), "/proc/sys/kernel/sysrq", "1\n")
    depth = "/".join([".."] * 6)
    write(str(root), "/etc/sysctl.d/50-evil.conf",
          ".%s.shadow = 1\n" % str(outside / "etc").replace("/", ".").strip(".") +
          ".etc.shadow = 1\n"
          "vm/%s/outside/etc/shadow = 1\n" % depth +
          "kernel.sysrq = 0\n")
    result = AREA.run({"root": str(root), "baseline_replace": True})
    text = json.dumps(result)
    assert MARKER not in text and "$6$" not in text
    bad = [f for f in result["findings"] if f["id"] == "HG-SYSCTL-003" and f["status"] == "fail"]
    assert len(bad) == 3, bad
    assert all("never read" in f["detail"] for f in bad)
    # the sane line in the same file is still audited
    ok = [f for f in result["findings"] if f["id"] == "HG-SYSCTL-002" and f["subject"] == "kernel.sysrq"]
    assert ok and ok[0]["status"] == "fail"


def test_invalid_baseline_override_key_is_an_error_not_a_read(tmp_path):
    root = str(tmp_path)
    result = AREA.run({"root": root, "baseline_replace": True,
                       "baseline": {"vm/../../../../etc/passwd": "1"}})
    [finding] = result["findings"]
    assert finding["status"] == "error" and "not read" in finding["detail"]


def test_byte_budget_over_sysctl_d(tmp_path):
    """20 x 1 MiB files: bounded reading, a finding per cut, the last file's key still judged;
    the budget is fair (issue 17): each file gets its even share, none is left unread."""
    root = str(tmp_path)
    line = b"vm.swappiness = 10\n"
    blob = line * ((1024 * 1024) // len(line))
    for index in range(20):
        write(root, "/etc/sysctl.d/%02d-big.conf" % index, blob)
    write(root, "/proc/sys/kernel/sysrq", "1\n")
    write(root, "/proc/sys/vm/swappiness", "10\n")
    budget = sysctl.Budget()
    entries, _files, _shadowed, _errors = sysctl.persisted_entries(root, budget=budget)
    assert len(entries) <= sysctl.MAX_TOTAL_ENTRIES
    assert budget.bytes >= 0 and budget.cuts
    files = set(e["file"] for e in entries)
    assert files == set("/etc/sysctl.d/%02d-big.conf" % i for i in range(20))
    result = AREA.run({"root": root, "baseline_replace": True, "baseline": {"kernel.sysrq": "0"}})
    cuts = [f for f in result["findings"] if f["id"] == "HG-SYSCTL-003"]
    assert len(cuts) == 20
    assert all(f["detail"].startswith("not fully scanned") for f in cuts)
    assert not [c for c in budget.cuts if c["reason"] == "total budget spent"]
    sysrq = [f for f in result["findings"] if f["subject"] == "kernel.sysrq"]
    assert sysrq[0]["status"] == "fail"
    assert result["facts"]["budget_cuts"] == len(cuts)


def test_over_long_line_is_reported_and_the_rest_parsed(tmp_path):
    root = str(tmp_path)
    write(root, "/etc/sysctl.d/50-a.conf", "vm.x = " + "9" * 10000 + "\nkernel.sysrq = 1\n")
    write(root, "/proc/sys/kernel/sysrq", "0\n")
    result = AREA.run({"root": root, "baseline_replace": True})
    assert any("longer than" in f.get("detail", "") for f in result["findings"])
    assert [f["status"] for f in result["findings"] if f["subject"] == "kernel.sysrq"] == ["fail"]


def test_proc_sys_link_is_resolved_inside_root(tmp_path):
    """A fixture/image /proc/sys entry that is an absolute link: resolved inside root, the
    host's file is never read (core.paths)."""
    outside = tmp_path / "outside.txt"
    outside.write_text(MARKER + "\n")
    root = tmp_path / "root"
    os.makedirs(str(root / "proc/sys/kernel"))
    os.symlink(str(outside), str(root / "proc/sys/kernel/sysrq"))
    assert sysctl.read_runtime(str(root), "kernel.sysrq") == (None, "missing")
    result = AREA.run({"root": str(root), "baseline_replace": True, "baseline": {"kernel.sysrq": "0"}})
    assert MARKER not in json.dumps(result)


def test_sysctl_d_directory_link_is_read_inside_root_not_on_the_host(tmp_path):
    """<root>/etc/sysctl.d -> /x/sysctl.d (absolute): its names were listed inside root (the
    image's <root>/x/sysctl.d/50-default.conf, ASLR off) but each file and /etc/sysctl.conf were
    then opened through the host's kernel, which read the host's /x/sysctl.d/50-default.conf
    (ASLR on) instead: the image's drift was never seen, and a host file was read."""
    outside = tmp_path / "outside"
    write(str(outside), "sysctl.d/50-default.conf", "kernel.randomize_va_space = 2\n# " + MARKER + "\n")
    write(str(outside), "sysctl.conf", "kernel.sysrq = 1 # " + MARKER + "\n")
    root = tmp_path / "root"
    write(str(root), str(outside) + "/sysctl.d/50-default.conf", "kernel.randomize_va_space = 0\n")
    write(str(root), "/proc/sys/kernel/randomize_va_space", "2\n")
    os.makedirs(str(root / "etc"))
    os.symlink(str(outside / "sysctl.d"), str(root / "etc" / "sysctl.d"))
    os.symlink(str(outside / "sysctl.conf"), str(root / "etc" / "sysctl.conf"))
    result = AREA.run({"root": str(root)})
    assert MARKER not in json.dumps(result)
    persisted = result["facts"]["persisted"]["kernel.randomize_va_space"]
    assert persisted["value"] == "0" and persisted["file"].startswith("/etc/sysctl.d/50-default.conf")
    [drift] = [f for f in result["findings"] if f["id"] == "HG-SYSCTL-002" and f["subject"] == "kernel.randomize_va_space"]
    assert drift["status"] == "fail"


from hypothesis import given, settings, strategies as st  # noqa: E402

EXAMPLES = int(os.environ.get("HOSTGUARD_FUZZ_EXAMPLES", 200))


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(list("ab./\x00 =-*?[#;\n\u202e") + ["..", "etc", "shadow"]),
                max_size=30).map("".join))
def test_property_no_key_escapes_proc_sys(key):
    key = sysctl.normalize_key(key)
    path = sysctl.runtime_path("/r", key)
    assert path is None or path.startswith("/r/proc/sys/")
    if path is not None:
        assert sysctl.key_problem(key) is None and "/../" not in path + "/"


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=30))
def test_property_parse_conf_lines_total(lines):
    entries = sysctl.parse_conf_lines(list(enumerate(lines, 1)), "/etc/sysctl.d/x.conf")
    assert all(e["key"] for e in entries)
