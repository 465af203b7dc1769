"""cron_hygiene and sysctl_hardening on Debian with OpenRC (no systemd): what the support matrix claims.

localhost/hostguard-openrc-bookworm:1 (scripts/build-images.sh): Debian bookworm, Debian's real
``openrc`` 0.45 as PID 1 (``/sbin/openrc-init``), no systemd; Ansible reports ``service_mgr:
openrc``. The container gets what cron_hygiene exists for: a downloader in /etc/cron.d, a
group/other-writable /etc/cron.d file, an /etc/init.d script enabled with the real ``rc-update``
whose body fetches and runs a script, and a benign enabled init script. Then
``playbooks/remediate.yml --tags cron,sysctl`` (the roles' default platforms):

1. ``--check``: cron_hygiene says what it would do, sysctl_hardening refuses in one line with the
   reason (procps' ``sysctl --system`` applies /etc/sysctl.conf after every sysctl.d file without
   systemd-sysctl: seen below on this image), nothing under / changes;
   (with ``--diff``: the runlevel link it would take out), nothing under / changes;
2. converge: the planted cron.d and init.d files are quarantined, the mode fixed, no
   /etc/sysctl.d/*hostguard* file written, the refusal recorded in ``hostguard_remediation``;
   the init script's ``/etc/runlevels/default/hg-fetch`` link is in the same quarantine batch
   (manifest ``type: symlink``), no dangling link is left under /etc/runlevels but the one
   Debian's openrc package ships (``nonetwork/local``), and the real ``rc-update show -v`` lists
   hg-fetch in no runlevel;
3. the same run again: ``changed=0`` (idempotence);
4. ``hostguard.hardening.host_audit`` (areas cron, sysctl) on the container: no HG-CRON-010 or
   permission failure left on what was planted; OpenRC still reaches runlevel default;
5. ``tasks_from: restore`` puts the script and its runlevel link back: ``rc-update show -v``
   lists hg-fetch in default again.
"""
import functools
import json
import os
import subprocess
import sys

import pytest

import container_connection
import test_openrc_real
from test_cron_oracle import REPO, _env, podman  # noqa: E402  (CONTAINERS_CONF: runc, rlimits)
from test_openrc_real import DOWNLOADER, IMAGE

CONTAINER = "hg-openrc-roles-%d" % os.getpid()
sh = functools.partial(test_openrc_real.sh, container=CONTAINER)
wait_default = functools.partial(test_openrc_real.wait_default, local=False, container=CONTAINER)
CRON_FETCH = "/etc/cron.d/hg-fetch"
CRON_WRITABLE = "/etc/cron.d/hg-writable"
INIT_FETCH = "/etc/init.d/hg-fetch"
INIT_BENIGN = "/etc/init.d/hg-benign"
LINK_FETCH = "/etc/runlevels/default/hg-fetch"
QUARANTINE = "/var/lib/hostguard/quarantine"
DANGLING = "find /etc/runlevels -xtype l | sort"
SYSCTL_WHY = ("sysctl_hardening needs systemd as the service manager (without systemd-sysctl, "
              "sysctl --system (procps) applies /etc/sysctl.conf after every sysctl.d file, so it would override "
              "the hostguard drop-ins at boot)")

PLANT = """set -e
printf 'SHELL=/bin/sh\\n*/5 * * * * root %(dl)s\\n' > %(cron_fetch)s
chmod 0644 %(cron_fetch)s
printf '# hostguard test: a harmless but writable system crontab\\n17 3 * * * root /bin/true\\n' > %(cron_w)s
chmod 0666 %(cron_w)s
cat > %(init_fetch)s <<'HGEOF'
#!/sbin/openrc-run
description="hostguard test: fetches and runs a script at boot"
start() {
\t%(dl)s
\treturn 0
}
HGEOF
chmod 0755 %(init_fetch)s
cat > %(init_benign)s <<'HGEOF'
#!/sbin/openrc-run
description="hostguard test: benign"
start() {
\treturn 0
}
HGEOF
chmod 0755 %(init_benign)s
rc-update add hg-fetch default >/dev/null
rc-update add hg-benign default >/dev/null
""" % {"dl": DOWNLOADER, "cron_fetch": CRON_FETCH, "cron_w": CRON_WRITABLE, "init_fetch": INIT_FETCH,
       "init_benign": INIT_BENIGN}


def ansible_env(tmp):
    env = _env()
    env.update({"ANSIBLE_CONFIG": os.path.join(REPO, "ansible.cfg"),
                "ANSIBLE_COLLECTIONS_PATH": os.path.join(REPO, ".collections"), "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_LOCAL_TEMP": os.path.join(tmp, "tmp"), "ANSIBLE_HOME": os.path.join(tmp, "home")})
    return container_connection.ansible_env(env)


def write_inventory(tmp, connection):
    """The container as host CONTAINER of group t (tests/container_connection.py: no sshd in this
    image, so the pipelining podman connection), in ``tmp``/inventory.ini."""
    with open(os.path.join(tmp, "inventory.ini"), "w") as handle:
        handle.write("[t]\n%s\n" % connection.ini(CONTAINER))


def playbook(tmp, path, *extra):
    inv = os.path.join(tmp, "inventory.ini")
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inv, path]
                          + list(extra), cwd=REPO, env=ansible_env(tmp), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    recap = [line for line in proc.stdout.splitlines() if line.startswith(CONTAINER)][-1]
    return proc.stdout, recap


def remediate(tmp, *extra):
    return playbook(tmp, os.path.join(REPO, "playbooks", "remediate.yml"), "--tags", "cron,sysctl",
                    "-e", '{"hostguard_become": false}', *extra)


AUDIT_PLAY = """- name: host_audit on the OpenRC container
  hosts: all
  gather_facts: false
  tasks:
    - name: Audit cron/boot scripts and sysctl
      hostguard.hardening.host_audit:
        areas: [cron, sysctl]
      register: hg_audit
    - name: Keep the result on the controller
      ansible.builtin.copy:
        content: "{{ hg_audit | to_json }}"
        dest: "%s"
        mode: "0600"
      delegate_to: localhost
"""


RESTORE_PLAY = """- name: cron_hygiene restore on the OpenRC container
  hosts: all
  gather_facts: false
  tasks:
    - name: Restore the batch
      ansible.builtin.include_role:
        name: hostguard.hardening.cron_hygiene
        tasks_from: restore
      vars:
        cron_hygiene_restore_batch: "%s"
"""


def rc_update_show():
    """service -> set of runlevels, from the real ``rc-update show -v``."""
    out = {}
    for line in sh("rc-update show -v").splitlines():
        if "|" in line:
            name, levels = line.split("|", 1)
            out[name.strip()] = set(levels.split())
    return out


def host_audit(tmp, name):
    out = os.path.join(tmp, name + ".json")
    play = os.path.join(tmp, name + ".yml")
    with open(play, "w") as handle:
        handle.write(AUDIT_PLAY % out)
    playbook(tmp, play)
    with open(out) as handle:
        return json.load(handle)


def failing(audit, ids, subject):
    return sorted(f["id"] for f in audit["findings"]
                  if f["status"] == "fail" and f["id"] in ids and f["subject"] == subject)


@pytest.fixture(scope="module")
def host(tmp_path_factory, container_ssh_key):
    tmp = str(tmp_path_factory.mktemp("openrc-roles"))
    podman("run", "-d", "--name", CONTAINER, "--network", "none", "--tmpfs", "/run", IMAGE, "/sbin/openrc-init")
    connection = None
    try:
        wait_default()
        connection = container_connection.Connection(CONTAINER, container_ssh_key, env=_env())
        write_inventory(tmp, connection)
        state = {"dangling_pristine": sh(DANGLING).split()}
        sh(PLANT)
        state.update({"tmp": tmp, "before": host_audit(tmp, "before"), "rc_before": rc_update_show()})
        # the precedence the refusal is about, on this image (sysctl writes fail: /proc/sys is read-only)
        state["sysctl_system"] = sh("sysctl --system 2>/dev/null || true")
        sh("touch /run/hg-before-check")
        state["check"] = remediate(tmp, "--check", "--diff")
        state["link_after_check"] = sh("readlink %s || true" % LINK_FETCH).strip()
        state["changed_by_check"] = sh(
            "find / -xdev -newer /run/hg-before-check -not -path '/proc/*' -not -path '/run/*' "
            "-not -path '/tmp' -not -path '/tmp/*' -not -path /root -not -path '/root/.ansible*' "
            "2>/dev/null || true").split()
        state["converge"] = remediate(tmp)
        state["dangling_after"] = sh(DANGLING).split()
        state["rc_after"] = rc_update_show()
        state["kept_links"] = sh("cd %s && find . -type l -printf '%%p %%l\\n' | sort" % QUARANTINE).splitlines()
        state["manifest"] = json.loads(sh("cat %s/*/manifest.json" % QUARANTINE))
        state["idempotence"] = remediate(tmp)
        state["after"] = host_audit(tmp, "after")
        state["files"] = sh("for f in %s %s %s %s; do [ -e $f ] && stat -c '%%n %%a %%U' $f || echo \"$f absent\"; done; "
                            "ls /etc/sysctl.d; ls -R /var/lib/hostguard/quarantine 2>/dev/null | grep -c hg- || true"
                            % (CRON_FETCH, CRON_WRITABLE, INIT_FETCH, INIT_BENIGN))
        podman("restart", "-t", "0", CONTAINER)                # OpenRC boots after the remediation
        wait_default()
        state["rc_status"] = sh("rc-status default 2>&1 || true")
        play = os.path.join(tmp, "restore.yml")
        with open(play, "w") as handle:
            handle.write(RESTORE_PLAY % sh("ls %s" % QUARANTINE).strip())
        state["restore"] = playbook(tmp, play)
        state["restored"] = sh("readlink %s; [ -f %s ] && echo script-back" % (LINK_FETCH, INIT_FETCH)).split()
        state["rc_restored"] = rc_update_show()
        state["dangling_restored"] = sh(DANGLING).split()
        yield state
    finally:
        if connection is not None:
            connection.close()
        podman("rm", "-f", "-t", "0", CONTAINER, check=False)


def test_planted_files_are_findings_before(host):
    before = host["before"]
    assert failing(before, {"HG-CRON-010"}, CRON_FETCH) == ["HG-CRON-010"]
    assert failing(before, {"HG-CRON-010"}, INIT_FETCH) == ["HG-CRON-010"]
    assert [f for f in before["findings"] if f["status"] == "fail" and f["subject"] == CRON_WRITABLE], \
        "the 0666 cron.d file is no finding before the role"
    assert before["facts"]["cron"]["openrc"]["detected"] is True


def test_sysctl_system_applies_sysctl_conf_last_here(host):
    applying = [line for line in host["sysctl_system"].splitlines() if line.startswith("* Applying")]
    assert applying and applying[-1] == "* Applying /etc/sysctl.conf ...", host["sysctl_system"]


def test_check_mode_predicts_cron_changes_refuses_sysctl_and_changes_nothing(host):
    out, recap = host["check"]
    flat = " ".join(out.split())
    assert "sysctl_hardening: refused: " + SYSCTL_WHY in flat, flat[-3000:]
    assert "cron_hygiene: would apply" in flat, flat[-3000:]
    assert "failed=0" in recap and "changed=0" not in recap, recap
    assert host["changed_by_check"] == []
    assert "%s: absent (moved to %s/" % (LINK_FETCH, QUARANTINE) in flat, flat[-3000:]     # --diff shows the link
    assert host["link_after_check"] == INIT_FETCH                                         # and it is still there


def test_converge_quarantines_fixes_and_leaves_sysctl_alone(host):
    out, recap = host["converge"]
    flat = " ".join(out.split())
    assert "cron_hygiene: applied" in flat and "sysctl_hardening: refused: " + SYSCTL_WHY in flat, flat[-3000:]
    assert "failed=0" in recap
    files = host["files"].splitlines()
    assert "%s absent" % CRON_FETCH in files and "%s absent" % INIT_FETCH in files, files
    assert "%s 644 root" % CRON_WRITABLE in files and "%s 755 root" % INIT_BENIGN in files, files
    assert not [f for f in files if "hostguard" in f and f.endswith(".conf")], files   # no sysctl.d drop-in
    assert int(files[-1]) >= 2, files            # the two planted files are in the quarantine


def test_converge_takes_the_runlevel_link_into_the_quarantine(host):
    # before: the real rc-update enabled both planted scripts in default
    assert host["rc_before"]["hg-fetch"] == {"default"} and host["rc_before"]["hg-benign"] == {"default"}
    # Debian's openrc ships /etc/runlevels/nonetwork/local dangling (no local service): not ours
    assert host["dangling_pristine"] == ["/etc/runlevels/nonetwork/local"], host["dangling_pristine"]
    assert host["dangling_after"] == host["dangling_pristine"], host["dangling_after"]
    assert not host["rc_after"].get("hg-fetch"), host["rc_after"]         # in no runlevel (or not listed)
    assert host["rc_after"]["hg-benign"] == {"default"}, host["rc_after"]
    kept = [line for line in host["kept_links"] if line.split()[0].endswith("/files" + LINK_FETCH)]
    assert kept and kept[0].split()[1] == INIT_FETCH, host["kept_links"]
    links = [e for e in host["manifest"]["entries"] if e.get("type") == "symlink"]
    assert [(e["original_path"], e["link_target"], e["runlevel"], e["enabled_script"], e["restored_at"])
            for e in links] == [(LINK_FETCH, INIT_FETCH, "default", INIT_FETCH, None)], links
    assert links[0]["finding_ids"] == ["HG-CRON-010"]
    out, _recap = host["converge"]
    assert "1 OpenRC runlevel link(s) moved" in " ".join(out.split()), out[-3000:]


def test_restore_brings_back_script_and_link(host):
    _out, recap = host["restore"]
    assert "failed=0" in recap, recap
    assert host["restored"] == [INIT_FETCH, "script-back"], host["restored"]
    assert host["rc_restored"]["hg-fetch"] == {"default"}, host["rc_restored"]
    assert host["dangling_restored"] == host["dangling_pristine"], host["dangling_restored"]


def test_second_run_changes_nothing(host):
    _out, recap = host["idempotence"]
    assert "changed=0" in recap and "failed=0" in recap, recap


def test_host_audit_after_has_no_planted_failure_and_openrc_boots(host):
    after = host["after"]
    for subject in (CRON_FETCH, CRON_WRITABLE, INIT_FETCH, INIT_BENIGN):
        assert not [f for f in after["findings"] if f["status"] == "fail" and f["subject"] == subject], subject
    assert not [f for f in after["findings"] if f["status"] == "error"], \
        [f for f in after["findings"] if f["status"] == "error"]
    # the benign script stays enabled; the quarantined one is gone from the runlevel with its link
    assert "hg-benign" in host["rc_status"], host["rc_status"]
    assert "hg-fetch" not in host["rc_status"], host["rc_status"]
    print("openrc roles: before %d fail / after %d fail findings (cron, sysctl areas)" % (
        sum(f["status"] == "fail" for f in host["before"]["findings"]),
        sum(f["status"] == "fail" for f in after["findings"])))
