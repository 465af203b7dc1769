"""Roles orchestrate; parsing and decisions live in tested Python filters (plugins/filter).
No Jinja loop in any role's tasks, and every remediation role records its result."""
import glob
import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
REMEDIATION_ROLES = ("redis_hardening", "ssh_hardening", "sysctl_hardening", "oom_protection", "cron_hygiene",
                     "persistence_hygiene")


def test_no_jinja_for_loops_in_role_tasks():
    offenders = []
    for path in sorted(glob.glob(os.path.join(REPO, "roles", "*", "tasks", "*.yml"))):
        with open(path) as handle:
            for number, line in enumerate(handle, 1):
                if re.search(r"\{%-?\s*for\b", line):
                    offenders.append("%s:%d" % (os.path.relpath(path, REPO), number))
    assert offenders == []


def test_every_remediation_role_records_its_result_and_documents_strict():
    for role in REMEDIATION_ROLES:
        with open(os.path.join(REPO, "roles", role, "tasks", "main.yml")) as handle:
            tasks = handle.read()
        assert "hostguard.hardening.remediation_result:" in tasks, role
        assert "role: %s" % role in tasks, role
        assert "hostguard_remediate_strict" in tasks, role
        with open(os.path.join(REPO, "roles", role, "meta", "argument_specs.yml")) as handle:
            assert "hostguard_remediate_strict:" in handle.read(), role
