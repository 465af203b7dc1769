# Test-only connection plugin (never shipped: it lives under tests/integration/ (not in the built collection), outside the collection's
# plugins/, and is loaded through ANSIBLE_CONNECTION_PLUGINS by tests/container_connection.py).
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""containers.podman.podman with pipelining, for the integration tests' containers without sshd.

containers.podman's podman connection runs ``podman exec`` without ``-i``, so it cannot feed a
module on stdin and declares ``has_pipelining = False``: each module costs ``podman mount``,
a ``mkdir`` of the remote tmp dir, a copy, ``chmod``+run and a ``rm`` (four or five podman
calls). This subclass gives ``podman exec -i`` the data Ansible pipes (the AnsiballZ payload)
and skips the ``podman mount`` of every task unless a file is copied: one ``podman exec`` per
module. Verified on podman 4.3.1 (Debian 12): tests/integration/test_container_connection.py.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = """
    name: podman_pipelining
    short_description: containers.podman.podman with pipelining (hostguard tests only)
    description:
        - The podman connection of containers.podman, with C(podman exec -i) feeding piped module
          data, so that Ansible's pipelining works; C(podman mount) only when a file is copied.
    options:
      remote_addr:
        description: The ID or name of the container.
        default: inventory_hostname
        vars:
          - name: ansible_host
          - name: inventory_hostname
          - name: ansible_podman_host
      remote_user:
        description: User inside the container (C(podman exec --user)).
        vars:
          - name: ansible_user
      podman_extra_args:
        description: Extra arguments to pass to the podman command line.
        default: ''
        vars:
          - name: ansible_podman_extra_args
        env:
          - name: ANSIBLE_PODMAN_EXTRA_ARGS
      podman_executable:
        description: Executable for podman command.
        default: podman
        vars:
          - name: ansible_podman_executable
        env:
          - name: ANSIBLE_PODMAN_EXECUTABLE
      pipelining:
        description: Pipeline modules through C(podman exec -i) (the point of this plugin).
        type: boolean
        default: true
        env:
          - name: ANSIBLE_PIPELINING
        vars:
          - name: ansible_pipelining
"""

import shlex

from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.connection import ensure_connect
from ansible.utils.display import Display
from ansible_collections.containers.podman.plugins.connection.podman import Connection as PodmanConnection

display = Display()


class Connection(PodmanConnection):
    """containers.podman.podman, pipelining through ``podman exec -i``."""

    transport = "podman_pipelining"
    has_pipelining = True

    def _connect(self):
        # no `podman mount` per task: put_file/fetch_file mount on first use
        super(PodmanConnection, self)._connect()      # pylint: disable=bad-super-call
        self._connected = True

    def _mount(self):
        if not getattr(self, "_mount_tried", False):
            self._mount_tried = True
            PodmanConnection._connect(self)

    @ensure_connect
    def exec_command(self, cmd, in_data=None, sudoable=False):
        if in_data is None:
            return super(Connection, self).exec_command(cmd, in_data=in_data, sudoable=sudoable)
        super(PodmanConnection, self).exec_command(cmd, in_data=in_data, sudoable=sudoable)  # pylint: disable=bad-super-call
        args = ["exec", "-i"]
        if self.user:
            args.extend(("--user", self.user))
        return self._podman(args, shlex.split(to_native(cmd, errors="surrogate_or_strict")), in_data)

    def put_file(self, in_path, out_path):
        self._mount()
        super(Connection, self).put_file(in_path, out_path)

    def fetch_file(self, in_path, out_path):
        self._mount()
        super(Connection, self).fetch_file(in_path, out_path)
