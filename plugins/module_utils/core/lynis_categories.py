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

from ansible_collections.hostguard.hardening.plugins.module_utils.core.values import text_table

# Lynis's categories in Lynis's order: the test ID prefix, the hostguard area that owns the
# category ("-": none, a forensic area covers a few of its tests), the title as Lynis prints it.
_TABLE = """
BOOT  boot              Boot and services
KRNL  kernel            Kernel
PROC  processes         Memory and processes
AUTH  auth              Users, groups and authentication
SHLL  shells            Shells
FILE  file              File systems
USB   usb               USB devices
STRG  storage           Storage
NAME  nameservices      Name services
PKGS  packages          Software: packages
NETW  networking        Networking
PRNT  -                 Printers and spools
MAIL  mail              Software: e-mail and messaging
FIRE  firewall          Software: firewalls
HTTP  -                 Software: webserver
SSH   ssh               SSH support
SNMP  -                 SNMP support
DBS   -                 Databases
LDAP  -                 LDAP services
PHP   -                 PHP
SQD   -                 Squid support
LOGG  logs              Logging and files
INSE  insecure_services Insecure services
BANN  banners           Banners and identification
SCHD  -                 Scheduled tasks
ACCT  accounting        Accounting
TIME  timesync          Time and synchronization
CRYP  crypto            Cryptography
VIRT  -                 Virtualization
CONT  -                 Containers
MACF  mac               Security frameworks
FINT  file_integrity    Software: file integrity
TOOL  tooling           Software: system tooling
MALW  malware           Software: malware
HOME  homedirs          Home directories
HRDN  hardening         Hardening
DEB   debian            Debian tests
"""
CATEGORIES = tuple((prefix, title, None if area == "-" else area)
                   for prefix, area, title in text_table(_TABLE, 3))
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
