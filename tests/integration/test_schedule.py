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
import container_connection  # noqa: E402
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
    return container_connection.ansible_env(out)


def playbook(args, check=True):
    proc = subprocess.run([os.path.join(VENV_BIN, "ansible-playbook"), "playbooks/schedule.yml"] + args,
                          cwd=REPO, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=900, check=False)
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
    changed, _proc = playbook(args + ["--check", "--diff"])
    assert changed > 0
    assert os.listdir(str(dirs["cron.d"])) == [] and os.listdir(str(dirs["sbin"])) == []
    changed, _proc = playbook(args)
    assert changed > 0
    changed, _proc = playbook(args)
    assert changed == 0
    cron = (dirs["cron.d"] / "hostguard-audit").read_text()
    line = [l for l in cron.splitlines() if l.startswith("17 3 * * * root flock -n")]
    assert len(line) == 1 and str(dirs["sbin"] / "hostguard-audit") in line[0]
    assert os.listdir(str(dirs["systemd"])) == []
    script = str(dirs["sbin"] / "hostguard-audit")
    assert os.access(script, os.X_OK)
    run_env = dict(env(), ANSIBLE_STDOUT_CALLBACK="default")
    run_env.pop("ANSIBLE_CONFIG")
    for _attempt in range(3):
        proc = subprocess.run([script], env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stdout[-3000:]
    runs = [n for n in os.listdir(str(dirs["reports"] / "runs")) if n != "index.json"]
    assert len(runs) == 2                                  # keep_runs=2 applied
    # what cron.d runs: the bounded wrapper (no systemd here: prlimit --data 256M, nice, ionice)
    limited = str(dirs["sbin"] / "hostguard-audit-limited")
    assert "-limited >>" in line[0]
    assert "prlimit --data=268435456" in open(limited).read()
    latest = os.readlink(str(dirs["reports"] / "latest"))
    proc = subprocess.run([limited], env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert os.readlink(str(dirs["reports"] / "latest")) != latest
    assert os.path.isfile(str(dirs["reports"] / "latest" / "fleet.html"))
    changed, _proc = playbook(args + ["-e", "hostguard_schedule_state=absent"])
    assert changed > 0
    assert os.listdir(str(dirs["cron.d"])) == [] and os.listdir(str(dirs["sbin"])) == []
    assert (dirs["reports"] / "latest").exists()          # reports are kept


def start_container(tmp_path, key, prefix, *podman_args):
    """A systemd container (no network) for one test; yields how Ansible reaches it (a
    container_connection.Connection: ssh with pipelining through the image's sshd), closed and
    the container removed afterwards."""
    assert shutil.which("podman"), "podman is required"
    conf = tmp_path / "containers.conf"
    conf.write_text('[engine]\nruntime = "runc"\n[containers]\ndefault_ulimits = ["nofile=1024:1024", '
                    '"nproc=1024:1024"]\n')
    os.environ["CONTAINERS_CONF"] = str(conf)
    name = "%s-%s" % (prefix, uuid.uuid4().hex[:8])
    connection = None
    images = subprocess.run(["podman", "image", "exists", IMAGE], check=False)
    assert images.returncode == 0, "image %s missing: run scripts/build-images.sh" % IMAGE
    try:
        subprocess.run(["podman", "run", "-d", "--name", name, "--systemd=always", "--network=none"]
                       + list(podman_args) + [IMAGE, "/sbin/init"], check=True, stdout=subprocess.PIPE, timeout=120)
        for _attempt in range(60):   # bounded wait for systemd to come up (slow on a loaded machine)
            try:
                state = subprocess.run(["podman", "exec", name, "systemctl", "is-system-running", "--wait"],
                                       stdout=subprocess.PIPE, universal_newlines=True, timeout=120, check=False).stdout.strip()
            except subprocess.TimeoutExpired:
                continue
            if state in ("running", "degraded"):
                break
        connection = container_connection.Connection(name, key)
        yield connection
    finally:
        if connection is not None:
            connection.close()
        subprocess.run(["podman", "rm", "-f", "-t", "0", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        os.environ.pop("CONTAINERS_CONF", None)


@pytest.fixture
def systemd_container(tmp_path, container_ssh_key):
    yield from start_container(tmp_path, container_ssh_key, "reports-sched")


def test_systemd_timer_in_a_systemd_container(systemd_container):
    name = systemd_container.container
    args = systemd_container.inventory() + ["-e", "hostguard_schedule_hosts=all"]
    changed, _proc = playbook(args + ["--check", "--diff"])
    assert changed > 0
    assert subprocess.run(["podman", "exec", name, "test", "-e", "/etc/systemd/system/hostguard-audit.timer"], check=False).returncode == 1
    changed, _proc = playbook(args)
    assert changed > 0
    changed, _proc = playbook(args)
    assert changed == 0

    def sh(*cmd):
        return subprocess.run(["podman", "exec", name] + list(cmd), stdout=subprocess.PIPE,
                              universal_newlines=True, timeout=60, check=False).stdout.strip()
    assert sh("systemctl", "is-enabled", "hostguard-audit.timer") == "enabled"
    assert sh("systemctl", "is-active", "hostguard-audit.timer") == "active"
    assert "03:17:00" in sh("systemctl", "show", "-p", "TimersCalendar", "hostguard-audit.timer")
    assert sh("systemd-analyze", "verify", "/etc/systemd/system/hostguard-audit.service") == ""
    assert "hostguard-audit" not in sh("ls", "/etc/cron.d")
    changed, _proc = playbook(args + ["-e", "hostguard_schedule_state=absent"])
    assert changed > 0
    assert sh("systemctl", "is-enabled", "hostguard-audit.timer") != "enabled"
    changed, _proc = playbook(args + ["-e", "hostguard_schedule_state=absent"])
    assert changed == 0


VENV = os.path.dirname(VENV_BIN)
COLLECTION_IN_CONTAINER = "/opt/hostguard/collections/ansible_collections/hostguard/hardening"


def container_shell(name):
    """``sh(*cmd, timeout=120)``: run a command in the container, output and status returned."""
    def sh(*cmd, timeout=120):
        return subprocess.run(["podman", "exec", name] + list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, timeout=timeout, check=False)
    return sh


def container_schedule_args(connection, *extra):
    """schedule.yml's arguments for a container host running this checkout's mounted venv."""
    return connection.inventory() + ["-e", "hostguard_schedule_hosts=all",
                                     "-e", "hostguard_schedule_venv=%s" % VENV] + list(extra)


BOUNDED_MIB = 128 + 32


@pytest.fixture
def bounded_container(tmp_path, container_ssh_key):
    """The whole container capped by the kernel (memory cgroup of the container) at 128 MiB for
    the run plus 32 MiB for systemd, journald and the page cache of their binaries: inside an
    unprivileged container on cgroup v1 systemd gets no memory cgroup of its own for the unit,
    so the unit's MemoryMax=128M is configured (asserted below) but only this cap is enforced.
    The run itself peaks at ~110-117 MiB anonymous memory (measured 2026-12-02; at a 128 MiB
    cap for everything the kernel OOM-killed ansible-playbook's worker). This checkout's venv
    and collection are mounted read-only where the schedule expects them (same Python as the
    image's: Debian 12's 3.11)."""
    yield from start_container(tmp_path, container_ssh_key, "sched-bounded",
                               "--memory=%dm" % BOUNDED_MIB, "--memory-swap=%dm" % BOUNDED_MIB,
                               "-v", "%s:%s:ro" % (VENV, VENV), "-v", "%s:%s:ro" % (REPO, COLLECTION_IN_CONTAINER))


def test_scheduled_run_completes_inside_128m_with_huge_files(bounded_container):
    """Seed 000's agent, done right: a 3 GiB sparse RDB dump in the cron spool and a 1 GiB kernel
    log, the scheduled unit with MemoryMax=128M, and the container itself (systemd included)
    capped at 160 MiB by the kernel (see bounded_container): the run succeeds, writes its report, and nothing is OOM-killed."""
    name = bounded_container.container
    sh = container_shell(name)
    args = container_schedule_args(bounded_container, "-e", "hostguard_schedule_memory_max=128M",
                                   "-e", "hostguard_schedule_tasks_max=32", "-e", "hostguard_schedule_cpu_quota=50%")
    changed, _proc = playbook(args)
    assert changed > 0
    bounded_container.close()      # Ansible's sshd -i ends: it does not share the 160 MiB with the run
    made = sh("sh", "-c", "set -e; printf 'REDIS0009\\372\\tredis-ver\\0067.0.15' > /var/spool/cron/dump.rdb; "
                          "truncate -s 3G /var/spool/cron/dump.rdb; "
                          "yes 'Dec  1 21:00:00 host kernel: [ 1234.567890] eth0: link is up 1000Mbps full duplex' "
                          "| head -c 1G > /var/log/kern.log; stat -c '%s %b' /var/spool/cron/dump.rdb /var/log/kern.log")
    assert made.returncode == 0, made.stdout
    sizes = [line.split()[0] for line in made.stdout.splitlines()]
    assert sizes == [str(3 << 30), str(1 << 30)], made.stdout
    # only systemd and journald share the container's memory with the run
    assert sh("systemctl", "stop", "redis-server", "ssh", "cron").returncode == 0
    cid = subprocess.run(["podman", "inspect", "-f", "{{.Id}}", name], stdout=subprocess.PIPE,
                         universal_newlines=True, timeout=60, check=False).stdout.strip()
    assert sh("cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes").stdout.strip() == str(BOUNDED_MIB << 20)
    run = sh("systemctl", "start", "hostguard-audit.service", timeout=1800)
    journal = sh("journalctl", "-u", "hostguard-audit", "--no-pager").stdout
    assert run.returncode == 0, run.stdout + journal[-4000:]
    show = dict(line.split("=", 1) for line in sh(
        "systemctl", "show", "-p", "Result", "-p", "MemoryMax", "-p", "CPUQuotaPerSecUSec", "-p", "TasksMax",
        "-p", "Nice", "-p", "IOSchedulingClass", "hostguard-audit.service").stdout.splitlines() if "=" in line)
    assert show == {"Result": "success", "MemoryMax": str(128 << 20), "CPUQuotaPerSecUSec": "500ms",
                    "TasksMax": "32", "Nice": "10", "IOSchedulingClass": "3"}, show
    report = json.loads(sh("cat", "/var/lib/hostguard/reports/localhost.json").stdout)
    failed = set((f["id"], f["subject"]) for f in report["findings"] if f["status"] == "fail")
    assert ("HG-CRON-001", "/var/spool/cron/dump.rdb") in failed
    assert report["errors"] == [], report["errors"]
    assert "worker was found in a dead state" not in journal
    oom = [path for path in (
        "/sys/fs/cgroup/memory/libpod_parent/libpod-%s/memory.oom_control" % cid,
        "/sys/fs/cgroup/memory/machine.slice/libpod-%s.scope/memory.oom_control" % cid) if os.path.exists(path)]
    assert oom, "memory cgroup of container %s not found" % cid
    # the kernel's count of OOM kills in the container's memory cgroup (cgroup v1)
    assert "oom_kill 0" in open(oom[0]).read()


@pytest.fixture
def scope_container(tmp_path, container_ssh_key):
    """A systemd container with this checkout's venv and collection mounted read-only."""
    yield from start_container(tmp_path, container_ssh_key, "sched-scope", "-v", "%s:%s:ro" % (VENV, VENV),
                               "-v", "%s:%s:ro" % (REPO, COLLECTION_IN_CONTAINER))


# Runs inside the container beside the scheduled run: the transient scopes' limits, until the
# run has written its exit status (so the watch ends with the run, not after some seconds).
WATCH_SCOPES = ("while [ ! -e /tmp/limited.rc ]; do"
                " for u in $(systemctl list-units --type=scope --no-legend --plain 'run-*' | awk '{print $1}'); do"
                " systemctl show -p Id -p MemoryMax -p CPUQuotaPerSecUSec -p TasksMax \"$u\" | tr '\\n' ' ';"
                " echo; done; sleep 0.2; done")


def test_cron_variant_runs_in_a_bounded_scope_where_systemd_is_pid1(scope_container):
    """What the cron.d entry runs (<script>-limited), on a host where systemd is PID 1: the audit
    runs in a transient scope with the role's MemoryMax, CPUQuota and TasksMax, completes, and
    writes its report."""
    name = scope_container.container
    sh = container_shell(name)
    args = container_schedule_args(scope_container, "-e", "hostguard_schedule_backend=cron", "-e", "hostguard_schedule_memory_max=192M",
                                   "-e", "hostguard_schedule_tasks_max=48", "-e", "hostguard_schedule_cpu_quota=40%")
    changed, _proc = playbook(args)
    assert changed > 0
    entry = sh("cat", "/etc/cron.d/hostguard-audit").stdout
    assert "/usr/local/sbin/hostguard-audit-limited >>" in entry, entry
    assert sh("test", "-e", "/etc/systemd/system/hostguard-audit.timer").returncode == 1
    started = subprocess.run(["podman", "exec", "-d", name, "/bin/sh", "-c",
                              "/usr/local/sbin/hostguard-audit-limited > /tmp/limited.out 2>&1; echo $? > /tmp/limited.rc"],
                             timeout=120, check=False)
    assert started.returncode == 0
    watched = sh("/bin/sh", "-c", WATCH_SCOPES, timeout=1800).stdout
    rc = sh("cat", "/tmp/limited.rc").stdout.strip()
    assert rc == "0", sh("tail", "-c", "4000", "/tmp/limited.out").stdout
    scopes = [dict(item.split("=", 1) for item in line.split()) for line in watched.splitlines() if "MemoryMax=" in line]
    assert scopes, watched[-2000:]
    assert {"MemoryMax": str(192 << 20), "CPUQuotaPerSecUSec": "400ms", "TasksMax": "48"}.items() <= scopes[0].items(), scopes
    report = json.loads(sh("cat", "/var/lib/hostguard/reports/localhost.json").stdout)
    assert report["findings"] and report["errors"] == [], report.get("errors")
