import os

from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl import audit as sysctl
from procfixture import write


def runtime(root, key, value):
    write(root, "/proc/sys/" + sysctl.key_to_relpath(key), "%s\n" % value)


def by(findings, check_id, subject):
    hits = [f for f in findings if f["id"] == check_id and f["subject"] == subject]
    assert len(hits) == 1, (check_id, subject, hits)
    return hits[0]


def test_key_forms():
    assert sysctl.normalize_key("kernel/domainname") == "kernel.domainname"
    assert sysctl.key_to_relpath("net.ipv4.conf.enp3s0/200.forwarding") == \
        "net/ipv4/conf/enp3s0.200/forwarding"
    assert sysctl.normalize_key("net/ipv4/conf/enp3s0.200/forwarding") == \
        "net.ipv4.conf.enp3s0/200.forwarding"


def test_matches_expected():
    assert sysctl.matches_expected("0", "0")
    assert sysctl.matches_expected("2", ["1", "2", "3"])
    assert not sysctl.matches_expected("0", ["1", "2", "3"])
    assert sysctl.matches_expected("10", ">0") and not sysctl.matches_expected("0", ">0")
    assert sysctl.matches_expected("4096\t87380  6291456", "4096 87380 6291456")
    assert not sysctl.matches_expected("abc", ">=1")
    assert sysctl.matches_expected(1, [0, 1, 2])


def test_precedence_basename_order_and_same_name(tmp_path):
    root = str(tmp_path)
    # same basename: /etc wins over /run and /usr/lib; the others are not read at all
    write(root, "/usr/lib/sysctl.d/50-a.conf", "vm.swappiness = 10\nkernel.x = 1\n")
    write(root, "/run/sysctl.d/50-a.conf", "vm.swappiness = 20\n")
    write(root, "/etc/sysctl.d/50-a.conf", "vm.swappiness = 30\n")
    # a later basename in any directory beats an earlier one
    write(root, "/usr/lib/sysctl.d/60-b.conf", "vm.dirty_ratio = 5\n")
    write(root, "/etc/sysctl.d/10-c.conf", "vm.dirty_ratio = 50\n")
    # /run beats /usr/local/lib beats /usr/lib for the same name
    write(root, "/usr/local/lib/sysctl.d/70-d.conf", "vm.min_free_kbytes = 2\n")
    write(root, "/usr/lib/sysctl.d/70-d.conf", "vm.min_free_kbytes = 3\n")
    entries, files, shadowed, errors = sysctl.persisted_entries(root)
    win = sysctl.winning_entries(entries)
    assert win["vm.swappiness"]["value"] == "30"
    assert win["vm.swappiness"]["file"] == "/etc/sysctl.d/50-a.conf"
    assert "kernel.x" not in win  # /usr/lib/sysctl.d/50-a.conf was shadowed
    assert win["vm.dirty_ratio"]["value"] == "5"
    assert win["vm.min_free_kbytes"]["file"] == "/usr/local/lib/sysctl.d/70-d.conf"
    assert {s["path"] for s in shadowed} == {"/run/sysctl.d/50-a.conf",
                                             "/usr/lib/sysctl.d/50-a.conf",
                                             "/usr/lib/sysctl.d/70-d.conf"}
    assert [f["path"] for f in files] == ["/etc/sysctl.d/10-c.conf", "/etc/sysctl.d/50-a.conf",
                                          "/usr/lib/sysctl.d/60-b.conf",
                                          "/usr/local/lib/sysctl.d/70-d.conf"]
    assert errors == []


def test_last_assignment_in_file_wins_and_syntax(tmp_path):
    root = str(tmp_path)
    write(root, "/etc/sysctl.d/a.conf",
          "# comment\n; other\nvm.x=1\n  vm.x = 2  \nkernel/y = 3\n-vm.z = 4\nnonsense\n")
    win = sysctl.winning_entries(sysctl.persisted_entries(root)[0])
    assert win["vm.x"]["value"] == "2" and win["vm.x"]["line"] == 4
    assert win["kernel.y"]["value"] == "3"
    assert win["vm.z"]["ignore_errors"]
    assert "nonsense" not in win


def test_globs_explicit_and_excluded(tmp_path):
    root = str(tmp_path)
    write(root, "/etc/sysctl.d/10-glob.conf",
          "net.ipv4.conf.*.rp_filter = 2\n-net.ipv4.conf.lo.rp_filter\n")
    write(root, "/etc/sysctl.d/05-explicit.conf", "net.ipv4.conf.all.rp_filter = 1\n")
    keys = ["net.ipv4.conf.all.rp_filter", "net.ipv4.conf.eth0.rp_filter",
            "net.ipv4.conf.lo.rp_filter"]
    win = sysctl.winning_entries(sysctl.persisted_entries(root)[0], keys)
    # explicit key is excluded from glob matching even though the glob file sorts later
    assert win["net.ipv4.conf.all.rp_filter"]["value"] == "1"
    assert win["net.ipv4.conf.eth0.rp_filter"]["value"] == "2"
    assert win["net.ipv4.conf.eth0.rp_filter"]["pattern"] == "net.ipv4.conf.*.rp_filter"
    assert "net.ipv4.conf.lo.rp_filter" not in win


def test_dev_null_masks_vendor_file(tmp_path):
    root = str(tmp_path)
    write(root, "/usr/lib/sysctl.d/50-vendor.conf", "kernel.sysrq = 16\n")
    os.makedirs(str(tmp_path / "etc/sysctl.d"))
    os.symlink("/dev/null", str(tmp_path / "etc/sysctl.d/50-vendor.conf"))
    entries, _files, shadowed, _errors = sysctl.persisted_entries(root)
    assert sysctl.winning_entries(entries) == {}
    assert {"path": "/etc/sysctl.d/50-vendor.conf", "by": "/dev/null (masked)"} in shadowed


def test_sysctl_conf_via_debian_link_and_procps(tmp_path):
    root = str(tmp_path)
    write(root, "/etc/sysctl.conf", "vm.a = 1\n")
    write(root, "/etc/sysctl.d/99-zzz.conf", "vm.a = 2\n")
    os.symlink("../sysctl.conf", str(tmp_path / "etc/sysctl.d/99-sysctl.conf"))
    win = sysctl.winning_entries(sysctl.persisted_entries(root)[0])
    # systemd-sysctl: 99-sysctl.conf (-> /etc/sysctl.conf) sorts before 99-zzz.conf
    assert win["vm.a"]["value"] == "2"
    win = sysctl.winning_entries(sysctl.persisted_entries(root, loader="procps")[0])
    assert win["vm.a"]["value"] == "1" and win["vm.a"]["file"] == "/etc/sysctl.conf"
    # without the link, /etc/sysctl.conf is applied last
    os.remove(str(tmp_path / "etc/sysctl.d/99-sysctl.conf"))
    win = sysctl.winning_entries(sysctl.persisted_entries(root)[0])
    assert win["vm.a"]["file"] == "/etc/sysctl.conf"


def test_merged_usr_dirs_not_read_twice(tmp_path):
    root = str(tmp_path)
    write(root, "/usr/lib/sysctl.d/50-x.conf", "vm.q = 1\n")
    os.symlink("usr/lib", str(tmp_path / "lib"))
    _entries, files, shadowed, _errors = sysctl.persisted_entries(root)
    assert [f["path"] for f in files] == ["/usr/lib/sysctl.d/50-x.conf"] and shadowed == []


def test_hostile_files_do_not_crash(tmp_path):
    root = str(tmp_path)
    os.makedirs(str(tmp_path / "etc/sysctl.d"))
    os.mkfifo(str(tmp_path / "etc/sysctl.d/10-fifo.conf"))
    os.symlink("/dev/zero", str(tmp_path / "etc/sysctl.d/20-zero.conf"))
    write(root, "/etc/sysctl.d/30-bin.conf", b"\xff\xfe vm.b = \xff\n" + b"x" * 100000 + b"\n")
    runtime(root, "vm.panic_on_oom", 0)
    result = sysctl.audit({"root": root})
    errs = [f for f in result["findings"] if f["id"] == "HG-SYSCTL-003"]
    # the 100,000-byte line is not parsed, and said so (issue 17: no silent cut)
    assert {f["subject"] for f in errs} == {"/etc/sysctl.d/10-fifo.conf",
                                            "/etc/sysctl.d/20-zero.conf",
                                            "/etc/sysctl.d/30-bin.conf"}
    bin_conf = sorted((f["status"], f["evidence"]["reason"]) for f in errs
                      if f["subject"].endswith("30-bin.conf"))
    # the binary key is no sysctl name (never read) and the over-long line is reported
    assert bin_conf == [("error", "line"),
                        ("fail", "key holds a NUL, whitespace, control or format character")]
    assert all(f["status"] == "error" for f in errs if not f["subject"].endswith("30-bin.conf"))


def test_audit_baseline_drift_and_not_applicable(tmp_path):
    root = str(tmp_path)
    runtime(root, "vm.panic_on_oom", 1)
    runtime(root, "vm.oom_dump_tasks", 1)
    runtime(root, "vm.overcommit_memory", 1)
    runtime(root, "kernel.kptr_restrict", 2)
    runtime(root, "kernel.dmesg_restrict", 0)
    runtime(root, "fs.protected_symlinks", 0)
    write(root, "/usr/lib/sysctl.d/99-protect-links.conf", "fs.protected_symlinks = 1\n")
    write(root, "/etc/sysctl.d/90-oom.conf", "vm.panic_on_oom = 1\n")
    result = sysctl.audit({"root": root})
    f = result["findings"]
    oom = by(f, "HG-SYSCTL-004", "vm.panic_on_oom")
    assert oom["status"] == "fail" and oom["severity"] == "high"
    assert oom["evidence"]["persisted_in"] == "/etc/sysctl.d/90-oom.conf:1"
    assert by(f, "HG-SYSCTL-004", "vm.oom_dump_tasks")["status"] == "pass"
    assert by(f, "HG-SYSCTL-004", "vm.overcommit_memory")["status"] == "fail"
    assert by(f, "HG-SYSCTL-004", "vm.overcommit_memory")["severity"] == "low"
    assert by(f, "HG-SYSCTL-001", "kernel.kptr_restrict")["status"] == "pass"
    assert by(f, "HG-SYSCTL-001", "kernel.dmesg_restrict")["status"] == "fail"
    assert by(f, "HG-SYSCTL-001", "kernel.dmesg_restrict")["references"]["lynis"] == "KRNL-6000"
    # a key this kernel lacks is not applicable, not a failure
    assert by(f, "HG-SYSCTL-001", "kernel.exec-shield")["status"] == "skip"
    drift = by(f, "HG-SYSCTL-002", "fs.protected_symlinks")
    assert drift["status"] == "fail"
    assert drift["evidence"] == {"runtime": "0", "persisted": "1",
                                 "persisted_in": "/usr/lib/sysctl.d/99-protect-links.conf:1"}
    assert by(f, "HG-SYSCTL-002", "vm.panic_on_oom")["status"] == "pass"
    assert result["facts"]["persisted"]["vm.panic_on_oom"]["file"] == "/etc/sysctl.d/90-oom.conf"
    assert result["facts"]["runtime"]["vm.panic_on_oom"] == "1"


def test_failover_node_and_overrides(tmp_path):
    root = str(tmp_path)
    runtime(root, "vm.panic_on_oom", 1)
    runtime(root, "kernel.panic", 0)
    runtime(root, "vm.overcommit_memory", 1)
    runtime(root, "kernel.sysrq", 176)
    runtime(root, "net.ipv4.conf.all.forwarding", 1)
    result = sysctl.audit({"root": root, "cluster_failover_node": True, "baseline": {
        "vm.overcommit_memory": [0, 1, 2], "kernel.sysrq": {"expected": 176},
        "net.ipv4.conf.all.forwarding": None, "vm.custom": "5"}})
    f = result["findings"]
    assert by(f, "HG-SYSCTL-004", "vm.panic_on_oom")["status"] == "pass"
    kp = by(f, "HG-SYSCTL-004", "kernel.panic")
    assert kp["status"] == "fail" and kp["severity"] == "medium"
    assert by(f, "HG-SYSCTL-004", "vm.overcommit_memory")["status"] == "pass"
    assert by(f, "HG-SYSCTL-001", "kernel.sysrq")["status"] == "pass"
    assert not [x for x in f if x["subject"] == "net.ipv4.conf.all.forwarding"]
    assert by(f, "HG-SYSCTL-001", "vm.custom")["status"] == "skip"


def test_unreadable_key_is_error_not_crash(tmp_path):
    root = str(tmp_path)
    os.makedirs(str(tmp_path / "proc/sys/vm"))
    os.mkfifo(str(tmp_path / "proc/sys/vm/panic_on_oom"))
    f = sysctl.audit({"root": root, "baseline_replace": True,
                      "baseline": {"vm.panic_on_oom": 0}})["findings"]
    assert [x["status"] for x in f] == ["error"]
