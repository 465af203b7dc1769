# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which platforms a remediation role supports, decided before it changes anything.

A role declares ``<role>_platforms``: a list of {family, distributions?, service_mgr?, why?} (the
platforms it is tested on, README support matrix; ``why``: one clause saying what the role needs
that service manager for, put into the refusal). ``check(facts, platforms)`` returns
{"supported": bool, "reason": str, "platform": "Debian 12 (systemd)"}; an unsupported host is a
refusal (reported, the other roles run), never a half-applied change. Pure; controller side.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


def describe(facts):
    facts = facts or {}
    name = facts.get("distribution") or facts.get("os_family") or "unknown OS"
    version = facts.get("distribution_version") or facts.get("distribution_major_version") or ""
    manager = facts.get("service_mgr") or "unknown service manager"
    return ("%s %s (%s)" % (name, version, manager)).replace("  ", " ")


def check(facts, platforms, role="this role"):
    facts = facts or {}
    where = describe(facts)
    if not facts.get("os_family"):
        return {"supported": False, "platform": where,
                "reason": "%s: facts missing (os_family); gather facts before the role" % role}
    for entry in platforms or []:
        if facts.get("os_family") != entry.get("family"):
            continue
        dists = entry.get("distributions")
        if dists and facts.get("distribution") not in dists:
            continue
        manager = entry.get("service_mgr")
        if manager and facts.get("service_mgr") != manager:
            why = " (%s)" % entry["why"] if entry.get("why") else ""
            return {"supported": False, "platform": where,
                    "reason": "%s needs %s as the service manager%s; %s has %s" % (
                        role, manager, why, where, facts.get("service_mgr") or "none")}
        return {"supported": True, "platform": where, "reason": ""}
    tested = ", ".join(sorted(set("%s%s" % (e.get("family"), " (%s)" % "/".join(e["distributions"])
                                            if e.get("distributions") else "") for e in platforms or [])))
    return {"supported": False, "platform": where,
            "reason": "%s is not tested on %s (tested: %s); nothing was changed" % (role, where, tested or "none")}
