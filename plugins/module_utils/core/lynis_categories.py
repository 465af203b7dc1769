# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis test categories: the prefix of a Lynis test ID (``SSH-7408`` -> ``SSH``), its title
as Lynis prints it (section headers of ``lynis audit system``), and the hostguard area that
owns the category (one area per Lynis ID prefix, docs/architecture.md).

Read by ``baseline_audit`` (which areas are "the Lynis-category areas") and by the report,
which groups findings by the Lynis category of their ``references.lynis``.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

# prefix -> (title, owning area or None when a forensic area covers a few of its tests)
CATEGORIES = (
    ("BOOT", "Boot and services", "boot"),
    ("KRNL", "Kernel", "kernel"),
    ("PROC", "Memory and processes", "processes"),
    ("AUTH", "Users, groups and authentication", "auth"),
    ("SHLL", "Shells", "shells"),
    ("FILE", "File systems", "file"),
    ("USB", "USB devices", "usb"),
    ("STRG", "Storage", "storage"),
    ("NAME", "Name services", "nameservices"),
    ("PKGS", "Software: packages", "packages"),
    ("NETW", "Networking", "networking"),
    ("PRNT", "Printers and spools", None),
    ("MAIL", "Software: e-mail and messaging", "mail"),
    ("FIRE", "Software: firewalls", "firewall"),
    ("HTTP", "Software: webserver", None),
    ("SSH", "SSH support", "ssh"),
    ("SNMP", "SNMP support", None),
    ("DBS", "Databases", None),
    ("LDAP", "LDAP services", None),
    ("PHP", "PHP", None),
    ("SQD", "Squid support", None),
    ("LOGG", "Logging and files", "logs"),
    ("INSE", "Insecure services", "insecure_services"),
    ("BANN", "Banners and identification", "banners"),
    ("SCHD", "Scheduled tasks", None),
    ("ACCT", "Accounting", "accounting"),
    ("TIME", "Time and synchronization", "timesync"),
    ("CRYP", "Cryptography", "crypto"),
    ("VIRT", "Virtualization", None),
    ("CONT", "Containers", None),
    ("MACF", "Security frameworks", "mac"),
    ("FINT", "Software: file integrity", "file_integrity"),
    ("TOOL", "Software: system tooling", "tooling"),
    ("MALW", "Software: malware", "malware"),
    ("HOME", "Home directories", "homedirs"),
    ("HRDN", "Hardening", "hardening"),
    ("DEB", "Debian tests", "debian"),
)
TITLES = dict((prefix, title) for prefix, title, _area in CATEGORIES)
CATEGORY_AREAS = tuple(area for _p, _t, area in CATEGORIES if area)


def lynis_category(test_id):
    """``"SSH-7408"`` -> ``"SSH"``; None for anything that is not a Lynis test ID."""
    if not isinstance(test_id, str) or "-" not in test_id:
        return None
    prefix = test_id.split("-", 1)[0].upper()
    return prefix if prefix in TITLES else None


def finding_category(finding):
    """The Lynis category of a finding (its first ``references.lynis`` ID), else None."""
    refs = finding.get("references") or {}
    lynis = refs.get("lynis") if isinstance(refs, dict) else None
    if isinstance(lynis, (list, tuple)):
        lynis = lynis[0] if lynis else None
    if isinstance(lynis, str):
        lynis = lynis.replace(",", " ").split()[0] if lynis.strip() else None
    return lynis_category(lynis)


def lynis_areas(registered):
    """The registered areas that own a Lynis category, in the registry's order."""
    owned = set(CATEGORY_AREAS)
    return [name for name in registered if name in owned]


def group_by_category(findings):
    """Findings grouped as Lynis groups its tests: one entry per Lynis category (in Lynis's
    order) with the counts per status and the failed check IDs; findings whose checks reference
    no Lynis test come last, grouped as ``HG`` (hostguard's own checks)."""
    order = dict((prefix, index) for index, (prefix, _t, _a) in enumerate(CATEGORIES))
    groups = {}
    for finding in findings:
        category = finding_category(finding) or "HG"
        entry = groups.setdefault(category, {
            "category": category, "title": TITLES.get(category, "hostguard checks without a Lynis test"),
            "counts": {"fail": 0, "pass": 0, "skip": 0, "error": 0}, "failed": []})
        status = finding.get("status")
        entry["counts"][status] = entry["counts"].get(status, 0) + 1
        if status == "fail" and finding.get("id") not in entry["failed"]:
            entry["failed"].append(finding.get("id"))
    return sorted(groups.values(), key=lambda g: order.get(g["category"], len(order)))
