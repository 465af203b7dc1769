"""OOM posture on the real /proc and sysctl tree of this machine, and through real Ansible.

Real components: two child processes whose oom_score_adj we set by writing
/proc/<pid>/oom_score_adj (a process attribute, not a kernel setting), procps' `ps` and
`sysctl -n` as oracles for RSS and runtime values, systemd's own `systemd-analyze
cat-config` as the oracle for sysctl.d precedence, and `ansible` running the modules.
Nothing here writes /proc/sys.
"""
import json
import os
import shutil
import signal
import subprocess
import sys

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.oom import audit as oom
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl import audit as sysctl

pytestmark = pytest.mark.real

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOG_MIB = 50

HOG = r"""
import sys
with open("/proc/self/comm", "w") as f:
    f.write(sys.argv[1])
block = bytearray(b"\x01") * (%d << 20)   # written, so resident
sys.stdout.write("ready\n"); sys.stdout.flush()
sys.stdin.readline()
""" % HOG_MIB

VICTIM = r"""
import sys
with open("/proc/self/comm", "w") as f:
    f.write(sys.argv[1])
sys.stdout.write("ready\n"); sys.stdout.flush()
sys.stdin.readline()
"""


def _start(code, comm, adj):
    proc = subprocess.Popen([sys.executable, "-c", code, comm], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, universal_newlines=True)
    line = proc.stdout.readline()  # the child prints once, or dies (EOF)
    assert line == "ready\n", "child %s did not start" % comm
    if adj is not None:
        _set_adj(proc.pid, adj)
    return proc


def _set_adj(pid, adj):
    with open("/proc/%d/oom_score_adj" % pid, "w") as handle:
        handle.write(str(adj))
    with open("/proc/%d/oom_score_adj" % pid) as handle:
        assert int(handle.read()) == adj


def _stop(proc):
    if proc is None:
        return
    try:
        proc.send_signal(signal.SIGKILL)
    except OSError:
        pass
    proc.wait()


@pytest.fixture
def hog_and_victim():
    """A 50 MiB process (oom_score_adj left at 0: tests make it immune themselves) and a
    victim at +1000, both killed in finally."""
    hog = victim = None
    tag = "hgoom%d" % os.getpid()
    try:
        hog = _start(HOG, (tag + "hog")[:15], None)
        victim = _start(VICTIM, (tag + "vic")[:15], 1000)
        yield hog, victim, (tag + "hog")[:15], (tag + "vic")[:15]
    finally:
        _stop(hog)
        _stop(victim)


def _ps_rss_kib(pid):
    out = subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], stdout=subprocess.PIPE,
                         check=True, universal_newlines=True).stdout
    return int(out.strip())


def _has_cap_sys_resource():
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) & (1 << 24))  # CAP_SYS_RESOURCE = 24
    return False


def test_top_victim_and_rss_on_real_proc(hog_and_victim):
    hog, victim, hog_comm, victim_comm = hog_and_victim
    result = oom.audit({"root": "/", "top_n": 50, "use_systemctl": "no"})
    victims = result["facts"]["likely_victims"]
    mine = [v for v in victims if v["pid"] == victim.pid]
    assert mine and mine[0]["comm"] == victim_comm and mine[0]["oom_score_adj"] == 1000
    assert mine[0]["oom_score"] == max(v["oom_score"] for v in victims)
    assert all(v["oom_score"] >= mine[0]["oom_score"] for v in victims[:mine[0]["rank"]])
    scores = [v["oom_score"] for v in victims]
    assert scores == sorted(scores, reverse=True)
    big = [v for v in victims if v["pid"] == hog.pid]
    assert big and big[0]["comm"] == hog_comm
    assert big[0]["rss_kib"] >= HOG_MIB * 1024
    assert abs(big[0]["rss_kib"] - _ps_rss_kib(hog.pid)) < 2048  # procps' view of the RSS
    # HG-OOM-005 carries the same list
    info = [f for f in result["findings"] if f["id"] == "HG-OOM-005"][0]
    assert victim.pid in [v["pid"] for v in info["evidence"]["victims"] if isinstance(v, dict)]


@pytest.mark.needs_cap_sys_resource
def test_immune_hog_ranked_by_rss_on_real_proc(hog_and_victim):
    """Seed 002's hog: -1000 and 50 MiB. Needs CAP_SYS_RESOURCE to lower oom_score_adj; on a
    host without it (the VMs of ENVIRONMENT.md) this FAILS, as a missing real component must.
    `make integration` deselects it, and says so, on hosts whose root lacks the capability."""
    hog, _victim, hog_comm, _vc = hog_and_victim
    if not _has_cap_sys_resource():
        pytest.fail("this host's root lacks CAP_SYS_RESOURCE (CapEff bit 24): the kernel "
                    "refuses oom_score_adj -1000 (EACCES), so no real immune process can be made")
    _set_adj(hog.pid, -1000)
    result = oom.audit({"root": "/", "top_n": 50, "use_systemctl": "no"})
    immune = [f for f in result["findings"] if f["id"] == "HG-OOM-003" and
              f["status"] == "fail" and f["evidence"].get("pid") == hog.pid]
    assert len(immune) == 1, result["findings"]
    ev = immune[0]["evidence"]
    assert immune[0]["subject"] == "%s[%d]" % (hog_comm, hog.pid)
    assert ev["oom_score_adj"] == -1000 and ev["oom_score"] == 0
    assert ev["rss_kib"] >= HOG_MIB * 1024
    assert abs(ev["rss_kib"] - _ps_rss_kib(hog.pid)) < 2048
    ranked = sorted((f for f in result["findings"] if f["id"] == "HG-OOM-003" and
                     "rank_by_rss" in f["evidence"]), key=lambda f: f["evidence"]["rank_by_rss"])
    rss = [f["evidence"]["rss_kib"] for f in ranked]
    assert rss == sorted(rss, reverse=True)
    assert hog.pid not in [v["pid"] for v in result["facts"]["likely_victims"]]


def test_configured_but_not_effective_on_real_kernel(tmp_path, hog_and_victim):
    """ENVIRONMENT.md's container case, for real: a unit configures OOMScoreAdjust=-1000,
    the kernel refuses to lower the process (no CAP_SYS_RESOURCE) or nobody applied it,
    and the running process keeps its value. /proc is the real one (root/proc -> /proc)."""
    hog, _victim, hog_comm, _vc = hog_and_victim
    root = str(tmp_path)
    os.symlink("/proc", os.path.join(root, "proc"))
    unit_dir = os.path.join(root, "etc/systemd/system")
    os.makedirs(os.path.join(unit_dir, "hgoom-test.service.d"))
    with open(os.path.join(unit_dir, "hgoom-test.service"), "w") as handle:
        handle.write("[Service]\nExecStart=/usr/bin/python3 -c pass\n")
    with open(os.path.join(unit_dir, "hgoom-test.service.d", "oom.conf"), "w") as handle:
        handle.write("[Service]\nOOMScoreAdjust=-1000\n")
    if not _has_cap_sys_resource():
        with pytest.raises(PermissionError):  # what systemd in a container meets
            _set_adj(hog.pid, -1000)
    result = oom.audit({"root": root, "include_sshd": False, "use_systemctl": "no",
                        "services": [{"name": "hgoom-test", "unit": "hgoom-test.service",
                                      "process": hog_comm}]})
    f = [x for x in result["findings"] if x["id"] == "HG-OOM-002"][0]
    assert f["status"] == "fail", f
    assert f["detail"].startswith("configured but not effective")
    assert f["evidence"]["configured"] == -1000
    assert f["evidence"]["effective"] == [{"pid": hog.pid, "oom_score_adj": 0}]
    assert f["evidence"]["configured_in"] == \
        "/etc/systemd/system/hgoom-test.service.d/oom.conf:2"


def _ansible_env():
    env = dict(os.environ)
    env.update({"ANSIBLE_CONFIG": os.path.join(REPO, "ansible.cfg"),
                "ANSIBLE_COLLECTIONS_PATH": os.path.join(REPO, ".collections"),
                "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1", "ANSIBLE_STDOUT_CALLBACK": "json",
                "PATH": os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")})
    return env


def _ansible(module, args):
    binary = os.path.join(os.path.dirname(sys.executable), "ansible")
    assert os.path.exists(binary), "ansible is not installed next to %s" % sys.executable
    proc = subprocess.run([binary, "localhost", "-m", module, "-a", args], cwd=REPO,
                          env=_ansible_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    return data["plays"][0]["tasks"][0]["hosts"]["localhost"]


def test_oom_audit_through_real_ansible(hog_and_victim):
    hog, victim, hog_comm, _victim_comm = hog_and_victim
    res = _ansible("hostguard.hardening.oom_audit",
                   json.dumps({"top_n": 50, "services": ["redis-server"]}))
    assert res["changed"] is False
    victims = dict((v["pid"], v) for v in res["facts"]["likely_victims"])
    assert victim.pid in victims and victims[victim.pid]["oom_score_adj"] == 1000
    assert hog.pid in victims and victims[hog.pid]["rss_kib"] >= HOG_MIB * 1024
    assert victims[hog.pid]["comm"] == hog_comm
    ids = set(f["id"] for f in res["findings"])
    assert {"HG-OOM-001", "HG-OOM-002", "HG-OOM-003", "HG-OOM-004", "HG-OOM-005"} <= ids


def test_sysctl_audit_through_real_ansible():
    res = _ansible("hostguard.hardening.sysctl_audit", "report_pass=false")
    assert res["changed"] is False
    assert all(f["status"] in ("fail", "error") for f in res["findings"])
    assert res["facts"]["runtime"]["vm.panic_on_oom"] == _sysctl_n("vm.panic_on_oom")


def _sysctl_n(key):
    binary = shutil.which("sysctl") or "/usr/sbin/sysctl"
    assert os.path.exists(binary), "procps sysctl missing"
    out = subprocess.run([binary, "-n", key], stdout=subprocess.PIPE, check=True,
                         universal_newlines=True).stdout
    return " ".join(out.split())


@pytest.mark.parametrize("key", ["vm.overcommit_memory", "vm.panic_on_oom", "vm.oom_dump_tasks",
                                 "kernel.randomize_va_space", "fs.protected_hardlinks",
                                 "kernel.kptr_restrict", "net.ipv4.tcp_syncookies"])
def test_sysctl_runtime_matches_procps(key):
    result = sysctl.audit({"root": "/"})
    assert result["facts"]["runtime"][key] == _sysctl_n(key)
    finding = [f for f in result["findings"] if f["subject"] == key and
               f["id"] in ("HG-SYSCTL-001", "HG-SYSCTL-004")]
    assert len(finding) == 1 and finding[0]["status"] in ("pass", "fail")
    assert finding[0]["status"] == ("pass" if sysctl.matches_expected(
        _sysctl_n(key), finding[0]["evidence"]["expected"]) else "fail")


def test_sysctl_real_host_files_match_systemd():
    """Our file order for / equals what systemd's own loader lists."""
    ours = [f.split(" -> ")[0] for f in sysctl.audit({"root": "/"})["facts"]["files"]]
    assert ours == _systemd_files("/")


def _systemd_files(root):
    binary = shutil.which("systemd-analyze")
    assert binary, "systemd-analyze (systemd) is required as the precedence oracle"
    cmd = [binary, "cat-config", "sysctl.d"]
    if root != "/":
        cmd.insert(1, "--root=" + root)
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True,
                         universal_newlines=True, timeout=60).stdout
    files = []
    for line in out.splitlines():
        if line.startswith("# /") and line.endswith(".conf"):
            path = line[2:]
            if root != "/":
                path = path[len(root.rstrip("/")):]
            full = os.path.join(root, path.lstrip("/"))
            if os.path.islink(full) and os.readlink(full) == "/dev/null":
                continue  # masked: systemd lists it, applies nothing
            files.append(path)
    return files


def test_sysctl_precedence_matches_systemd_on_a_tree(tmp_path):
    root = str(tmp_path)
    layout = {
        "/usr/lib/sysctl.d/50-a.conf": "vm.a = 1\n",
        "/etc/sysctl.d/50-a.conf": "vm.a = 2\n",
        "/run/sysctl.d/50-a.conf": "vm.a = 3\n",
        "/run/sysctl.d/10-z.conf": "vm.z = 1\n",
        "/usr/local/lib/sysctl.d/10-z.conf": "vm.z = 2\n",
        "/usr/local/lib/sysctl.d/70-b.conf": "vm.b = 1\n",
        "/usr/lib/sysctl.d/70-b.conf": "vm.b = 2\n",
        "/usr/lib/sysctl.d/60-masked.conf": "vm.m = 1\n",
        "/usr/lib/sysctl.d/zz-last.conf": "vm.a = 9\n",
        "/etc/sysctl.d/00-first.conf": "vm.b = 7\n",
    }
    for path, text in layout.items():
        full = os.path.join(root, path.lstrip("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as handle:
            handle.write(text)
    os.symlink("/dev/null", os.path.join(root, "etc/sysctl.d/60-masked.conf"))
    entries, files, _shadowed, _errors = sysctl.persisted_entries(root)
    assert [f["path"] for f in files] == _systemd_files(root)
    win = sysctl.winning_entries(entries)
    assert win["vm.a"]["file"] == "/usr/lib/sysctl.d/zz-last.conf"
    assert win["vm.z"]["value"] == "1" and win["vm.b"]["file"] == "/usr/local/lib/sysctl.d/70-b.conf"
    assert "vm.m" not in win
