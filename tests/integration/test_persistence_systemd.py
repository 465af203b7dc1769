"""The persistence area against real systemd (issue 13): units and timers planted in a
podman container; systemctl's own view (is-enabled, list-timers, list-dependencies,
TriggeredBy) compared with the audit's state and would-run verdict for each of them.

Conditions and chains (RAN): units with Condition*/Assert* decided by files, a condition files
cannot decide (ConditionVirtualization), a timer skipped by its condition, OnFailure=/OnSuccess=
chains. For those systemd's boot graph is not the answer (list-dependencies lists a unit whose
condition fails): the target is started again (`systemctl start multi-user.target timers.target`,
which queues every wanted unit) and what systemd actually did is read back (ActiveState,
ConditionResult, AssertResult, ExecMainStartTimestampMonotonic). The audit's True/False must
match "it ran"; its "conditional" units are listed with what systemd did (they are plants that
may run: here three did, the OnFailure= unit of a unit that succeeded did not).

The audit runs inside the container (root /), from the module_utils laid out as the collection
(make_target_package), exactly as AnsiballZ would ship it. A missing image or podman FAILS.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid

import pytest

from conftest import REPO, make_target_package, write

IMAGES = ("localhost/hostguard-bookworm:1", "localhost/hostguard-trixie:1")
PODMAN_TIMEOUT = 300
BOOT_POLLS = 240

SVC = "[Unit]\nDescription=hgp\n%s\n[Service]\nExecStart=/usr/bin/sleep infinity\n%s"
INSTALL = "[Install]\nWantedBy=multi-user.target\n"


def svc(unit_extra="", install=INSTALL):
    return SVC % (unit_extra, install)


def tmr(spec, unit=None, install="[Install]\nWantedBy=timers.target\n"):
    return "[Unit]\nDescription=hgp\n[Timer]\n%s\n%s%s" % (spec, ("Unit=%s\n" % unit) if unit else "", install)


# path -> content (str) or ("link", target)
PLANTED = {
    "/etc/systemd/system/hgp-en1.service": svc("Wants=hgp-pulled.service"),
    "/etc/systemd/system/hgp-pulled.service": svc(install=""),
    "/etc/systemd/system/hgp-en2.service": svc(),
    "/etc/systemd/system/multi-user.target.wants/hgp-en2.service": ("link", "/etc/systemd/system/hgp-en2.service"),
    "/etc/systemd/system/hgp-dis.service": svc(),
    "/etc/systemd/system/hgp-static.service": svc(install=""),
    "/usr/lib/systemd/system/hgp-masked.service": svc(),
    "/usr/lib/systemd/system/hgp-vmask.service": svc(),
    "/etc/systemd/system/hgp-vmask.service": ("link", "/dev/null"),
    "/etc/systemd/system/hgp-runtime.service": svc(),
    "/etc/systemd/system/hgp-alias.service": svc(install="[Install]\nWantedBy=multi-user.target\nAlias=hgp-nick.service\n"),
    "/usr/lib/systemd/system/hgp-vendor.service": svc(),
    "/usr/lib/systemd/system/hgp-vwants.service": svc(install=""),
    "/usr/lib/systemd/system/multi-user.target.wants/hgp-vwants.service": ("link", "../hgp-vwants.service"),
    "/etc/systemd/system/hgp-indirect.service": svc(install="[Install]\nAlso=hgp-dis.service\n"),
    "/etc/systemd/system/hgp-t1.timer": tmr("OnCalendar=*:0/7"),
    "/etc/systemd/system/hgp-t1.service": svc(install=""),
    "/etc/systemd/system/hgp-t2.timer": tmr("OnCalendar=daily"),
    "/etc/systemd/system/hgp-t2.service": svc(install=""),
    "/etc/systemd/system/hgp-t3.timer": tmr("OnCalendar=hourly", unit="hgp-target.service"),
    "/etc/systemd/system/hgp-target.service": svc(install=""),
    "/etc/systemd/system/hgp-t4.timer": tmr("OnBootSec=1h"),
    "/etc/systemd/system/hgp-t4.service": svc(install=""),
    "/usr/lib/systemd/system/hgp-t5.timer": tmr("OnCalendar=weekly"),
    "/usr/lib/systemd/system/hgp-t5.service": svc(install=""),
    "/etc/systemd/system/hgp-sock.socket": "[Socket]\nListenStream=127.0.0.1:9977\n[Install]\nWantedBy=sockets.target\n",
    "/etc/systemd/system/hgp-sock.service": svc(install=""),
    "/etc/systemd/system/hgp-path.path": "[Path]\nPathExists=/run/hgp-never\n[Install]\nWantedBy=paths.target\n",
    "/etc/systemd/system/hgp-path.service": svc(install=""),
    "/opt/hgp/hgp-lnk.service": svc(),
    "/run/systemd/system/hgp-run.service": svc(),
    "/etc/systemd/system/hgp-drop.service": svc(install=""),
    "/etc/systemd/system/hgp-drop.service.d/10-x.conf": "[Unit]\nDescription=dropped\n",
}
ONESHOT = "[Unit]\nDescription=hgp\n%s\n[Service]\nType=oneshot\nExecStart=%s\n%s"
# name -> content: judged by what systemd did after the target is started again
RAN = {
    "hgp-cond-no.service": svc("ConditionPathExists=/etc/hgp-absent"),
    "hgp-cond-yes.service": svc("ConditionPathExists=/etc/passwd"),
    "hgp-cond-neg.service": svc("ConditionPathExists=!/etc/passwd"),
    "hgp-cond-dir.service": svc("ConditionDirectoryNotEmpty=/etc/systemd/system"),
    "hgp-cond-exe.service": svc("ConditionFileIsExecutable=/etc/passwd"),
    "hgp-cond-trig.service": svc("ConditionPathExists=|/etc/hgp-absent\nConditionPathExists=|/etc/passwd"),
    "hgp-cond-glob.service": svc("ConditionPathExistsGlob=/etc/hgp-abs*"),
    "hgp-assert-no.service": svc("AssertPathExists=/etc/hgp-absent"),
    "hgp-cond-virt.service": svc("ConditionVirtualization=container"),
    "hgp-skipwants.service": svc("ConditionPathExists=/etc/hgp-absent\nWants=hgp-skippulled.service"),
    "hgp-skippulled.service": svc(install=""),
    "hgp-tcond.timer": "[Unit]\nConditionPathExists=/etc/hgp-absent\n[Timer]\nOnCalendar=*:0/9\n"
                       "[Install]\nWantedBy=timers.target\n",
    "hgp-tcond.service": svc(install=""),
    "hgp-fails.service": ONESHOT % ("OnFailure=hgp-onfail.service", "/bin/false", INSTALL),
    "hgp-onfail.service": svc(install=""),
    "hgp-oksvc.service": ONESHOT % ("OnSuccess=hgp-onok.service", "/bin/true", INSTALL),
    "hgp-onok.service": svc(install=""),
    "hgp-okquiet.service": ONESHOT % ("OnFailure=hgp-neverfail.service", "/bin/true", INSTALL),
    "hgp-neverfail.service": svc(install=""),
}
PLANTED.update(("/etc/systemd/system/" + name, text) for name, text in RAN.items())
RAN_POLLS = 60
COMMANDS = (
    "systemctl daemon-reload",
    "systemctl enable hgp-en1.service hgp-alias.service hgp-t1.timer hgp-t3.timer hgp-t4.timer "
    "hgp-sock.socket hgp-path.path",
    "systemctl enable --runtime hgp-runtime.service",
    "systemctl enable " + " ".join(n for n, t in sorted(RAN.items()) if "[Install]" in t),
    "systemctl mask hgp-masked.service hgp-t5.timer",
    "systemctl link /opt/hgp/hgp-lnk.service",
    "systemctl daemon-reload",
    "systemctl start hgp-t1.timer hgp-t3.timer hgp-t4.timer",
)
START_AGAIN = "systemctl start multi-user.target timers.target"
UNITS = sorted(set(os.path.basename(p) for p in PLANTED if p.endswith((".service", ".timer", ".socket", ".path"))
                   and ".wants/" not in p and ".d/" not in p))
AUDIT = ("import json, sys; sys.path.insert(0, '/tmp/hgp-pkg');"
         "from ansible_collections.hostguard.hardening.plugins.module_utils.persistence import AREA;"
         "print(json.dumps(AREA.run({'root': '/', 'sections': ['systemd'], 'max_inventory': 100000})))")


def podman(*args, check=True, conf):
    env = dict(os.environ, CONTAINERS_CONF=conf)
    proc = subprocess.run(["podman"] + list(args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=PODMAN_TIMEOUT, check=False)
    if check and proc.returncode != 0:
        raise AssertionError("podman %s failed (%d): %s" % (" ".join(args[:4]), proc.returncode,
                                                            proc.stderr.decode()[-2000:]))
    return proc


@pytest.fixture(scope="module")
def package():
    tmp = make_target_package(tempfile.mkdtemp(prefix="persistence-pkg-"))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def planted_tree():
    tmp = tempfile.mkdtemp(prefix="persistence-tree-")
    for path, content in PLANTED.items():
        if isinstance(content, tuple):
            host = os.path.join(tmp, path.lstrip("/"))
            os.makedirs(os.path.dirname(host), exist_ok=True)
            os.symlink(content[1], host)
        else:
            write(tmp, path, content, mode=0o644)
    return tmp


def what_systemd_did(name, conf):
    """{unit: {"ran", "active", "condition", "assert"}} after the targets are started again."""
    podman("exec", name, "sh", "-c", START_AGAIN, check=False, conf=conf)
    keys = "ActiveState,ConditionResult,AssertResult,ExecMainStartTimestampMonotonic"
    view = {}
    for _attempt in range(RAN_POLLS):       # OnFailure/OnSuccess jobs are queued after the fact
        for unit in sorted(RAN):
            out = podman("exec", name, "systemctl", "show", "-p", keys, unit, check=False, conf=conf).stdout.decode()
            shown = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
            active = shown.get("ActiveState", "")
            view[unit] = {"active": active, "condition": shown.get("ConditionResult"),
                          "assert": shown.get("AssertResult"),
                          "ran": active in ("active", "activating", "failed")
                          or shown.get("ExecMainStartTimestampMonotonic", "0") not in ("", "0")}
        if view["hgp-onfail.service"]["ran"] and view["hgp-onok.service"]["ran"]:
            break
        time.sleep(0.5)
    return view


def systemctl_view(name, conf):
    """{unit: {"state", "runs"}} from systemctl itself."""
    def out(*cmd):
        return podman("exec", name, *cmd, check=False, conf=conf).stdout.decode()

    boot = set(line.strip() for line in out("systemctl", "list-dependencies", "--plain", "--all",
                                            "--no-pager", "default.target").split())
    timers = out("systemctl", "list-timers", "--no-legend", "--no-pager")
    view = {}
    for unit in UNITS:
        state = out("systemctl", "is-enabled", unit).strip().splitlines()
        shown = dict(line.split("=", 1) for line in out("systemctl", "show", "-p", "TriggeredBy,LoadState",
                                                        unit).splitlines() if "=" in line)
        triggers = shown.get("TriggeredBy", "").split()
        runs = unit in boot or any(t in boot for t in triggers)
        if shown.get("LoadState") == "masked":
            runs = False
        view[unit] = {"state": state[-1] if state else "", "runs": runs, "in_list_timers": unit in timers}
    return view


@pytest.mark.parametrize("image", IMAGES)
def test_systemctl_agrees_with_the_audit(image, package):
    conf = os.path.join(REPO, "molecule", "containers.conf")
    assert shutil.which("podman"), "podman is not installed"
    assert podman("image", "exists", image, check=False, conf=conf).returncode == 0, "image %s missing" % image
    name = "persistence-itest-%s" % uuid.uuid4().hex[:8]
    tree = planted_tree()
    podman("run", "-d", "--network", "none", "--systemd=always", "--name", name, image, "/sbin/init", conf=conf)
    try:
        for _attempt in range(BOOT_POLLS):
            state = podman("exec", name, "systemctl", "is-system-running", check=False, conf=conf).stdout.strip()
            if state in (b"running", b"degraded"):
                break
            time.sleep(0.5)
        else:
            raise AssertionError("systemd did not boot: %s" % state)
        podman("cp", tree + "/.", name + ":/", conf=conf)
        for command in COMMANDS:
            podman("exec", name, "sh", "-c", command, conf=conf)
        truth = systemctl_view(name, conf)
        did = what_systemd_did(name, conf)
        podman("cp", package, name + ":/tmp/hgp-pkg", conf=conf)
        result = json.loads(podman("exec", name, "python3", "-c", AUDIT, conf=conf).stdout.decode())
    finally:
        podman("rm", "-f", "-t", "2", name, check=False, conf=conf)
        shutil.rmtree(tree, ignore_errors=True)
    ours = dict((u["name"], u) for u in result["facts"]["systemd"]["units"] if u["scope"] == "system")
    assert len(UNITS) >= 20
    disagree = []
    conditional = {}
    for unit in UNITS:
        assert unit in ours, unit
        if unit in RAN:
            if ours[unit]["state"] != truth[unit]["state"]:
                disagree.append((unit, truth[unit], ours[unit]))
            if ours[unit]["would_run"] == "conditional":
                conditional[unit] = (did[unit], ours[unit]["reason"])
            elif ours[unit]["would_run"] != did[unit]["ran"]:
                disagree.append((unit, did[unit], {k: ours[unit][k] for k in ("state", "would_run", "reason")}))
            continue
        if ours[unit]["state"] != truth[unit]["state"] or ours[unit]["would_run"] != truth[unit]["runs"]:
            disagree.append((unit, truth[unit], {k: ours[unit][k] for k in ("state", "would_run", "reason")}))
    assert not disagree, json.dumps(disagree, indent=1)
    print("agree: %d units (%d judged by what systemd did); conditional: %s" % (
        len(UNITS) - len(conditional), len(RAN) - len(conditional), json.dumps(conditional, indent=1)))
    # the undecidable condition and the chains are named as such: systemd ran the three whose
    # trigger happened, not the OnFailure= of a unit that succeeded
    assert sorted(conditional) == ["hgp-cond-virt.service", "hgp-neverfail.service", "hgp-onfail.service",
                                   "hgp-onok.service"], conditional
    assert [u for u, (d, _r) in sorted(conditional.items()) if not d["ran"]] == ["hgp-neverfail.service"], conditional
    assert "ConditionVirtualization=container" in conditional["hgp-cond-virt.service"][1]
    assert "hgp-fails.service fails" in conditional["hgp-onfail.service"][1]
    # the decided ones really were decided by systemd the same way
    assert did["hgp-cond-no.service"]["condition"] == "no" and did["hgp-assert-no.service"]["assert"] == "no"
    assert did["hgp-skippulled.service"]["ran"]
    # list-timers shows exactly the started timers the audit says run
    for unit in UNITS:
        if unit.endswith(".timer"):
            assert truth[unit]["in_list_timers"] == ours[unit]["would_run"], (unit, truth[unit], ours[unit])
