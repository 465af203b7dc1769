"""Check families of the remediation roles (README "Families", dev-sec's toggle-and-tag shape).

Every family has a boolean in defaults, meta/argument_specs.yml and the README, and a tag
``<role>_<family>`` on the task that selects it (or on its task file's import), gated by that
boolean; everything the role changes is gated by the selection. The behaviour (a disabled or
skipped family changes nothing) is run for real in tests/integration/test_role_families.py."""
import glob
import os

import yaml

from ansible_collections.hostguard.hardening.plugins.filter import families as family_filter
from ansible_collections.hostguard.hardening.plugins.filter.sysctl_plan import sysctl_baseline

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

FAMILIES = {
    "ssh_hardening": {f: "ssh_hardening_%s_enabled" % f
                      for f in ("forwarding", "authentication", "session", "logging", "crypto")},
    "sysctl_hardening": {f: "sysctl_hardening_%s_enabled" % f for f in ("oom", "kernel", "network", "filesystem")},
    "redis_hardening": {"auth": "redis_hardening_auth_enabled", "config": "redis_hardening_config_enabled",
                        "sandbox": "redis_hardening_sandbox", "runtime": "redis_hardening_runtime_enabled"},
    "cron_hygiene": {"quarantine": "cron_hygiene_quarantine_enabled", "permissions": "cron_hygiene_fix_permissions"},
    "oom_protection": {"sshd": "oom_protection_sshd", "units": "oom_protection_units_enabled",
                       "agents": "oom_protection_agents_enabled"},
    "persistence_hygiene": {f: "persistence_hygiene_%s_enabled" % f
                            for f in ("units", "at", "authorized_keys", "hooks")},
    "baseline_hardening": {f: "baseline_hardening_%s" % f
                           for f in ("journald", "coredumps", "banners", "shell", "protocols", "accounting",
                                     "filesystems", "permissions", "sudoers", "mounts")},
}
# Roles whose families are selected into <role>__selected (tasks/main.yml) and whose changes
# (tasks/apply.yml, imported with tags: [always]) run only for the selected families.
SELECTING = [r for r in FAMILIES if r != "baseline_hardening"]


def load(role, *parts):
    with open(os.path.join(REPO, "roles", role, *parts)) as handle:
        return yaml.safe_load(handle)


def tasks_of(role):
    out = []
    for path in sorted(glob.glob(os.path.join(REPO, "roles", role, "tasks", "*.yml"))):
        with open(path) as handle:
            stack = list(yaml.safe_load(handle) or [])
        while stack:
            task = stack.pop(0)
            out.append((os.path.basename(path), task))
            for key in ("block", "rescue", "always"):
                stack.extend(task.get(key) or [])
    return out


def tags(task):
    value = task.get("tags") or []
    return [value] if isinstance(value, str) else list(value)


def whens(task):
    value = task.get("when") or []
    return " ".join([value] if isinstance(value, str) else [str(v) for v in value])


def test_every_family_has_a_documented_boolean_toggle():
    for role, fams in FAMILIES.items():
        defaults = load(role, "defaults", "main.yml")
        spec = load(role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
        with open(os.path.join(REPO, "roles", role, "README.md")) as handle:
            readme = handle.read()
        for family, toggle in fams.items():
            assert isinstance(defaults.get(toggle), bool), (role, toggle)
            assert spec[toggle]["type"] == "bool", (role, toggle)
            assert spec[toggle]["default"] == defaults[toggle], (role, toggle)
            assert toggle in readme, (role, toggle)
            assert "%s_%s" % (role, family) in readme or role == "baseline_hardening", (role, family)


def test_every_family_has_its_tag_on_a_task_gated_by_its_toggle():
    for role, fams in FAMILIES.items():
        tasks = tasks_of(role)
        known = set("%s_%s" % (role, f) for f in fams)
        for family, toggle in fams.items():
            tag = "%s_%s" % (role, family)
            tagged = [t for _f, t in tasks if tag in tags(t)]
            assert tagged, (role, tag)
            assert all(toggle in whens(t) for t in tagged), (role, tag)
        stray = set(tag for _f, t in tasks for tag in tags(t) if tag.startswith(role + "_")) - known
        assert stray == set(), (role, stray)


def test_selecting_roles_gate_every_change_on_the_selection():
    for role in SELECTING:
        main = load(role, "tasks", "main.yml")
        selects = [t for t in main if "%s__selected" % role in str(t.get("ansible.builtin.set_fact", ""))
                   and tags(t) and tags(t)[0].startswith(role + "_")]
        assert sorted(t["tags"][0] for t in selects) == sorted("%s_%s" % (role, f) for f in FAMILIES[role]), role
        apply = [t for t in main if t.get("ansible.builtin.import_tasks") == "apply.yml"]
        assert len(apply) == 1, role
        assert tags(apply[0]) == ["always"], role
        assert "%s__selected | length > 0" % role in whens(apply[0]), role
        # nothing but the platform check, the selection and the refusal record outside apply.yml
        for task in main:
            if task is apply[0]:
                continue
            action = set(task) & {"ansible.builtin.setup", "ansible.builtin.include_vars", "ansible.builtin.set_fact",
                                  "hostguard.hardening.remediation_result"}
            assert action, (role, task.get("name"))


def test_the_default_keywords_of_ssh_and_sysctl_all_belong_to_a_named_family():
    ssh = load("ssh_hardening", "defaults", "main.yml")["ssh_hardening_options"]
    ssh_families = load("ssh_hardening", "vars", "main.yml")["ssh_hardening__families"]
    assert sorted(ssh_families) == sorted(FAMILIES["ssh_hardening"])
    assert [k for k in ssh if family_filter.family_of(k, ssh_families) == "other"] == []
    defaults = load("sysctl_hardening", "defaults", "main.yml")
    sysctl_families = load("sysctl_hardening", "vars", "main.yml")["sysctl_hardening__families"]
    assert sorted(sysctl_families) == sorted(FAMILIES["sysctl_hardening"])
    baseline = sysctl_baseline(defaults["sysctl_hardening_exclude"], defaults["sysctl_hardening_values"])
    assert [k for k in baseline if family_filter.family_of(k, sysctl_families) == "other"] == []
    assert family_filter.family_of("kernel.panic", sysctl_families) == "oom"
    persistence = load("persistence_hygiene", "vars", "main.yml")["persistence_hygiene__families"]
    assert sorted(persistence) == sorted(FAMILIES["persistence_hygiene"])


def test_remediate_playbook_lets_family_tags_reach_the_roles():
    with open(os.path.join(REPO, "playbooks", "remediate.yml")) as handle:
        play = yaml.safe_load(handle)[0]
    includes = [t for block in play["tasks"] for t in block.get("block", [])
                if "ansible.builtin.include_role" in t]
    assert len(includes) == len(FAMILIES)
    for task in includes:
        assert tags(task) == ["always"], task["name"]
        assert len(task["ansible.builtin.include_role"]["apply"]["tags"]) == 1, task["name"]
