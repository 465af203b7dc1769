"""How the integration tests' Ansible runs reach a podman container (docs/harness.md, "Integration
tests: how Ansible reaches a container").

containers.podman.podman has no pipelining: every module costs four or five ``podman exec``
calls (mount, mkdir, chmod+run, rm), most of the wall and CPU time of a playbook on a container.
So, by what the image has:

- ``/usr/sbin/sshd`` (the Debian images): Ansible's ssh connection with pipelining and one
  ControlMaster per container, through molecule/shared/podman-sshd-proxy.sh (an ``sshd -i``
  in the container over ``podman exec -i``, as the Molecule scenarios do): a module is one
  multiplexed ssh channel. The login is real: an sshd process while the master lives, a
  wtmp/lastlog entry and sshd lines in the journal; it runs outside ssh.service (stopping or
  restarting that unit does not cut it). ``close()`` ends the master and so the sshd.
- no sshd (openrc-bookworm, cronie-trixie, busybox-bookworm): tests/integration/connection_plugins/
  podman_pipelining.py, containers.podman.podman with ``podman exec -i`` fed the module
  (pipelining), one ``podman exec`` per module; nothing is logged in.

The key pair is made once per pytest session in the session's tmp dir (fixture
``container_ssh_key`` in tests/conftest.py) and removed with the ControlMaster sockets at the end.
"""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

TESTS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(TESTS)
PLUGIN_DIR = os.path.join(TESTS, "integration", "connection_plugins")
SSH_PROXY = os.path.join(REPO, "molecule", "shared", "podman-sshd-proxy.sh")
SSHD = "/usr/sbin/sshd"
# as molecule/journey/molecule.yml, plus IdentitiesOnly (an agent's keys would count as tries)
SSH_ARGS = ("-o ControlMaster=auto -o ControlPersist=300s -o UserKnownHostsFile=/dev/null "
            "-o StrictHostKeyChecking=no -o LogLevel=ERROR -o IdentitiesOnly=yes")
SOCKET_DIR_MAX = 60        # sun_path is 108 bytes: dir + /cm-<12 hex> + ssh's .<16 chars> suffix


class SessionKey(object):
    """An ed25519 key pair (no passphrase) and the ControlMaster socket directory."""

    def __init__(self, directory):
        self.directory = str(directory)
        self.private = os.path.join(self.directory, "id_ed25519")
        self.public = self.private + ".pub"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hostguard-tests", "-f", self.private],
                       check=True, stdout=subprocess.DEVNULL, timeout=60)
        if len(self.directory) <= SOCKET_DIR_MAX:
            self.sockets = self.directory
        else:
            self.sockets = tempfile.mkdtemp(prefix="hg-cm-")

    def remove(self):
        for directory in (self.directory, self.sockets):     # the same one twice: ignore_errors
            shutil.rmtree(directory, ignore_errors=True)


def has_sshd(container, env=None):
    """True when the container's image has /usr/sbin/sshd (the container must be running)."""
    proc = subprocess.run(["podman", "exec", container, "test", "-x", SSHD], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, timeout=120, check=False)
    return proc.returncode == 0


def ansible_env(env):
    """``env`` (a dict, changed and returned) able to load the podman_pipelining connection."""
    paths = [PLUGIN_DIR] + [p for p in env.get("ANSIBLE_CONNECTION_PLUGINS", "").split(":") if p and p != PLUGIN_DIR]
    env["ANSIBLE_CONNECTION_PLUGINS"] = ":".join(paths)
    return env


class Connection(object):
    """How Ansible reaches one running container; ``close()`` when done (idempotent)."""

    def __init__(self, container, key, env=None, sshd=None):
        self.container = container
        self.key = key
        self.env = env
        self.ssh = has_sshd(container, env) if sshd is None else sshd
        digest = hashlib.sha1(container.encode("utf-8")).hexdigest()[:12]
        self.control_path = os.path.join(key.sockets, "cm-" + digest)

    @property
    def kind(self):
        return "ssh" if self.ssh else "podman_pipelining"

    def hostvars(self, python="/usr/bin/python3"):
        """The host's connection variables (inventory or host_vars)."""
        out = {"ansible_host": self.container, "ansible_python_interpreter": python}
        if not self.ssh:
            out.update(ansible_connection="podman_pipelining", ansible_pipelining=True)
            return out
        out.update(ansible_connection="ssh", ansible_user="root", ansible_ssh_private_key_file=self.key.private,
                   ansible_ssh_common_args='-o ProxyCommand="%s %%h %s"' % (SSH_PROXY, self.key.public),
                   ansible_ssh_args=SSH_ARGS, ansible_control_path=self.control_path,
                   ansible_ssh_pipelining=True)
        return out

    def ini(self, alias=None, **extra):
        """One INI inventory line: ``alias`` (default: the container's name) and its variables."""
        variables = dict(self.hostvars(), **extra)
        return " ".join([alias or self.container] + ["%s=%s" % (k, ini_value(v)) for k, v in variables.items()])

    def inventory(self, directory=None, **extra):
        """``-i <file>`` arguments: a YAML (JSON) inventory of this container alone, written in
        ``directory`` (default: the session key's, removed at the end of the session)."""
        path = os.path.join(str(directory or self.key.directory), "inventory-%s.json" % self.container)
        with open(path, "w") as handle:
            json.dump({"all": {"hosts": {self.container: dict(self.hostvars(), **extra)}}}, handle, indent=1)
        return ["-i", path]

    def close(self):
        """End the ControlMaster (and so the container's ``sshd -i`` and the ``podman exec`` of the
        proxy). Removing the container ends them too; closing first leaves nothing behind at any time."""
        if self.ssh and os.path.exists(self.control_path):
            subprocess.run(["ssh", "-o", "ControlPath=%s" % self.control_path, "-O", "exit", self.container],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False)


def ini_value(value):
    """An INI inventory value (the INI plugin splits a line as a shell does)."""
    text = "true" if value is True else str(value)
    assert "'" not in text, text
    return "'%s'" % text if any(c.isspace() or c == '"' for c in text) else text
