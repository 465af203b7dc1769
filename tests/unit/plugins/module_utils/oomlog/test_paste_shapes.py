"""Shapes of real pastes collected in session 11 (tests/fixtures/oomlog/real/, their sources in the
``#%`` headers) that the parser missed: each test is the smallest text of the fixture's shape, and
each result is the same in 1, 7 and 100 byte chunks as read whole."""
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import kernlog as k
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import prefixes as P

CTX = P.Context(year=2025, now=1767225600.0)


def incidents(data, **kw):
    kw.setdefault("year", 2025)
    data = data.encode() if isinstance(data, str) else data
    p = k.parse_bytes(data, **kw)
    assert p.counts["parse_errors"] == 0
    return sorted(p.result_incidents(), key=lambda i: i["seq"]), p


def same_in_chunks(data):
    whole = incidents(data)[0]
    for chunk in (1, 7, 100):
        assert incidents(data, chunk=chunk)[0] == whole, chunk
    return whole


def test_a_receivers_words_before_a_raw_syslog_packet_keep_its_time_and_host():
    # openwrt-piratebox-feed#10: "Received message  <3>Jun  8 11:15:26 LEDE kernel: [..] msg"
    p = P.split_line("Received message  <3>Jun  8 11:15:26 LEDE kernel: [  350.072170] Killed process 2588 (opkg) "
                     "total-vm:1620kB, anon-rss:584kB, file-rss:0kB ", CTX)
    assert p.kind == "syslog" and p.epoch is not None and p.tag == "kernel" and p.uptime == 350.07217
    assert p.msg.startswith("Killed process 2588 (opkg)")
    inc, = same_in_chunks("Received message  <3>Jun  8 11:15:26 LEDE kernel: [  350.064961] Out of memory: Kill "
                          "process 983 (opkg) score 20 or sacrifice child \n"
                          "Received message  <3>Jun  8 11:15:26 LEDE kernel: [  350.072170] Killed process 2588 "
                          "(opkg) total-vm:1620kB, anon-rss:584kB, file-rss:0kB \n")
    assert inc["victim"]["pid"] == 2588 and inc["time"].startswith("2025-06-08T11:15:26")
    # a "<" that no syslog line follows changes nothing: the inner stamp is still read
    q = P.split_line("got <12> bytes: [  350.072170] Killed process 2588 (opkg)", CTX)
    assert q.kind == "unknown" and q.epoch is None and q.uptime == 350.07217


def test_a_line_that_starts_after_the_stamps_bracket_is_read_as_dmesg():
    # kubedirector#356: the paste starts at "5193605.506728] Task in .."
    p = P.split_line("5193605.506728] Task in /a/b killed as a result of limit of /a/b", CTX)
    assert p.uptime == 5193605.506728 and p.msg.startswith("Task in /a/b")


KUBEDIRECTOR = (
    "5193605.506728] Task in /kubepods/pod9/0249 killed as a result of limit of /kubepo\n"
    "ds/pod9/0249\n"
    "[5193605.506735] memory: usage 524288kB, limit 524288kB, failcnt 0\n"
    "[5193605.506739] Memory cgroup stats for /kubepods/pod9/0249: cache:507172KB rss:44\n"
    "8KB rss_huge:0KB\n"
    "[5193605.506750] Tasks state (memory values in pages):\n"
    "[5193605.506751] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n"
    "[5193605.506952] [  62685]     0 62685     2925      679    65536        0          -998 bash\n"
    "[5193605.506955] [  62769]     0 62769     4382      411    77824        0          -998 cp\n"
    "[5193605.506956] Memory cgroup out of memory: Kill process 62685 (bash) score 0 or sacrifice child\n"
    "[5193605.508964] Killed process 62769 (\n")


def test_memcg_limit_path_wrapped_by_the_paste_is_taken_from_the_stats_line():
    inc, = same_in_chunks(KUBEDIRECTOR)
    assert inc["memcg"]["task_memcg"] == "/kubepods/pod9/0249"
    assert inc["memcg"]["oom_memcg"] == "/kubepods/pod9/0249" and "oom_memcg_cut" not in inc["memcg"]
    # a limit that is an ancestor of the task's memcg is no cut path (the table header asks for the lines before it)
    anc, = same_in_chunks("[ 1.0] Task in /kubepods/pod9/0249 killed as a result of limit of /kubepods\n"
                          "[ 1.0] Memory cgroup stats for /kubepods: cache:0KB\n"
                          "[ 1.0] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n"
                          "[ 1.1] Memory cgroup out of memory: Killed process 7 (a) total-vm:1kB, anon-rss:1kB\n")
    assert anc["memcg"]["oom_memcg"] == "/kubepods" and "oom_memcg_cut" not in anc["memcg"]


def test_kill_line_cut_inside_its_name_is_named_by_its_task_row():
    inc, = same_in_chunks(KUBEDIRECTOR)
    assert (inc["victim"]["pid"], inc["victim"]["name"]) == (62769, "cp")
    assert inc["verdict"]["verdict"] == "innocent" and inc["verdict"]["largest_consumer"]["pid"] == 62685
    # no row of that pid: the cut name stays as the line has it
    alone, = same_in_chunks("[ 1.0] Killed process 62769 (c\n")
    assert alone["victim"]["name"] == "c"
    # a row of that pid whose name does not continue the cut one does not rename it
    other, = same_in_chunks("[ 1.0] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n"
                            "[ 1.0] [  62769]     0 62769     4382      411    77824        0          -998 cp\n"
                            "[ 1.0] Killed process 62769 (x\n")
    assert other["victim"]["name"] == "x"


def test_openvz_2_6_32_kill_without_ub_and_score_is_a_kill():
    # sharewiz wiki: "OOM killed process 659 (java) vm:4973220kB, rss:2066504kB, swap:0kB"
    inc, = same_in_chunks("killing the process see: OOM killed process 659 (java) vm:4973220kB, rss:2066504kB, swap:0kB\n")
    assert inc["killer"] == "openvz" and (inc["victim"]["pid"], inc["victim"]["name"]) == (659, "java")
    assert k.victim_rss_kb(inc["victim"]) == 2066504 and inc["victim"]["total_vm_kb"] == 4973220
    assert incidents("OOM killed process 659 (java) and more\n")[0] == []
    assert incidents("OOM killed process 659 (java)\n")[0] == []


def test_select_and_kill_lines_quoted_again_are_one_kill():
    # e-com-net 1718684909: the blogger quotes the record's select and kill lines a second time
    pair = ("[511250.459581] Out of memory: Kill process 17982 (java) score 77 or sacrifice child\n"
            "[511250.459642] Killed process 17982 (java) total-vm:19803312kB, anon-rss:2540308kB, file-rss:0kB\n")
    incs, p = incidents(pair + "some words between\n" + pair)
    assert [(i["victim"]["pid"], k.victim_rss_kb(i["victim"])) for i in incs] == [(17982, 2540308)]
    assert p.counts["duplicate_lines"] == 2
    assert same_in_chunks(pair + pair) == incs
    # the same pid selected again at another time is another kill
    later = pair.replace("511250.4595", "511299.4595").replace("511250.4596", "511299.4596")
    assert [i["victim"]["pid"] for i in incidents(pair + later)[0]] == [17982, 17982]


def test_earlyoom_kill_that_failed_with_eperm_is_no_kill():
    # earlyoom#230: "sending SIGTERM .." then "kill failed: Operation not permitted": no signal was delivered
    sent = 'sending SIGTERM to process 4173 uid 0 "metrics-server": badness 1001, VmRSS 31 MiB\n'
    incs, p = incidents(sent + "kill failed: Operation not permitted\n")
    assert incs == [] and p.counts["earlyoom_kill_failed"] == 1
    assert same_in_chunks(sent + "kill failed: Operation not permitted\nmore words\n") == []
    # "Timer expired": the signal was sent, the process only did not exit in time (earlyoom#205): a kill
    timer, = same_in_chunks(sent + "kill failed: Timer expired\n")
    assert timer["victim"]["pid"] == 4173
    # journald lines: the failure must come from the same host
    j = ('Jun 12 06:39:16 a earlyoom[9]: ' + sent + 'Jun 12 06:39:16 b earlyoom[9]: kill failed: Operation not permitted\n')
    assert [i["victim"]["pid"] for i in same_in_chunks(j)] == [4173]
    # another host's kill between them closes nothing of this host's (test_properties: interleaved hosts)
    mixed = ('Jun 12 06:39:16 a earlyoom[9]: ' + sent + 'Jun 12 06:39:16 b earlyoom[9]: ' + sent.replace("4173", "77") +
             'Jun 12 06:39:16 a earlyoom[9]: kill failed: Operation not permitted\n')
    assert [(i["host"], i["victim"]["pid"]) for i in same_in_chunks(mixed)] == [("b", 77)]
    # the next kill closes the one before it; both stay kills
    two = same_in_chunks(sent + sent.replace("4173", "4174") + "process exited after 0.1 seconds\n")
    assert [i["victim"]["pid"] for i in two] == [4173, 4174]


def test_upper_case_host_is_a_host_and_a_named_zone_is_not():
    # "LEDE" (OpenWrt's fork, openwrt-piratebox-feed#10) was dropped as a time zone token, so hosts were lost
    for line, host in (("Jun  8 11:15:26 LEDE kernel: x", "LEDE"), ("Jun  8 11:15:26 NAS kernel: x", "NAS"),
                       ("Received message  <6>Jun  8 11:15:26 LEDE kernel: x", "LEDE"),
                       ("Jun  8 11:15:26 CEST web1 kernel: x", "web1"),
                       ("2016-07-31 16:26:53 +0000 UTC kern.info kernel: x", None)):
        p = P.split_line(line, CTX)
        assert (p.host, p.tag, p.msg) == (host, "kernel", "x"), line


def test_select_and_kill_joined_on_one_line_and_a_kill_retyped_in_lower_case():
    # dockerfile/mariadb#12: the paste joined each kill line onto its select line, in lower case and kb
    joined = ("[1668002.926214] Out of memory: Kill process 16765 (mysqld) score 176 or sacrifice child "
              "[1668002.935614] killed process 16765 (mysqld) total-vm:1012836kb, anon-rss:178840kb, file-rss:0kb \n")
    inc, = same_in_chunks(joined)
    assert (inc["victim"]["pid"], k.victim_rss_kb(inc["victim"]), inc["victim"]["total_vm_kb"]) == (16765, 178840, 1012836)
    upper, = same_in_chunks(joined.replace("killed process", "Killed process"))
    assert (upper["victim"]["pid"], k.victim_rss_kb(upper["victim"]), upper["selected"]["score"]) == (16765, 178840, 176)
    child, = same_in_chunks(joined.replace("killed process 16765", "killed process 16766"))
    assert child["victim"]["pid"] == 16766 and child["victim"]["sacrificed_for"]["pid"] == 16765
    # a line cut before its stamp's bracket, lower case, a space after "total-vm:"
    cut, = same_in_chunks("1225007.985657] killed process 3161 (mysqld) total-vm: 977148kb, anon-rss:122488kb, file-rss:0kB)\n")
    assert (cut["victim"]["pid"], cut["victim"]["total_vm_kb"], k.victim_rss_kb(cut["victim"])) == (3161, 977148, 122488)
    # prose in lower case without the kill's fields is no kill
    assert incidents("the OOM killer killed process 3161 (mysqld) last night\n")[0] == []
    assert incidents("killed process 3161 (mysqld) last night\n")[0] == []


def test_a_record_translated_by_a_browser_is_read():
    # moby#47418: the page was machine-translated: "pid= 2953 , liquid=999" and "Process stopped 2953 (python)"
    data = ("[Tue Feb 20 19:15:36 2024] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,"
            "global_oom,task_memcg=/docker/e9d9 5 a33d,task=python,pid= 2953 , liquid=999\n"
            "[Tue Feb 20 19:15:36 2024] Out of memory: Process stopped 2953 (python) total-vm:8142876kB, "
            "anon-rss:6719676kB, file-rss:4kB, shmem-rss:0kB, UID:999 pgtables: 13660kB oom_score_adj:0\n")
    inc, = same_in_chunks(data)
    assert (inc["victim"]["pid"], inc["victim"]["name"], k.victim_rss_kb(inc["victim"])) == (2953, "python", 6719680)
    assert inc["constraint"] == "CONSTRAINT_NONE"
    # a summary cut inside its pid (no "," after it, no uid) still names no pid
    assert k.parse_summary("oom-kill:constraint=CONSTRAINT_NONE,task=python,pid=29").get("pid") is None
    assert k.parse_summary("oom-kill:constraint=CONSTRAINT_NONE,task=python,pid= 2953 , liquid=999")["pid"] == 2953
    # "Process stopped" elsewhere is no kill
    assert incidents("systemd[1]: Process stopped 2953 (python) total-vm:1kB\n")[0] == []
