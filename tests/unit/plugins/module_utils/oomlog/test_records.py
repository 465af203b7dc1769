"""Record boundaries (issue 12), the userspace killers' older forms, pasted damage, and a result
independent of the read size even when an over-long line holds the only anchor (issue 17)."""
import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import kernlog as k

SUMMARY = ("[ %s] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
           "oom_memcg=/a,task_memcg=/a/b,task=%s,pid=%d,uid=0\n")


def kills(data, **kw):
    kw.setdefault("year", 2025)
    return sorted(k.parse_bytes(data, **kw).result_incidents(), key=lambda i: i["seq"])


def test_two_summary_only_records_are_two_kills():
    incs = kills(SUMMARY % ("1.0", "app", 7) + SUMMARY % ("2.0", "db", 9))
    assert [(i["victim"]["pid"], i["victim"]["name"]) for i in incs] == [(7, "app"), (9, "db")]
    assert incs[1]["memcg"]["task_memcg"] == "/a/b" and incs[0]["constraint"] == "CONSTRAINT_MEMCG"


def test_two_select_only_records_are_two_kills():
    data = ("[ 1.0] Out of memory: Kill process 11 (a) score 900 or sacrifice child\n"
            "[ 2.0] Out of memory: Kill process 12 (b) score 800 or sacrifice child\n")
    assert [i["victim"]["pid"] for i in kills(data)] == [11, 12]


def test_summary_then_its_kill_line_is_one_kill_and_another_kill_is_another():
    data = (SUMMARY % ("1.0", "app", 7) +
            "[ 1.1] Memory cgroup out of memory: Killed process 7 (app) total-vm:10kB, anon-rss:5kB, file-rss:0kB\n"
            "[ 9.0] Memory cgroup out of memory: Killed process 8 (other) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n")
    incs = kills(data)
    assert [i["victim"]["pid"] for i in incs] == [7, 8]
    assert incs[0]["victim"]["total_vm_kb"] == 10 and "sacrificed_for" not in incs[1]["victim"]


def test_a_record_without_kill_is_not_merged_into_the_next_kill():
    data = ("[ 1.0] first invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
            "[ 1.0] CPU: 0 PID: 100 Comm: first Not tainted 6.1.0 #1\n"
            "[ 5.0] second invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
            "[ 5.0] CPU: 1 PID: 200 Comm: second Not tainted 6.1.0 #1\n"
            "[ 5.1] Out of memory: Killed process 300 (victim) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n")
    p = k.parse_bytes(data)
    incs = p.result_incidents()
    assert len(incs) == 1 and incs[0]["trigger"] == {"process": "second", "gfp_mask": "0xcc0",
                                                     "gfp_flags": "GFP_KERNEL", "order": 0,
                                                     "oom_score_adj": 0, "pid": 200}
    assert [r["trigger"]["process"] for r in p.without_kill] == ["first"]


def test_trigger_and_panic_without_kill_is_not_an_oom_kill_finding(tmp_path):
    log = tmp_path / "kern.log"
    log.write_text("[ 9.0] init invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
                   "[ 9.0] CPU: 0 PID: 1 Comm: init Not tainted 6.1.0 #1\n"
                   "[ 9.1] Kernel panic - not syncing: Out of memory: compulsory panic_on_oom is enabled\n")
    result = k.audit({"path": str(log)})
    assert [f["status"] for f in result["findings"] if f["id"] == "HG-OOMLOG-001"] == ["pass"]
    assert result["facts"]["incidents"] == [] and result["facts"]["counts"]["records_without_kill"] == 1
    assert result["facts"]["records_without_kill"][0]["panic"].startswith("Out of memory: compulsory")


def test_duplicated_kill_line_is_counted_once():
    line = "Nov 30 10:16:57 h kernel: Killed process 7 (node), UID 1000, total-vm:6kB, anon-rss:6kB, file-rss:1kB\n"
    p = k.parse_bytes(line + line)
    assert len(p.result_incidents()) == 1 and p.counts["duplicate_lines"] == 1


def test_thousands_separators_and_uid_after_name():
    inc = kills("[1.0] Out of memory: Killed process 7899 (python) total-vm:26,184,840kB, "
                "anon-rss:1,024kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:38964kB oom_score_adj:0\n"
                "> Nov 30 10:16:57 h kernel: Killed process 9 (node), UID 1000, total-vm:606096kB, anon-rss:6kB\n")
    assert inc[0]["victim"]["total_vm_kb"] == 26184840 and inc[0]["victim"]["anon_rss_kb"] == 1024
    assert inc[1]["victim"]["uid"] == 1000 and inc[1]["victim"]["total_vm_kb"] == 606096


def test_wrapped_task_row_is_joined():
    data = ("[1.0] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
            "[1.0] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n"
            "[1.0] [   7899]     0  7899  6546210  3842522 39899136  1039052\n"
            " 0 python\n"
            "[1.0] [  11794]  1000 11794      619      468    45056        0            0 init\n"
            "[1.1] Out of memory: Killed process 11794 (init) total-vm:2476kB, anon-rss:1872kB, file-rss:0kB\n")
    p = k.parse_bytes(data)
    inc = p.result_incidents()[0]
    assert inc["task_table"]["rows"] == 2 and p.counts["wrapped_rows"] == 1
    assert inc["verdict"]["verdict"] == "innocent" and inc["verdict"]["largest_consumer"]["name"] == "python"


@pytest.mark.parametrize("lines,want", [
    (['Jan 10 desk earlyoom[1]: sending SIGTERM to process 12006 "python3": badness 209, VmRSS 2891 MiB'],
     (12006, "python3", 2891 * 1024)),                                        # 1.3-1.5: no uid
    (['killing process 27541 "bash" with signal 15: badness 550, VmRSS 7609 MiB'], (27541, "bash", 7609 * 1024)),
    (["Killing process 'tail' with signal 15, pid: 24059, badness: 997, VmRSS: 4278 MiB"],
     (24059, "tail", 4278 * 1024)),
])
def test_earlyoom_older_forms(lines, want):
    inc = kills("\n".join(lines) + "\n")
    assert len(inc) == 1 and inc[0]["killer"] == "earlyoom"
    v = inc[0]["victim"]
    assert (v["pid"], v["name"], k.victim_rss_kb(v)) == want


def test_earlyoom_0x_killing_process_pid_comm():
    """earlyoom 0.x (earlyoom#65): "Killing process N comm" after "Out of memory! avail: ..."."""
    data = ("Out of memory! avail: 0 MiB < min: 587 MiB\nKilling process 8230 sudo\n"
            "Jul  4 10:00:00 desk earlyoom[9]: Killing process 8240 mate-notificati\n")
    inc = kills(data)
    assert [(i["killer"], i["victim"]["pid"], i["victim"]["name"]) for i in inc] == [
        ("earlyoom", 8230, "sudo"), ("earlyoom", 8240, "mate-notificati")]


@pytest.mark.parametrize("line", [
    "Jul  4 10:00:00 h systemd[1]: foo.service: Killing process 1234 (bash) with signal SIGKILL.",
    "Killing process 1234 (bash) with signal SIGKILL.",            # systemd's form, untagged
    "Jul  4 10:00:00 h myscript[7]: Killing process 1234 worker",    # another program's tag
    "Killing process 1234 because the job timed out after 30 s",     # a tail longer than a comm
    "Killing process 1234",                                          # no comm
    "Killing process 12x4 sudo",
])
def test_killing_process_lines_that_are_not_earlyoom_0x(line):
    assert kills(line + "\n") == []


def test_earlyoom_self_test_and_banner_are_not_kills():
    data = ('earlyoom[610]: sending 0 (no-op signal) to process 610 uid 0 "earlyoom": badness 0, VmRSS 1 MiB\n'
            "earlyoom[610]: sending SIGTERM when mem <= 10.00% and swap <= 10.00%,\n"
            'killing process 5 "x" with signal 0: badness 1, VmRSS 1 MiB\n')
    assert kills(data) == []


def test_openvz_kill_wrapped_over_two_lines():
    data = ("Apr 20 20:03:27 EL135 kernel: OOM killed process watchdog (pid=14490, ve=13516) exited,\n"
            "Apr 20 20:03:27 EL135 kernel: free=43104 gen=24501.\n")
    inc = kills(data)
    assert len(inc) == 1 and inc[0]["killer"] == "openvz"
    assert inc[0]["victim"]["free_after"] == 43104 and inc[0]["victim"]["gen"] == 24501


def test_systemd_oomd_attempting_to_kill_takes_the_pid_and_the_cgroup():
    data = ("[ 77.7] systemd-oomd[659]: oomd attempting to kill 407 with KILL\n"
            "[ 77.7] systemd-oomd[659]: Marked /system.slice/j.service for killing due to memory pressure "
            "for /system.slice being 85.03% > 80.00% for > 2s with reclaim activity\n")
    inc = kills(data)
    assert len(inc) == 1 and inc[0]["victim"]["pid"] == 407 and inc[0]["victim"]["name"] == "j.service"
    assert inc[0]["memcg"]["pressure_pct"] == 85.03
    alone = kills("[ 7.0] systemd-oomd[1]: oomd attempting to kill 55 with KILL\n")
    assert [(i["killer"], i["victim"]["pid"]) for i in alone] == [("systemd-oomd", 55)]


def test_localised_journal_keeps_the_record_with_time_unknown():
    incs = kills("Κυρ 16 21:08:50 host kernel: Out of memory: Killed process 5 (a) total-vm:1kB, anon-rss:1kB\n")
    assert len(incs) == 1 and incs[0]["time"] is None and incs[0]["victim"]["pid"] == 5


@pytest.mark.parametrize("max_line", [64, 300])
def test_result_independent_of_chunk_size_when_an_over_long_line_holds_the_only_anchor(max_line):
    long_kill = ("[ 1.0] " + "x" * 500 + " Out of memory: Killed process 7 (a) total-vm:1kB, anon-rss:1kB\n").encode()
    long_head = ("[ 2.0] Out of memory: Killed process 8 (b) total-vm:1kB " + "y" * 900 + "\n").encode()
    data = b"noise\n" * 3 + long_kill + b"noise\n" + long_head + b"tail without newline oom"
    runs = []
    for chunk in (1, 2, 3, 7, 64, 65, 100, 499, 500, 501, 4096, 1 << 20):
        p = k.parse_bytes(data, max_line=max_line, chunk=chunk)
        runs.append((p.result_incidents(), dict(p.counts), p.lines))
    assert all(r == runs[0] for r in runs)
    assert [i["victim"]["pid"] for i in runs[0][0]] == [8]     # the anchor past the cap is not read


def test_virtuozzo_ub_kill_wrapped_by_syslog_keeps_host_time_and_ub():
    data = ("Nov 24 12:17:04 hwnode kernel: [758955.653313] Out of memory in UB 1234: OOM \n"
            "killed process 21738 (php-cgi) score 0 vm:281988kB, rss:17004kB, swap:0kB\n"
            "Nov 24 12:17:09 hwnode kernel: [758960.1] Out of memory in UB 77: OOM killed process 5 (x) "
            "score 3 vm:10kB, rss:4kB, swap:0kB\n")
    for chunk in (1, 9, 80, 1 << 20):
        incs = kills(data, chunk=chunk)
        assert [(i["killer"], i["host"], i["victim"]["pid"], i["victim"]["ve"], k.victim_rss_kb(i["victim"]))
                for i in incs] == [("openvz", "hwnode", 21738, 1234, 17004), ("openvz", "hwnode", 5, 77, 4)]
        assert incs[0]["time"] == "2025-11-24T12:17:04Z" and incs[0]["victim"]["total_vm_kb"] == 281988


@pytest.mark.parametrize("line,comm", [
    ('    "message": "python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",', "python3"),
    ("Apr 20 20:03:27 h kernel: kworker/u16:3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0", "kworker/u16:3"),
    ("[ 5.0] CPU 2/KVM invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=872", "CPU 2/KVM"),
    ("weird :: [x] GC Thread#9 invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0", "GC Thread#9"),
])
def test_trigger_comm_survives_an_unknown_prefix(line, comm):
    p = k.parse_bytes(line + "\n")
    assert [r["trigger"]["process"] for r in p.without_kill] == [comm]


def test_task_table_survives_another_hosts_lines_between_its_rows():
    a = ["Apr 20 20:03:27 hosta kernel: x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
         "Apr 20 20:03:27 hosta kernel: [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
         "Apr 20 20:03:27 hosta kernel: [    100]     0   100     5000     4000    65536        0             0 small",
         "Apr 20 20:03:27 hosta kernel: [    200]     0   200   900000   800000    65536        0         -1000 hog",
         "Apr 20 20:03:27 hosta kernel: Out of memory: Killed process 100 (small) total-vm:20000kB, anon-rss:16000kB"]
    b = "Apr 20 20:03:27 hostb kernel: e1000e 0000:00:19.0 eth0: NIC Link is Up"
    mixed = []
    for line in a:
        mixed += [line, b]
    incs = kills("\n".join(mixed) + "\n")
    assert len(incs) == 1 and incs[0]["task_table"]["rows"] == 2
    assert incs[0]["verdict"]["verdict"] == "innocent" and incs[0]["verdict"]["largest_consumer"]["name"] == "hog"


@pytest.mark.parametrize("line,pid,name,rss,adj", [
    # Android 11+ lmkd under logcat -v threadtime (resurrecting-open-source-projects/stress#10)
    ("07-31 02:28:31.588   152   152 I lowmemorykiller: Kill './lmkd_unit_test' (6870), uid 0, oom_score_adj 1000 "
     "to free 2740708kB rss, 90208kB swap; reason: low watermark is breached and swap is low (144184kB < 267412kB)",
     6870, "./lmkd_unit_test", 2740708, 1000),
    # Samsung's "Reclaim" form, a package name with ':' (flutter#161070)
    ("01-01 15:11:13.739   879   879 I lmkd    : Reclaim 'com.samsung.x:contentmanagement' (591), uid 10112, "
     "oom_score_adj 975, state 19 to free 19252kB rss, 52772kB swap; reason: min2x watermark is breached",
     591, "com.samsung.x:contentmanagement", 19252, 975),
    # Android 10's oom_adj, logcat -v time
    ("07-31 02:28:31.588 I/lowmemorykiller(  152): Kill 'com.a' (12), uid 10001, oom_adj 900 to free 5kB rss",
     12, "com.a", 5, 900),
    # an unread prefix: the tag is taken from right before the kill
    ("  lowmemorykiller: Kill 'com.b' (13), uid 10002, oom_score_adj 0 to free 7kB rss, 0kB swap", 13, "com.b", 7, 0),
])
def test_lmkd_kill_is_one_kill_of_its_pid(line, pid, name, rss, adj):
    incs = kills(line + "\n" + line + "\n")
    timed = line[:1].isdigit()          # a timed line pasted twice is one kill; untimed, it may be two kills
    assert len(incs) == (1 if timed else 2) and incs[0]["killer"] == "lmkd"
    v = incs[0]["victim"]
    assert (v["pid"], v["name"], k.victim_rss_kb(v), v["oom_score_adj"]) == (pid, name, rss, adj)
    assert incs[0]["verdict"]["verdict"] == "undetermined"


@pytest.mark.parametrize("line", [
    "07-31 02:28:31.588  2821  5227 I ActivityManager: Kill 'com.a' (12), uid 10001, oom_score_adj 900 to free 5kB rss",
    "Jun 12 01:11:36 h app[1]: Kill 'com.a' (12), uid 10001, oom_score_adj 900 to free 5kB rss",
    "07-31 02:28:31.588   152   152 I lowmemorykiller: Kill 'com.a' (12x), uid 10001, oom_score_adj 900",
    "07-31 02:28:31.588   152   152 I lowmemorykiller: Kill 'com.a' (",
])
def test_lmkd_form_under_another_tag_or_cut_is_no_kill(line):
    assert kills(line + "\n") == []


def test_mail_quote_marker_inside_a_rewrapped_select_or_kill_line():
    select = kills("> Dec 1 15:01:07 cluster1 kernel: Out of memory: Kill process 7963 > (sge_qmaster) score 948 or "
                   "sacrifice child it's also worth pointing out\n")
    assert [(i["victim"]["pid"], i["victim"]["name"]) for i in select] == [(7963, "sge_qmaster")]
    kill = kills("> Dec 1 15:02:07 cluster1 kernel: Killed process 7964 >> (sge_execd) total-vm:10kB, anon-rss:5kB\n")
    assert [(i["victim"]["pid"], i["victim"]["name"], i["victim"]["total_vm_kb"]) for i in kill] == \
        [(7964, "sge_execd", 10)]
    assert kills("Dec 1 15:03:07 cluster1 kernel: Killed process 7965 > x (no) total-vm:10kB\n") == []


def test_task_table_with_whitespace_collapsed_by_a_web_page_is_read():
    data = ("Mar 24 18:41:03 h kernel: [ pid ] uid tgid total_vm rss pgtables_bytes swapents oom_score_adj name\n"
            "Mar 24 18:41:03 h kernel: [ 64320] 1011 64320 47586463 5345805 128630784 547757 0 yb-tserver\n"
            "Mar 24 18:41:03 h kernel: [ 1660308] 1011 1660308 621139 24748 700416 527 900 postgres\n"
            "Mar 24 18:41:04 h kernel: Out of memory: Killed process 1660308 (postgres) total-vm:2484556kB, "
            "anon-rss:98992kB, file-rss:0kB, shmem-rss:0kB, UID:1011 pgtables:588kB oom_score_adj:900\n")
    inc, = kills(data)
    verdict = inc["verdict"]
    assert verdict["verdict"] == "innocent" and verdict["largest_consumer"]["name"] == "yb-tserver"
    assert k.parse_bytes("[ 1.0] [ pid ] uid tgidx total_vm rss name\n", year=2025).result_incidents() == []


def test_broadcom_oom_condition_without_killer_is_a_record_not_a_kill():
    # asuswrt-merlin.ng#314/#478: Broadcom's vendor kernel does not call the OOM killer (its spelling)
    data = ("May  5 07:05:06 crashlog: <4>aaews triggered out of memory codition (oom killer not called): "
            "gfp_mask=0x201da, order=0, oom_score_adj=0\n"
            "May  5 07:05:06 crashlog: <4>CPU: 1 PID: 1761 Comm: aaews Tainted: P           O    4.1.51 #2\n"
            "May  5 07:05:06 crashlog: <0>Kernel panic - not syncing: Reboot due to persistent out of memory codition..\n")
    parser = k.parse_bytes(data, year=2025)
    assert parser.result_incidents() == []
    rec, = parser.without_kill
    assert rec["trigger"]["process"] == "aaews" and rec["trigger"]["pid"] == 1761
    assert rec["trigger"]["gfp_mask"] == "0x201da" and rec["trigger"]["oom_killer_not_called"] is True
    other = "Jan  4 11:57:05 kernel: app triggered out of memory condition: gfp_mask=0x201da, order=0\n"
    assert not k.parse_bytes(other, year=2025).without_kill
