# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PKGS: dpkg database, unpurged packages, debsums, security repository, package database
consistency, pending security updates, apt-show-versions, package audit tool, kernel
packages, unattended upgrades (Lynis include/tests_ports_packages), plus package file
integrity from dpkg's md5sums.

No network: pending security updates are computed from the package lists apt already
downloaded (/var/lib/apt/lists/*security*_Packages) against /var/lib/dpkg/status.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    skip_unless, Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.packages import debversion
from ansible_collections.hostguard.hardening.plugins.module_utils.packages.spec import CHECKS

ROLE = "baseline_hardening"
MAX_LIST_BYTES = 256 * 1024 * 1024
KERNEL_PACKAGES = re.compile(r"^(linux-image-[0-9]|raspberrypi-kernel|pve-kernel-[0-9])")
SECURITY_SOURCE = re.compile(r"security\.debian\.org|security\.ubuntu\.com|security/? ")
BROKEN_STATES = ("half-installed", "unpacked", "half-configured", "triggers-awaiting", "triggers-pending")


@CHECKS.info("HG-PKGS-001", "installed packages (dpkg inventory)", "PKGS-7345", "/var/lib/dpkg/status")
def check_dpkg(check, host):
    pkgs = host.packages()
    installed = [n for n, p in pkgs.items() if p["status"].endswith(" installed")]
    return check.passed("/var/lib/dpkg/status", {"installed": len(installed)})


@CHECKS.check("HG-PKGS-002", "low", "removed packages whose configuration was not purged (dpkg 'rc')", lynis="PKGS-7346",
              reads="/var/lib/dpkg/status", remediation="dpkg --purge the packages (removes their conffiles, cron jobs, init scripts).")
@skip_unless("dpkg", "no /usr/bin/dpkg", is_file="/usr/bin/dpkg")
def check_unpurged(check, host):
    rc = sorted(n for n, p in host.packages().items() if p["status"] == "deinstall ok config-files")
    return verdict(check, "/var/lib/dpkg/status", bool(rc), {"count": len(rc), "packages": rc})


@CHECKS.check("HG-PKGS-003", "low", "debsums not installed or not run from cron", lynis="PKGS-7370", reads="debsums in PATH, /etc/cron*/debsums",
              remediation="apt-get install debsums; enable its cron job (/etc/default/debsums).")
@skip_unless("dpkg", "no dpkg", which="dpkg")
def check_debsums(check, host):
    binary = host.which("debsums")
    cron = [d for d in ("/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly", "/etc/cron.d")
            if "debsums" in host.listdir(d)]
    return verdict(check, "debsums", not binary or not cron, {"installed": bool(binary), "cron": cron})


def apt_sources(host):
    """[(file, line)] of apt sources: one-line format and deb822 (.sources) stanzas."""
    out = []
    files = ["/etc/apt/sources.list"] + host.glob_files("/etc/apt/sources.list.d")
    for path in files:
        for line in host.lines(path) or []:
            if line.strip() and not line.strip().startswith("#"):
                out.append((path, line.strip()))
    return out


@CHECKS.check("HG-PKGS-004", "high", "no security repository in the apt sources", lynis="PKGS-7388",
              reads="/etc/apt/sources.list, /etc/apt/sources.list.d/*",
              remediation="Add the security suite, e.g. 'deb http://deb.debian.org/debian-security bookworm-security main' "
                          "(or Suites: bookworm-security in a .sources file).")
def check_security_repo(check, host):
    if not (host.is_file("/etc/apt/sources.list") and host.is_dir("/etc/apt/sources.list.d")):
        return check.skip("/etc/apt", "no sources.list with a sources.list.d (Lynis skips too)")
    hits = []
    for path, line in apt_sources(host):
        if "#" in line:
            line = line.split("#", 1)[0]
        # Lynis's pattern, plus deb822 ("Suites: bookworm-security", ".../debian-security")
        if SECURITY_SOURCE.search(line + " ") or re.search(r"-security(\s|$)|/updates(\s|$)", line):
            hits.append("%s: %s" % (path, line[:120]))
    return verdict(check, "/etc/apt/sources.list", not hits, {"security_sources": hits})


@CHECKS.check("HG-PKGS-005", "medium", "package database inconsistent (packages half-installed or unconfigured)", lynis="PKGS-7390",
              reads="/var/lib/dpkg/status", remediation="dpkg --configure -a; apt-get -f install.")
@skip_unless("apt-get", "no apt-get", is_file="/usr/bin/apt-get")
def check_db_consistent(check, host):
    broken = sorted("%s (%s)" % (n, p["status"].split()[-1]) for n, p in host.packages().items()
                    if p["status"].split()[-1:] and p["status"].split()[-1] in BROKEN_STATES
                    or p["status"].split()[1:2] == ["reinstreq"])
    return verdict(check, "/var/lib/dpkg/status", bool(broken), {"broken": broken})


def parse_packages_list(text):
    """apt's Packages index -> {package: highest version}."""
    out = {}
    name = None
    for line in text.splitlines():
        if line.startswith("Package:"):
            name = line[8:].strip()
        elif line.startswith("Version:") and name:
            version = line[8:].strip()
            if name not in out or debversion.compare(version, out[name]) > 0:
                out[name] = version
        elif not line:
            name = None
    return out


def pending_security_updates(host):
    """(lists read, {package: (installed, candidate)}) from the downloaded security lists."""
    lists = [p for p in host.glob_files("/var/lib/apt/lists", "_Packages") if "security" in p]
    installed = host.packages()
    pending = {}
    for path in lists:
        text = host.read(path, MAX_LIST_BYTES) or ""
        for name, version in parse_packages_list(text).items():
            have = installed.get(name)
            if have and have["status"].endswith(" installed") and debversion.compare(version, have["version"]) > 0:
                pending[name] = (have["version"], version)
    return lists, pending


@CHECKS.check("HG-PKGS-006", "high", "security updates pending", lynis="PKGS-7392",
              reads="/var/lib/apt/lists/*security*_Packages, /var/lib/dpkg/status",
              remediation="apt-get update && apt-get upgrade (or enable unattended-upgrades).", role=ROLE)
@skip_unless("apt-get", "no apt-get", is_file="/usr/bin/apt-get")
def check_security_updates(check, host):
    lists, pending = pending_security_updates(host)
    if not lists:
        return check.passed("/var/lib/apt/lists", {"security_lists": 0},
                            detail="no security package list downloaded: refreshing it needs the network")
    names = sorted(pending)
    return verdict(check, "/var/lib/apt/lists", bool(pending),
                   {"count": len(names), "packages": ["%s %s -> %s" % (n, pending[n][0], pending[n][1]) for n in names]})


@CHECKS.check("HG-PKGS-007", "low", "apt-show-versions not installed", lynis="PKGS-7394", reads="/usr/bin/apt-show-versions",
              remediation="apt-get install apt-show-versions.")
@skip_unless("apt-get", "no apt-get", is_file="/usr/bin/apt-get")
def check_apt_show_versions(check, host):
    return verdict(check, "/usr/bin/apt-show-versions", not host.is_file("/usr/bin/apt-show-versions"), {})


@CHECKS.check("HG-PKGS-008", "low", "no package audit tool", lynis="PKGS-7398", reads="apt-get, debsecan",
              remediation="apt-get (Debian) or debsecan lets the host list vulnerable packages.")
def check_audit_tool(check, host):
    tools = [t for t in ("apt-get", "debsecan", "apt-check") if host.which(t)]
    return verdict(check, "package audit tool", not tools, {"tools": tools})


@CHECKS.check("HG-PKGS-009", "low", "more than 5 kernel packages installed", lynis="PKGS-7410", reads="/var/lib/dpkg/status",
              remediation="apt autoremove --purge old kernels.")
def check_kernels(check, host):
    if not host.which("dpkg"):
        return check.skip("dpkg", "no dpkg")
    # Lynis counts dpkg -l lines: every state, 'rc' included
    names = sorted(n for n in host.packages() if KERNEL_PACKAGES.match(n))
    return verdict(check, "kernel packages", len(names) > 5, {"count": len(names), "packages": names})


@CHECKS.check("HG-PKGS-010", "medium", "no tool to download and apply upgrades automatically", lynis="PKGS-7420", cis="1.9",
              reads="/usr/bin/unattended-upgrade, /bin/auter, /sbin/yum-cron, /usr/bin/dnf-automatic",
              remediation="apt-get install unattended-upgrades; APT::Periodic::Unattended-Upgrade \"1\".", role=ROLE)
def check_auto_upgrades(check, host):
    tools = [p for p in ("/bin/auter", "/sbin/yum-cron", "/usr/bin/dnf-automatic", "/usr/bin/unattended-upgrade")
             if host.is_file(p)]
    return verdict(check, "unattended upgrades", not tools, {"tools": tools})


INTEGRITY = CHECKS.define(
    "HG-PKGS-011", "package file differs from dpkg's recorded md5sum", "high",
    reads="/var/lib/dpkg/info/<package>.md5sums and the files they list outside /usr/share "
          "(packages: integrity_packages; bounded by integrity_max_bytes)",
    remediation="Reinstall the package (apt-get install --reinstall) after finding out why the file changed.",
    references={"attack": "T1554"})


def verify_md5sums(host, package, budget):
    """(checked, changed, bytes used). Conffiles are not in md5sums; missing files are
    reported changed as debsums reports them."""
    changed, checked, used = [], 0, 0
    lines = None
    for name in (package, package + ":amd64", package + ":arm64", package + ":all"):
        lines = host.lines("/var/lib/dpkg/info/%s.md5sums" % name)
        if lines is not None:
            break
    for line in lines or []:
        digest, _sep, rel = line.partition("  ")
        if not rel or used >= budget or rel.startswith("usr/share/"):
            continue        # documentation and data: not what an intruder replaces
        path = "/" + rel
        info = host.lstat(path)
        if info is None:
            continue            # path through a symlinked directory (usrmerge): not followed
        if info["type"] != "file":
            continue
        md5 = hashlib.md5(usedforsecurity=False) if _md5_flag() else hashlib.md5()
        try:
            fd, _i = safe_read.open_in_root(host.root, path)      # links inside root only
        except safe_read.SafeReadError:
            continue
        try:
            while True:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    break
                md5.update(chunk)
                used += len(chunk)
        finally:
            os.close(fd)
        checked += 1
        if md5.hexdigest() != digest.strip():
            changed.append(path)
    return checked, changed, used


def _md5_flag():
    try:
        hashlib.md5(usedforsecurity=False)
        return True
    except TypeError:
        return False


def check_integrity(host, packages, budget):
    out = []
    for package in packages:
        if not host.installed(package):
            continue
        checked, changed, used = verify_md5sums(host, package, budget)
        budget -= used
        out.append(verdict(INTEGRITY, package, bool(changed), {"files_checked": checked, "changed": changed}))
        if budget <= 0:
            break
    return out


def audit(params):
    host = Host(params["root"])
    result = run_evaluators(CHECKS, host)
    try:
        result["findings"].extend(check_integrity(host, params["integrity_packages"], params["integrity_max_bytes"]))
    except Exception as exc:
        result["findings"].append(INTEGRITY.error("packages", "internal error: %s" % exc))
    return result
