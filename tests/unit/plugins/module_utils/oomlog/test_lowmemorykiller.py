"""The in-kernel Android lowmemorykiller's one-line kill "send sigkill to %d (%s), adj %d, size %d"
and its debug "select .. to kill" lines (issue 12): read with or without the "lowmemorykiller: "
prefix, a select and the kill after it are one kill, a select alone is none, another program's line
holding the same words is none, and nothing depends on where the chunks end. The real excerpts are
tests/fixtures/oomlog/real/linux-mm_2013_chinner_* and loggly_guide_* (bench/oomlog_accuracy.py)."""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import kernlog as k
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import scanner as S
from test_lookback import LMK, NOISE, _run, incidents, lmk_kills, same_for_every_split

# linux-mm_2013_chinner_kmemcg_shrinkers_lowmemorykiller_send_sigkill.log (3.10-rc, pr_fmt prefix)
KILL = "[  629.617303] lowmemorykiller: send sigkill to 3953 (winbindd), adj 0, size 195\n"
# 2.6.29-3.3 mainline and vendor trees without pr_fmt: no prefix, oom_adj, debug_level 2 prints selects
OLD = ("<4>[  812.250000] select 1210 (android.browser), adj 8, size 6120, to kill\n"
       "<4>[  812.250000] select 1342 (com.android.mms), adj 10, size 4377, to kill\n"
       "<4>[  812.251000] send sigkill to 1342 (com.android.mms), adj 10, size 4377\n")
# 3.10+ with debug_level 2: the quoted select form before the three-line "Killing" kill
NEW = ("[52794.911000] lowmemorykiller: select 'FinalizerDaemon' (17589), adj 904, size 13290, to kill\n" + LMK)


def test_send_sigkill_with_the_prefix_is_one_kill():
    [inc] = same_for_every_split(NOISE + KILL + NOISE)
    assert inc["killer"] == "lowmemorykiller" and inc["uptime"] == 629.617303
    assert inc["victim"] == {"pid": 3953, "name": "winbindd", "oom_score_adj": 0, "adj": 0, "rss_kb": 195 * 4}
    assert inc["lmk"] == {"size_pages": 195} and inc["verdict"]["verdict"] == "undetermined"


def test_size_is_pages_of_page_kb():
    [inc], _p = incidents(KILL, page_kb=16)
    assert inc["victim"]["rss_kb"] == 195 * 16


def test_send_sigkill_without_the_prefix_is_read_and_the_selects_before_it_are_the_same_kill():
    incs = same_for_every_split(NOISE + OLD + NOISE)
    assert lmk_kills(incs) == [(1342, "com.android.mms")]
    # adj 10 may be oom_adj (before 3.7) or oom_score_adj: kept as printed, not called oom_score_adj
    assert incs[0]["victim"] == {"pid": 1342, "name": "com.android.mms", "adj": 10, "rss_kb": 4377 * 4}
    assert incidents(OLD)[1].counts["lmk_select_without_kill"] == 0


def test_the_select_lines_of_a_killing_kill_are_that_kill():
    incs = same_for_every_split(NOISE + NEW + NOISE)
    assert lmk_kills(incs) == [(17589, "FinalizerDaemon")]
    assert incs[0]["victim"]["rss_kb"] == 53160 and incs[0]["trigger"] == {"process": "kworker/3:4", "pid": 18339}
    assert incidents(NEW)[1].counts["lmk_select_without_kill"] == 0


@pytest.mark.parametrize("line", [
    "[29923450.995084] select 5230 (docker), adj 0, size 708, to kill",       # loggly guide fixture
    "lowmemorykiller: select 'id.gallery3d' (3300), adj 900, size 2048, to kill",
    "<6>[ 10.5] lowmemorykiller: select 'app' (77), adj 9, score_adj 529, size 4000, to kill",  # MTK 3.10
])
def test_a_select_line_alone_is_no_kill_only_a_count(line):
    data = NOISE + line + "\n" + NOISE
    assert same_for_every_split(data) == []
    assert incidents(data)[1].counts["lmk_select_without_kill"] == 1


def test_two_decisions_of_selects_without_their_kills_are_counted_twice():
    data = OLD.splitlines(True)[0] + OLD.splitlines(True)[0].replace("812.25", "815.25")
    assert same_for_every_split(data) == []
    assert incidents(data)[1].counts["lmk_select_without_kill"] == 2


def test_a_select_then_the_kill_of_another_pid_is_one_kill_of_the_killed_pid():
    data = OLD.splitlines(True)[0] + OLD.splitlines(True)[2]
    assert lmk_kills(same_for_every_split(data)) == [(1342, "com.android.mms")]


def test_vendor_forms_of_the_kill_line():
    # "[%s] send sigkill to %d (%s), adj %d, size %dK, min_adj=%d, .." (a vendor tree: the shrinking
    # task's comm before it, the size already in kB)
    line = ("[ 4400.100000] [kswapd0] send sigkill to 2255 (com.whatsapp), adj 9, size 30452K, min_adj=9,"
            " free=5100K, file=20016K, fork_boost=0\n")
    [inc] = same_for_every_split(line)
    assert inc["victim"] == {"pid": 2255, "name": "com.whatsapp", "adj": 9, "rss_kb": 30452}
    [inc], _p = incidents("Jan  5 15:19:27 phone kernel: [  88.1] lowmemorykiller: send sigkill to 7 (a b), adj 1000, size 10\n")
    assert inc["victim"]["name"] == "a b" and inc["victim"]["oom_score_adj"] == 1000 and inc["host"] == "phone"


@pytest.mark.parametrize("line", [
    # another program's log lines with the kernel's words: neither a kill nor a counted select
    "Jan  5 15:19:27 phone evil[9]: send sigkill to 1 (init), adj 0, size 87",
    "Jan  5 15:19:27 phone evil[9]: lowmemorykiller: send sigkill to 1 (init), adj 0, size 87",
    "Jan  5 15:19:27 phone evil[9]: select 1 (init), adj 0, size 87, to kill",
    "Jan  5 15:19:27 phone evil[9]: lowmemorykiller: Killing 'sshd' (1), adj 0,",
    "Jan  5 15:19:27 phone app[9]: user asked us to kill the lowmemorykiller test, size 3",
    "Jan  5 15:19:27 phone app[9]: job 12 (backup), adj 0, size 5, to kill later",
    "Jan  5 15:19:27 phone app[9]: please send sigkill to the worker, adj 0, size 5",
    "[ 1.0] systemd[1]: user@1000.service: Failed to kill control group, ignoring: Invalid argument",
    "[ 1.0] lowmemorykiller: lowmem_shrink 128, 200da, ofree 5000 20000, ma 0",
])
def test_no_kill_from_other_lines_with_the_same_words(line):
    data = NOISE + line + "\n" + NOISE
    assert same_for_every_split(data) == []
    counts = incidents(data)[1].counts
    assert counts["lmk_select_without_kill"] == 0 and counts["incidents"] == 0


@pytest.mark.parametrize("line", [KILL] + OLD.splitlines(True) + NEW.splitlines(True)[:2] + [
    "[ 4400.1] [kswapd0] send sigkill to 2255 (com.whatsapp), adj 9, size 30452K, min_adj=9\n",
    "<6>[ 10.5] lowmemorykiller: select 'app' (77), adj 9, score_adj 529, size 4000, to kill\n",
])
def test_every_line_of_the_driver_that_names_a_task_holds_an_anchor(line):
    raw = line.encode()
    assert S.has_anchor(raw, S.ALL_ANCHORS)
    if "sigkill" in line or "select" in line:
        assert not S.has_anchor(raw)        # none of the two passes every log pays finds it
    assert S.ANCHORS == (b"oom", b"ocess")  # bench/oom_events_bench.py greps with these


def _gated(data, first_bytes, chunk):
    p = k.Parser(year=2025)
    scanner = k.Scanner(p)
    scanner.lmk_first_bytes = first_bytes
    for i in range(0, len(data), chunk):
        scanner.feed(data[i:i + chunk])
    scanner.finish()
    return sorted(p.result_incidents(), key=lambda i: i["seq"]), dict(p.counts)


def gated_same_for_every_split(data, first_bytes):
    data = data.encode()
    whole = _gated(data, first_bytes, 1 << 20)
    for chunk in (1, 7, 100):
        assert _gated(data, first_bytes, chunk) == whole, chunk
    for cut in range(1, len(data)):
        p = k.Parser(year=2025)
        scanner = k.Scanner(p)
        scanner.lmk_first_bytes = first_bytes
        scanner.feed(data[:cut])
        scanner.feed(data[cut:])
        scanner.finish()
        assert (sorted(p.result_incidents(), key=lambda i: i["seq"]), dict(p.counts)) == whole, cut
    return whole[0]


def test_past_the_first_bytes_the_driver_lines_are_read_only_once_one_was_read():
    # the third pass runs over the first LMK_FIRST_BYTES, then only in a log of that driver
    later = KILL.replace("3953", "4000").replace("629.6", "700.6")
    assert lmk_kills(gated_same_for_every_split(NOISE * 3 + KILL, len(NOISE) * 2)) == []
    # one read in the first bytes keeps it on
    assert lmk_kills(gated_same_for_every_split(KILL + NOISE * 3 + later, len(KILL))) == [
        (3953, "winbindd"), (4000, "winbindd")]
    # so does a line of the driver the two passes find (the "cache .. for oom_score_adj" of a Killing kill)
    # (its head, past the first bytes, comes by the look-back as before)
    incs = gated_same_for_every_split(NOISE * 2 + LMK + NOISE + later, 10)
    assert lmk_kills(incs) == [(17589, "FinalizerDaemon"), (4000, "winbindd")]
    # a select past the first bytes of a log without the driver is not even seen
    assert gated_same_for_every_split(NOISE * 3 + OLD.splitlines(True)[0], 10) == []
    assert _gated((NOISE * 3 + OLD.splitlines(True)[0]).encode(), 10, 7)[1].get("lmk_select_without_kill") is None


@pytest.mark.parametrize("max_line", [64, 100])
def test_an_unprefixed_kill_past_the_head_is_counted_hidden_whatever_the_chunks(max_line):
    # the pattern's match is up to LMK_SIGKILL_MAX bytes: ANCHOR_OVERLAP keeps enough of a cut line
    line = "[ 1.0] " + "x" * (max_line - 20) + " send sigkill to 12 (name), adj 0, size 1\n"
    data = (NOISE + line + NOISE).encode()
    seen = set()
    for chunk in (1, 7, 13, 100, 1 << 20):
        p = k.Parser(year=2025)
        scanner = k.Scanner(p, max_line)
        for i in range(0, len(data), chunk):
            scanner.feed(data[i:i + chunk])
        scanner.finish()
        seen.add((scanner.hidden_lines, scanner.cut_lines, len(p.result_incidents())))
    assert seen == {(1, 0, 0)}


POOL = [
    "[  629.617303] lowmemorykiller: send sigkill to 3953 (winbindd), adj 0, size 195",
    "<4>[  812.250000] select 1210 (android.browser), adj 8, size 6120, to kill",
    "<4>[  812.251000] send sigkill to 1342 (com.android.mms), adj 10, size 4377",
    "[52794.911000] lowmemorykiller: select 'FinalizerDaemon' (17589), adj 904, size 13290, to kill",
    "Jan  5 15:19:27 phone evil[9]: send sigkill to 1 (init), adj 0, size 87",
    "Jan  5 15:19:27 phone kernel: [ 88.1] select 'app' (77), adj 9, size 4000, to kill",
    NOISE.rstrip("\n"),
] + LMK.splitlines()


@settings(max_examples=200, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(POOL), min_size=1, max_size=14), st.sampled_from(["\n", "\r\n"]),
       st.sampled_from([64, 4096]), st.sampled_from([1, 5, 64]))
def test_any_order_of_these_lines_gives_the_same_result_whatever_the_chunks(lines, eol, max_line, chunk):
    data = (eol.join(lines) + eol).encode()
    assert _run(data, chunk, max_line) == _run(data, 1 << 20, max_line)
