"""The integration tests' two ways into a container (tests/container_connection.py), on real ones.

containers.podman says pipelining "does not work with podman" (has_pipelining = False since
containers/ansible-podman-collections#275): its exec_command passes the module on stdin to a
``podman exec`` without ``-i``, so the module never reads it. With ``-i``
(tests/integration/connection_plugins/podman_pipelining.py) on this podman: modules run
pipelined (no AnsiballZ file is copied), a command reading its own stdin sees end-of-file (not
the module), file transfers and check mode behave, and the whole module_utils tree travels on
stdin. The ssh way: ``close()`` leaves no sshd in the container and no ssh master or proxy on
the host.
"""
import json
import os
import subprocess
import sys
import time
import uuid

import pytest

import container_connection
from test_cron_oracle import REPO, _env, podman  # noqa: E402  (CONTAINERS_CONF: runc, rlimits)

pytestmark = pytest.mark.real

ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
PLAY = """- name: pipelining through podman exec -i
  hosts: all
  gather_facts: false
  tasks:
    - name: A directory
      ansible.builtin.file:
        path: /var/tmp/hg-conn
        state: directory
        mode: "0750"
    - name: A file copied (put_file)
      ansible.builtin.copy:
        content: "copied\\n"
        dest: /var/tmp/hg-conn/copied
        mode: "0640"
    - name: A command given stdin by the module
      ansible.builtin.command:
        cmd: cat
        stdin: from-the-stdin-option
      register: hg_stdin_option
      changed_when: false
    - name: A command reading its own stdin
      ansible.builtin.shell: "wc -c"
      register: hg_own_stdin
      changed_when: false
    - name: The biggest module (host_audit, every module_utils area)
      hostguard.hardening.host_audit:
        areas: [cron]
      register: hg_audit
    - name: Results
      ansible.builtin.copy:
        content: "{{ {'option': hg_stdin_option.stdout, 'own': hg_own_stdin.stdout,
                      'errors': hg_audit.errors | default(['no errors key']), 'areas': hg_audit.areas} | to_json }}"
        dest: "%s"
        mode: "0600"
      delegate_to: localhost
      check_mode: false
"""


def run(connection, tmp_path, *extra):
    play = tmp_path / "play.yml"
    results = tmp_path / "results.json"
    play.write_text(PLAY % results)
    env = container_connection.ansible_env(_env())
    env.update({"ANSIBLE_CONFIG": os.path.join(REPO, "ansible.cfg"),
                "ANSIBLE_COLLECTIONS_PATH": os.path.join(REPO, ".collections"), "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_LOCAL_TEMP": str(tmp_path / "tmp"), "ANSIBLE_HOME": str(tmp_path / "home")})
    proc = subprocess.run([ANSIBLE_PLAYBOOK, "-vvv"] + connection.inventory(tmp_path) + [str(play)] + list(extra),
                          cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-5000:]
    with open(str(results)) as handle:
        return proc.stdout, json.load(handle)


def puts(out, container):
    """The file transfers to ``container`` in an ansible-playbook -vvv output."""
    return [line for line in out.splitlines() if line.lstrip().startswith("<%s> PUT " % container)]


@pytest.fixture
def container(request):
    """A running container of the image named by the test's parameter; removed afterwards."""
    image, command = request.param
    name = "hg-conn-%s" % uuid.uuid4().hex[:8]
    args = ["--tmpfs", "/run"] if "openrc" in image else ["--systemd=always"]
    podman(*(["run", "-d", "--name", name, "--network", "none"] + args + [image, command]))
    try:
        yield name
    finally:
        podman("rm", "-f", "-t", "0", name, check=False)


@pytest.mark.parametrize("container", [("localhost/hostguard-openrc-bookworm:1", "/sbin/openrc-init")],
                         indirect=True, ids=["openrc-bookworm"])
def test_podman_pipelining_runs_modules_on_stdin(container, tmp_path, container_ssh_key):
    connection = container_connection.Connection(container, container_ssh_key, env=_env())
    assert connection.kind == "podman_pipelining"             # this image has no sshd
    podman("exec", container, "rm", "-rf", "/var/tmp/hg-conn")
    out, got = run(connection, tmp_path, "--check", "--diff")
    assert podman("exec", container, "test", "-e", "/var/tmp/hg-conn", check=False).returncode == 1, \
        "check mode wrote in the container"
    out, got = run(connection, tmp_path)
    assert got == {"option": "from-the-stdin-option", "own": "0", "errors": [], "areas": ["cron"]}, got
    assert podman("exec", container, "cat", "/var/tmp/hg-conn/copied").stdout.decode() == "copied\n"
    runs = [line for line in out.splitlines() if "RUN [b'" in line and "podman'" in line]
    piped = [line for line in runs if "b'exec', b'-i'" in line]
    assert len(piped) >= 5, runs                               # file, stat (copy), command, shell, host_audit
    put = puts(out, container)
    assert put, out[-3000:]                                    # the copy task's content did go as a file
    assert not [line for line in put if "AnsiballZ_" in line], "a module was copied, not pipelined: %r" % put


@pytest.mark.parametrize("container", [("localhost/hostguard-bookworm:1", "/sbin/init")],
                         indirect=True, ids=["bookworm"])
def test_ssh_proxy_pipelines_and_close_leaves_nothing(container, tmp_path, container_ssh_key):
    connection = container_connection.Connection(container, container_ssh_key, env=_env())
    assert connection.kind == "ssh"
    try:
        out, got = run(connection, tmp_path)
        assert got == {"option": "from-the-stdin-option", "own": "0", "errors": [], "areas": ["cron"]}, got
        put = puts(out, container)
        assert put and not [line for line in put if "AnsiballZ_" in line], put
        assert os.path.exists(connection.control_path)          # the master is kept for the next run
    finally:
        connection.close()
    assert not os.path.exists(connection.control_path)

    def left():
        inside = [line for line in podman("exec", container, "ps", "-eo", "args").stdout.decode().splitlines()
                  if line.startswith("sshd: root") or "sshd -i" in line]
        host = [line for line in subprocess.run(["ps", "-eo", "args"], stdout=subprocess.PIPE, text=True,
                                                check=True).stdout.splitlines()
                if connection.control_path in line or ("podman exec -i %s " % container) in line]
        return inside + host
    for _poll in range(20):                                    # the sshd exits just after the master
        if not left():
            break
        time.sleep(0.5)
    assert left() == []
