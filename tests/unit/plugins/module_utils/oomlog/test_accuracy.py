"""The accuracy targets of issue 12 on the real-excerpt fixtures (tests/fixtures/oomlog), scored by
bench/oomlog_accuracy.py: the fixtures are fixed files, so this is a behaviour test."""
import importlib.util
import os

from conftest import REPO

SPEC = importlib.util.spec_from_file_location("oomlog_accuracy", os.path.join(REPO, "bench", "oomlog_accuracy.py"))
ACC = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(ACC)


def test_fixture_set_size_and_provenance():
    paths = [p for p in ACC.fixtures() if "/oomlog/" in p]
    real = [p for p in paths if "/real/" in p]
    negative = [p for p in paths if "/negative/" in p]
    assert len(real) >= 50 and len(negative) >= 10
    for path in paths:
        with open(path, "rb") as f:
            head = f.read(4096).decode("utf-8", "replace").splitlines()
        assert head[0].startswith("#% source: ") and len(head[0]) > 20, path
        assert head[1].startswith("#% date: "), path
        assert os.path.exists(path[:-4] + ".expected.json"), path


def test_accuracy_targets_and_no_false_incidents():
    result = ACC.score()
    assert result["parse_errors"] == 0
    assert result["false_incidents_negative"] == 0
    assert result["extra_incidents_real"] == 0
    assert ACC.below_targets(result) == []
    for field in ("pid+name", "rss", "total-vm", "oom_score_adj", "trigger name+pid", "constraint",
                  "memcg paths", "largest consumer", "verdict"):
        assert result["fields"][field]["n"] >= 1, field
    assert result["fields"]["pid+name"]["n"] >= 50


def test_scorer_counts_a_wrong_parse_against_the_field(tmp_path):
    """The scorer itself: a fixture whose expectation disagrees with the text scores 0/1."""
    log = tmp_path / "x.log"
    log.write_text("#% source: test\n#% date: -\n[ 1.0] Out of memory: Killed process 7 (a) total-vm:10kB, "
                   "anon-rss:1kB, file-rss:0kB, shmem-rss:0kB\n")
    (tmp_path / "x.expected.json").write_text(
        '{"kills": [{"killer": "kernel", "pid": 7, "name": "a", "rss_kb": 2, "total_vm_kb": 10}]}')
    res = ACC.score([str(log)])
    assert res["fields"]["rss"]["k"] == 0 and res["fields"]["rss"]["n"] == 1
    assert res["fields"]["total-vm"]["k"] == 1 and res["fields"]["pid+name"]["k"] == 1
