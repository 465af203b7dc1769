#!/bin/sh
# ssh ProxyCommand for every Molecule scenario's containers (which may have no network): an sshd in inetd mode
# (sshd -i) inside the container, spoken to over `podman exec -i`. Ansible then uses its ssh
# connection with pipelining and one ControlMaster per container, kept across the steps and
# the ansible-playbook runs of a scenario: a module costs one multiplexed ssh channel instead
# of the four or five `podman exec` calls of the podman connection.
#
#   ProxyCommand=molecule/shared/podman-sshd-proxy.sh %h /path/to/key.pub
#
# The key is accepted by this sshd only (AuthorizedKeysCommand echoes it): nothing is written
# in the container (no authorized_keys the audit would see), and the container's own sshd and
# its configuration are untouched. Whoever may run `podman exec` is root on the container
# already; this adds no access. The sshd started here lives outside ssh.service, so restarting
# that service (ssh_hardening) does not cut Ansible's connection.
set -eu
container=$1
key=$(cat "$2")
exec podman exec -i "$container" /bin/sh -c '
  install -d -m 0755 /run/sshd
  exec /usr/sbin/sshd -i -o AuthorizedKeysFile=none -o AuthorizedKeysCommandUser=nobody \
    -o "AuthorizedKeysCommand=/usr/bin/echo $1"' sh "$key"
