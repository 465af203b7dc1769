"""Unit tests of roles/oom_recorder/files/hostguard-oom-recorder (its pure functions, its ring,
its rate limiter, one snapshot over a fake /proc)."""
import importlib.machinery
import importlib.util
import json
import os
import stat

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PROGRAM = os.path.join(REPO, "roles", "oom_recorder", "files", "hostguard-oom-recorder")


def load_recorder():
    loader = importlib.machinery.SourceFileLoader("hostguard_oom_recorder", PROGRAM)
    spec = importlib.util.spec_from_loader("hostguard_oom_recorder", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


rec = load_recorder()

CFG = dict(rec.DEFAULTS)


def test_parse_meminfo_keeps_the_essentials():
    text = "MemTotal:       1000 kB\nMemFree: 10 kB\nMemAvailable:    250 kB\nHugePages_Total: 0\nbogus\n"
    assert rec.parse_meminfo(text) == {"MemTotal": 1000, "MemFree": 10, "MemAvailable": 250}


def test_parse_psi_reads_some_and_full():
    text = ("some avg10=1.50 avg60=0.20 avg300=0.00 total=12345\n"
            "full avg10=0.00 avg60=0.00 avg300=0.00 total=7\n")
    psi = rec.parse_psi(text)
    assert psi["some"] == {"avg10": 1.5, "avg60": 0.2, "avg300": 0.0, "total": 12345}
    assert psi["full"]["total"] == 7
    assert rec.parse_psi("garbage avg10=x\n") == {}


def test_parse_stat_survives_hostile_comm():
    fields = ["S"] + ["0"] * 18 + ["4242"] + ["0", "77"] + ["0"] * 20
    text = "123 (a) (b) c) " + " ".join(fields)
    assert rec.parse_stat(text) == ("a) (b) c", 4242, 77)
    assert rec.parse_stat("123 (x) S 1 2") is None
    assert rec.parse_stat("no parens") is None


def test_parse_status_rss_anon_swap():
    text = "Name:\tx\nVmRSS:\t  2048 kB\nRssAnon:\t 1024 kB\nVmSwap:\t 12 kB\n"
    assert rec.parse_status(text) == {"rss_kb": 2048, "anon_kb": 1024, "swap_kb": 12}


def test_cgroup_and_unit_v1_and_v2():
    v1 = ("12:memory:/system.slice/redis-server.service\n"
          "1:name=systemd:/system.slice/redis-server.service\n0::/system.slice/redis-server.service\n")
    assert rec.parse_proc_cgroup(v1) == "/system.slice/redis-server.service"
    assert rec.unit_of_procs(v1) == "redis-server.service"
    v2 = "0::/user.slice/user-0.slice/session-3.scope\n"
    assert rec.parse_proc_cgroup(v2) == "/user.slice/user-0.slice/session-3.scope"
    assert rec.unit_of_procs(v2) == "session-3.scope"
    assert rec.unit_of("/hg-test") is None
    assert rec.unit_of(None) is None


@pytest.mark.parametrize("argv, want", [
    (["redis-server", "--requirepass", "s3cr3t"], "redis-server --requirepass <redacted>"),
    (["app", "--password=hunter2", "--port", "80"], "app --password=<redacted> --port 80"),
    (["app", "--db-token", "abc", "-v"], "app --db-token <redacted> -v"),
    (["app", "--api_key=k1", "--secret", "zz"], "app --api_key=<redacted> --secret <redacted>"),
    (["env", "PGPASSWORD=pw", "AWS_SECRET_ACCESS_KEY=x", "HOME=/root"],
     "env PGPASSWORD=<redacted> AWS_SECRET_ACCESS_KEY=<redacted> HOME=/root"),
    (["curl", "https://bob:pa55@example.org/x"], "curl https://bob:<redacted>@example.org/x"),
    (["curl", "https://tok3n@example.org/x"], "curl https://<redacted>@example.org/x"),
    (["git", "clone", "ssh://git@example.org/x"], "git clone ssh://git@example.org/x"),
    (["curl", "-H", "Authorization: Bearer eyJhbGciOi.x.y"], "curl -H Authorization: Bearer <redacted>"),
    (["tool", "Bearer", "abcdefgh"], "tool Bearer <redacted>"),
    (["tool", "--header=Bearer abcdefgh"], "tool --header=Bearer <redacted>"),
    (["docker", "run", "--env=DB_PASSWORD=s3cr3t", "x"], "docker run --env=DB_PASSWORD=<redacted> x"),
    (["app", "https://u:pw@hAPI_TOKEN=s3cr3t"], "app https://u:<redacted>@hAPI_TOKEN=<redacted>"),
    (["mysql", "-uroot", "-ps3cr3t", "db"], "mysql -uroot -p<redacted> db"),
    (["sshpass", "-p", "s3cr3t", "ssh", "h"], "sshpass -p <redacted> ssh h"),
    (["curl", "-u", "bob:s3cr3t", "http://x"], "curl -u bob:<redacted> http://x"),
    (["redis-cli", "-a", "s3cr3t", "ping"], "redis-cli -a <redacted> ping"),
    (["x", "ghp_abcdefghijklmnopqrstuvwxyz0123"], "x <redacted>"),
    (["app", "--env=LANG=C", "a=b=c"], "app --env=LANG=C a=b=c"),
    (["sleep", "100"], "sleep 100"),
    (["app", "--password"], "app --password"),
    (["app", "--token", "--verbose"], "app --token <redacted>"),   # a value may start with "-"
])
def test_redact_argv(argv, want):
    assert rec.POLICY is not None, "the recorder did not find core/redact.py"
    assert " ".join(rec.redact_argv(argv)) == want


# Process command lines the audit's own gate (core.redact) must hide, each also written to the
# recorder's ring: one policy, so the two cannot drift apart (they did: session 8 found the
# recorder keeping mysql -p, curl -u, redis-cli -a and token shapes in clear).
SECRET = "s3cr3tVALUE9"
SECRET_ARGVS = [
    ["app", "--password=" + SECRET, "--port", "5"], ["app", "--token", SECRET, "--x"],
    ["app", "-secret", SECRET], ["app", "--api-key=" + SECRET], ["app", "--auth=" + SECRET],
    ["psql", "postgres://user:%s@db:5432/x" % SECRET],
    ["git", "clone", "https://bob:%s@git.example/x.git" % SECRET],
    ["git", "clone", "https://%s@github.com/x.git" % SECRET],
    ["x", "https://u:%s@hDB_PASSWORD=%s" % (SECRET, SECRET)],
    ["docker", "run", "--env=DB_PASSWORD=" + SECRET, "x"], ["docker", "run", "-e", "DB_PASSWORD=" + SECRET],
    ["app", "--url=https://u:%s@h/x" % SECRET], ["mysql", "-uroot", "-p" + SECRET, "db"],
    ["mysqldump", "-p", SECRET, "db"], ["mariadb-dump", "--password=" + SECRET],
    ["curl", "-H", "Authorization: Bearer " + SECRET, "http://x"], ["curl", "-H", "authorization:" + SECRET],
    ["tool", "--header=Bearer " + SECRET], ["curl", "-u", "bob:" + SECRET, "http://x"],
    ["curl", "--user=bob:" + SECRET, "http://x"], ["env", "DB_PASSWORD=" + SECRET, "API_TOKEN=" + SECRET, "./run"],
    ["redis-cli", "-a", SECRET, "ping"], ["redis-server", "--requirepass", SECRET],
    ["redis-server", "--masterauth", SECRET], ["sshpass", "-p", SECRET, "ssh", "h"],
    ["sshpass", "-p" + SECRET, "ssh", "h"], ["java", "-Djavax.net.ssl.keyStorePassword=" + SECRET, "-jar", "a.jar"],
    ["app", "--client-secret", SECRET], ["app", "--pass", SECRET], ["app", "PASSWORD=" + SECRET],
    ["x", "ghp_%s0123456789abcdefgh" % SECRET], ["x", "glpat-%s0123456789" % SECRET],
]


@pytest.mark.parametrize("argv", SECRET_ARGVS, ids=lambda a: " ".join(a)[:40])
def test_recorder_and_audit_hide_the_same_secrets(argv):
    from ansible_collections.hostguard.hardening.plugins.module_utils.core import redact as core
    ring = rec.cmdline_text("\0".join(argv).encode(), 4096)
    audit = core.redact(" ".join(argv))
    assert SECRET not in ring and SECRET not in audit
    assert ring == audit


def test_without_the_policy_only_the_program_name_is_kept():
    assert rec.redact_argv(["app", "--x", "y"], policy=None) == ["app", rec.REDACTED]
    assert rec.redact_argv(["app"], policy=None) == ["app"]


def test_installed_program_loads_the_policy_from_its_own_directory(tmp_path):
    import shutil
    shutil.copy(PROGRAM, str(tmp_path / "hostguard-oom-recorder"))
    assert rec.load_redaction_policy(str(tmp_path / "hostguard-oom-recorder")) is None
    shutil.copy(os.path.join(os.path.dirname(PROGRAM), "..", "..", "..", "plugins", "module_utils", "core",
                             "redact.py"), str(tmp_path / rec.POLICY_FILE))
    policy = rec.load_redaction_policy(str(tmp_path / "hostguard-oom-recorder"))
    assert policy.redact("app --token x") == "app --token <redacted>"


def test_cmdline_text_bounds_and_decodes():
    raw = b"python3\0-c\0\xff\xfe\0--password\0p\x00"
    text = rec.cmdline_text(raw, 200)
    assert "p\x00" not in text and "<redacted>" in text and "python3 -c" in text
    assert rec.cmdline_text(b"a" * 1000, 10) == "a" * 10 + "..."
    assert rec.cmdline_text(b"", 10) == ""
    assert "\n" not in rec.cmdline_text(b"a\nb", 10)


def test_rank_and_growth_ignore_reused_pids():
    prev = {1: ("a", 10, 100), 2: ("b", 20, 100), 3: ("c", 30, 500)}
    cur = {1: ("a", 10, 300), 2: ("b2", 99, 900), 3: ("c", 30, 400), 4: ("d", 40, 50)}
    assert rec.rank_by_rss(cur, 2) == [2, 3]
    rows = rec.growth(prev, cur, 4, 2.0, 10)
    assert rows == [{"pid": 1, "comm": "a", "rss_kb": 1200, "delta_kb": 800, "kb_per_s": 400.0}]


def _sample(mono, avail, total=1000, cgroups=None):
    return {"mono": mono, "mem_total": total, "mem_available": avail, "cgroups": cgroups or {}}


def test_headroom_reason_system():
    assert rec.headroom_reason(_sample(1, 500), None, CFG) is None
    assert rec.headroom_reason(_sample(1, 50), None, CFG) == "low_memory"
    # falling 200 per second with 400 left: exhausted in 2 s
    assert rec.headroom_reason(_sample(2, 400), _sample(1, 600), CFG) == "memory_falling"
    # falling slowly (below min_fall_pct_per_s of the total): nothing
    assert rec.headroom_reason(_sample(2, 595), _sample(1, 600), CFG) is None


def test_headroom_reason_cgroup():
    mb = 1 << 20

    def cg(usage, limit=128 * mb):
        return {"x": {"usage": usage, "limit": limit}}
    assert rec.headroom_reason(_sample(1, 900, cgroups=cg(10 * mb)), None, CFG) is None
    assert rec.headroom_reason(_sample(1, 900, cgroups=cg(110 * mb)), None, CFG) == "cgroup_headroom:x"
    # 20 MB/s toward a 128 MiB limit with 98 MiB left: 5 s
    assert rec.headroom_reason(_sample(2, 900, cgroups=cg(30 * mb)), _sample(1, 900, cgroups=cg(10 * mb)),
                               CFG) == "cgroup_rising:x"
    # unlimited cgroups never trigger
    assert rec.headroom_reason(_sample(1, 900, cgroups=cg(10 * mb, None)), None, CFG) is None


def test_seconds_left_predicts_exhaustion():
    mb = 1 << 20

    def cg(usage):
        return {"x": {"usage": usage, "limit": 128 * mb}}
    assert rec.seconds_left(_sample(2, 900, cgroups=cg(108 * mb)), _sample(1, 900, cgroups=cg(88 * mb)), CFG) == 1.0
    assert rec.seconds_left(_sample(2, 400), _sample(1, 600), CFG) == 2.0
    assert rec.seconds_left(_sample(2, 599), _sample(1, 600), CFG) is None     # too slow to count
    assert rec.seconds_left(_sample(2, 900, cgroups=cg(10 * mb)), None, CFG) is None
    assert rec.seconds_left(_sample(1, 900), _sample(1, 900), CFG) is None     # no time passed


def test_rate_limiter_one_per_second_and_bounded_bursts():
    lim = rec.RateLimiter(burst=3, refill=10.0, min_interval=1.0)
    assert lim.allow(0.0)
    assert not lim.allow(0.5)
    assert lim.allow(1.0) and lim.allow(2.1)
    assert not lim.allow(3.2)          # burst of 3 used; 0.32 token refilled
    assert lim.limited == 2
    assert lim.allow(12.0)             # refilled
    taken = sum(lim.allow(12.0 + i * 1.0) for i in range(1, 100))
    assert taken <= 3 + 100 // 10


def test_rate_limiter_lets_the_kill_snapshot_through_an_empty_bucket():
    lim = rec.RateLimiter(burst=2, refill=100.0, min_interval=1.0)
    assert lim.allow(0.0) and lim.allow(1.0)
    assert not lim.allow(2.0)                      # bucket empty
    assert lim.allow(2.0, priority=True)           # an OOM kill's snapshot still goes
    assert not lim.allow(2.5, priority=True)       # but never two within a second
    assert lim.tokens < 0.01                       # refilled a little since, never negative


def test_psi_trigger_fallback_rounds_window_to_two_seconds():
    assert rec.psi_triggers_to_try("some 150000 1000000") == ["some 150000 1000000", "some 300000 2000000"]
    assert rec.psi_triggers_to_try("full 100000 2000000") == ["full 100000 2000000"]


def test_kmsg_records_and_oom_events():
    usec, msg = rec.parse_kmsg_record(
        b"3,1234,839048830,-;Memory cgroup out of memory: Killed process 4333 (victim.py) "
        b"total-vm:19696kB, anon-rss:128kB\n SUBSYSTEM=x\n")
    assert usec == 839048830
    ev = rec.oom_event(msg)
    assert ev["type"] == "kill" and ev["pid"] == 4333 and ev["comm"] == "victim.py"
    assert rec.oom_event("Out of memory: Kill process 2012894 (keydb-server) score 1015 or sacrifice child")["pid"] == 2012894
    info = rec.oom_event("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),task=python3,pid=7,uid=0")
    assert info["type"] == "info" and info["info"]["pid"] == "7"
    assert rec.oom_event("python3 invoked oom-killer: gfp_mask=0xcc0")["comm"] == "python3"
    assert rec.oom_event("eth0: link up") is None
    assert rec.parse_kmsg_record(b"no separator") is None
    assert rec.parse_kmsg_record(b"a,b,c;x") is None


def test_ring_plan_drops_oldest_never_newest():
    files = [("a", 40), ("b", 40), ("c", 40)]
    assert rec.ring_plan(files, 100, 10) == ["a"]
    assert rec.ring_plan(files, 200, 10) == []
    assert rec.ring_plan([("only", 500)], 100, 10) == []


def test_load_config_rejects_unknown_keys():
    assert rec.load_config('{"top": 5}') == {"top": 5}
    with pytest.raises(ValueError):
        rec.load_config('{"tpo": 5}')
    with pytest.raises(ValueError):
        rec.load_config('[1]')


def test_ring_is_bounded_and_private(tmp_path):
    ring = rec.Ring(str(tmp_path / "ring"), ring_bytes=4096 * 4, files=4)
    ring.open()
    line = json.dumps({"x": "y" * 500})
    for _line in range(200):
        ring.write(line)
    ring.close()
    names = sorted(os.listdir(str(tmp_path / "ring")))
    sizes = [os.path.getsize(str(tmp_path / "ring" / n)) for n in names]
    assert sum(sizes) <= 4096 * 4 and len(names) >= 2
    assert all(stat.S_IMODE(os.stat(str(tmp_path / "ring" / n)).st_mode) == 0o600 for n in names)
    assert stat.S_IMODE(os.stat(str(tmp_path / "ring")).st_mode) == 0o700
    assert rec.ring_index(names[-1]) > 10          # the oldest were dropped
    # a new ring in the same dir continues after the newest file
    ring2 = rec.Ring(str(tmp_path / "ring"), ring_bytes=4096 * 4, files=4)
    ring2.open()
    assert ring2.index == rec.ring_index(names[-1]) + 1
    ring2.close()


def test_writer_drops_and_counts_when_the_disk_fails(tmp_path):
    class Failing(object):
        last_error = None

        def write(self, line):
            raise OSError(28, "No space left on device")

        def close(self):
            pass

    failing = Failing()
    w = rec.Writer(failing, depth=2)
    w.start()
    for _line in range(5):
        w.put("{}")
    w.close()
    assert w.dropped + w.dropped_errors == 5
    assert w.dropped_errors >= 1 and failing.last_error == "ENOSPC"


def test_writer_drops_when_the_queue_is_full(tmp_path):
    w = rec.Writer(rec.Ring(str(tmp_path / "r"), 1 << 20, 2), depth=2)   # not started: a stuck disk
    assert w.put("a") and w.put("b")
    assert not w.put("c")
    assert w.dropped == 1


def _fake_proc(root, procs, meminfo="MemTotal: 1000 kB\nMemAvailable: 500 kB\n"):
    os.makedirs(os.path.join(root, "pressure"))
    with open(os.path.join(root, "meminfo"), "w") as f:
        f.write(meminfo)
    with open(os.path.join(root, "pressure", "memory"), "w") as f:
        f.write("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
    for pid, comm, start, rss, argv, adj in procs:
        d = os.path.join(root, str(pid))
        os.makedirs(d)
        fields = ["S"] + ["0"] * 18 + [str(start)] + ["0", str(rss)] + ["0"] * 20
        with open(os.path.join(d, "stat"), "w") as f:
            f.write("%d (%s) %s" % (pid, comm, " ".join(fields)))
        with open(os.path.join(d, "status"), "w") as f:
            f.write("VmRSS:\t%d kB\nRssAnon:\t%d kB\nVmSwap:\t0 kB\n" % (rss * 4, rss * 4))
        with open(os.path.join(d, "cmdline"), "wb") as f:
            f.write(b"\0".join(a.encode() for a in argv) + b"\0")
        with open(os.path.join(d, "oom_score_adj"), "w") as f:
            f.write("%d\n" % adj)
        with open(os.path.join(d, "oom_score"), "w") as f:
            f.write("%d\n" % (adj + 1000 if adj > -1000 else 0))
        with open(os.path.join(d, "cgroup"), "w") as f:
            f.write("4:memory:/hg\n1:name=systemd:/system.slice/x.service\n")


def test_snapshot_over_a_fake_proc_names_the_grower(tmp_path):
    root = str(tmp_path / "proc")
    _fake_proc(root, [(10, "hog", 5, 1000, ["hog", "--token", "t0p"], -1000),
                      (11, "victim", 6, 10, ["victim"], 1000)])
    lines = []
    cfg = dict(CFG, proc_root=root, top=5)
    r = rec.Recorder(cfg, emit=lines.append)
    r.page_kb = 4
    first = r.snapshot("start")
    assert [p["pid"] for p in first["top"]] == [10, 11] and first["growth"] == []
    assert first["top"][0]["cmdline"] == "hog --token <redacted>"
    assert first["top"][0]["unit"] == "x.service" and first["top"][0]["cgroup"] == "/hg"
    assert first["top"][0]["oom_score_adj"] == -1000
    with open(os.path.join(root, "10", "stat"), "w") as f:
        fields = ["S"] + ["0"] * 18 + ["5"] + ["0", "3000"] + ["0"] * 20
        f.write("10 (hog) " + " ".join(fields))
    second = r.snapshot("headroom")
    assert second["growth"][0]["pid"] == 10 and second["growth"][0]["delta_kb"] == 8000
    assert second["seq"] == 2 and second["meminfo"]["MemAvailable"] == 500
    assert "t0p" not in "".join(lines)
    assert all(json.loads(line)["kind"] == "snapshot" for line in lines)


def test_kill_on_kmsg_is_recorded_with_its_info():
    lines = []
    r = rec.Recorder(dict(CFG, proc_root="/nonexistent"), emit=lines.append)
    r.on_kmsg([{"type": "info", "info": {"pid": "7", "task": "victim"}, "kernel_usec": 1},
               {"type": "kill", "pid": 7, "comm": "victim", "line": "Killed process 7 (victim)",
                "kernel_usec": 2500000}])
    kill = json.loads(lines[-1])
    assert kill["kind"] == "oom_kill" and kill["pid"] == 7 and kill["kernel_uptime"] == 2.5
    assert kill["info"]["task"] == "victim"
    assert r.pending_kill["pid"] == 7 and r.kills_seen == 1


def test_a_killed_pid_is_not_read_until_it_is_gone(tmp_path, monkeypatch):
    """Reading /proc/<victim>/stat while it exits pins its mm (its memory stays charged): after
    the kill line the victim's entry is left unread, until it is gone or DYING_HOLD_S passed."""
    root = str(tmp_path / "proc")
    _fake_proc(root, [(10, "hog", 5, 1000, ["hog"], 0), (11, "victim", 6, 10, ["victim"], 1000)])
    lines, reads = [], []
    r = rec.Recorder(dict(CFG, proc_root=root, top=5), emit=lines.append)
    real_read = rec.read_small
    monkeypatch.setattr(rec, "read_small", lambda path, *a, **k: reads.append(path) or real_read(path, *a, **k))
    r.on_kmsg([{"type": "kill", "pid": 11, "comm": "victim", "line": "Killed process 11 (victim)",
                "kernel_usec": 1}])
    after = r.snapshot("oom_kill", extra={"after_kill": r.pending_kill})
    assert [p["pid"] for p in after["top"]] == [10] and after["dying"] == [11]
    assert not [p for p in reads if "/11/" in p] and [p for p in reads if "/10/stat" in p]
    r.dying[11] -= rec.DYING_HOLD_S + 1                      # the hold ran out: pid 11 is read again
    again = r.snapshot("headroom")
    assert [p["pid"] for p in again["top"]] == [10, 11] and "dying" not in again
    r.on_kmsg([{"type": "kill", "pid": 10, "comm": "hog", "line": "Killed process 10 (hog)", "kernel_usec": 2}])
    for name in os.listdir(os.path.join(root, "10")):
        os.unlink(os.path.join(root, "10", name))
    os.rmdir(os.path.join(root, "10"))                      # reaped: nothing left to skip
    last = r.snapshot("headroom")
    assert [p["pid"] for p in last["top"]] == [11] and "dying" not in last and r.dying == {}


def test_cli_once_writes_one_private_line(tmp_path, capsys):
    state = tmp_path / "state"
    assert rec.main(["--once", "--state-dir", str(state), "--top", "3"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and json.loads(out[0])["reason"] == "once"
    files = os.listdir(str(state))
    assert len(files) == 1
    with open(str(state / files[0])) as f:
        assert json.loads(f.read())["kind"] == "snapshot"


def test_cli_rejects_bad_options(tmp_path, capsys):
    assert rec.main(["--once", "--no-ring", "--top", "0"]) == 2
    cfg = tmp_path / "c.json"
    cfg.write_text('{"nope": 1}')
    assert rec.main(["--once", "--no-ring", "--config", str(cfg)]) == 2
    assert "unknown config keys" in capsys.readouterr().err


def test_check_config_validates_a_file(tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text('{"top": 5, "watch_cgroups": ["system.slice"], "psi_trigger": "some 100000 2000000"}')
    assert rec.main(["--check-config", "--config", str(good)]) == 0
    bad = tmp_path / "bad.json"
    bad.write_text('{"psi_trigger": "sometimes"}')
    assert rec.main(["--check-config", "--config", str(bad)]) == 2
    broken = tmp_path / "broken.json"
    broken.write_text('{"top": ')
    assert rec.main(["--check-config", "--config", str(broken)]) == 2
