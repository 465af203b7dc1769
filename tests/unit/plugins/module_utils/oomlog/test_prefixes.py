"""Each prefix recogniser of oomlog/prefixes.py on the shapes it owns, localised dmesg -T and
journal months, paste damage, and an unknown prefix that still yields its message."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import prefixes as P
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.timestamps import iso, month_number, timegm

CTX = P.Context(year=2025, now=1767225600.0)     # 2026-01-01
MSG = "Out of memory: Killed process 7 (a)"


@pytest.mark.parametrize("line,kind,host,when,uptime,tag", [
    ("[  839.048830] " + MSG, "dmesg", None, None, 839.04883, None),
    ("[  244.946537][ T3106] " + MSG, "dmesg", None, None, 244.946537, None),          # CONFIG_PRINTK_CALLER
    ("Apr 20 20:03:27 h kernel: [    5.5][    C1] " + MSG, "syslog", "h", "2025-04-20T20:03:27Z", 5.5, "kernel"),
    ("[Sun Apr 20 20:03:27 2025] " + MSG, "dmesg-T", None, "2025-04-20T20:03:27Z", None, None),
    ("6,1234,839048830,-;" + MSG, "kmsg", None, None, 839.04883, None),
    ("<4>[ 1771.264287] " + MSG, "dmesg", None, None, 1771.264287, None),
    ("Apr 20 20:03:27 EL135 kernel: " + MSG, "syslog", "EL135", "2025-04-20T20:03:27Z", None, "kernel"),
    ("Jan  5 15:19:27 kernel: [ 12.5] " + MSG, "syslog", None, "2025-01-05T15:19:27Z", 12.5, "kernel"),
    ("Nov 12 17:08:27 earlyoom[1295]: " + MSG, "syslog", None, "2025-11-12T17:08:27Z", None, "earlyoom"),
    ("Jun 12 06:39:16: " + MSG, "syslog", None, "2025-06-12T06:39:16Z", None, None),
    ("Aug 30 06:58:55.050705 ... kernel: " + MSG, "syslog", "...", "2025-08-30T06:58:55Z", None, "kernel"),
    ("Mar 7 02:43:11 myhost kernel: " + MSG, "syslog", "myhost", "2025-03-07T02:43:11Z", None, "kernel"),
    ("Jan  5 15:19:27 db1 kern.warning kernel: " + MSG, "syslog", "db1", "2025-01-05T15:19:27Z", None, "kernel"),
    ("Jan  5 15:19:27 db1 <kern.err> kernel: " + MSG, "syslog", "db1", "2025-01-05T15:19:27Z", None, "kernel"),
    ("Sat Jan 25 09:40:15 2020 kern.err kernel: [22043.04] " + MSG, "logread", None, "2020-01-25T09:40:15Z",
     22043.04, "kernel"),
    ("2025-04-20T22:03:27.500000+02:00 h kernel: " + MSG, "iso", "h", "2025-04-20T20:03:27Z", None, "kernel"),
    ("2025-09-18T02:27:12+0800 ws systemd-oomd[944]: " + MSG, "iso", "ws", "2025-09-17T18:27:12Z", None,
     "systemd-oomd"),
    ("2016-07-31 16:26:53 +0000 UTC kern.info kernel: " + MSG, "iso", None, "2016-07-31T16:26:53Z", None, "kernel"),
    ("2023-12-04T10:49:30.127Z In(05) vcpu-5 - Guest: <6>[39291577.009360] " + MSG, "iso", None,
     "2023-12-04T10:49:30Z", 39291577.00936, None),
    ("1787068905.416344 host kernel: " + MSG, "short-unix", "host", "2026-08-18T16:01:45Z", None, "kernel"),
    ("kernel: " + MSG, "tag", None, None, None, "kernel"),
    ("<4>1 2025-04-20T22:03:27.123456+02:00 web1 kernel - - - " + MSG, "rfc5424", "web1", "2025-04-20T20:03:27Z",
     None, "kernel"),
    ('<3>1 2025-04-20T20:03:27Z h kernel - - [meta seq="1"] ' + MSG, "rfc5424", "h", "2025-04-20T20:03:27Z", None,
     "kernel"),
    ("Tue 2025-04-20 20:03:27 UTC h kernel: " + MSG, "short-full", "h", "2025-04-20T20:03:27Z", None, "kernel"),
    ("kern  :err   : [  5.5] " + MSG, "unknown", None, None, 5.5, None),
    ("kern  :err   : [Sun Apr 20 20:03:27 2025] " + MSG, "unknown", None, "2025-04-20T20:03:27Z", None, None),
    ("Jan  5 15:19:27 db1 <kern.warning> kernel: " + MSG, "syslog", "db1", "2025-01-05T15:19:27Z", None, "kernel"),
    ("<4>Jan  5 15:19:27 db1 kernel: " + MSG, "syslog", "db1", "2025-01-05T15:19:27Z", None, "kernel"),
    ('{"log":"[ 12.5] ' + MSG, "unknown", None, None, 12.5, None),
    ("2025-04-20T20:03:27,123456+00:00 " + MSG, "iso", None, "2025-04-20T20:03:27Z", None, None),
    ("node12: [ 5.0] " + MSG, "host", "node12", None, 5.0, None),
    ("web-01.example.com: " + MSG, "host", "web-01.example.com", None, None, None),
    ("Jan  5 15:19:27 web-01.example.com: " + MSG, "syslog", "web-01.example.com", "2025-01-05T15:19:27Z", None, None),
    ("    [   77.749597] systemd-oomd[659]: " + MSG, "dmesg", None, None, 77.749597, "systemd-oomd"),
    ("> Nov 30 10:16:57 iZuf kernel: " + MSG, "syslog", "iZuf", "2025-11-30T10:16:57Z", None, "kernel"),
    ("\"Nov 29 01:00:04 localhost kernel: " + MSG, "syslog", "localhost", "2025-11-29T01:00:04Z", None, "kernel"),
    ("  6 [626949.779329] " + MSG, "dmesg", None, None, 626949.779329, None),
    ("```[Sun Mar 30 08:24:00 2025] " + MSG, "dmesg-T", None, "2025-03-30T08:24:00Z", None, None),
    ("cloud-hypervisor [  740.316315] " + MSG, "unknown", None, None, 740.316315, None),
    ("    \"message\": \"" + MSG, "unknown", None, None, None, None),
    # Kibana Discover rows pasted as a markdown table (garden-runc-release#193), and tab-separated
    ("  | Jun 25, 2021 @ 12:42:11.916 | kernel | [115559.166744] " + MSG, "kibana", None, "2021-06-25T12:42:11Z",
     115559.166744, "kernel"),
    ("Jun 25, 2021 @ 12:42:13.029\tkernel\t[113782.638786] " + MSG, "kibana", None, "2021-06-25T12:42:13Z",
     113782.638786, "kernel"),
    ("Xyz 25, 2021 @ 12:42:13.029 | " + MSG, "kibana", None, None, None, None),            # unknown month
    # rsyslog RFC 3339 with microseconds and a host (openprescribing#5431)
    ("2026-02-08T00:40:07.136582+00:00 largeweb2 systemd[1]: " + MSG, "iso", "largeweb2", "2026-02-08T00:40:07Z",
     None, "systemd"),
    # Android logcat -v threadtime (crdroid issue_tracker#809, flutter#161070: a tag padded before ':') and -v time
    ("10-24 14:24:26.342   710   710 I lowmemorykiller: " + MSG, "logcat", None, "2025-10-24T14:24:26Z", None,
     "lowmemorykiller"),
    ("01-01 15:11:13.739   879   879 I lmkd    : " + MSG, "logcat", None, "2025-01-01T15:11:13Z", None, "lmkd"),
    ("07-31 02:28:31.588 I/lowmemorykiller(  152): " + MSG, "logcat", None, "2025-07-31T02:28:31Z", None,
     "lowmemorykiller"),
    # Keenetic routers: a level letter before a host-less syslog stamp (AdGuardVPNCLI#68)
    ("[W] Oct 22 20:02:32 kernel: " + MSG, "syslog", None, "2025-10-22T20:02:32Z", None, "kernel"),
    ("[I] Oct 22 20:02:32 kernel: [ 12.5] " + MSG, "syslog", None, "2025-10-22T20:02:32Z", 12.5, "kernel"),
])
def test_recognisers(line, kind, host, when, uptime, tag):
    p = P.split_line(line, CTX)
    assert (p.kind, p.host, iso(p.epoch), p.uptime, p.tag) == (kind, host, when, uptime, tag)
    assert p.msg.endswith(MSG)


@pytest.mark.parametrize("stamp,when", [
    ("[ven. nov. 24 10:11:12 2023]", "2023-11-24T10:11:12Z"),     # fr_FR
    ("[mar. déc.  5 01:02:03 2023]", "2023-12-05T01:02:03Z"),
    ("[Di Nov 24 10:11:12 2020]", "2020-11-24T10:11:12Z"),        # de_DE
    ("[Mi Mär  4 10:11:12 2020]", "2020-03-04T10:11:12Z"),
    ("[Fr Okt  2 10:11:12 2020]", "2020-10-02T10:11:12Z"),
    ("[Вт ноя 24 10:11:12 2020]", "2020-11-24T10:11:12Z"),        # ru_RU
    ("[Пт мая 15 10:11:12 2020]", "2020-05-15T10:11:12Z"),
    ("[mar dic  1 10:11:12 2020]", "2020-12-01T10:11:12Z"),       # es_ES
    ("[gio ott  3 10:11:12 2019]", "2019-10-03T10:11:12Z"),       # it_IT
    ("[qua out  2 10:11:12 2019]", "2019-10-02T10:11:12Z"),       # pt_BR
    ("[śro paź  2 10:11:12 2019]", "2019-10-02T10:11:12Z"),       # pl_PL
    ("[wo okt  2 10:11:12 2019]", "2019-10-02T10:11:12Z"),        # nl_NL
    ("[四 11月 24 10:11:12 2023]", "2023-11-24T10:11:12Z"),        # zh_CN
    ("[Κυρ Νοέ 24 10:11:12 2023]", None),                          # el_GR: unknown here, time unknown
])
def test_localised_dmesg_T(stamp, when):
    p = P.split_line(stamp + " " + MSG, CTX)
    assert p.kind == "dmesg-T" and iso(p.epoch) == when and p.msg == MSG


@pytest.mark.parametrize("month,num", [("апр", 4), ("avril", 4), ("Mär", 3), ("déc.", 12), ("mai", 5),
                                       ("paź", 10), ("11月", 11), ("Okt", 10), ("xyz", None)])
def test_month_names(month, num):
    assert month_number(month) == num


@pytest.mark.parametrize("line,when", [
    ("апр 28 01:23:30 PC kernel: " + MSG, "2025-04-28T01:23:30Z"),     # journalctl in ru_RU
    ("avril 16 21:08:50 systemd-oomd[93234]: " + MSG, "2025-04-16T21:08:50Z"),
    ("Κυρ 16 21:08:50 host kernel: " + MSG, None),                      # unknown month: record kept
])
def test_localised_journal(line, when):
    p = P.split_line(line, CTX)
    assert iso(p.epoch) == when and p.msg == MSG


def test_dmesg_reltime_minute_stamp_times_the_delta_lines_after_it():
    ctx = P.Context(year=2019, now=None)
    before = P.split_line("[  +0.000003] " + MSG, ctx)          # no minute stamp yet: time unknown
    minute = P.split_line("[Oct28 16:58] " + MSG, ctx)
    delta = P.split_line("[  +0.000006] CPU: 0 PID: 20742 Comm: mysqld", ctx)
    assert (before.kind, before.epoch, before.msg) == ("dmesg-H", None, MSG)
    assert (minute.kind, iso(minute.epoch), minute.msg) == ("dmesg-H", "2019-10-28T16:58:00Z", MSG)
    assert (iso(delta.epoch), delta.msg) == ("2019-10-28T16:58:00Z", "CPU: 0 PID: 20742 Comm: mysqld")
    assert P.split_line("[окт28 16:58] " + MSG, ctx).epoch == minute.epoch      # localised month
    assert P.split_line("[Xyz28 16:58] " + MSG, ctx).epoch is None              # unknown month


def test_journal_json_entry():
    line = ('{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1700000000123456","_HOSTNAME":"web1","PRIORITY":"3",'
            '"SYSLOG_IDENTIFIER":"kernel","_TRANSPORT":"kernel","MESSAGE":"' + MSG + '"}')
    p = P.split_line(line, CTX)
    assert (p.kind, p.host, iso(p.epoch), p.tag, p.msg) == ("journal-json", "web1", "2023-11-14T22:13:20Z", "kernel", MSG)
    cut = P.split_line(line[:60] + '"MESSAGE":"' + MSG, CTX)            # cut at max_line: still read
    assert cut.kind == "unknown" and cut.msg.endswith(MSG)
    binary = P.split_line('{"_HOSTNAME":"h","MESSAGE":[79,117,116]}', CTX)   # MESSAGE as bytes
    assert binary.kind == "unknown"
    deep = P.split_line('{"MESSAGE":' + "[" * 3000 + "]" * 3000 + "}", CTX)  # hostile nesting
    assert deep.kind == "unknown"


def test_split_host_tag_shapes():
    assert P.split_host_tag("h kernel: m") == ("h", "kernel", "m")
    assert P.split_host_tag("kernel: m") == (None, "kernel", "m")
    assert P.split_host_tag("h sshd[12]: m") == ("h", "sshd", "m")
    assert P.split_host_tag("no structure here at all") == (None, None, "no structure here at all")
    assert P.split_host_tag("oom_reaper: reaped process 1 (a)") == (None, None, "oom_reaper: reaped process 1 (a)")


def test_every_recogniser_is_in_the_registry_and_refuses_noise():
    for fn in P.ALL_RECOGNISERS:
        assert fn("", CTX) is None
        assert fn("mem avail: 1860 of 13855 MiB", CTX) is None


def test_splitter_memory_gives_the_same_result_as_a_fresh_split_on_every_fixture_line():
    import glob
    import os
    from conftest import REPO
    splitter = P.Splitter(CTX)
    n = 0
    for path in sorted(glob.glob(os.path.join(REPO, "tests", "fixtures", "*", "*.log")) +
                       glob.glob(os.path.join(REPO, "tests", "fixtures", "oomlog", "*", "*.log"))):
        with open(path, "rb") as f:
            for raw in f.read().split(b"\n"):
                text = raw.decode("utf-8", "backslashreplace")
                assert splitter.split(text) == P.split_line(text, CTX), (path, text)
                n += 1
    assert n > 1000


@settings(max_examples=2000, deadline=None)
@given(st.integers(1, 9999), st.integers(1, 12), st.integers(0, 40), st.integers(0, 30), st.integers(0, 70),
       st.integers(0, 70))
def test_timegm_is_calendar_timegm(year, month, day, hh, mm, ss):
    import calendar
    assert timegm(year, month, day, hh, mm, ss) == calendar.timegm((year, month, day, hh, mm, ss, 0, 0, 0))


@pytest.mark.parametrize("year,month", [(2020, 0), (2020, 13), (0, 1), (10000, 1)])
def test_timegm_refuses_what_calendar_refuses(year, month):
    with pytest.raises(ValueError):
        timegm(year, month, 1)


def test_logcat_refuses_what_is_not_logcat():
    for line in ("2025-04-20T20:03:27Z h kernel: x", "12-34 10:11:12.123 x", "07-31 02:28:31 152 152 I t: x",
                 "10-24 14:24:26.342   710   710 I lowmemory killer: x"):
        assert P.recognise_logcat(line, CTX) is None
    assert P.recognise_logcat("13-01 00:00:00.000 1 1 I t: x", CTX).epoch is None     # no 13th month
