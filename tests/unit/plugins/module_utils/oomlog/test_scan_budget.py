"""Issue 17 item 3 for oomlog: a log bigger than the size budget or slower than the time budget
is scanned in part, and the part is said as a finding ("not fully scanned: ..."), never a silent
partial and never a pass. The size budget reads the tail (the recent incidents). Counted in bytes
and clock ticks (a fake clock), never in seconds."""
import os

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import kernlog
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.scanner import CHUNK_BYTES

MIB = 1024 * 1024
KILL = ("Dec  1 10:00:%02d host kernel: [ %d.000000] Out of memory: Killed process %d (%s) "
        "total-vm:100000kB, anon-rss:50000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:200kB "
        "oom_score_adj:0\n")
NOISE = "Dec  1 10:00:01 host kernel: [  12.000000] e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps\n"


def _log(path, noise_mib=3, sparse_mib=0):
    with open(path, "w") as f:
        f.write(KILL % (1, 100, 111, "alpha"))
    if sparse_mib:
        os.truncate(path, sparse_mib * MIB)
    with open(path, "a") as f:
        f.write(NOISE * (noise_mib * MIB // len(NOISE)))
        f.write(KILL % (9, 900, 222, "beta"))
    return os.path.getsize(path)


def _victims(result):
    return sorted(i["victim"]["name"] for i in result["facts"]["incidents"])


def _cut(result):
    return [f for f in result["findings"] if f["id"] == "HG-OOMLOG-001" and f["status"] == "error"]


def test_whole_log_inside_the_budgets_has_no_cut(tmp_path):
    path = str(tmp_path / "kern.log")
    _log(path)
    result = kernlog.audit({"path": path, "recorder_dir": ""})
    assert _victims(result) == ["alpha", "beta"] and not _cut(result)


def test_size_budget_reads_the_tail_and_says_what_was_skipped(tmp_path):
    path = str(tmp_path / "kern.log")
    size = _log(path, noise_mib=1, sparse_mib=64)       # 64 MiB hole, then the recent part
    result = kernlog.audit({"path": path, "recorder_dir": "", "max_read_bytes": MIB})
    assert _victims(result) == ["beta"]                 # the recent incident is read
    assert result["facts"]["counts"]["bytes_read"] <= MIB
    [cut] = _cut(result)
    assert cut["detail"].startswith("not fully scanned: %s: " % path)
    assert "the first %d bytes skipped" % (size - MIB) in cut["detail"]
    assert cut["evidence"]["offset"] == size - MIB and cut["evidence"]["cut"] == "size"
    assert result["facts"]["counts"]["not_scanned_bytes"] == size - MIB


def test_time_budget_stops_and_says_how_much_was_scanned(tmp_path):
    path = str(tmp_path / "kern.log")
    size = _log(path, noise_mib=3)
    ticks = [0]

    def clock():                     # one tick per call: the deadline falls after two chunks
        ticks[0] += 1
        return ticks[0]
    result = kernlog.audit({"path": path, "recorder_dir": "", "timeout": 2.5, "_clock": clock})
    read = result["facts"]["counts"]["bytes_read"]
    assert read == 2 * CHUNK_BYTES and _victims(result) == ["alpha"]
    [cut] = _cut(result)
    assert "%d of %d bytes read" % (read, size) in cut["detail"]
    assert "the last %d bytes not read (time budget spent)" % (size - read) in cut["detail"]
    assert not [f for f in result["findings"] if f["status"] == "pass"]


def test_partial_scan_without_incidents_is_never_a_pass(tmp_path):
    path = str(tmp_path / "kern.log")
    with open(path, "w") as f:
        f.write(NOISE * (2 * MIB // len(NOISE)))
    result = kernlog.audit({"path": path, "recorder_dir": "", "max_read_bytes": MIB})
    assert [f["status"] for f in result["findings"]] == ["error"]
    assert _cut(result)[0]["detail"].startswith("not fully scanned")


def test_a_kill_glued_to_crash_padding_is_said_never_a_pass(tmp_path):
    """After a crash a log holds a run of NULs and syslog appends the next line right after it,
    with no newline between: the kill is past the first max_line bytes of that one long line.
    It was dropped with no word (a pass, "incidents: 0"); now it is a "not fully scanned" error."""
    path = str(tmp_path / "kern.log")
    with open(path, "w") as f:
        f.write(KILL % (1, 100, 111, "alpha"))
    os.truncate(path, 3 * MIB)                          # a hole of NULs, spanning chunks
    with open(path, "a") as f:
        f.write(KILL % (9, 900, 222, "beta"))
    result = kernlog.audit({"path": path, "recorder_dir": ""})
    assert _victims(result) == ["alpha"]
    [cut] = _cut(result)
    assert "1 line(s) longer than max_line_bytes (4096)" in cut["detail"]
    assert cut["evidence"]["hidden_lines"] == 1 and result["facts"]["counts"]["hidden_lines"] == 1
    assert not [f for f in result["findings"] if f["status"] == "pass"]


def test_anchors_past_the_head_are_counted_whatever_the_chunks():
    """Lines longer than max_line whose anchor is past the head (also across the cut, and
    across a chunk boundary) are counted once each, for every chunk size; a long line whose
    anchor is in its head is parsed, and long noise is not counted."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.records import Parser
    from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.scanner import Scanner
    data = (b"\0" * 5000 + b"Out of memory: Killed process 1 (a)\n"    # past the head
            + b"x" * 4094 + b"oom" + b"y" * 10 + b"\n"                 # across the cut
            + b"n" * 9000 + b"\n"                                        # long noise
            + b"Out of memory: Killed process 2 (b)" + b"z" * 5000 + b"\n"   # in the head
            + b"\0" * 4200 + b"process")                                # a last line, no newline
    for chunk in (1, 7, 100, 4096, 1 << 20):
        scanner = Scanner(Parser(), 4096)
        for i in range(0, len(data), chunk):
            scanner.feed(data[i:i + chunk])
        scanner.finish()
        assert scanner.hidden_lines == 3, chunk
        assert scanner.bytes == len(data)
