"""The real-daemon cron oracle (issue 11): the audit's per-daemon verdicts against what the daemons do.

Five systemd containers run side by side (``--network none``), one per daemon build:

  debian_cron   cron 3.0pl1 from bookworm       localhost/hostguard-bookworm:1
  debian_cron   cron 3.0pl1 from trixie         localhost/hostguard-trixie:1
  cronie_debian cronie 1.7 from trixie          localhost/hostguard-cronie-trixie:1 (reads crontabs/)
  cronie_rhel   the same cronie binary with /var/spool/cron/crontabs a symlink to "." so that it
                reads /var/spool/cron/<user> (the RHEL layout; the build differs only in SPOOL_DIR,
                see docs/cron.md "The RHEL layout")
  busybox_crond busybox-static 1.35 crond       localhost/hostguard-busybox-bookworm:1

Every case of tests/integration/cron_oracle_cases.py is planted with the daemon stopped; the daemon
is started and left to cross two minute boundaries; then the markers the jobs wrote (which lines
ran, as whom) and the daemon's journal are read, the cron_audit module runs inside each container
(through Ansible: ssh with pipelining into an ``sshd -i`` where the image has sshd, the pipelining
podman connection where it has none, tests/container_connection.py; after the markers and the
journal are read) and the audit area runs on the host with ``root`` on each
container's rootfs (``podman mount``). Each (build, case, view) is one test: the audit's jobs for
that file must be exactly the jobs that ran, and a file the daemon refused must be refused with
the text the daemon logged.
"""
import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import container_connection  # noqa: E402
import cron_oracle_cases as cases  # noqa: E402

ANSIBLE = os.path.join(os.path.dirname(sys.executable), "ansible")
PREFIX = "cron-oracle-%d" % os.getpid()
CRON_IMAGE = "localhost/hostguard-cronie-trixie:1"

# build id -> (image, daemon model, systemd unit, spool dir, reads /etc/cron.d)
BUILDS = {
    "debian_cron@bookworm": ("localhost/hostguard-bookworm:1", "debian_cron", "cron",
                             "/var/spool/cron/crontabs", True),
    "debian_cron@trixie": ("localhost/hostguard-trixie:1", "debian_cron", "cron",
                           "/var/spool/cron/crontabs", True),
    "cronie_debian@trixie": (CRON_IMAGE, "cronie_debian", "cronie", "/var/spool/cron/crontabs", True),
    "cronie_rhel@trixie": (CRON_IMAGE, "cronie_rhel", "cronie", "/var/spool/cron", True),
    "busybox_crond@bookworm": ("localhost/hostguard-busybox-bookworm:1", "busybox_crond", "busybox-crond",
                               "/var/spool/cron/crontabs", False),
}
# Units that only add noise to the containers of the oracle.
NOISE_UNITS = "redis-server ssh lynis.timer"
POLL_LIMIT = 120           # polls of 1 s while waiting for systemd to come up


def _env():
    env = dict(os.environ)
    env.setdefault("CONTAINERS_CONF", os.path.join(REPO, "molecule", "containers.conf"))
    return env


def podman(*args, **kw):
    return subprocess.run(("podman",) + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=_env(), check=kw.pop("check", True), **kw)


def sh(container, script, check=True):
    proc = subprocess.run(["podman", "exec", "-i", container, "sh", "-s"], input=script.encode(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), check=False)
    if check and proc.returncode != 0:
        raise AssertionError("%s: script failed rc=%d: %s"
                             % (container, proc.returncode, proc.stderr.decode()[-2000:]))
    return proc.stdout.decode("utf-8", "replace")


def name(build):
    return "%s-%s" % (PREFIX, build.replace("@", "-").replace("_", "-"))


def case_path(build, case, index):
    spool = BUILDS[build][3]
    directory = spool if case.where == "spool" else "/etc/cron.d"
    return "%s/%s" % (directory, (case.name or "{user}").replace("{user}", cases.user_of(index)))


def applicable(build, case):
    return case.where == "spool" or BUILDS[build][4]


def wait_systemd(container):
    for _attempt in range(POLL_LIMIT):
        proc = podman("exec", container, "systemctl", "is-system-running", check=False)
        state = proc.stdout.decode().strip()
        if state in ("running", "degraded"):
            return state
        time.sleep(1)
    raise AssertionError("%s: systemd did not come up (last state %r)" % (container, state))


def boot(build):
    image, _daemon, unit, spool, with_crond = BUILDS[build]
    container = name(build)
    podman("run", "-d", "--name", container, "--network", "none", "--systemd=always", image, "/sbin/init")
    return container


def plant(build, container):
    _image, _daemon, unit, spool, with_crond = BUILDS[build]
    prep = ["systemctl stop %s" % unit, "systemctl stop %s 2>/dev/null || true" % NOISE_UNITS]
    if build.startswith("cronie_rhel"):
        # The RHEL layout: the daemon's SPOOL_DIR (/var/spool/cron/crontabs) points at /var/spool/cron.
        prep.append("rm -rf /var/spool/cron/crontabs && ln -s . /var/spool/cron/crontabs")
    sh(container, "\n".join(prep) + "\n")
    sh(container, cases.plant_script(spool, "/etc/cron.d", with_crond))


def start(build, container):
    sh(container, "systemctl start %s && systemctl is-active %s\n" % (BUILDS[build][2], BUILDS[build][2]))


def collect(container):
    out = sh(container, "cd %s && for f in *.L*; do [ -e \"$f\" ] && printf '%%s %%s\\n' \"$f\" \"$(cat \"$f\")\"; done; true\n"
             % cases.MARKER_DIR)
    markers = {}
    for line in out.splitlines():
        fname, _sp, user = line.partition(" ")
        cid, _dot, lineno = fname.rpartition(".L")
        markers.setdefault(cid, set()).add((int(lineno), user.strip()))
    journal = sh(container, "journalctl --no-pager -o cat\n")
    # Environment-line markers (cases.ENV): <case>.shell, <case>.path, <case>.ld
    out = sh(container, "cd %s && for f in *.shell *.path *.ld; do [ -e \"$f\" ] && echo \"$f\"; done; true\n"
             % cases.MARKER_DIR)
    markers["env"] = set(tuple(line.strip().rsplit(".", 1)) for line in out.splitlines() if "." in line)
    return markers, journal


def audit_inside(containers, tmp_path, connections):
    """cron_audit inside every container, through Ansible (``connections``: build -> how it
    reaches that container), in one run."""
    inv = tmp_path / "inventory.ini"
    lines = ["[oracle]"]
    for build in containers:
        lines.append(connections[build].ini(build.replace("@", "_at_"), hg_daemons=BUILDS[build][1]))
    inv.write_text("\n".join(lines) + "\n")
    env = container_connection.ansible_env(_env())
    env.update({
        "ANSIBLE_CONFIG": os.path.join(REPO, "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": os.path.join(REPO, ".collections"),
        "ANSIBLE_STDOUT_CALLBACK": "json", "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"), "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORKS": "5", "ANSIBLE_PIPELINING": "1",
    })
    proc = subprocess.run([ANSIBLE, "oracle", "-i", str(inv), "-m", "hostguard.hardening.cron_audit",
                           "-a", '{"daemons": "{{ hg_daemons }}"}'],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO, check=False)
    out = json.loads(proc.stdout.decode())
    hosts = out["plays"][0]["tasks"][0]["hosts"]
    result = {}
    for build in containers:
        host = hosts[build.replace("@", "_at_")]
        assert not host.get("failed"), (build, host.get("msg"), proc.stderr.decode()[-2000:])
        result[build] = host
    return result


def audit_host(build, container):
    from ansible_collections.hostguard.hardening.plugins.module_utils.cron import AREA
    mount = podman("mount", container).stdout.decode().strip()
    try:
        return AREA.run({"root": mount, "daemons": [BUILDS[build][1]]})
    finally:
        podman("umount", container, check=False)


class Oracle(object):
    def __init__(self):
        self.containers = {}
        self.markers = {}
        self.journal = {}
        self.views = {"inside": {}, "host": {}}
        self.timings = {}


def each(func, state):
    """func(build, container) for every container, side by side; results in build order."""
    with ThreadPoolExecutor(max_workers=len(state.containers)) as pool:
        futures = [(b, pool.submit(func, b, c)) for b, c in state.containers.items()]
        return dict((b, f.result()) for b, f in futures)


@pytest.fixture(scope="module")
def oracle(tmp_path_factory, container_ssh_key):
    state = Oracle()
    started = time.time()
    connections = {}
    try:
        for build in BUILDS:
            state.containers[build] = boot(build)
        each(lambda _b, c: wait_systemd(c), state)
        state.timings["boot"] = time.time() - started
        each(plant, state)
        each(start, state)
        t0 = time.time()
        state.timings["planted"] = t0 - started
        # Two minute boundaries after the last start, plus time for PAM and the jobs to finish.
        deadline = (int(t0 // 60) + 2) * 60 + 20
        while time.time() < deadline:
            time.sleep(min(5, max(0.1, deadline - time.time())))
        state.timings["daemons"] = time.time() - t0
        for build, (markers, journal) in each(lambda _b, c: collect(c), state).items():
            state.markers[build], state.journal[build] = markers, journal
        t1 = time.time()
        connections.update(each(lambda _b, c: container_connection.Connection(c, container_ssh_key, env=_env()), state))
        state.views["inside"] = audit_inside(state.containers, tmp_path_factory.mktemp("cron-oracle"), connections)
        for connection in connections.values():
            connection.close()             # no sshd -i left while the host view is read
        state.timings["audit_inside"] = time.time() - t1
        t2 = time.time()
        state.views["host"] = each(audit_host, state)
        state.timings["audit_host"] = time.time() - t2
        state.timings["total"] = time.time() - started
        yield state
    finally:
        for connection in connections.values():
            connection.close()
        for container in state.containers.values():
            podman("rm", "-f", "-t", "2", container, check=False)


MATRIX = [(build, index, case) for build in BUILDS for index, case in enumerate(cases.CASES)
          if applicable(build, case)]


def _file(result, path):
    for rec in result["files"]:
        if rec["path"] == path:
            return rec
    return None


@pytest.mark.parametrize("view", ["inside", "host"])
@pytest.mark.parametrize("build,index,case", MATRIX, ids=["%s:%s" % (b, c.cid) for b, _i, c in MATRIX])
def test_verdict_is_what_the_daemon_did(oracle, build, index, case, view):
    daemon = BUILDS[build][1]
    path = case_path(build, case, index)
    happened = oracle.markers[build].get(case.cid, set())
    result = oracle.views[view][build]
    rec = _file(result, path)
    said = set()
    verdict = None
    if rec is not None:
        verdict = (rec.get("daemons") or {}).get(daemon)
        said = set((job["line"], job["user"]) for job in (verdict or {}).get("jobs") or [])
    assert said == happened, "%s %s (%s): audit says %r (%s), the daemon ran %r" % (
        build, path, view, sorted(said), verdict and verdict.get("reason"), sorted(happened))
    if verdict is not None and not happened and verdict.get("log"):
        # A refusal the daemon logs: the audit names the daemon's own words, and the daemon's
        # journal has them on a line about this file or its job's user.
        names = [path.rsplit("/", 1)[-1]] + [job["user"] for job in verdict.get("dropped") or []]
        lines = [line for line in oracle.journal[build].splitlines()
                 if verdict["log"] in line and any(name in line for name in names)]
        assert lines, (build, path, verdict["log"], names)


ENV_MATRIX = [(build, index, case) for build, index, case in MATRIX if case.honour]


def _patterns(result, path):
    """The HG-CRON-010 patterns the audit reports for ``path``."""
    out = set()
    for finding in result["findings"]:
        if finding["id"] == "HG-CRON-010" and finding["status"] == "fail" and finding["subject"] == path:
            ev = finding["evidence"]
            out.add(ev["pattern"])
            out.update(m["pattern"] for m in ev.get("matches") or [])
    return out


@pytest.mark.parametrize("view", ["inside", "host"])
@pytest.mark.parametrize("build,index,case", ENV_MATRIX, ids=["%s:%s" % (b, c.cid) for b, _i, c in ENV_MATRIX])
def test_env_line_finding_is_what_the_daemon_honoured(oracle, build, index, case, view):
    """SHELL=, PATH=, LD_PRELOAD= in a crontab: the case's marker says whether the daemon ran
    the job with it; the audit reports the line's pattern for that file exactly then."""
    suffix, pattern, expected = case.honour
    path = case_path(build, case, index)
    honoured = (case.cid, suffix) in oracle.markers[build].get("env", set())
    ran = oracle.markers[build].get(case.cid, set())
    assert ran, "%s %s: the job did not run at all, the case proves nothing" % (build, path)
    assert honoured == (build in expected), "%s %s: the daemon %s the %s line (expected %s)" % (
        build, path, "honoured" if honoured else "ignored", suffix, "honoured" if build in expected else "ignored")
    reported = pattern in _patterns(oracle.views[view][build], path)
    assert reported == honoured, "%s %s (%s): the audit %s %s, the daemon %s the line" % (
        build, path, view, "reports" if reported else "does not report", pattern,
        "honoured" if honoured else "ignored")


def test_daemon_builds_detected_and_summary(oracle):
    """Every container reports its daemon build installed; prints the agreement figures."""
    for build, (image, daemon, _unit, _spool, _crond) in BUILDS.items():
        for view in ("inside", "host"):
            facts = oracle.views[view][build]["facts"]
            installed = facts["daemons"][daemon if daemon != "cronie_rhel" else "cronie_debian"]
            assert installed["installed"], (build, view, installed)
    agree = dict((b, {"inside": 0, "host": 0, "cases": 0}) for b in BUILDS)
    for build, index, case in MATRIX:
        agree[build]["cases"] += 1
        for view in ("inside", "host"):
            rec = _file(oracle.views[view][build], case_path(build, case, index))
            said = set()
            if rec is not None:
                said = set((j["line"], j["user"]) for j in ((rec.get("daemons") or {}).get(BUILDS[build][1]) or {}).get("jobs") or [])
            agree[build][view] += said == oracle.markers[build].get(case.cid, set())
    sys.stderr.write("\ncron oracle: %s\ntimings: %s\n" % (
        json.dumps(agree, sort_keys=True), json.dumps(dict((k, round(v, 1)) for k, v in oracle.timings.items()))))
    ran = sum(len(v) for v in oracle.markers.values())
    assert ran > 0, "no job ran in any container: the oracle observed nothing"
