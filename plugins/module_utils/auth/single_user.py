# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis AUTH-9308: single-user (rescue/emergency) mode asks for root's password.

With systemd, Lynis greps ``^ExecStart=`` of console-shell, emergency and rescue .service in
/lib/systemd/system for ``sulogin`` and warns when none has it; without systemd, /etc/inittab
(``~~:S:wait:/sbin/sulogin``) and /etc/sysconfig/init (``SINGLE=/sbin/sulogin``). hostguard
reads the unit systemd would load (an /etc/systemd/system copy or a drop-in that replaces
ExecStart counts; Lynis misses both, docs/lynis-oracle.md)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read, systemd_units
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.spec import CHECKS

UNITS = ("console-shell.service", "emergency.service", "rescue.service")


def exec_start(root, unit, cuts=None):
    """The ExecStart values systemd would use for ``unit`` (an empty assignment resets), or None
    when no unit file exists. A drop-in walk cut by count is appended to ``cuts``."""
    found = systemd_units.find_unit(root, unit)
    if found is None or found["masked"] or not found["real"]:
        return None
    cut = systemd_units.dropins_cut(found)
    if cut and cuts is not None:
        cuts.append(cut)
    values = []
    for path in [found["real"]] + list(found.get("dropins") or []):
        try:
            lines = systemd_units.read_lines(root, path)
        except safe_read.SafeReadError:
            continue
        for _no, key, value in systemd_units.section_assignments(lines, "Service"):
            if key == "ExecStart":
                values = [] if value == "" else values + [value]
    return values


def sysv_sulogin(host):
    """(performed, found) for a system without systemd units."""
    performed = found = False
    lines = host.lines("/etc/inittab")
    if lines is not None:
        performed = True
        found = any(re.match(r"^[a-zA-Z0-9~]+:S:(respawn|wait):/sbin/sulogin", line) for line in lines)
    lines = host.lines("/etc/sysconfig/init")
    if lines is not None:
        performed = True
        found = found or any(line.startswith("SINGLE=/sbin/sulogin") for line in lines)
    return performed, found


@CHECKS.check("HG-AUTH-024", "medium", "single-user mode asks for a password (sulogin)", lynis="AUTH-9308", cis="1.4.3",
              reads="rescue/emergency/console-shell .service (unit and drop-ins), else /etc/inittab, /etc/sysconfig/init",
              remediation="Keep ExecStart=-/lib/systemd/systemd-sulogin-shell rescue (and emergency) in the units; "
                          "remove overrides that start a shell without sulogin")
def single_user_findings(check, host):
    units = {}
    cuts = []
    for unit in UNITS:
        values = exec_start(host.root, unit, cuts)
        if values is not None:
            units[unit] = values
    if units:
        ok = [u for u, values in units.items() if any("sulogin" in v for v in values)]
        ev = {"units": dict((u, v[-1] if v else "") for u, v in units.items()), "with_sulogin": ok}
        if cuts:   # a drop-in not read may replace ExecStart=: never a pass (issue 17)
            return [check.error("single-user mode", "; ".join(cuts), ev)]
        if ok:
            return [check.passed("single-user mode", ev)]
        return [check.fail("single-user mode", ev, "no rescue/emergency unit runs sulogin: no password asked")]
    performed, found = sysv_sulogin(host)
    if not performed:
        return [check.skip("single-user mode", "no rescue/emergency unit, no /etc/inittab")]
    return [check.passed("single-user mode", {"sysv": True}) if found else
            check.fail("single-user mode", {"sysv": True}, "inittab/sysconfig do not run sulogin for runlevel S")]
