"""Bounded property tests (hypothesis) of the oomlog parser over the real fixtures: any line of
any fixture, cut at any byte, behind any recognised prefix, or interleaved with another host's
lines, never raises and never invents a kill (every reported kill is one the intact text has)."""
import glob
import os

from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import kernlog as k
from conftest import REPO

FIX = os.path.join(REPO, "tests", "fixtures")
FILES = sorted(glob.glob(os.path.join(FIX, "oomlog", "*", "*.log")) + glob.glob(os.path.join(FIX, "kernlog", "*.log")))
LINES = []
for _path in FILES:
    with open(_path, "rb") as _f:
        LINES.extend(line for line in _f.read().split(b"\n") if line and not line.startswith(b"#% "))
PREFIXES = [b"", b"[  839.048830] ", b"[Sun Apr 20 20:03:27 2025] ", b"[ven. nov. 24 10:11:12 2023] ",
            b"6,1234,839048830,-;", b"<4>", b"Apr 20 20:03:27 h1 kernel: ", b"Jan  5 15:19:27 kernel: ",
            b"Aug 30 06:58:55.050705 h1 kernel: ", b"Sat Jan 25 09:40:15 2020 kern.err kernel: ",
            b"2025-04-20T22:03:27.500000+02:00 h1 kernel: ", b"1787068905.416344 h1 kernel: ",
            b"kernel: ", b"h1: ", b"> ", b"  12 ", b"\xd0\xb0\xd0\xbf\xd1\x80 28 01:23:30 h1 kernel: ",
            b"[Oct28 16:58] ", b"[  +0.000006] ", b"[  244.946537][ T3106] ", b">>> ",
            b"2024-04-29T14:55:41,678628+02:00 ", b"<4>1 2025-04-20T22:03:27.123456+02:00 h1 kernel - - - ",
            b"percona # ", b"10-24 14:24:26.342   710   710 I lowmemorykiller: ", b"07-31 02:28:31.588 I/lmkd(  152): ",
            b"[W] Oct 22 20:02:32 kernel: "]
SETTINGS = settings(max_examples=300, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def kills(data):
    p = k.parse_bytes(data, year=2025)
    assert p.counts["parse_errors"] == 0, p.last_error
    out = []
    for i in p.result_incidents():
        v = i["victim"] or {}
        # a kill is known by its pid, and by its name (a cut line may cut the name); systemd-oomd's
        # by its cgroup path (the unit name is the path's last component, so a cut path changes it)
        out.append((i["host"], i["killer"], v.get("pid"), v.get("cgroup") or v.get("name") or ""))
    return out


def covered(found, intact):
    """Every kill in ``found`` is a kill of ``intact`` (same killer and pid; the name may be cut)."""
    for _h, killer, pid, name in found:
        if not any(killer == k2 and pid == p2 and n2.startswith(name) for _h2, k2, p2, n2 in intact):
            return False
    return True


@SETTINGS
@given(st.sampled_from(LINES), st.integers(min_value=0, max_value=600), st.sampled_from(PREFIXES))
def test_any_line_cut_anywhere_behind_any_prefix(line, cut, prefix):
    intact = kills(prefix + line + b"\n") + kills(line + b"\n")
    found = kills(prefix + line[:cut] + b"\n")
    assert covered(found, intact)


@SETTINGS
@given(st.sampled_from(FILES), st.sampled_from(FILES), st.integers(min_value=1, max_value=4), st.integers(0, 3))
def test_interleaving_another_host_invents_nothing(path_a, path_b, every, offset):
    def body(path, host):
        with open(path, "rb") as f:
            lines = [line for line in f.read().split(b"\n") if line and not line.startswith(b"#% ")]
        out = []
        for line in lines:           # the same message and tag, behind a syslog prefix naming ``host``
            p = k.split_line(line.decode("utf-8", "backslashreplace"), k.Context(2025))
            out.append(b"Apr 20 20:03:27 %s %s: %s" % (host, (p.tag or "kernel").encode(),
                                                       p.msg.encode("utf-8", "surrogateescape")))
        return out
    a, b = body(path_a, b"hosta"), body(path_b, b"hostb")
    mixed, j = [], 0
    for i, line in enumerate(a):
        mixed.append(line)
        if (i + offset) % every == 0 and j < len(b):
            mixed.append(b[j])
            j += 1
    mixed.extend(b[j:])
    intact = kills(b"\n".join(a) + b"\n") + kills(b"\n".join(b) + b"\n")
    assert covered(kills(b"\n".join(mixed) + b"\n"), intact)


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from(PREFIXES))
def test_arbitrary_bytes_never_raise(junk, prefix):
    kills(prefix + junk + b"\n" + junk)


def test_every_kill_line_cut_at_every_byte():
    """The exhaustive form of the first property for the lines that hold a kill."""
    for line in LINES:
        intact = kills(line + b"\n")
        if not intact:
            continue
        for cut in range(len(line)):
            assert covered(kills(line[:cut] + b"\n"), intact), (line, cut)
