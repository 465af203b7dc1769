"""roles/schedule for real: cron.d on this host (no systemd here) with a script that really runs
ansible-playbook, and a systemd timer in a real systemd podman container.

Both are checked for check mode (nothing written), idempotence (second run changes nothing)
and removal. The cron case writes only under a tmp dir (the role's directories are vars).
"""
import json
import os
import shutil
import subprocess
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import reportgen  # noqa: E402

pytestmark = pytest.mark.real

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_BIN = os.path.dirname(sys.executable)
IMAGE = "localhost/hostguard-bookworm:1"


def env():
    out = dict(os.environ)
    out.update(ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".collections"),
               PATH=VENV_BIN + ":" + os.environ.get("PATH", ""), ANSIBLE_NOCOLOR="1",
               ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_CALLBACK_RESULT_FORMAT="json")
    out.setdefault("CONTAINERS_CONF", os.path.join(os.path.dirname(os.path.abspath(__file__)), "containers.conf"))
    return out


def playbook(args, check=True):
    proc = subprocess.run([os.path.join(VENV_BIN, "ansible-playbook"), "playbooks/schedule.yml"] + args,
                          cwd=REPO, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=900)
    if check:
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    stats = json.loads(proc.stdout)["stats"]
    return sum(s["changed"] for s in stats.values()), proc


def test_cron_backend_idempotent_and_script_runs(tmp_path):
    dirs = dict((name, tmp_path / name) for name in ("sbin", "cron.d", "systemd", "log", "reports"))
    for path in dirs.values():
        path.mkdir()
    # the scheduled job publishes reports already present (playbooks/report.yml), so the run is real
    for i in range(3):
        with open(str(dirs["reports"] / ("h%d.json" % i)), "w") as handle:
            json.dump(reportgen.make_report("h%d" % i, i), handle)
    args = []
    for key, name in (("script_dir", "sbin"), ("cron_dir", "cron.d"), ("systemd_dir", "systemd"),
                      ("log_dir", "log"), ("report_dir", "reports")):
        args += ["-e", "hostguard_schedule_%s=%s" % (key, dirs[name])]
    args += ["-e", "hostguard_schedule_venv=%s" % os.path.dirname(VENV_BIN),
             "-e", "hostguard_schedule_collections_path=%s" % os.path.join(REPO, ".collections"),
             "-e", "hostguard_schedule_playbook=hostguard.hardening.report",
             "-e", '{"hostguard_schedule_extra_args": ["-e", "hostguard_report_discover=true"]}',
             "-e", "hostguard_schedule_keep_runs=2"]
    changed, _ = playbook(args + ["--check", "--diff"])
    assert changed > 0
    assert os.listdir(str(dirs["cron.d"])) == [] and os.listdir(str(dirs["sbin"])) == []
    changed, _ = playbook(args)
    assert changed > 0
    changed, _ = playbook(args)
    assert changed == 0
    cron = (dirs["cron.d"] / "hostguard-audit").read_text()
    line = [l for l in cron.splitlines() if l.startswith("17 3 * * * root flock -n")]
    assert len(line) == 1 and str(dirs["sbin"] / "hostguard-audit") in line[0]
    assert os.listdir(str(dirs["systemd"])) == []
    script = str(dirs["sbin"] / "hostguard-audit")
    assert os.access(script, os.X_OK)
    run_env = dict(env(), ANSIBLE_STDOUT_CALLBACK="default")
    run_env.pop("ANSIBLE_CONFIG")
    for _ in range(3):
        proc = subprocess.run([script], env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, timeout=600)
        assert proc.returncode == 0, proc.stdout[-3000:]
    runs = [n for n in os.listdir(str(dirs["reports"] / "runs")) if n != "index.json"]
    assert len(runs) == 2                                  # keep_runs=2 applied
    assert os.path.isfile(str(dirs["reports"] / "latest" / "fleet.html"))
    changed, _ = playbook(args + ["-e", "hostguard_schedule_state=absent"])
    assert changed > 0
    assert os.listdir(str(dirs["cron.d"])) == [] and os.listdir(str(dirs["sbin"])) == []
    assert (dirs["reports"] / "latest").exists()          # reports are kept


@pytest.fixture
def systemd_container(tmp_path):
    assert shutil.which("podman"), "podman is required"
    conf = tmp_path / "containers.conf"
    conf.write_text('[engine]\nruntime = "runc"\n[containers]\ndefault_ulimits = ["nofile=1024:1024", '
                    '"nproc=1024:1024"]\n')
    os.environ["CONTAINERS_CONF"] = str(conf)
    name = "reports-sched-%s" % uuid.uuid4().hex[:8]
    images = subprocess.run(["podman", "image", "exists", IMAGE])
    assert images.returncode == 0, "image %s missing: run scripts/build-images.sh" % IMAGE
    try:
        subprocess.run(["podman", "run", "-d", "--name", name, "--systemd=always", "--network=none", IMAGE,
                        "/sbin/init"], check=True, stdout=subprocess.PIPE, timeout=120)
        for _ in range(60):   # bounded wait for systemd to come up
            state = subprocess.run(["podman", "exec", name, "systemctl", "is-system-running", "--wait"],
                                   stdout=subprocess.PIPE, universal_newlines=True, timeout=120).stdout.strip()
            if state in ("running", "degraded"):
                break
        yield name
    finally:
        subprocess.run(["podman", "rm", "-f", "-t", "0", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.environ.pop("CONTAINERS_CONF", None)


def test_systemd_timer_in_a_systemd_container(systemd_container):
    name = systemd_container
    args = ["-i", "%s," % name, "-c", "containers.podman.podman", "-e", "hostguard_schedule_hosts=all",
            "-e", "ansible_python_interpreter=/usr/bin/python3"]
    changed, _ = playbook(args + ["--check", "--diff"])
    assert changed > 0
    assert subprocess.run(["podman", "exec", name, "test", "-e", "/etc/systemd/system/hostguard-audit.timer"]).returncode == 1
    changed, _ = playbook(args)
    assert changed > 0
    changed, _ = playbook(args)
    assert changed == 0

    def sh(*cmd):
        return subprocess.run(["podman", "exec", name] + list(cmd), stdout=subprocess.PIPE,
                              universal_newlines=True, timeout=60).stdout.strip()
    assert sh("systemctl", "is-enabled", "hostguard-audit.timer") == "enabled"
    assert sh("systemctl", "is-active", "hostguard-audit.timer") == "active"
    assert "03:17:00" in sh("systemctl", "show", "-p", "TimersCalendar", "hostguard-audit.timer")
    assert sh("systemd-analyze", "verify", "/etc/systemd/system/hostguard-audit.service") == ""
    assert "hostguard-audit" not in sh("ls", "/etc/cron.d")
    changed, _ = playbook(args + ["-e", "hostguard_schedule_state=absent"])
    assert changed > 0
    assert sh("systemctl", "is-enabled", "hostguard-audit.timer") != "enabled"
    changed, _ = playbook(args + ["-e", "hostguard_schedule_state=absent"])
    assert changed == 0
