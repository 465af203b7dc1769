# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis SSH-7402 (a running SSH daemon), SSH-7404 (sshd_config location), SSH-7406 (OpenSSH
version) and SSH-7440 (AllowUsers / AllowGroups): Lynis 3.0.8 only displays, logs or scores
them (SSH-7440: AddHP 2 2 when set, 0 1 when not; no suggestion). Each passes with what it
found; SSH-7404/7406/7440 are skipped, as by Lynis, when no sshd runs."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.spec import CHECKS

CONFIG_LOCATIONS = ("/etc", "/etc/ssh", "/usr/local/etc/ssh", "/opt/csw/etc/ssh")


@CHECKS.info("HG-SSH-024", "SSH daemon running (inventory)", "SSH-7402", "processes")
@CHECKS.info("HG-SSH-025", "sshd_config location (inventory)", "SSH-7404",
             ", ".join(d + "/sshd_config" for d in CONFIG_LOCATIONS))
@CHECKS.info("HG-SSH-026", "OpenSSH version (inventory)", "SSH-7406", "sshd -V, dpkg status")
@CHECKS.info("HG-SSH-027", "sshd AllowUsers / AllowGroups (inventory)", "SSH-7440", "sshd -T (or the sshd_config files)")
def ssh_inventory_findings(running_check, location_check, version_check, allow_check, host, eff, version):
    running = [p["pid"] for p in host.running("sshd")]
    out = [running_check.passed("sshd", {"running": bool(running), "pids": running[:20]})]
    if not running:
        why = "no sshd running (Lynis skips the test too)"
        return out + [location_check.skip("sshd_config", why), version_check.skip("sshd", why), allow_check.skip("sshd", why)]
    found = [d + "/sshd_config" for d in CONFIG_LOCATIONS if host.is_file(d + "/sshd_config")]
    out.append(location_check.passed("sshd_config", {"found": found, "used": found[-1] if found else None}))
    out.append(version_check.passed("sshd", {"version": ".".join(str(v) for v in version) if version else None}))
    values = eff.get("values") or {}
    allow = {"allowusers": values.get("allowusers", []), "allowgroups": values.get("allowgroups", []),
             "source": eff.get("source")}
    out.append(allow_check.passed("sshd", dict(allow, limited=bool(allow["allowusers"] or allow["allowgroups"]))))
    return out
