# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cron daemon builds: which are installed under root, and each one's verdict per crontab.

Builds are daemon builds, not distributions (issue 11): Debian cron 3.0pl1, cronie as Debian
builds it (crontabs/), cronie as RHEL builds it (/var/spool/cron/<user>), busybox crond.
Detection reads package databases (dpkg status, apk installed, the presence of an rpm
database), binaries and units under root; it never runs anything.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths
from ansible_collections.hostguard.hardening.plugins.module_utils.cron import busybox, debian_cron
from ansible_collections.hostguard.hardening.plugins.module_utils.cron.collect import (
    EntryReader, crontab_entries, read_bounded)
from ansible_collections.hostguard.hardening.plugins.module_utils.cron.cronie import CRONIE_DEBIAN, CRONIE_RHEL
from ansible_collections.hostguard.hardening.plugins.module_utils.cron.daemon_model import judge

BUILDS = (debian_cron, CRONIE_DEBIAN, CRONIE_RHEL, busybox)
BY_NAME = dict((b.NAME, b) for b in BUILDS)
NAMES = tuple(b.NAME for b in BUILDS)
MAX_PKG_DB_BYTES = 64 * 1024 * 1024
UNIT_DIRS = ("/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system")
RPM_DBS = ("/var/lib/rpm/rpmdb.sqlite", "/var/lib/rpm/Packages", "/usr/lib/sysimage/rpm/rpmdb.sqlite")


def dpkg_installed(data):
    """Package names whose Status is 'install ok installed' in a dpkg status file."""
    out = set()
    name = None
    for line in (data or b"").split(b"\n"):
        if line.startswith(b"Package: "):
            name = line[9:].strip().decode("utf-8", "replace")
        elif line.startswith(b"Status: ") and name and line.split()[-1:] == [b"installed"]:
            out.add(name)
        elif not line.strip():
            name = None
    return out


def apk_installed(data):
    return set(line[2:].strip().decode("utf-8", "replace") for line in (data or b"").split(b"\n")
               if line.startswith(b"P:"))


def _exists(root, path):
    res = paths.resolve(root, path)
    return res.ok, res


def detect(root):
    """{build: {"installed": bool, "evidence": [...]}} from the root's own records."""
    dpkg, _c = read_bounded(root, "/var/lib/dpkg/status", MAX_PKG_DB_BYTES)
    apk, _c = read_bounded(root, "/lib/apk/db/installed", MAX_PKG_DB_BYTES)
    debs = dpkg_installed(dpkg)
    apks = apk_installed(apk)
    rpmdb = [p for p in RPM_DBS if _exists(root, p)[0]]
    out = dict((name, {"installed": False, "evidence": [], "title": BY_NAME[name].TITLE}) for name in NAMES)

    def add(name, why):
        out[name]["evidence"].append(why)

    if "cron" in debs:
        add("debian_cron", "dpkg: cron installed")
    if "cronie" in debs:
        add("cronie_debian", "dpkg: cronie installed (Debian's build reads /var/spool/cron/crontabs)")
    for pkg in ("busybox-static",):
        if pkg in debs:
            add("busybox_crond", "dpkg: %s installed (it has the crond applet)" % pkg)
    if "busybox" in apks:
        add("busybox_crond", "apk: busybox installed (Alpine's crond)")
    crond_ok, crond = _exists(root, "/usr/sbin/crond")
    if crond_ok:
        target = crond.path
        if "busybox" in target:
            add("busybox_crond", "/usr/sbin/crond -> %s" % target)
        elif rpmdb:
            add("cronie_rhel", "/usr/sbin/crond with an rpm database (%s)" % rpmdb[0])
        elif "cronie" not in debs:
            add("cronie_rhel" if not _exists(root, "/var/spool/cron/crontabs")[0] else "cronie_debian",
                "/usr/sbin/crond present (layout from the spool directories)")
    if _exists(root, "/usr/sbin/cron")[0] and "cron" not in debs:
        add("debian_cron", "/usr/sbin/cron present")
    for unit_dir in UNIT_DIRS:
        if _exists(root, unit_dir + "/busybox-crond.service")[0]:
            add("busybox_crond", "unit %s/busybox-crond.service" % unit_dir)
    if _exists(root, "/etc/init.d/crond")[0] and "busybox" in apks:
        add("busybox_crond", "/etc/init.d/crond (OpenRC)")
    for name in NAMES:
        out[name]["installed"] = bool(out[name]["evidence"])
    return out


def verdicts(root, builds, accounts, installed, max_read_bytes, max_entries):
    """path -> {build: verdict}; each verdict marked installed or requested."""
    reader = EntryReader(root, max_read_bytes)
    result = {}
    entries = {}
    for build in builds:
        listed, _cut = crontab_entries(root, build, reader, max_entries)
        for where, path, name in listed:
            entry = reader.entry(where, path, name)
            if entry["link"] is None:
                continue
            verdict = judge(build, entry, accounts)
            verdict["installed"] = bool(installed.get(build.NAME, {}).get("installed"))
            verdict["location"] = where
            result.setdefault(path, {})[build.NAME] = verdict
            entries[path] = entry
    return result, entries
