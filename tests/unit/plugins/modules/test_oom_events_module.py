"""The oom_events module wrapper and the bounded, time-boxed source readers."""
import os
import sys

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import kernlog as k

from conftest import REPO, run_module_file  # noqa: E402
MODULE = os.path.join(REPO, "plugins", "modules", "oom_events.py")
FIX = os.path.join(REPO, "tests", "fixtures", "kernlog")


def run_module(tmp_path, args):
    return run_module_file(MODULE, tmp_path, dict(args, _ansible_check_mode=True))


def test_module_on_a_file_in_check_mode(tmp_path):
    res = run_module(tmp_path, {"path": os.path.join(FIX, "crash_loop_memcg_syslog.log")})
    assert res["changed"] is False and not res.get("failed")
    ids = [f["id"] for f in res["findings"]]
    assert ids.count("HG-OOMLOG-003") == 1 and ids.count("HG-OOMLOG-001") == 4
    assert res["facts"]["counts"]["incidents"] == 4


def test_module_rejects_bad_since_and_bounds(tmp_path):
    res = run_module(tmp_path, {"path": "/nonexistent", "since": "last tuesday"})
    assert res["failed"] and "since" in res["msg"]
    res = run_module(tmp_path, {"path": "/nonexistent", "max_incidents": 0})
    assert res["failed"] and "max_incidents" in res["msg"]
    res = run_module(tmp_path, {"source": "everything"})
    assert res["failed"]


def test_run_into_is_time_boxed():
    parser = k.Parser()
    status = k.run_into([sys.executable, "-c", "import time; time.sleep(600)"], k.Scanner(parser), 0.5, 1 << 20)
    assert status["timed_out"] is True and status["truncated"] is True


def test_run_into_is_bounded_in_bytes():
    parser = k.Parser()
    scanner = k.Scanner(parser)
    status = k.run_into(["yes", "Out of memory: Killed process 1 (yes) total-vm:1kB"], scanner, 60, 1 << 20)
    scanner.finish()
    assert status["truncated"] is True and (1 << 20) <= status["bytes"] < (1 << 20) + k.CHUNK_BYTES + 65536
    assert parser.counts["incidents"] > 1000


def test_run_into_missing_command():
    status = k.run_into(["hg-kernlog-no-such-command"], k.Scanner(k.Parser()), 5, 1 << 20)
    assert status["status"] == "unavailable"


def _sparse_log(path, record, record_first):
    """4 GiB sparse file holding ``record`` at its start or at its end."""
    with open(str(path), "wb") as f:
        if record_first:
            f.write(record)
            f.truncate(4 << 30)          # 4 GiB of NUL bytes after the record
        else:
            f.truncate(4 << 30)
            f.seek(4 << 30)
            f.write(record)


def _not_scanned(res):
    return [f for f in res["findings"] if f["id"] == "HG-OOMLOG-001" and f["status"] == "error"
            and "not fully scanned" in f.get("detail", "")]


def test_multi_gb_sparse_file_is_read_only_up_to_the_cap(tmp_path):
    # An oversized file is read tail first (the newest incidents): only the cap is read, the
    # record at the end is found, and the skipped head is an error finding, not a silent cut.
    record = open(os.path.join(FIX, "v4.19_rfc3339_culprit.log"), "rb").read()
    big = tmp_path / "kern.log"
    _sparse_log(big, record, record_first=False)
    res = k.audit({"path": str(big), "max_read_bytes": 8 << 20})
    src = res["facts"]["sources"][0]
    assert src["bytes"] == 8 << 20 and src["truncated"] is True and src["size"] == (4 << 30) + len(record)
    assert res["facts"]["counts"]["incidents"] == 1
    assert len(_not_scanned(res)) == 1


def test_multi_gb_sparse_file_record_outside_the_cap_is_not_a_pass(tmp_path):
    record = open(os.path.join(FIX, "v4.19_rfc3339_culprit.log"), "rb").read()
    big = tmp_path / "kern.log"
    _sparse_log(big, record, record_first=True)
    res = k.audit({"path": str(big), "max_read_bytes": 8 << 20})
    assert res["facts"]["sources"][0]["bytes"] == 8 << 20
    assert res["facts"]["counts"].get("incidents", 0) == 0
    assert res["facts"]["counts"]["not_scanned_bytes"] == (4 << 30) - (8 << 20)
    assert len(_not_scanned(res)) == 1
    assert not [f for f in res["findings"] if f["status"] == "pass"]
