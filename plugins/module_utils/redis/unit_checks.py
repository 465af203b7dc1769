# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HG-REDIS-008: the sandboxing of redis/valkey systemd units."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.redis.collect import parse_unit
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.dangerous_paths import classify_dir
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.spec import CHECKS


def grade_unit_settings(settings):
    """Weaknesses of a unit's sandboxing; [] when it is sandboxed well enough."""
    weak = []
    user = settings.get("User", "")
    if settings.get("DynamicUser", "").lower() in ("yes", "true", "1", "on"):
        user = user or "<dynamic>"
    if not user or user in ("root", "0"):
        weak.append("User= not set (runs as root)" if not user else "User=root")
    protect = settings.get("ProtectSystem", "").lower()
    if protect not in ("strict", "full", "yes", "true", "1", "on"):
        weak.append("ProtectSystem=%s (want strict)" % (protect or "<unset>"))
    writable = settings.get("ReadWritePaths", []) + settings.get("ReadWriteDirectories", [])
    for item in writable:
        path = item.lstrip("-+")
        cat = classify_dir(path) if path not in ("/etc/redis", "/etc/valkey") else None
        if path in ("/", "/var", "/var/spool", "/etc") or cat:
            weak.append("ReadWritePaths includes %s" % path)
    if settings.get("NoNewPrivileges", "").lower() not in ("yes", "true", "1", "on"):
        weak.append("NoNewPrivileges not enabled")
    if settings.get("ProtectHome", "").lower() not in ("yes", "true", "1", "on", "read-only", "tmpfs"):
        weak.append("ProtectHome not enabled (.ssh writable)")
    return weak


@CHECKS.check("HG-REDIS-008", "medium", "Redis systemd unit without sandboxing", attack="T1053.003",
              reads="unit files and drop-ins (User, ProtectSystem, ReadWritePaths, NoNewPrivileges, ProtectHome)",
              remediation="Use a drop-in: User=redis, ProtectSystem=strict, ReadWritePaths=/var/lib/redis, "
                          "NoNewPrivileges=yes, ProtectHome=yes")
def grade_units(check, units, root="/"):
    findings = []
    for name, unit in sorted(units.items()):
        if unit.get("masked"):
            findings.append(check.skip(name, "unit is masked"))
            continue
        settings, problems = parse_unit(unit["files"], root)
        if unit.get("cut"):
            problems.append(unit["cut"])
        weak = grade_unit_settings(settings)
        ev = {"files": unit["files"], "User": settings.get("User"), "ProtectSystem": settings.get("ProtectSystem"),
              "ReadWritePaths": settings.get("ReadWritePaths", []) + settings.get("ReadWriteDirectories", []),
              "NoNewPrivileges": settings.get("NoNewPrivileges"), "ProtectHome": settings.get("ProtectHome"),
              "problems": problems}
        if weak:
            ev["weaknesses"] = weak
            findings.append(check.fail(name, ev, "; ".join(weak)))
        elif unit.get("cut"):   # a drop-in not read may weaken it: never a pass (issue 17)
            findings.append(check.error(name, unit["cut"], ev))
        else:
            findings.append(check.passed(name, ev))
    return findings
