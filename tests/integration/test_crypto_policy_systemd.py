"""sshd.service drop-ins as real systemd applies them = what crypto_policy.unit_policy says (HG-SSH-028).

localhost/hostguard-el-layout-trixie:1 (scripts/build-images.sh) boots real systemd with the RHEL
family's ``/etc/systemd/system/sshd.service`` (Debian's openssh-server). Each step writes drop-ins
(``/etc/systemd/system/sshd.service.d``, ``/run/systemd/system/sshd.service.d``), runs
``systemctl daemon-reload`` and ``systemctl restart sshd``, reads the running sshd's command line
(``/proc/<MainPID>/cmdline``: the ``-o`` words systemd expanded from ``$CRYPTO_POLICY``) and runs
``unit_policy("/")`` inside the container (the collection's plugins copied in; ``/run`` is the
container's own tmpfs, so the audit must run there). The options must be equal in every step:
an EL8-style back-end file through an ``EnvironmentFile=`` drop-in and an ``ExecStart=`` reset that
adds ``$CRYPTO_POLICY``; ``Environment=`` in ``/run`` (the file wins over it); ``EnvironmentFile=``
reset (then ``Environment=`` is what sshd gets); ``ExecStart=`` reset without ``$CRYPTO_POLICY``.
"""
import ast
import os
import subprocess
import time

import pytest

from test_cron_oracle import REPO, _env, podman  # noqa: E402  (CONTAINERS_CONF: runc, rlimits)

IMAGE = "localhost/hostguard-el-layout-trixie:1"
CONTAINER = "hg-cryptopol-%d" % os.getpid()
POLL_LIMIT = 120        # polls of 0.5 s while waiting for systemd / sshd
ETC_D = "/etc/systemd/system/sshd.service.d"
RUN_D = "/run/systemd/system/sshd.service.d"
BACKEND = "/etc/crypto-policies/back-ends/opensshserver.config"
PROBE = """import sys
sys.path.insert(0, "/tmp/hg")
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh import crypto_policy
print(repr(crypto_policy.unit_policy("/")))
"""
# (step name, shell lines that change the unit's drop-ins)
STEPS = [
    ("backend via drop-in, ExecStart reset with $CRYPTO_POLICY, Environment= in /run", [
        "mkdir -p /etc/crypto-policies/back-ends %s %s" % (ETC_D, RUN_D),
        "printf \"CRYPTO_POLICY='-oCiphers=aes128-ctr,3des-cbc -oMACs=hmac-sha2-256'\\n\" > %s" % BACKEND,
        "printf '[Service]\\nEnvironmentFile=-%s\\nExecStart=\\nExecStart=/usr/sbin/sshd -D $OPTIONS $CRYPTO_POLICY\\n'"
        " > %s/10-policy.conf" % (BACKEND, ETC_D),
        "printf '[Service]\\nEnvironment=\"CRYPTO_POLICY=-oCiphers=aes256-ctr\"\\n' > %s/20-env.conf" % RUN_D]),
    ("EnvironmentFile= reset in a later drop-in", [
        "printf '[Service]\\nEnvironmentFile=\\n' > %s/30-reset.conf" % ETC_D]),
    ("ExecStart= reset without $CRYPTO_POLICY", [
        "printf '[Service]\\nExecStart=\\nExecStart=/usr/sbin/sshd -D $OPTIONS\\n' > %s/40-plain.conf" % ETC_D]),
]


def sh(script, check=True):
    proc = subprocess.run(["podman", "exec", "-i", CONTAINER, "sh", "-s"], input=script.encode(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), check=False)
    if check and proc.returncode != 0:
        raise AssertionError("script failed rc=%d: %s" % (proc.returncode, proc.stderr.decode()[-2000:]))
    return proc.stdout.decode()


def wait(test, what):
    for _poll in range(POLL_LIMIT):
        if podman("exec", CONTAINER, "sh", "-c", test, check=False).returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError("%s: %s" % (what, sh("systemctl status sshd.service --no-pager 2>&1 || true")[-2000:]))


def o_words(cmdline):
    return [w for w in cmdline.split() if w.startswith("-o")]


@pytest.fixture(scope="module")
def steps():
    podman("run", "-d", "--name", CONTAINER, "--network", "none", "--systemd=always", IMAGE, "/sbin/init")
    try:
        wait("systemctl is-system-running | grep -qE 'running|degraded'", "systemd did not boot")
        sh("mkdir -p /tmp/hg/ansible_collections/hostguard/hardening")
        podman("cp", os.path.join(REPO, "plugins"), CONTAINER + ":/tmp/hg/ansible_collections/hostguard/hardening/plugins")
        sh("cat > /tmp/hg/probe.py <<'HGEOF'\n%sHGEOF\n" % PROBE)
        out = []
        for name, lines in STEPS:
            sh("set -e\n" + "\n".join(lines) + "\nsystemctl daemon-reload\nsystemctl restart sshd.service\n")
            wait("[ \"$(systemctl show -p MainPID --value sshd.service)\" != 0 ]", "sshd did not start")
            cmdline = sh("tr '\\0' ' ' < /proc/$(systemctl show -p MainPID --value sshd.service)/cmdline")
            policy = ast.literal_eval(sh("python3 /tmp/hg/probe.py").strip())
            dropins = sh("systemctl show -p DropInPaths --value sshd.service").split()
            out.append((name, cmdline, policy, dropins))
        yield out
    finally:
        podman("rm", "-f", "-t", "0", CONTAINER, check=False)


def test_unit_policy_equals_the_running_sshds_command_line(steps):
    from ansible_collections.hostguard.hardening.plugins.module_utils.ssh import crypto_policy
    for name, cmdline, policy, _dropins in steps:
        running = crypto_policy.parse_o_options(" ".join(o_words(cmdline)))
        assert policy["options"] == running, (name, cmdline, policy)
        assert policy["applies"] is bool(running), (name, policy)
    first, second, third = [s[2] for s in steps]
    assert first["set_in"] == BACKEND                    # the file wins over Environment= in /run
    assert first["options"]["ciphers"] == "aes128-ctr,3des-cbc"
    assert second["set_in"] == RUN_D + "/20-env.conf:2 Environment="
    assert third["applies"] is False and "does not pass $CRYPTO_POLICY" in third["reason"]
    print("crypto policy vs real systemd: %d/%d steps equal" % (len(steps), len(steps)))


def test_systemd_read_the_drop_ins_the_audit_read(steps):
    name, _cmdline, _policy, dropins = steps[0]
    assert dropins == [ETC_D + "/10-policy.conf", RUN_D + "/20-env.conf"], (name, dropins)
