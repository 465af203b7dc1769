"""This run's per-host files (plugins/plugin_utils/host_files.py) and how publish lists an
unreachable or failed host."""
import datetime
import json
import os

import pytest

import reportgen  # noqa: E402

from ansible_collections.hostguard.hardening.plugins.plugin_utils import host_files, publish  # noqa: E402


def test_report_and_state_replace_each_other(tmp_path):
    path = host_files.write_report(str(tmp_path), "web/1", {"host": "web/1"}, mode=0o600)
    assert os.path.basename(path) == "web_1.json"
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    host_files.write_state(str(tmp_path), "web/1", "unreachable", "ssh: connect to host\nrefused")
    assert not os.path.exists(path)                       # the stale report is gone
    assert host_files.read_state(str(tmp_path), "web/1") == ("unreachable", "ssh: connect to host refused")
    host_files.write_report(str(tmp_path), "web/1", {"host": "web/1"})
    assert host_files.read_state(str(tmp_path), "web/1") is None


def test_state_is_bounded_and_checked(tmp_path):
    host_files.write_state(str(tmp_path), "h", "failed", "x" * 100000)
    assert len(host_files.read_state(str(tmp_path), "h")[1]) == host_files.MAX_MESSAGE
    with pytest.raises(ValueError):
        host_files.write_state(str(tmp_path), "h", "ok", "")
    (tmp_path / host_files.STATE_DIR / "bad.json").write_text('{"state": "ok"}')
    assert host_files.read_state(str(tmp_path), "bad") is None
    (tmp_path / host_files.STATE_DIR / "junk.json").write_text("not json")
    assert host_files.read_state(str(tmp_path), "junk") is None


def test_publish_lists_unreachable_and_failed_hosts(tmp_path):
    c = reportgen.BY_ID
    with open(str(tmp_path / "ok.json"), "w") as handle:
        json.dump(reportgen.build("ok", [c["HG-CRON-001"].fail("/var/spool/cron/dump.rdb")]), handle)
    host_files.write_state(str(tmp_path), "down", "unreachable", "Failed to connect to the host via ssh")
    host_files.write_state(str(tmp_path), "broken", "failed", "MODULE FAILURE")
    when = datetime.datetime(2026, 11, 22, 10, 0, 0, tzinfo=datetime.timezone.utc)
    out = publish.publish(str(tmp_path), ["ok", "down", "broken", "gone"], when=when, summary_top=1)
    assert out["unavailable_hosts"] == {"down": "unreachable", "broken": "failed"}
    assert out["totals"]["hosts_unreachable"] == 1 and out["totals"]["hosts_failed"] == 1
    assert out["totals"]["hosts_missing"] == 1 and out["totals"]["hosts_ok"] == 1
    fleet = json.loads((tmp_path / "latest" / "fleet.json").read_text())
    states = dict((h["host"], h["state"]) for h in fleet["hosts"])
    assert states == {"ok": "ok", "down": "unreachable", "broken": "failed", "gone": "missing"}
    lines = out["host_lines"]
    assert "down: UNREACHABLE: Failed to connect to the host via ssh" in lines
    assert "broken: FAILED: MODULE FAILURE" in lines
    assert any(line.startswith("ok: 1 failed") for line in lines)
    assert any("HG-CRON-001" in line for line in lines)
    assert "unreachable" in (tmp_path / "latest" / "fleet.html").read_text()
    # the state directory is not mistaken for hosts when discovering
    assert publish.discover_hosts(str(tmp_path)) == ["ok"]
