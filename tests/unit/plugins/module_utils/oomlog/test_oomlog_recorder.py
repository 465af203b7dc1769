"""plugins/module_utils/oomlog/recorder.py: reading the flight recorder's ring and joining it to
kernel incidents (verdicts from snapshots when the task table is missing)."""
import json
import os

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import recorder

BOOT = "b-1"


def proc(pid, comm, rss_kb, adj=0, cgroup="/hg", swap_kb=0):
    return {"pid": pid, "comm": comm, "rss_kb": rss_kb, "swap_kb": swap_kb, "anon_kb": rss_kb,
            "oom_score_adj": adj, "oom_score": 0, "cgroup": cgroup, "unit": None, "cmdline": comm}


def snap(seq, mono, top, growth=(), reason="cgroup_rising:hg"):
    return {"kind": "snapshot", "seq": seq, "mono": mono, "wall": 1e9 + mono, "boot_id": BOOT, "reason": reason,
            "top": list(top), "growth": list(growth), "meminfo": {"MemTotal": 1}, "psi": {}, "cgroups": []}


def grow(pid, comm, rss_kb, delta_kb, rate):
    return {"pid": pid, "comm": comm, "rss_kb": rss_kb, "delta_kb": delta_kb, "kb_per_s": rate}


def seed002_records(hog_adj=-1000):
    """hog (pid 20) grows 20 MB/s in /hg, victim (pid 10, adj 1000) sleeps; killed at 105.0."""
    victim = proc(10, "victim", 9000, adj=1000)
    other = proc(30, "bigdb", 500000, cgroup="/system.slice/db.service")
    recs = [
        snap(1, 100.0, [other, proc(20, "hog", 20000, hog_adj), victim], reason="start"),
        snap(2, 102.0, [other, proc(20, "hog", 60000, hog_adj), victim], [grow(20, "hog", 60000, 40000, 20000.0)]),
        snap(3, 104.0, [other, proc(20, "hog", 100000, hog_adj), victim],
             [grow(20, "hog", 100000, 40000, 20000.0), grow(30, "bigdb", 500000, 100, 50.0)]),
        {"kind": "oom_kill", "mono": 105.01, "kernel_uptime": 105.0, "boot_id": BOOT, "pid": 10, "comm": "victim",
         "info": {"oom_memcg": "/hg", "pid": "10"}},
        snap(4, 106.0, [other, proc(20, "hog", 101000, hog_adj)], reason="oom_kill"),
    ]
    return list(reversed(recs))    # read_ring gives newest first


def kill_only_incident(pid=10, uptime=105.0):
    """What kernlog makes of the kill line alone (vm.oom_dump_tasks=0)."""
    return {"killer": "kernel", "uptime": uptime, "victim": {"pid": pid, "name": "victim", "anon_rss_kb": 128,
                                                             "file_rss_kb": 2048, "shmem_rss_kb": 0,
                                                             "oom_score_adj": 1000},
            "task_table": None, "memcg": None, "constraint": "CONSTRAINT_MEMCG",
            "reason": "Memory cgroup out of memory",
            "verdict": {"verdict": "likely_innocent", "reason": "no task table in the log",
                        "largest_consumer": None, "immune_holders": []}}


def test_kill_line_alone_gets_the_recorders_verdict():
    inc = recorder.correlate(kill_only_incident(), seed002_records(), BOOT)
    v = inc["verdict"]
    assert v["verdict"] == "innocent" and v["source"] == "recorder"
    assert v["largest_consumer"]["pid"] == 20 and v["largest_consumer"]["held_kb"] == 100000
    assert v["largest_consumer"]["source"] == "recorder"
    assert v["kernel_verdict"] == "likely_innocent"
    assert "memcg /hg" in v["snapshot"]["scope"]          # bigdb is outside the memcg: not a candidate
    assert v["fastest_growing"]["pid"] == 20
    assert v["likely_culprit"]["pid"] == 20 and v["likely_culprit"]["grew_kb"] == 80000
    assert "immune" in v["reason"]
    ev = inc["recorder"]
    assert ev["kill_record"] and ev["before"]["seq"] == 3 and ev["after"]["seq"] == 4
    assert ev["before"]["offset_s"] < 0 < ev["after"]["offset_s"]


def test_no_immune_process_no_likely_culprit():
    inc = recorder.correlate(kill_only_incident(), seed002_records(hog_adj=0), BOOT)
    assert inc["verdict"]["verdict"] == "innocent"
    assert "likely_culprit" not in inc["verdict"]
    assert "outranked" in inc["verdict"]["reason"]


def test_task_table_verdict_is_kept_but_evidence_attached():
    incident = kill_only_incident()
    incident["task_table"] = {"rows": 3}
    incident["verdict"] = {"verdict": "innocent", "reason": "kernel table", "largest_consumer": {"pid": 20}}
    inc = recorder.correlate(incident, seed002_records(), BOOT)
    assert inc["verdict"]["reason"].startswith("kernel table")
    assert inc["verdict"].get("source") != "recorder"
    assert inc["verdict"]["likely_culprit"]["pid"] == 20 and inc["recorder"]["before"]["seq"] == 3


def paused_hog_records(pause_snapshots, pause_s=1.0):
    """The hog grows (seq 2), then holds still for ``pause_snapshots`` headroom snapshots (1 s apart
    each, no growth) before the kill at 105.0 + the pause."""
    victim = proc(10, "victim", 9000, adj=1000)
    hog = proc(20, "hog", 100000, -1000)
    recs = [snap(1, 100.0, [proc(20, "hog", 20000, -1000), victim], reason="start"),
            snap(2, 104.0, [hog, victim], [grow(20, "hog", 100000, 80000, 20000.0)])]
    for i in range(pause_snapshots):
        recs.append(snap(3 + i, 104.0 + pause_s * (i + 1), [hog, victim], reason="cgroup_headroom:hg"))
    kill_at = 105.0 + pause_s * pause_snapshots
    recs.append({"kind": "oom_kill", "mono": kill_at + 0.01, "kernel_uptime": kill_at, "boot_id": BOOT, "pid": 10,
                 "comm": "victim", "info": {"oom_memcg": "/hg", "pid": "10"}})
    return list(reversed(recs)), kill_at


def test_a_hog_that_paused_is_still_the_fastest_grower():
    """Near the limit the recorder snapshots every second: a hog that grew, then held still for 5
    snapshots (5 s), is still the fastest grower and the immune culprit (the last minute counts)."""
    recs, kill_at = paused_hog_records(5)
    inc = recorder.correlate(kill_only_incident(uptime=kill_at), recs, BOOT)
    assert inc["recorder"]["before"]["seq"] == 7
    assert inc["verdict"]["fastest_growing"]["pid"] == 20 and inc["verdict"]["fastest_growing"]["snapshot_seq"] == 2
    assert inc["verdict"]["likely_culprit"]["pid"] == 20


def test_growth_older_than_the_window_and_the_last_snapshots_does_not_count():
    recs, kill_at = paused_hog_records(4, pause_s=recorder.GROWTH_WINDOW_S / 3.0)   # grew 80 s before the kill
    inc = recorder.correlate(kill_only_incident(uptime=kill_at), recs, BOOT)
    assert inc["verdict"]["largest_consumer"]["pid"] == 20          # still the largest
    assert "fastest_growing" not in inc["verdict"] and "likely_culprit" not in inc["verdict"]


def test_growth_snapshots_is_bounded():
    many = [snap(i, 1000.0 - i * 0.01, []) for i in range(500)]     # newest first, all within the window
    assert len(recorder.growth_snapshots(many, 1000.0)) == recorder.MAX_GROWTH_SNAPSHOTS
    assert len(recorder.growth_snapshots(many[:2], 1000.0)) == 2


def test_victim_was_the_largest_is_culprit():
    recs = [snap(1, 104.0, [proc(10, "victim", 90000), proc(20, "small", 100)])]
    inc = recorder.correlate(kill_only_incident(), recs, BOOT)
    assert inc["verdict"]["verdict"] == "culprit" and inc["verdict"]["source"] == "recorder"


def test_without_memcg_evidence_the_host_is_the_pool():
    recs = [snap(1, 104.0, [proc(30, "bigdb", 500000, cgroup="/db"), proc(10, "victim", 100, cgroup="/db")])]
    incident = kill_only_incident()
    incident["constraint"], incident["reason"] = "CONSTRAINT_NONE", "Out of memory"
    inc = recorder.correlate(incident, recs, BOOT)
    assert inc["verdict"]["snapshot"]["scope"] == "host"
    assert inc["verdict"]["largest_consumer"]["pid"] == 30


def test_other_boot_or_far_away_snapshots_are_ignored():
    recs = seed002_records()
    assert "recorder" not in recorder.correlate(kill_only_incident(), recs, "another-boot")
    # 2 hours later on the same boot, no kill record for that pid: nothing within the window
    late = recorder.correlate(kill_only_incident(pid=99, uptime=7305.0), recs, BOOT)
    assert "recorder" not in late
    # a pid reused much later is not matched to this kill record
    when, kill = recorder.kill_time(kill_only_incident(uptime=900.0), recs, BOOT)
    assert kill is None and when == 900.0


def test_time_match_without_kill_record():
    recs = [r for r in seed002_records() if r["kind"] != "oom_kill"]
    inc = recorder.correlate(kill_only_incident(), recs, BOOT)
    assert inc["recorder"]["kill_record"] is False
    assert inc["verdict"]["largest_consumer"]["pid"] == 20      # victim's cgroup /hg from the snapshot
    assert "victim's cgroup" in inc["verdict"]["snapshot"]["scope"]


def test_hostile_records_do_not_crash():
    recs = [{"kind": "snapshot", "mono": "x"}, {"kind": "snapshot", "mono": 104.0, "top": [None, {"pid": "1"}, 5],
                                                "growth": [None, {"delta_kb": "x"}]},
            {"kind": "oom_kill", "pid": 10, "kernel_uptime": "soon"}]
    inc = recorder.correlate(kill_only_incident(), recs, BOOT)
    assert inc["verdict"]["verdict"] == "likely_innocent"


def _write_ring(d, files):
    os.makedirs(d, exist_ok=True)
    for name, recs in files.items():
        with open(os.path.join(d, name), "w") as f:
            for r in recs:
                f.write((r if isinstance(r, str) else json.dumps(r)) + "\n")


def test_read_ring_newest_first_and_bounded(tmp_path):
    d = str(tmp_path / "var/lib/hostguard/oom-recorder")
    _write_ring(d, {"ring-00000001.jsonl": [snap(1, 1.0, []), snap(2, 2.0, [])],
                    "ring-00000002.jsonl": [snap(3, 3.0, []), "not json", '["list"]'],
                    "other.txt": [snap(9, 9.0, [])]})
    ring = recorder.read_ring(str(tmp_path), "/var/lib/hostguard/oom-recorder")
    assert ring["status"] == "read" and ring["files"] == 2
    assert [r["seq"] for r in ring["records"]] == [3, 2, 1]
    assert ring["bad_lines"] == 2
    small = recorder.read_ring(str(tmp_path), "/var/lib/hostguard/oom-recorder", max_bytes=60)
    assert small["truncated"] and small["bytes"] <= 60
    capped = recorder.read_ring(str(tmp_path), "/var/lib/hostguard/oom-recorder", max_records=1)
    assert [r["seq"] for r in capped["records"]] == [3]


def test_read_ring_absent_and_hostile_paths(tmp_path):
    assert recorder.read_ring(str(tmp_path), "/var/lib/hostguard/oom-recorder")["status"] == "absent"
    assert recorder.read_ring(str(tmp_path), "")["detail"] == "disabled"
    # a link pointing out of root is resolved inside root (here: nothing there), never on the host
    outside = tmp_path / "outside"
    _write_ring(str(outside / "hostguard" / "oom-recorder"), {"ring-00000001.jsonl": [snap(1, 1.0, [])]})
    image = tmp_path / "image"
    (image / "var").mkdir(parents=True)
    os.symlink(str(outside), str(image / "var" / "lib"))
    ring = recorder.read_ring(str(image), "/var/lib/hostguard/oom-recorder")
    assert ring["status"] == "absent" and ring["records"] == []
    # the ring directory is a file: refused, not crashed
    (image / "var" / "x").write_text("")
    assert recorder.read_ring(str(image), "/var/x/ring")["status"] in ("refused", "absent")


def test_read_ring_skips_fifos_and_symlinked_files(tmp_path):
    d = tmp_path / "ring"
    _write_ring(str(d), {"ring-00000001.jsonl": [snap(1, 1.0, [])]})
    os.mkfifo(str(d / "ring-00000002.jsonl"))
    (tmp_path / "secret").write_text(json.dumps(snap(7, 7.0, [])) + "\n")
    os.symlink(str(tmp_path / "secret"), str(d / "ring-00000003.jsonl"))
    ring = recorder.read_ring(str(tmp_path), "/ring")
    assert [r["seq"] for r in ring["records"]] == [1]      # the FIFO is not opened (no hang)
    assert ring["bad_lines"] == 2


def test_attach_counts_correlations():
    incs, facts = recorder.attach([kill_only_incident(), kill_only_incident(pid=99, uptime=9999.0)],
                                  {"status": "read", "records": seed002_records(), "path": "/x"}, BOOT)
    assert facts["correlated"] == 1 and facts["records"] == 5 and "recorder" in incs[0]
    same, facts = recorder.attach([kill_only_incident()], {"status": "absent", "records": []})
    assert facts["correlated"] == 0 and "recorder" not in same[0]


def test_the_area_joins_a_kill_line_alone_with_the_ring_under_root(tmp_path):
    from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import AREA
    log = tmp_path / "var" / "log" / "kern.log"
    log.parent.mkdir(parents=True)
    log.write_text("[  105.000000] Memory cgroup out of memory: Killed process 10 (victim) total-vm:19696kB, "
                   "anon-rss:128kB, file-rss:2048kB, shmem-rss:0kB, UID:0 pgtables:68kB oom_score_adj:1000\n")
    _write_ring(str(tmp_path / "var/lib/hostguard/oom-recorder"),
                {"ring-00000001.jsonl": list(reversed(seed002_records()))})
    result = AREA.run({"root": str(tmp_path), "source": "file", "path": "/var/log/kern.log"})
    assert result["facts"]["recorder"]["status"] == "read" and result["facts"]["recorder"]["correlated"] == 1
    inc = result["facts"]["incidents"][0]
    assert inc["verdict"]["verdict"] == "innocent" and inc["verdict"]["source"] == "recorder"
    assert inc["verdict"]["largest_consumer"]["pid"] == 20
    assert inc["verdict"]["likely_culprit"]["pid"] == 20
    innocent = [f for f in result["findings"] if f["id"] == "HG-OOMLOG-002"]
    assert len(innocent) == 1 and innocent[0]["evidence"]["largest_consumer"]["pid"] == 20
    off = AREA.run({"root": str(tmp_path), "source": "file", "path": "/var/log/kern.log", "recorder_dir": ""})
    assert off["facts"]["incidents"][0]["verdict"]["verdict"] == "likely_innocent"
    assert not [f for f in off["findings"] if f["id"] == "HG-OOMLOG-002"]


def test_host_audit_reads_the_ring_when_present(tmp_path):
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.runner import audit_host
    log = tmp_path / "var" / "log" / "kern.log"
    log.parent.mkdir(parents=True)
    log.write_text("[  105.000000] Memory cgroup out of memory: Killed process 10 (victim) total-vm:19696kB, "
                   "anon-rss:128kB, file-rss:2048kB, shmem-rss:0kB, UID:0 pgtables:68kB oom_score_adj:1000\n")
    _write_ring(str(tmp_path / "var/lib/hostguard/oom-recorder"),
                {"ring-00000001.jsonl": list(reversed(seed002_records()))})
    out = audit_host(areas=["oomlog"], options={"oomlog": {"source": "file", "path": "/var/log/kern.log"}},
                     root=str(tmp_path))
    facts = out["facts"]["oomlog"]
    assert facts["recorder"]["status"] == "read" and facts["recorder"]["records"] == 5
    assert facts["incidents"][0]["verdict"]["source"] == "recorder"
    assert any(f["id"] == "HG-OOMLOG-002" for f in out["findings"])
