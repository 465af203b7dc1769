#!/usr/bin/env python3
"""A fleet over SSH: N systemd containers with sshd published on 127.0.0.1 only, a one-task
ping playbook beside playbooks/audit.yml in the same run, at N = 1, 5, 20 (argv overrides),
with controller CPU per host (this process's children: ansible-playbook, its workers and the
ssh clients) and target CPU per host (cpuacct of each container's cgroup: sshd, the module,
everything). Lynis runs on the same containers as the peer. Then on localhost: the audit
beside the floor of a one-task playbook.

Keys are generated per run in a temporary directory; containers, keys and reports are
removed afterwards (also on failure). Needs podman and the image of scripts/build-images.sh.

    python3 bench/fleet_ssh.py            # N = 1 5 20
    python3 bench/fleet_ssh.py 1 5        # other sizes
"""
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BIN = os.path.dirname(sys.executable)
IMAGE = os.environ.get("HG_BENCH_IMAGE", "localhost/hostguard-bookworm:1")
PREFIX = "journey-fleet-%s" % uuid.uuid4().hex[:6]
CONTAINERS_CONF = os.environ.get("CONTAINERS_CONF") or os.path.join(REPO, "molecule", "containers.conf")
STARTED = []          # every container this run created, removed in main() whatever happens
PING = """---
- name: Floor (one task per host)
  hosts: all
  gather_facts: false
  tasks:
    - name: Ping
      ansible.builtin.ping:
"""


def podman(*args, timeout=300, check=True):
    env = dict(os.environ, CONTAINERS_CONF=CONTAINERS_CONF)
    return subprocess.run(["podman"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=timeout, check=check, env=env)


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def container_cpu(cid):
    """Seconds of CPU used by a container so far (cgroup v1 cpuacct, else cgroup v2 cpu.stat)."""
    for path in ("/sys/fs/cgroup/cpuacct/libpod_parent/libpod-%s/cpuacct.usage" % cid,
                 "/sys/fs/cgroup/cpu,cpuacct/libpod_parent/libpod-%s/cpuacct.usage" % cid,
                 "/sys/fs/cgroup/cpuacct/machine.slice/libpod-%s.scope/cpuacct.usage" % cid):
        if os.path.exists(path):
            with open(path) as handle:
                return int(handle.read()) / 1e9
    for path in ("/sys/fs/cgroup/machine.slice/libpod-%s.scope/cpu.stat" % cid,):
        if os.path.exists(path):
            with open(path) as handle:
                stat = dict(line.split() for line in handle)
            return int(stat["usage_usec"]) / 1e6
    return float("nan")


def start(n, pubkey):
    names, hosts = [], {}
    for i in range(n):
        name = "%s-%02d" % (PREFIX, i)
        STARTED.append(name)
        podman("run", "-d", "--name", name, "--systemd=always", "-p", "127.0.0.1::22", IMAGE, "/sbin/init")
        names.append(name)
    for name in names:
        for _round in range(120):
            state = podman("exec", name, "systemctl", "is-system-running", "--wait", check=False, timeout=120)
            if state.stdout.strip() in ("running", "degraded"):
                break
            time.sleep(1)
        subprocess.run(["podman", "exec", "-i", name, "sh", "-c",
                        "install -d -m 0700 /root/.ssh && cat > /root/.ssh/authorized_keys"
                        " && chmod 0600 /root/.ssh/authorized_keys && systemctl start ssh"],
                       input=pubkey, universal_newlines=True, env=dict(os.environ, CONTAINERS_CONF=CONTAINERS_CONF),
                       timeout=120, check=True)
        port = podman("port", name, "22/tcp").stdout.strip().rsplit(":", 1)[1]
        cid = podman("inspect", "-f", "{{.Id}}", name).stdout.strip()
        hosts[name] = {"ansible_host": "127.0.0.1", "ansible_port": int(port), "hg_cid": cid}
    return names, hosts


def run_playbook(playbook, inventory, workdir, extra=()):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_PIPELINING="True", ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_FORKS="20",
               ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=/dev/null "
                                "-o StrictHostKeyChecking=no", ANSIBLE_SSH_CONTROL_PATH_DIR=os.path.join(workdir, "cp"))
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    cpu0, t0 = children_cpu(), time.monotonic()
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), playbook, "-i", inventory] + list(extra),
                          cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=3600, check=False)
    wall, cpu = time.monotonic() - t0, children_cpu() - cpu0
    if proc.returncode != 0:
        raise RuntimeError("%s failed:\n%s" % (playbook, proc.stdout[-4000:]))
    return wall, cpu


def report_row(n, label, rows):
    r = rows[label]
    ratio = "%.2fx" % (r["wall"] / rows["ping"]["wall"]) if label == "audit" else ""
    print("| %d | %s | %.2f | %s | %.3f | %.3f |" % (n, label, r["wall"], ratio, r["controller_cpu_per_host"],
                                                     r["target_cpu_per_host"]), flush=True)


def measure(n, keydir, workdir, pubkey, lynis=True):
    names, hosts = start(n, pubkey)
    try:
        inventory = os.path.join(workdir, "fleet-%d.json" % n)
        with open(inventory, "w") as handle:
            json.dump({"all": {"vars": {"ansible_user": "root", "ansible_python_interpreter": "/usr/bin/python3",
                                        "ansible_ssh_private_key_file": os.path.join(keydir, "id")},
                               "hosts": dict((h, {k: v for k, v in d.items() if k != "hg_cid"})
                                             for h, d in hosts.items())}}, handle)
        ping = os.path.join(workdir, "ping.yml")
        rows = {}
        # warm-up: first contact (ControlMaster, interpreter, page cache) is not what is compared
        run_playbook(ping, inventory, workdir)
        for label, playbook, extra in (
                ("ping", ping, []),
                ("audit", os.path.join(REPO, "playbooks", "audit.yml"),
                 ["-e", "hostguard_report_dir=%s" % os.path.join(workdir, "reports-%d" % n)])):
            target0 = dict((h, container_cpu(d["hg_cid"])) for h, d in hosts.items())
            wall, cpu = run_playbook(playbook, inventory, workdir, extra)
            target = sum(container_cpu(d["hg_cid"]) - target0[h] for h, d in hosts.items())
            rows[label] = {"wall": wall, "controller_cpu_per_host": cpu / n, "target_cpu_per_host": target / n}
            report_row(n, label, rows)
        if not lynis:
            return rows
        # Lynis, the peer, on the first container of the same fleet (podman exec, no SSH)
        cid = hosts[names[0]]["hg_cid"]
        target0, t0 = container_cpu(cid), time.monotonic()
        podman("exec", names[0], "lynis", "audit", "system", "--quick", "--no-colors", "--no-log",
               timeout=1800, check=False)
        rows["lynis (1 host)"] = {"wall": time.monotonic() - t0, "controller_cpu_per_host": 0.0,
                                  "target_cpu_per_host": container_cpu(cid) - target0}
        report_row(n, "lynis (1 host)", rows)
        return rows
    finally:
        for name in names:
            podman("rm", "-f", "-t", "0", name, check=False, timeout=120)


def localhost(workdir):
    inventory = os.path.join(REPO, "inventory", "localhost.yml")
    ping = os.path.join(workdir, "ping.yml")
    run_playbook(ping, inventory, workdir)
    best = {}
    for _round in range(3):
        for label, playbook, extra in (
                ("ping", ping, []),
                ("audit", os.path.join(REPO, "playbooks", "audit.yml"),
                 ["-e", "hostguard_report_dir=%s" % os.path.join(workdir, "reports-local")])):
            wall, cpu = run_playbook(playbook, inventory, workdir, extra)
            if label not in best or wall < best[label][0]:
                best[label] = (wall, cpu)
    return best


def _terminate(signum, _frame):
    raise SystemExit("fleet_ssh: signal %d, cleaning up" % signum)


def main(argv):
    signal.signal(signal.SIGTERM, _terminate)      # containers and keys are removed on the way out
    sizes = [int(a) for a in argv] or [1, 5, 20]
    workdir = tempfile.mkdtemp(prefix="journey-fleet-")
    keydir = os.path.join(workdir, "keys")
    os.makedirs(os.path.join(workdir, "cp"))
    os.makedirs(keydir, mode=0o700)
    try:
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", PREFIX, "-f", os.path.join(keydir, "id")],
                       check=True, timeout=60)
        with open(os.path.join(keydir, "id.pub")) as handle:
            pubkey = handle.read()
        with open(os.path.join(workdir, "ping.yml"), "w") as handle:
            handle.write(PING)
        load = os.getloadavg()
        print("fleet over SSH (pipelining, ControlPersist, forks 20), image %s, load %.1f %.1f %.1f"
              % (IMAGE, load[0], load[1], load[2]))
        print("| N | run | wall s | audit/ping | controller CPU s/host | target CPU s/host |")
        print("|---|---|---|---|---|---|")
        for i, n in enumerate(sizes):
            # Lynis (minutes per host) once, on a container of the last fleet (the others idle);
            # HG_BENCH_LYNIS=all: on every fleet
            measure(n, keydir, workdir, pubkey,
                    lynis=(i == len(sizes) - 1 or os.environ.get("HG_BENCH_LYNIS") == "all"))
        best = localhost(workdir)
        print("localhost (local connection, best of 3): one-task floor %.2f s, audit %.2f s = %.2fx; "
              "controller CPU %.2f s vs %.2f s" % (best["ping"][0], best["audit"][0], best["audit"][0] / best["ping"][0],
                                                   best["ping"][1], best["audit"][1]))
        return 0
    finally:
        for name in STARTED:
            podman("rm", "-f", "-t", "0", name, check=False, timeout=120)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
