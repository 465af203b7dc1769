"""Area logs: fixture roots (a fixture /proc for the daemons)."""
from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.logs import AREA


def proc(root, pid, comm, argv=None):
    write(root, "proc/%d/comm" % pid, comm + "\n")
    write(root, "proc/%d/cmdline" % pid, "\0".join(argv or ["/usr/sbin/" + comm]) + "\0")
    write(root, "proc/%d/status" % pid, "Name:\t%s\nVmSize:\t100 kB\n" % comm)


def status(result, check_id):
    return [f["status"] for f in result["findings"] if f["id"] == check_id]


def test_empty_root(tmp_path):
    result = AREA.run({"root": str(tmp_path)})
    assert set(f["id"] for f in result["findings"]) == set(c.id for c in AREA.checks)
    assert status(result, "HG-LOGG-001") == ["fail"] and status(result, "HG-LOGG-007") == ["fail"]


def test_journald_without_remote_logging(tmp_path):
    proc(tmp_path, 100, "systemd-journal", ["/lib/systemd/systemd-journald"])
    write(tmp_path, "etc/logrotate.conf", "weekly\n/var/log/wtmp {\n}\n")
    result = AREA.run({"root": str(tmp_path)})
    assert status(result, "HG-LOGG-001") == ["pass"]
    assert status(result, "HG-LOGG-005") == ["pass"]
    assert status(result, "HG-LOGG-010") == ["fail"]
    assert status(result, "HG-LOGG-007") == ["pass"]


def test_rsyslog_forwarding(tmp_path):
    proc(tmp_path, 100, "rsyslogd")
    write(tmp_path, "etc/rsyslog.d/50-remote.conf", "*.* @@loghost.example.org:514\n")
    assert status(AREA.run({"root": str(tmp_path)}), "HG-LOGG-010") == ["pass"]
    # Lynis drops every line holding a '#': so do we
    write(tmp_path, "etc/rsyslog.d/50-remote.conf", "*.* @@loghost.example.org:514 # remote\n")
    assert status(AREA.run({"root": str(tmp_path)}), "HG-LOGG-010") == ["fail"]


def test_minilogd_running(tmp_path):
    proc(tmp_path, 7, "minilogd")
    assert status(AREA.run({"root": str(tmp_path)}), "HG-LOGG-006") == ["fail"]


def test_journald_persistent(tmp_path):
    write(tmp_path, "lib/systemd/systemd-journald", "", mode=0o755)
    assert status(AREA.run({"root": str(tmp_path)}), "HG-LOGG-018") == ["fail"]
    (tmp_path / "var/log/journal").mkdir(parents=True)
    assert status(AREA.run({"root": str(tmp_path)}), "HG-LOGG-018") == ["pass"]
    write(tmp_path, "etc/systemd/journald.conf.d/x.conf", "[Journal]\nStorage=volatile\n")
    assert status(AREA.run({"root": str(tmp_path)}), "HG-LOGG-018") == ["fail"]


def test_fifo_config_does_not_hang(tmp_path):
    import os
    proc(tmp_path, 100, "rsyslogd")
    os.makedirs(str(tmp_path / "etc"))
    os.mkfifo(str(tmp_path / "etc/rsyslog.conf"))
    assert status(AREA.run({"root": str(tmp_path)}), "HG-LOGG-010") == ["fail"]
