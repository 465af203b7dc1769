# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis FIRE-4502 (iptables in the kernel), FIRE-4524 (CSF) and FIRE-4594 (APF): inventories
(Lynis sets FIREWALL_ACTIVE and writes firewall_software[] lines, no suggestion).

FIRE-4502 as Lynis 3.0.8 reads it: a loaded module matching ``^ip*_tables`` (a regex: ``i``,
any ``p``s, ``_tables``; so ``ip_tables``, never ``ip6_tables``), else /proc/net/ip_tables_names,
else /proc/net/ip6_tables_names, else ``CONFIG_IP_NF_IPTABLES=y`` in the running kernel's
configuration (/boot/config-<release>, live system only for the release)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.hostguard.hardening.plugins.module_utils.firewall.spec import CHECKS

_MODULE = re.compile(r"^ip*_tables")


def iptables_in_kernel(host):
    """(active, how) as FIRE-4502 decides it."""
    modules = [line.split()[0] for line in host.lines("/proc/modules") or [] if line.split()]
    found = [m for m in modules if _MODULE.match(m)]
    if found:
        return True, "module %s loaded" % ", ".join(found)
    for path in ("/proc/net/ip_tables_names", "/proc/net/ip6_tables_names"):
        if host.is_file(path):
            return True, "%s exists" % path
    if host.live:
        config = "/boot/config-%s" % os.uname()[2]
        for line in host.lines(config) or []:
            if line.startswith("CONFIG_IP_NF_IPTABLES="):
                return line.strip().endswith("=y"), "%s: %s" % (config, line.strip())
    return False, "no iptables module, /proc/net/ip*_tables_names or built-in iptables found"


def setting(host, path, key):
    """``grep -P "^KEY(\\s|=)" | cut -d= -f2 | xargs`` of a CSF/APF configuration."""
    for line in host.lines(path) or []:
        after = line[len(key):len(key) + 1]
        if line.startswith(key) and (after == "=" or after.isspace()) and "=" in line:
            return line.split("=", 2)[1].strip().strip('"')
    return None


@CHECKS.info("HG-FIRE-003", "iptables available in the kernel (inventory)", "FIRE-4502",
             "/proc/modules, /proc/net/ip*_tables_names, /boot/config-<release>")
@CHECKS.info("HG-FIRE-004", "CSF (ConfigServer Security & Firewall) present (inventory)", "FIRE-4524",
             "/etc/csf/csf.conf, /etc/csf/csf.disable")
@CHECKS.info("HG-FIRE-005", "APF (Advanced Policy Firewall) present (inventory)", "FIRE-4594", "/etc/apf/conf.apf")
def presence_findings(iptables_check, csf_check, apf_check, host):
    active, how = iptables_in_kernel(host)
    out = [iptables_check.passed("iptables", {"active": active, "how": how})]
    csf = "/etc/csf/csf.conf"
    if host.is_file(csf):
        out.append(csf_check.passed("csf", {"present": True, "testing": setting(host, csf, "TESTING"),
                                            "disabled": host.is_file("/etc/csf/csf.disable")}))
    else:
        out.append(csf_check.passed("csf", {"present": False}))
    apf = "/etc/apf/conf.apf"
    ev = {"present": host.is_file(apf)}
    if ev["present"]:
        ev["devel_mode"] = setting(host, apf, "DEVEL_MODE")
    out.append(apf_check.passed("apf", ev))
    return out
