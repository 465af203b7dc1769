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
    Evaluators, define_info, Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.kernel.spec import CHECKS

EVALUATORS = Evaluators()
ROLE = "baseline_hardening"
CONTAINER_MARKS = ("/run/.containerenv", "/.dockerenv")


def _info(check_id, title, lynis, reads):
    return define_info(CHECKS, check_id, title, lynis, reads)


def release(host):
    return (host.read("/proc/sys/kernel/osrelease", 256) or "").strip()


RUNLEVEL = _info("HG-KRNL-001", "default run level (inventory)", "KRNL-5622", "/etc/systemd/system/default.target")


@EVALUATORS(RUNLEVEL)
def check_runlevel(host):
    found = host.resolve("/etc/systemd/system/default.target")
    return RUNLEVEL.passed("default.target", {"target": os.path.basename(found[1]) if found else None})


CPU_NX = CHECKS.define("HG-KRNL-002", "CPU without NX/PAE support", "medium", reads="/proc/cpuinfo",
                       remediation="Use a PAE/NX-capable CPU and kernel (no-execute protection).",
                       references={"lynis": "KRNL-5677"})


@EVALUATORS(CPU_NX)
def check_cpu_nx(host):
    text = host.read("/proc/cpuinfo", 4 * 1024 * 1024) or ""
    if not text:
        return CPU_NX.skip("/proc/cpuinfo", "no /proc/cpuinfo")
    flags = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[-1].split())
    return verdict(CPU_NX, "/proc/cpuinfo", not ({"pae", "nx"} & flags), {"pae": "pae" in flags, "nx": "nx" in flags})


VERSION = _info("HG-KRNL-003", "kernel version (inventory)", "KRNL-5695", "/proc/sys/kernel/osrelease, version")


@EVALUATORS(VERSION)
def check_version(host):
    return VERSION.passed("kernel", {"release": release(host),
                                     "version": (host.read("/proc/sys/kernel/version", 512) or "").strip()})


MONOLITHIC = _info("HG-KRNL-004", "kernel is modular or monolithic (inventory)", "KRNL-5723", "/proc/modules")


@EVALUATORS(MONOLITHIC)
def check_monolithic(host):
    return MONOLITHIC.passed("/proc/modules", {"modular": host.exists("/proc/modules")})


MODULES = _info("HG-KRNL-005", "loaded kernel modules (inventory)", "KRNL-5726", "/proc/modules")


@EVALUATORS(MODULES)
def check_modules(host):
    names = [l.split()[0] for l in host.lines("/proc/modules") or [] if l.split()]
    return MODULES.passed("/proc/modules", {"count": len(names), "modules": sorted(names)})


CONFIG = _info("HG-KRNL-006", "kernel build configuration available (inventory)", "KRNL-5728", "/boot/config-<release>")


@EVALUATORS(CONFIG)
def check_config(host):
    path = "/boot/config-" + release(host)
    return CONFIG.passed(path, {"present": host.is_file(path) or host.exists("/proc/config.gz")})


SCHEDULER = _info("HG-KRNL-007", "disk IO schedulers (inventory)", "KRNL-5730", "/sys/block/*/queue/scheduler")


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


@EVALUATORS(SCHEDULER)
def check_scheduler(host):
    out = {}
    for dev in host.listdir("/sys/block")[:64]:
        text = host.read("/sys/block/%s/queue/scheduler" % dev, 256) or ""
        match = re.search(r"\[([^\s\[\]]+)\]", text)     # linear: no '[' inside (issue 17)
        if match:
            out[dev] = match.group(1)
    return SCHEDULER.passed("/sys/block", {"schedulers": out})


NEW_KERNEL = CHECKS.define("HG-KRNL-008", "kernel image link /vmlinuz missing on a Debian system", "low",
                           reads="/vmlinuz, /boot/vmlinuz, /etc/kernel-img.conf, /dev/grsec, /etc/rpi-issue",
                           remediation="Keep /vmlinuz (linux-image postinst symlinks) so tools find the installed kernel.",
                           references={"lynis": "KRNL-5788"})


@EVALUATORS(NEW_KERNEL)
def check_new_kernel(host):
    if not host.is_file("/usr/bin/apt-cache"):
        return NEW_KERNEL.skip("apt-cache", "no apt-cache (Lynis skips too)")
    if any(host.exists(p) for p in CONTAINER_MARKS):
        return NEW_KERNEL.skip("/vmlinuz", "a container: the running kernel is the host's, not a package of this root")
    if host.is_file("/vmlinuz") or host.is_file("/boot/vmlinuz"):
        return NEW_KERNEL.passed("/vmlinuz", {"vmlinuz": True})
    if host.exists("/dev/grsec") or host.exists("/etc/rpi-issue") or any(
            _in_order(l, "do_symlinks", "=", "No") for l in host.config_lines("/etc/kernel-img.conf")):
        return NEW_KERNEL.passed("/vmlinuz", {"vmlinuz": False, "symlinks_disabled": True})
    return NEW_KERNEL.fail("/vmlinuz", {"vmlinuz": False})


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


CORE_DUMPS = CHECKS.define("HG-KRNL-009", "core dumps not disabled (limits.conf hard core 0, systemd-coredump)", "medium",
                           reads="/etc/security/limits.conf, limits.d/*.conf, /etc/systemd/coredump.conf(.d), fs.suid_dumpable",
                           remediation="'* hard core 0' in /etc/security/limits.d/, Storage=none and ProcessSizeMax=0 in "
                                       "coredump.conf.d, fs.suid_dumpable=0.",
                           references={"lynis": "KRNL-5820", "cis": "1.5.1"}, role=ROLE)


@EVALUATORS(CORE_DUMPS)
def check_core_dumps(host):
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
    return verdict(CORE_DUMPS, "core dumps", bool(problems), {"soft": soft, "hard": hard, "coredump": coredump,
                                                              "fs.suid_dumpable": suid, "problems": problems})


def _version_key(text):
    return [int(p) if p.isdigit() else p for p in re.split(r"[.\-+~]", text)]


REBOOT = CHECKS.define("HG-KRNL-010", "reboot needed: running kernel older than the installed one", "medium",
                       reads="/var/run/reboot-required.pkgs, /boot/vmlinuz-*, /proc/sys/kernel/osrelease",
                       remediation="Reboot into the installed kernel.", references={"lynis": "KRNL-5830"})


@EVALUATORS(REBOOT)
def check_reboot(host):
    pkgs = host.lines("/var/run/reboot-required.pkgs")
    if pkgs:
        return REBOOT.fail("/var/run/reboot-required.pkgs", {"packages": pkgs[:20]})
    versions = [n[len("vmlinuz-"):] for n in host.listdir("/boot") if n.startswith("vmlinuz-") and "rescue" not in n]
    running = release(host)
    if not versions or not running:
        return REBOOT.passed("/boot", {"installed": versions, "running": running})
    try:
        latest = sorted(versions, key=_version_key)[-1]
    except TypeError:
        latest = sorted(versions)[-1]
    return verdict(REBOOT, "/boot", latest != running, {"latest_installed": latest, "running": running})


def audit(params):
    return run_evaluators(EVALUATORS, Host(params["root"]))
