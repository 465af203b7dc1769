"""Records whose first lines hold no anchor of the streaming scan (issue 12): the scanner hands the
parser the unpassed lines before the anchored one that asks for them (Parser.wants_back / back),
bounded, from the chunk in hand or across a chunk boundary; the result never depends on where the
chunks end. The in-kernel Android lowmemorykiller's kill over three lines (lucasdai ulmm fixture)
and a memcg record pasted from its "Task in .." line (istio#42734)."""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import kernlog as k
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.scanner import BACK_LINES

NOISE = "[52790.000001] binder: 1234:1250 transaction failed 29189/-22, size 0-0 line 2920\n"
# the lines of tests/fixtures/oomlog/real/lucasdai_ulmm_kernel_lowmemorykiller_three_line_kill.log
LMK = ("[52794.911008] lowmemorykiller: Killing 'FinalizerDaemon' (17589), adj 904,\n"
       "[52794.911008]    to free 53160kB on behalf of 'kworker/3:4' (18339) because\n"
       "[52794.911008]    cache 199320kB is below limit 221184kB for oom_score_adj 900\n"
       "[52794.911008]    Free memory is 24024kB above reserved.\n"
       "[52794.911008]    Free CMA is 0kB\n")


def incidents(data, **kw):
    kw.setdefault("year", 2025)
    if isinstance(data, str):
        data = data.encode()
    p = k.parse_bytes(data, **kw)
    assert p.counts["parse_errors"] == 0, p.last_error
    return sorted(p.result_incidents(), key=lambda i: i["seq"]), p


def same_for_every_split(data):
    """The result of ``data`` read whole, in 1, 7 and 100 byte chunks, and in two pieces split at
    every byte (so a chunk boundary falls between every pair of lines and inside each)."""
    data = data.encode() if isinstance(data, str) else data
    whole = incidents(data)[0]
    for chunk in (1, 7, 100, 1 << 20):
        assert incidents(data, chunk=chunk)[0] == whole, chunk
    for cut in range(1, len(data)):
        p = k.Parser(year=2025)
        scanner = k.Scanner(p)
        scanner.feed(data[:cut])
        scanner.feed(data[cut:])
        scanner.finish()
        assert sorted(p.result_incidents(), key=lambda i: i["seq"]) == whole, cut
    return whole


def lmk_kills(incs):
    return [(i["victim"]["pid"], i["victim"]["name"]) for i in incs if i["killer"] == "lowmemorykiller"]


def test_lowmemorykiller_kill_over_three_lines_is_one_kill_whatever_the_chunks():
    incs = same_for_every_split(NOISE * 3 + LMK + NOISE)
    [inc] = incs
    assert inc["killer"] == "lowmemorykiller" and inc["uptime"] == 52794.911008
    assert inc["victim"] == {"pid": 17589, "name": "FinalizerDaemon", "oom_score_adj": 904, "rss_kb": 53160}
    assert inc["trigger"] == {"process": "kworker/3:4", "pid": 18339}
    assert inc["lmk"] == {"min_score_adj": 900, "cache_kb": 199320, "cache_limit_kb": 221184}
    assert inc["verdict"]["verdict"] == "undetermined" and "lowmemorykiller" in inc["verdict"]["reason"]


def test_lowmemorykiller_under_syslog_and_journal_continuations():
    syslog = "".join("Jan  5 15:19:27 phone kernel: " + line + "\n" for line in LMK.splitlines())
    journal = ("Jan 05 15:19:27 phone kernel: lowmemorykiller: Killing 'FinalizerDaemon' (17589), adj 904,\n"
               "                                 to free 53160kB on behalf of 'kworker/3:4' (18339) because\n"
               "                                 cache 199320kB is below limit 221184kB for oom_score_adj 900\n")
    for data in (syslog, journal):
        [inc] = same_for_every_split(data)
        assert inc["host"] == "phone" and lmk_kills([inc]) == [(17589, "FinalizerDaemon")]
        assert inc["victim"]["rss_kb"] == 53160 and inc["trigger"]["pid"] == 18339


@pytest.mark.parametrize("head, more, victim", [
    # 4.12+ mainline staging and Android common kernels
    ("Killing 'Thread-3' (5012) (tgid 4990), adj 906,", [], {"oom_score_adj": 906}),
    # MediaTek / HTC trees: oom_adj first, then the score_adj
    ("Killing 'm.android.phone' (1400), adj 15, score_adj 1000,", [], {"oom_adj": 15, "oom_score_adj": 1000}),
    # 3.4-era trees print oom_score_adj in the head: the head is anchored itself
    ("Killing 'ndroid.browser' (2100), oom_score_adj 1000 (oom_adj 15),", [], {"oom_score_adj": 1000, "oom_adj": 15}),
    # Samsung HSWAP: a "reclaim_cnt" line between the head and "to free"
    ("HSWAP Killing 'id.gallery3d' (3300) (tgid 3300), adj 900,", [" reclaim_cnt 2, top (3, 4), reason hswap"],
     {"oom_score_adj": 900}),
])
def test_lowmemorykiller_head_variants_of_the_kernel_trees(head, more, victim):
    pid = int(head.split("' (")[1].split(")")[0])
    lines = ["lowmemorykiller: " + head] + more + [
        "   to free 20480kB (16384KB 4096KB) on behalf of 'kswapd0' (87) because",
        "   cache 65536kB is below limit 73728kB for oom_score_adj 900",
        "   Free memory is 2048kB above reserved"]
    data = NOISE + "".join("[ 1200.123456] %s\n" % line for line in lines) + NOISE
    [inc] = same_for_every_split(data)
    assert inc["victim"]["pid"] == pid and inc["victim"]["rss_kb"] == 20480
    assert dict((key, inc["victim"].get(key)) for key in victim) == victim
    assert inc["trigger"] == {"process": "kswapd0", "pid": 87} and inc["lmk"]["min_score_adj"] == 900


def test_lowmemorykiller_one_line_forms():
    kmsg = ("6,4711,52794911008,-;lowmemorykiller: Killing 'FinalizerDaemon' (17589), adj 904,\\x0a"
            "   to free 53160kB on behalf of 'kworker/3:4' (18339) because\\x0a"
            "   cache 199320kB is below limit 221184kB for oom_score_adj 900\\x0a   Free memory is 24024kB above reserved\n")
    score = ("[  88.000000] lowmemorykiller: Killing 'app' (900) (tgid 900), adj 700,\n"
             "[  88.000000] to free 1000kB on behalf of 'kswapd0' (60) because\n"
             "[  88.000000] cache 5000kB is below limit 6000kB for oom score 529\n")
    [a] = same_for_every_split(kmsg)
    assert lmk_kills([a]) == [(17589, "FinalizerDaemon")] and a["victim"]["rss_kb"] == 53160
    assert a["lmk"]["min_score_adj"] == 900 and a["trigger"]["process"] == "kworker/3:4"
    [b] = same_for_every_split(score)
    assert lmk_kills([b]) == [(900, "app")] and b["lmk"]["min_score_adj"] == 529


def test_two_lowmemorykiller_kills_in_a_row_are_two_kills():
    second = LMK.replace("FinalizerDaemon", "HeapTaskDaemon").replace("17589", "17601").replace("52794.", "52795.")
    incs = same_for_every_split(LMK + NOISE + second)
    assert lmk_kills(incs) == [(17589, "FinalizerDaemon"), (17601, "HeapTaskDaemon")]


@pytest.mark.parametrize("data", [
    # the tail alone, or with its untagged head further back than the lines a lowmemorykiller kill spans
    "[ 5.0]    cache 199320kB is below limit 221184kB for oom_score_adj 900\n",
    LMK.splitlines()[0].replace("lowmemorykiller: ", "") + "\n" + NOISE * 2 + "\n".join(LMK.splitlines()[1:]) + "\n",
    # an application's own "Killing '..'" without the kernel's "to free" line, and Samsung's reclaim (no kill)
    "[ 5.0] Killing 'worker' (77), adj 3,\n[ 5.0]    cache 1kB is below limit 2kB for oom_score_adj 0\n",
    "[ 5.0] lowmemorykiller: Reclaiming 'id.gallery3d' (3300), adj 900,\n[ 5.0]    top time = 5, top count 2,\n"
    "[ 5.0]    to free 2048kB on behalf of 'kswapd0' (87) because\n"
    "[ 5.0]    cache 65536kB is below limit 73728kB for oom_score_adj 900\n",
])
def test_no_lowmemorykiller_kill_without_its_head_and_confirmation(data):
    assert same_for_every_split(data) == []


def test_a_tagged_head_is_a_kill_but_takes_no_line_of_another_stamp():
    # "lowmemorykiller: Killing .." is an anchor (b"owmem") and a kill of its own; the lines of one printk
    # share its stamp and follow it, so another stamp's line in between ends it: the "to free" and
    # "cache" lines after that are not its rss and trigger (nor a second kill)
    data = LMK.splitlines()[0] + "\n" + NOISE * 2 + "\n".join(LMK.splitlines()[1:]) + "\n"
    [inc] = same_for_every_split(data)
    assert inc["victim"] == {"pid": 17589, "name": "FinalizerDaemon", "oom_score_adj": 904}
    assert inc["trigger"] is None and "lmk" not in inc


def test_look_back_never_takes_a_line_that_was_passed_already():
    # the kernel kill line before the tail was passed (anchor): it is not read a second time
    data = ("[ 9.0] Out of memory: Killed process 4242 (java) total-vm:1000kB, anon-rss:900kB, file-rss:0kB\n"
            "[ 9.1]    cache 199320kB is below limit 221184kB for oom_score_adj 900\n")
    incs, p = incidents(data)
    assert [(i["killer"], i["victim"]["pid"]) for i in incs] == [("kernel", 4242)]
    assert p.counts["incidents"] == 1


# istio#42734: a memcg record pasted from its "Task in" line (no anchor in it nor in the usage lines)
CG = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0330b2c1.slice/docker-b27201334a41.scope"
MEMCG = ("Jan  5 02:12:02 node7 kernel: Task in %s killed as a result of limit of %s\n" % (CG, CG) +
         "Jan  5 02:12:02 node7 kernel: memory: usage 1048576kB, limit 1048576kB, failcnt 189\n"
         "Jan  5 02:12:02 node7 kernel: memory+swap: usage 1048576kB, limit 1048576kB, failcnt 0\n"
         "Jan  5 02:12:02 node7 kernel: kmem: usage 0kB, limit 9007199254740988kB, failcnt 0\n"
         "Jan  5 02:12:02 node7 kernel: Memory cgroup stats for %s: cache:24KB rss:1048552KB rss_huge:0KB\n" % CG +
         "Jan  5 02:12:02 node7 kernel: [ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name\n"
         "Jan  5 02:12:02 node7 kernel: [21284]  1337 21284   262144   262138     520        0           999 envoy\n"
         "Jan  5 02:12:02 node7 kernel: Memory cgroup out of memory: Kill process 21284 (envoy) score 1998 or "
         "sacrifice child\n"
         "Jan  5 02:12:02 node7 kernel: Killed process 21284 (envoy) total-vm:1048576kB, anon-rss:1048552kB, "
         "file-rss:0kB\n")


def test_memcg_record_pasted_from_task_in_keeps_its_memcg_paths_whatever_the_chunks():
    [inc] = same_for_every_split(NOISE + MEMCG)
    assert inc["victim"]["pid"] == 21284 and inc["constraint"] == "CONSTRAINT_MEMCG"
    assert inc["memcg"]["oom_memcg"] == CG and inc["memcg"]["task_memcg"] == CG
    assert inc["memcg"]["usage_kb"] == 1048576 and inc["task_table"]["rows"] == 1
    assert inc["verdict"]["verdict"] == "culprit"


def test_memcg_record_pasted_from_its_stats_line_keeps_the_memcg_over_its_limit():
    lines = MEMCG.splitlines(True)
    [inc] = same_for_every_split(NOISE + "".join(lines[4:]))
    assert inc["memcg"]["oom_memcg"] == CG and "task_memcg" not in inc["memcg"]


def test_memcg_look_back_is_bounded_and_takes_only_its_hosts_memcg_lines():
    lines = MEMCG.splitlines(True)
    other = "Jan  5 02:12:02 web3 kernel: Task in /other killed as a result of limit of /other\n"
    far = lines[:1] + [NOISE] * BACK_LINES + lines[5:]       # "Task in" out of reach, nothing between
    mixed = [other] + lines[:2] + [other] + lines[2:]
    [inc] = same_for_every_split("".join(far))
    assert inc["memcg"] is None or "task_memcg" not in inc["memcg"]
    [inc] = same_for_every_split("".join(mixed))
    assert inc["host"] == "node7" and inc["memcg"]["task_memcg"] == CG and inc["memcg"]["oom_memcg"] == CG


def test_a_table_inside_a_followed_record_asks_for_nothing():
    data = ("[ 1.0] x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
            "[ 1.0] Task in /a/b killed as a result of limit of /a\n"
            "[ 1.0] [ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name\n"
            "[ 1.0] [  7]     0     7     1000      900       4        0             0 x\n"
            "[ 1.1] Memory cgroup out of memory: Killed process 7 (x) total-vm:4000kB, anon-rss:3600kB, file-rss:0kB\n")
    [inc], p = incidents(data)
    assert inc["memcg"]["task_memcg"] == "/a/b" and inc["memcg"]["oom_memcg"] == "/a"
    assert p.counts["looked_back"] == 0


def test_memcg_stats_of_a_hierarchy_longer_than_the_look_back_name_no_memcg():
    # 3.x prints one "Memory cgroup stats for" line per memcg under the one over its limit, that one
    # first: when the first is out of reach, a child's path must not be taken for it
    lines = MEMCG.splitlines(True)
    stats = ["Jan  5 02:12:02 node7 kernel: Memory cgroup stats for %s/c%d: cache:0KB rss:4KB\n" % (CG, i)
             for i in range(BACK_LINES + 2)]
    [inc] = same_for_every_split("".join(lines[:5] + stats + lines[5:]))
    assert not (inc["memcg"] or {}).get("oom_memcg")
    [inc] = same_for_every_split("".join(lines[1:5] + stats[:3] + lines[5:]))     # from "memory: usage" on
    assert inc["memcg"]["oom_memcg"] == CG and inc["memcg"]["usage_kb"] == 1048576


@pytest.mark.parametrize("why, floor", [
    ("cache 187264kB is below limit 221184kB for oom_adj 900", 900),
    ("system is under medium memory pressure oom_adj 800", 800),
])
def test_android_8_9_userspace_lmkd_killing_over_two_logcat_lines(why, floor):
    # system/core/lmkd/lmkd.c of Android 8-9: ALOGI("Killing '%s' (%d), uid %d, adj %d\n   to free %ldkB because ..")
    data = ("10-24 14:24:26.342   710   710 I lowmemorykiller: Killing 'com.android.chrome' (12345), uid 10050, adj 906\n"
            "10-24 14:24:26.342   710   710 I lowmemorykiller:    to free 123456kB because %s\n"
            "10-24 14:24:26.342   710   710 I lowmemorykiller:    Free memory is 30036kB above reserved\n" % why)
    [inc] = same_for_every_split(NOISE + data)
    assert inc["killer"] == "lmkd" and inc["victim"]["pid"] == 12345 and inc["victim"]["uid"] == 10050
    assert inc["victim"]["rss_kb"] == 123456 and inc["victim"]["oom_score_adj"] == 906
    assert inc["lmk"]["min_score_adj"] == floor and inc["verdict"]["verdict"] == "undetermined"


def test_lowmemorykiller_head_inside_a_task_table_spans_its_lines_whatever_the_chunks():
    # rows taken in bulk (Parser.rows_fast) count among the lines a lowmemorykiller kill spans, as
    # rows read one by one (a chunk boundary) do: a "cache .. for oom_score_adj" line 8 rows after
    # the head is not its tail, wherever the chunks end
    rows = ["[ 1.0] [  %d]     0    %d     1000      900       4        0             0 x%d\n" % (i, i, i)
            for i in range(10, 20)]
    data = ("[ 1.0] x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
            "[ 1.0] [ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name\n" + "".join(rows[:2]) +
            "[ 5.0] lowmemorykiller: Killing 'a' (77), adj 3,\n" + "".join(rows[2:]) +
            "[ 5.0]    cache 65536kB is below limit 73728kB for oom_score_adj 900\n"
            "[ 1.1] Out of memory: Killed process 10 (x10) total-vm:4000kB, anon-rss:3600kB, file-rss:0kB\n")
    incs = same_for_every_split(data)
    [lmk] = [i for i in incs if i["killer"] == "lowmemorykiller"]
    assert lmk["victim"]["pid"] == 77 and "lmk" not in lmk
    assert [i["victim"]["pid"] for i in incs if i["killer"] == "kernel"] == [10]


MEMCG_CHILDREN = ["Jan  5 02:12:02 node7 kernel: Memory cgroup stats for %s/c%d: cache:0KB rss:4KB\n" % (CG, i)
                  for i in range(BACK_LINES + 2)]


@pytest.mark.parametrize("other", ["Jan  5 02:12:02 web3 kernel: eth0: link up\n", "Jan  5 02:12:02 node7 evil[9]: hello\n"])
def test_memcg_stats_past_another_hosts_line_at_the_start_of_a_full_look_back_name_no_memcg(other):
    # the parent's stats line is out of reach; another host's (or program's) line in front of the
    # children's must not make the first child in reach pass for it
    lines = MEMCG.splitlines(True)
    [inc] = same_for_every_split("".join(lines[:5] + MEMCG_CHILDREN[:2] + [other] + MEMCG_CHILDREN[2:BACK_LINES + 1] +
                                         lines[5:]))
    assert not (inc["memcg"] or {}).get("oom_memcg")


def test_memcg_stats_after_a_passed_line_name_no_memcg():
    # a child whose name holds an anchor ("oom") is passed: the look-back stops there, and the child
    # after it must not pass for the memcg over its limit (printed before, out of reach)
    lines = MEMCG.splitlines(True)
    oomd = "Jan  5 02:12:02 node7 kernel: Memory cgroup stats for %s/systemd-oomd.service: cache:0KB rss:4KB\n" % CG
    [inc] = same_for_every_split("".join(lines[:5] + MEMCG_CHILDREN[:3] + [oomd] + MEMCG_CHILDREN[3:6] + lines[5:]))
    assert not (inc["memcg"] or {}).get("oom_memcg")


# lines of the look-back's records and of a followed kernel record (its table rows taken in bulk),
# shuffled: whatever their order, line ends and line cap, the result never depends on the chunks
POOL = LMK.splitlines() + MEMCG.splitlines() + [
    NOISE.rstrip("\n"), "", "x" * 300, "y" * 90 + " oom",
    "[ 1.0] x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
    "[ 1.0] [ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name",
    "[ 1.1] Out of memory: Killed process 7 (x) total-vm:4000kB, anon-rss:3600kB, file-rss:0kB",
    "[ 5.0] lowmemorykiller: Killing 'a' (77), adj 3,", "[ 5.0] Killing 'b' (78), adj 3,",
    "[ 5.0]    to free 2048kB on behalf of 'kswapd0' (87) because",
    "[ 5.0]    cache 65536kB is below limit 73728kB for oom_score_adj 900",
    "[ 5.0] lowmemorykiller: Killing 'c' (79), oom_score_adj 1000 (oom_adj 15),",
    "Jan  5 02:12:02 web3 kernel: Task in /other killed as a result of limit of /other",
    "Jan  5 02:12:02 node7 kernel: Memory cgroup stats for /x/y: cache:0KB",
    "Nov 24 12:17:04 hwnode kernel: [758955.653313] Out of memory in UB 1234: OOM ",
    "killed process 21738 (php-cgi) score 0 vm:281988kB, rss:17004kB, swap:0kB",
    "10-24 14:24:26.342   710   710 I lowmemorykiller: Killing 'com.android.chrome' (12345), uid 10050, adj 906",
    "10-24 14:24:26.342   710   710 I lowmemorykiller:    to free 123456kB because cache 187264kB is below limit 221184kB for oom_adj 900",
]
ROWS = ["[ 1.0] [  %d]     0    %d     1000      900       4        0             0 r%d" % (i, i, i) for i in range(10, 16)]


def _run(data, chunk, max_line):
    p = k.Parser(year=2025)
    scanner = k.Scanner(p, max_line)
    for i in range(0, len(data), chunk):
        scanner.feed(data[i:i + chunk])
    scanner.finish()
    assert p.counts["parse_errors"] == 0, p.last_error
    return sorted(p.result_incidents(), key=lambda i: i["seq"]), p.without_kill, dict(p.counts), p.lines


@settings(max_examples=300, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(POOL).map(lambda line: [line]), st.lists(st.sampled_from(ROWS), min_size=1, max_size=8)),
                min_size=2, max_size=16), st.sampled_from(["\n", "\r\n"]), st.sampled_from([64, 4096]), st.sampled_from([1, 7, 100]))
def test_any_order_of_look_back_lines_gives_the_same_result_whatever_the_chunks(blocks, eol, max_line, chunk):
    data = (eol.join(line for block in blocks for line in block) + eol).encode()
    assert _run(data, chunk, max_line) == _run(data, 1 << 20, max_line)


@pytest.mark.parametrize("evil_at", [1, 2])
@pytest.mark.parametrize("evil", ["Killing 'sshd' (1), adj 0,", "lowmemorykiller: Killing 'sshd' (1), adj 0,",
                                  "   to free 1kB on behalf of 'sshd' (1) because"])
def test_another_programs_lowmemorykiller_lines_never_join_the_kernels_kill(evil, evil_at):
    # one printk: the kill's lines share the kernel's tag; a program's syslog line among them (logger)
    # is neither its head nor its "to free", and hides nothing
    lines = ["Jan  5 15:19:27 phone kernel: " + line for line in LMK.replace("[52794.911008] ", "").splitlines(True)[:3]]
    lines.insert(evil_at, "Jan  5 15:19:27 phone evil[9]: %s\n" % evil)
    [inc] = same_for_every_split("".join(lines))
    assert lmk_kills([inc]) == [(17589, "FinalizerDaemon")]
    assert inc["victim"]["rss_kb"] == 53160 and inc["trigger"] == {"process": "kworker/3:4", "pid": 18339}


def test_another_programs_memcg_lines_never_name_the_tables_memcg():
    # a program's "Task in .." or "Memory cgroup stats for .." line (logger) before a kernel table
    # with no record open is not the kernel's: the look-back takes its host's kernel lines only
    lines = MEMCG.splitlines(True)
    evil = ["Jan  5 02:12:02 node7 evil[9]: Task in /evil killed as a result of limit of /evil\n",
            "Jan  5 02:12:02 node7 evil[9]: Memory cgroup stats for /evil: cache:0KB rss:4KB\n"]
    [inc] = same_for_every_split(NOISE + "".join(lines[1:4] + evil + lines[5:]))
    assert "/evil" not in str(inc["memcg"])
    [inc] = same_for_every_split(NOISE + "".join(lines[:1] + evil + lines[1:]))
    assert inc["memcg"]["task_memcg"] == CG and inc["memcg"]["oom_memcg"] == CG


def test_virtuozzo_wrapped_kill_takes_the_head_right_before_it_never_an_older_one():
    # a UB head read earlier (inside a followed record) whose wrapped kill never came is not the
    # head of a later wrapped kill: that one looks back for its own (UB 1234, 12:18:04)
    data = ("Nov 24 12:17:00 hwnode kernel: [758950.0] php invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
            "oom_score_adj=0\n"
            "Nov 24 12:17:00 hwnode kernel: [758950.1] Out of memory in UB 55: OOM \n" +
            "Nov 24 12:17:01 hwnode kernel: [758951.0] eth0: link up\n" * 450 +
            "Nov 24 12:18:04 hwnode kernel: [758955.653313] Out of memory in UB 1234: OOM \n"
            "killed process 21738 (php-cgi) score 0 vm:281988kB, rss:17004kB, swap:0kB\n")
    incs = incidents(data)[0]
    for chunk in (1, 7, 100):
        assert incidents(data, chunk=chunk)[0] == incs
    [inc] = [i for i in incs if i["killer"] == "openvz"]
    assert inc["victim"]["pid"] == 21738 and inc["victim"]["ve"] == 1234 and inc["time"] == "2025-11-24T12:18:04Z"


def test_virtuozzo_wrapped_kill_after_unpassed_lines_never_takes_a_passed_head():
    # the head passed at the end of a followed record, then unpassed lines, then a wrapped kill
    # whose line before is no head: it keeps no UB, host or time of the old head
    data = ("Nov 24 12:17:00 hwnode kernel: [758950.0] php invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
            "oom_score_adj=0\n" + "Nov 24 12:17:00 hwnode kernel: [758950.0] eth0: link up\n" * 398 +
            "Nov 24 12:17:00 hwnode kernel: [758950.1] Out of memory in UB 55: OOM \n" +
            "Nov 24 12:17:01 hwnode kernel: [758951.0] eth0: link up\n" * 3 +
            "killed process 21738 (php-cgi) score 0 vm:281988kB, rss:17004kB, swap:0kB\n")
    incs = incidents(data)[0]
    for chunk in (1, 7, 100):
        assert incidents(data, chunk=chunk)[0] == incs
    [inc] = [i for i in incs if i["killer"] == "openvz"]
    assert inc["victim"]["pid"] == 21738 and inc["victim"]["ve"] is None and inc["host"] is None
