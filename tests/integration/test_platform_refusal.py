"""Remediation roles refuse untested platforms before changing anything (README support matrix).

playbooks/remediate.yml runs on this machine (Debian 12) with every role told it is tested on
Alpine only, in check mode as a second guard: each role records a platform refusal, nothing is
changed, the play ends with the summary and exits 0; with hostguard_remediate_strict it fails."""
import json
import os
import subprocess
import sys

from conftest import REPO

BIN = os.path.dirname(sys.executable)
ROLES = ("oom_protection", "sysctl_hardening", "redis_hardening", "cron_hygiene", "ssh_hardening",
         "persistence_hygiene", "baseline_hardening")


def remediate(*extra):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".collections"), ANSIBLE_NOCOLOR="1")
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    only_alpine = dict(("%s_platforms" % role, [{"family": "Alpine"}]) for role in ROLES)
    only_alpine.update(hostguard_become=False, redis_hardening_password="x" * 24)
    cmd = [os.path.join(BIN, "ansible-playbook"), os.path.join(REPO, "playbooks", "remediate.yml"),
           "--check", "--tags", "oom,sysctl,redis,cron,ssh,persistence,baseline", "-e", json.dumps(only_alpine)] + list(extra)
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)


def test_every_role_refuses_an_untested_platform_and_changes_nothing():
    proc = remediate()
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    for role in ROLES:
        assert "%s is not tested on Debian" % role in proc.stdout, role
    assert "nothing was changed" in proc.stdout
    recap = [line for line in proc.stdout.splitlines() if line.startswith("localhost")][-1]
    assert "changed=0" in recap and "failed=0" in recap


def test_strict_mode_turns_the_refusals_into_a_failed_host():
    proc = remediate("-e", "hostguard_remediate_strict=true")
    assert proc.returncode != 0
    assert "redis_hardening is not tested on Debian" in proc.stdout
