# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis NAME-4406: the host name on a localhost line of /etc/hosts."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import is_live
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import read_text_lines
from ansible_collections.hostguard.hardening.plugins.module_utils.nameservices.parse_hosts import (
    duplicate_pairs, hosts_lines_mapping_hostname, lines_naming_host)
from ansible_collections.hostguard.hardening.plugins.module_utils.nameservices.spec import CHECKS


def host_name(root):
    if is_live(root):
        return os.uname()[1]
    try:
        lines = read_text_lines(root, "/etc/hostname", 4096)
    except safe_read.SafeReadError:
        return None
    for line in lines:
        if line.strip() and not line.strip().startswith("#"):
            return line.strip()
    return None


@CHECKS.check("HG-NAME-001", "info", "Hostname not mapped on the localhost line of /etc/hosts", lynis="NAME-4406",
              reads="/etc/hosts, /etc/hostname (kernel hostname when root=/)",
              remediation="Keep localhost lines for localhost only; map the hostname to the host's address "
                          "(Debian convention: 127.0.1.1 <fqdn> <short>)", weight=1)
def name_finding(check, options):
    root = options.get("root", "/")
    hostname = host_name(root)
    if not hostname:
        return check.skip("/etc/hosts", "hostname unknown")
    try:
        lines = read_text_lines(root, "/etc/hosts")
    except safe_read.SafeReadError as exc:
        if exc.reason == "missing":
            return check.skip("/etc/hosts", "no /etc/hosts")
        return check.error("/etc/hosts", exc.message)
    hits = hosts_lines_mapping_hostname(lines, hostname)
    ev = {"hostname": hostname, "lines": hits}
    if hits:
        return check.fail("/etc/hosts", evidence=ev,
                          detail="hostname %s is on a localhost line" % hostname)
    return check.passed("/etc/hosts", evidence=ev)


@CHECKS.check("HG-NAME-002", "info", "No duplicate address/name lines in /etc/hosts", lynis="NAME-4402", reads="/etc/hosts",
              remediation="Remove the duplicate lines from /etc/hosts", weight=1)
@CHECKS.check("HG-NAME-003", "info", "/etc/hosts has an entry for this server's name", lynis="NAME-4404",
              reads="/etc/hosts, /etc/hostname (kernel hostname when root=/)",
              remediation="Add the host's address, FQDN and short name to /etc/hosts", weight=1)
def hosts_file_findings(duplicates, host_entry, options):
    """NAME-4402 and NAME-4404 (Lynis greps the short host name)."""
    root = options.get("root", "/")
    try:
        lines = read_text_lines(root, "/etc/hosts")
    except safe_read.SafeReadError as exc:
        if exc.reason == "missing":
            return [duplicates.skip("/etc/hosts", "no /etc/hosts"), host_entry.skip("/etc/hosts", "no /etc/hosts")]
        return [duplicates.error("/etc/hosts", exc.message), host_entry.error("/etc/hosts", exc.message)]
    dups = duplicate_pairs(lines)
    out = [duplicates.fail("/etc/hosts", {"duplicates": dups}, "duplicate lines: %s" % ", ".join(dups))
           if dups else duplicates.passed("/etc/hosts", {"duplicates": []})]
    hostname = host_name(root)
    if not hostname:
        out.append(host_entry.skip("/etc/hosts", "hostname unknown"))
        return out
    short = hostname.split(".")[0]
    hits = lines_naming_host(lines, short)
    ev = {"hostname": short, "lines": hits}
    out.append(host_entry.passed("/etc/hosts", ev) if hits else
               host_entry.fail("/etc/hosts", ev, "no /etc/hosts line names %s" % short))
    return out
