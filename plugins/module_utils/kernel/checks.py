# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""KRNL: run level, CPU NX/PAE, kernel version, modules, kernel config, IO scheduler, kernel
updates, core dumps, reboot needed (Lynis include/tests_kernel). KRNL-6000 (sysctl) is the
sysctl area's."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    skip_unless, Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.kernel.spec import CHECKS

ROLE = "baseline_hardening"
CONTAINER_MARKS = ("/run/.containerenv", "/.dockerenv")


def release(host):
    return (host.read("/proc/sys/kernel/osrelease", 256) or "").strip()


@CHECKS.info("HG-KRNL-001", "default run level (inventory)", "KRNL-5622", "/etc/systemd/system/default.target")
def check_runlevel(check, host):
    found = host.resolve("/etc/systemd/system/default.target")
    return check.passed("default.target", {"target": os.path.basename(found[1]) if found else None})


@CHECKS.check("HG-KRNL-002", "medium", "CPU without NX/PAE support", lynis="KRNL-5677", reads="/proc/cpuinfo",
              remediation="Use a PAE/NX-capable CPU and kernel (no-execute protection).")
def check_cpu_nx(check, host):
    text = host.read("/proc/cpuinfo", 4 * 1024 * 1024) or ""
    if not text:
        return check.skip("/proc/cpuinfo", "no /proc/cpuinfo")
    flags = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[-1].split())
    return verdict(check, "/proc/cpuinfo", not ({"pae", "nx"} & flags), {"pae": "pae" in flags, "nx": "nx" in flags})


@CHECKS.info("HG-KRNL-003", "kernel version (inventory)", "KRNL-5695", "/proc/sys/kernel/osrelease, version")
def check_version(check, host):
    return check.passed("kernel", {"release": release(host),
                                   "version": (host.read("/proc/sys/kernel/version", 512) or "").strip()})


@CHECKS.info("HG-KRNL-004", "kernel is modular or monolithic (inventory)", "KRNL-5723", "/proc/modules")
def check_monolithic(check, host):
    return check.passed("/proc/modules", {"modular": host.exists("/proc/modules")})


@CHECKS.info("HG-KRNL-005", "loaded kernel modules (inventory)", "KRNL-5726", "/proc/modules")
def check_modules(check, host):
    names = [l.split()[0] for l in host.lines("/proc/modules") or [] if l.split()]
    return check.passed("/proc/modules", {"count": len(names), "modules": sorted(names)})


@CHECKS.info("HG-KRNL-006", "kernel build configuration available (inventory)", "KRNL-5728", "/boot/config-<release>")
def check_config(check, host):
    path = "/boot/config-" + release(host)
    return check.passed(path, {"present": host.is_file(path) or host.exists("/proc/config.gz")})


def _in_order(line, *words):
    """``words`` occur in ``line`` in this order (``A.*B.*C`` without a regex: a staged find
    from the leftmost hit, linear on any line; issue 17)."""
    pos = 0
    for word in words:
        pos = line.find(word, pos)
        if pos < 0:
            return False
        pos += len(word)
    return True


@CHECKS.info("HG-KRNL-007", "disk IO schedulers (inventory)", "KRNL-5730", "/sys/block/*/queue/scheduler")
def check_scheduler(check, host):
    out = {}
    for dev in host.listdir("/sys/block")[:64]:
        text = host.read("/sys/block/%s/queue/scheduler" % dev, 256) or ""
        match = re.search(r"\[([^\s\[\]]+)\]", text)     # linear: no '[' inside (issue 17)
        if match:
            out[dev] = match.group(1)
    return check.passed("/sys/block", {"schedulers": out})


@CHECKS.check("HG-KRNL-008", "low", "kernel image link /vmlinuz missing on a Debian system", lynis="KRNL-5788",
              reads="/vmlinuz, /boot/vmlinuz, /etc/kernel-img.conf, /dev/grsec, /etc/rpi-issue",
              remediation="Keep /vmlinuz (linux-image postinst symlinks) so tools find the installed kernel.")
@skip_unless("apt-cache", "no apt-cache", is_file="/usr/bin/apt-cache")
def check_new_kernel(check, host):
    if any(host.exists(p) for p in CONTAINER_MARKS):
        return check.skip("/vmlinuz", "a container: the running kernel is the host's, not a package of this root")
    if host.is_file("/vmlinuz") or host.is_file("/boot/vmlinuz"):
        return check.passed("/vmlinuz", {"vmlinuz": True})
    if host.exists("/dev/grsec") or host.exists("/etc/rpi-issue") or any(
            _in_order(l, "do_symlinks", "=", "No") for l in host.config_lines("/etc/kernel-img.conf")):
        return check.passed("/vmlinuz", {"vmlinuz": False, "symlinks_disabled": True})
    return check.fail("/vmlinuz", {"vmlinuz": False})


def limits_core(host):
    """(soft, hard) core limit values for '*' from limits.conf and limits.d (last wins)."""
    soft = hard = None
    files = ["/etc/security/limits.conf"] + sorted(host.glob_files("/etc/security/limits.d", ".conf"))
    for path in files:
        for line in host.config_lines(path):
            parts = line.split()
            if len(parts) >= 4 and parts[0] == "*" and parts[2] == "core":
                if parts[1] in ("soft", "-"):
                    soft = parts[3]
                if parts[1] in ("hard", "-"):
                    hard = parts[3]
    return soft, hard


def coredump_conf(host):
    values = {}
    files = ["/etc/systemd/coredump.conf"] + sorted(
        [d + "/" + n for d in ("/etc/systemd/coredump.conf.d", "/run/systemd/coredump.conf.d",
                               "/usr/lib/systemd/coredump.conf.d") for n in host.listdir(d) if n.endswith(".conf")],
        key=os.path.basename)
    for path in files:
        for line in host.config_lines(path):
            key, _sep, value = line.partition("=")
            if key.strip() in ("ProcessSizeMax", "Storage"):
                values[key.strip()] = value.strip()
    return values


@CHECKS.check("HG-KRNL-009", "medium", "core dumps not disabled (limits.conf hard core 0, systemd-coredump)", lynis="KRNL-5820", cis="1.5.1",
              reads="/etc/security/limits.conf, limits.d/*.conf, /etc/systemd/coredump.conf(.d), fs.suid_dumpable",
              remediation="'* hard core 0' in /etc/security/limits.d/, Storage=none and ProcessSizeMax=0 in "
                          "coredump.conf.d, fs.suid_dumpable=0.", role=ROLE)
def check_core_dumps(check, host):
    soft, hard = limits_core(host)
    coredump = coredump_conf(host)
    problems = []
    if host.is_file("/etc/security/limits.conf"):
        # Lynis: hard 0, or soft 0, is enough; both enabled, or neither set, is not
        if not (hard == "0" or soft == "0") and not ((soft not in (None, "0")) != (hard not in (None, "0"))):
            problems.append("limits.conf: no '* hard core 0'")
    if coredump.get("ProcessSizeMax", "0") != "0" and coredump.get("Storage", "none") != "none":
        problems.append("systemd-coredump stores dumps")
    suid = (host.read("/proc/sys/fs/suid_dumpable", 16) or "").strip()
    return verdict(check, "core dumps", bool(problems), {"soft": soft, "hard": hard, "coredump": coredump,
                                                         "fs.suid_dumpable": suid, "problems": problems})


def _version_key(text):
    return [int(p) if p.isdigit() else p for p in re.split(r"[.\-+~]", text)]


@CHECKS.check("HG-KRNL-010", "medium", "reboot needed: running kernel older than the installed one", lynis="KRNL-5830",
              reads="/var/run/reboot-required.pkgs, /boot/vmlinuz-*, /proc/sys/kernel/osrelease", remediation="Reboot into the installed kernel.")
def check_reboot(check, host):
    pkgs = host.lines("/var/run/reboot-required.pkgs")
    if pkgs:
        return check.fail("/var/run/reboot-required.pkgs", {"packages": pkgs[:20]})
    versions = [n[len("vmlinuz-"):] for n in host.listdir("/boot") if n.startswith("vmlinuz-") and "rescue" not in n]
    running = release(host)
    if not versions or not running:
        return check.passed("/boot", {"installed": versions, "running": running})
    try:
        latest = sorted(versions, key=_version_key)[-1]
    except TypeError:
        latest = sorted(versions)[-1]
    return verdict(check, "/boot", latest != running, {"latest_installed": latest, "running": running})


def audit(params):
    return run_evaluators(CHECKS, Host(params["root"]))
