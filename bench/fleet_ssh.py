"""A fleet over SSH: N containers running sshd, published on 127.0.0.1 only, a one-task
ping playbook beside playbooks/audit.yml in the same run, at N = 1, 5, 20 (argv overrides),
with controller CPU per host (this process's children: ansible-playbook, its workers and the
ssh clients) and target CPU per host (cpuacct of each container's cgroup: sshd, the module,
everything). Lynis runs on the same containers as the peer. Then on localhost: the audit
beside the floor of a one-task playbook.

The containers run sshd as their only process, not systemd: this machine's inotify limits
allow about 8 systemd containers at once, shared by everyone, and N = 20 is the point. The
audit is the same one module round trip per host; on such a host it finds no running
services (the areas that ask systemd record that), so the module has somewhat less to read
than on a booted host (bench/README.md gives the report sizes). The journey Molecule scenario
covers booted systemd containers over ssh.

Keys are generated per run in a temporary directory; containers, keys and reports are
removed afterwards (also on failure). Needs podman and the image of scripts/build-images.sh.

    python3 bench/fleet_ssh.py            # N = 1 5 20
    python3 bench/fleet_ssh.py 1 5        # other sizes
    HG_BENCH_LYNIS=none|last|all          # Lynis on a container of no / the last / every fleet
    HG_BENCH_LOCALHOST=0                  # skip the localhost comparison
    HG_BENCH_BEFORE=/path/to/checkout     # also run that checkout's audit.yml on the same
                                          # containers, in the same run ("audit (before)" rows)

Each row carries the 1-minute load average when it started (the machine is shared: wall time
moves with the others' load, CPU time much less). The AnsiballZ payload of host_audit (what
one round trip sends, deflated and base64 as configured) is printed for each checkout.
"""
import json
import os
import resource
import shutil
import signal
import socket
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
BEFORE = os.environ.get("HG_BENCH_BEFORE") or None
PAYLOAD = r"""
import sys
from ansible import constants as C
from ansible.plugins.loader import init_plugin_loader, module_loader
init_plugin_loader([sys.argv[1]])
from ansible.executor.module_common import modify_module
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
ctx = module_loader.find_plugin_with_context(sys.argv[2])
built = modify_module(module_name=sys.argv[2], module_path=ctx.plugin_resolved_path, module_args={},
                      templar=Templar(loader=DataLoader()), module_compression=C.DEFAULT_MODULE_COMPRESSION,
                      task_vars={"ansible_python_interpreter": "/usr/bin/python3"})
print(len(built.b_module_data))
"""
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
    """N containers whose only process is sshd (no systemd: the inotify limits of this machine
    allow ~8 systemd containers at once, shared by everyone), each publishing port 22 on
    127.0.0.1 only. The key of this run is root's authorized key."""
    names, hosts = [], {}
    boot = ("install -d -m 0755 /run/sshd && install -d -m 0700 /root/.ssh"
            " && printf '%s\\n' \"$HG_BENCH_KEY\" > /root/.ssh/authorized_keys"
            " && chmod 0600 /root/.ssh/authorized_keys && exec /usr/sbin/sshd -D -e")
    for i in range(n):
        name = "%s-%02d" % (PREFIX, i)
        STARTED.append(name)
        podman("run", "-d", "--name", name, "-p", "127.0.0.1::22", "-e", "HG_BENCH_KEY=" + pubkey.strip(),
               IMAGE, "/bin/sh", "-c", boot)
        names.append(name)
    for name in names:
        port = int(podman("port", name, "22/tcp").stdout.strip().rsplit(":", 1)[1])
        for _round in range(120):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                    if conn.recv(4).startswith(b"SSH-"):
                        break
            except OSError:
                pass
            time.sleep(0.5)
        cid = podman("inspect", "-f", "{{.Id}}", name).stdout.strip()
        hosts[name] = {"ansible_host": "127.0.0.1", "ansible_port": port, "hg_cid": cid}
    return names, hosts


def payload_size(repo, workdir, module="hostguard.hardening.host_audit"):
    """Bytes of the AnsiballZ payload of ``module`` as built from ``repo`` (None if it fails)."""
    tmp = tempfile.mkdtemp(prefix="payload-", dir=workdir)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(repo, "ansible.cfg"), ANSIBLE_LOCAL_TEMP=tmp)
    proc = subprocess.run([sys.executable, "-c", PAYLOAD, os.path.join(repo, ".collections"), module], cwd=repo,
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=600, check=False)
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        return int(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def run_playbook(playbook, inventory, workdir, extra=(), repo=REPO):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(repo, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(repo, ".collections"), ANSIBLE_NOCOLOR="1",
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


def audits():
    """(label, checkout) of the audit runs: this checkout, and HG_BENCH_BEFORE's first if set."""
    return ([("audit (before)", BEFORE)] if BEFORE else []) + [("audit", REPO)]


def report_row(n, label, rows):
    r = rows[label]
    is_audit = label.startswith("audit")
    ratio = "%.2fx" % (r["wall"] / rows["ping"]["wall"]) if is_audit else ""
    # what the audit adds to the floor's controller CPU, per host (startup and play setup are
    # in both; the rest is the module transfer, host_report and the publisher)
    extra = ("%.3f" % (r["controller_cpu_per_host"] - rows["ping"]["controller_cpu_per_host"])
             if is_audit else "")
    print("| %d | %s | %.2f | %s | %.3f | %s | %.3f | %.1f |" % (
        n, label, r["wall"], ratio, r["controller_cpu_per_host"], extra, r["target_cpu_per_host"],
        r.get("load", float("nan"))), flush=True)


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
        runs = [("ping", ping, [], REPO)] + [
            (label, os.path.join(repo, "playbooks", "audit.yml"),
             ["-e", "hostguard_report_dir=%s" % os.path.join(workdir, "reports-%d%s" % (n, "-before" if repo != REPO else ""))],
             repo) for label, repo in audits()]
        for label, playbook, extra, repo in runs:
            target0 = dict((h, container_cpu(d["hg_cid"])) for h, d in hosts.items())
            load = os.getloadavg()[0]
            wall, cpu = run_playbook(playbook, inventory, workdir, extra, repo=repo)
            target = sum(container_cpu(d["hg_cid"]) - target0[h] for h, d in hosts.items())
            rows[label] = {"wall": wall, "controller_cpu_per_host": cpu / n, "target_cpu_per_host": target / n,
                           "load": load}
            report_row(n, label, rows)
        sizes, findings = [], []
        for host in hosts:
            path = os.path.join(workdir, "reports-%d" % n, host + ".json")
            sizes.append(os.path.getsize(path))
            with open(path) as handle:
                findings.append(len(json.load(handle).get("findings") or []))
        print("|  | (N = %d: report %.0f KiB, %.0f findings per host) | | | | | | |"
              % (n, sum(sizes) / len(sizes) / 1024, sum(findings) / len(findings)), flush=True)
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
    ping = os.path.join(workdir, "ping.yml")
    run_playbook(ping, os.path.join(REPO, "inventory", "localhost.yml"), workdir)
    best = {}
    for _round in range(3):
        for label, playbook, extra, repo in [("ping", ping, [], REPO)] + [
                (label, os.path.join(repo, "playbooks", "audit.yml"),
                 ["-e", "hostguard_report_dir=%s" % os.path.join(workdir, "reports-local-%s" % ("before" if repo != REPO else "now"))], repo)
                for label, repo in audits()]:
            load = os.getloadavg()[0]
            wall, cpu = run_playbook(playbook, os.path.join(repo, "inventory", "localhost.yml"), workdir, extra,
                                     repo=repo)
            if label not in best or wall < best[label][0]:
                best[label] = (wall, cpu, load)
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
        for label, repo in audits():
            size = payload_size(repo, workdir)
            print("%s: AnsiballZ payload of host_audit %s bytes (%s)" % (label, size, repo))
        print("| N | run | wall s | audit/ping | controller CPU s/host | audit - ping, s/host | target CPU s/host | load |")
        print("|---|---|---|---|---|---|---|---|")
        for i, n in enumerate(sizes):
            # Lynis (minutes per host) once, on a container of the last fleet (the others idle);
            # HG_BENCH_LYNIS=all: on every fleet
            lynis = os.environ.get("HG_BENCH_LYNIS", "last")
            measure(n, keydir, workdir, pubkey, lynis=(lynis == "all" or (lynis == "last" and i == len(sizes) - 1)))
        if os.environ.get("HG_BENCH_LOCALHOST", "1") == "0":
            return 0
        best = localhost(workdir)
        for label, _repo in audits():
            print("localhost (local connection, best of 3 by wall): one-task floor %.2f s, %s %.2f s = %.2fx; "
                  "CPU %.2f s vs %.2f s (load %.1f / %.1f)"
                  % (best["ping"][0], label, best[label][0], best[label][0] / best["ping"][0], best["ping"][1],
                     best[label][1], best["ping"][2], best[label][2]))
        return 0
    finally:
        for name in STARTED:
            podman("rm", "-f", "-t", "0", name, check=False, timeout=120)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
