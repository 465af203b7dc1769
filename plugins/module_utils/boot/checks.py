# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""BOOT: boot loaders, boot services, startup script permissions, single-user mode and the
systemd-analyze security exposure of enabled services (Lynis include/tests_boot_services).

One check per Lynis test; a check fails exactly when Lynis 3.0.8 would write a suggestion or
warning for it, unless docs/lynis-oracle.md (section "boot") says why we differ.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core import procfs, systemd_units
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    define_file_inventory, Host, is_world_writable, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.boot.exposure import exposure, merge_service
from ansible_collections.hostguard.hardening.plugins.module_utils.boot.spec import CHECKS

MAX_SERVICES = 256


@CHECKS.info("HG-BOOT-001", "service manager (PID 1) identified", "BOOT-5104", "/proc/1/cmdline")
def check_service_manager(check, host):
    manager = service_manager(host)
    return check.passed("/proc/1/cmdline", {"service_manager": manager})


def service_manager(host):
    argv = procfs.cmdline(host.root, 1) or []
    first = argv[0] if argv else ""
    short = os.path.basename(first)
    if short in ("init", "initsplash"):
        return "bsdrc.d" if host.is_dir("/etc/rc.d") else "SysV Init"
    for word, name in (("busybox", "busybox"), ("upstart", "upstart"), ("runit", "runit"),
                       ("openrc-init", "openrc")):
        if short == word:
            return name
    if "systemd" in short:
        return "systemd"
    return "unknown"


SYSLINUX = define_file_inventory(CHECKS, "HG-BOOT-002", "Syslinux boot loader detected", "BOOT-5108",
                                 "/boot/syslinux/syslinux.cfg")


REFIND = define_file_inventory(CHECKS, "HG-BOOT-003", "rEFInd boot loader detected", "BOOT-5109",
                               "/boot/refind_linux.conf")


@CHECKS.info("HG-BOOT-004", "UEFI boot and Secure Boot state", "BOOT-5116", "/sys/firmware/efi")
def check_uefi(check, host):
    uefi = host.is_dir("/sys/firmware/efi")
    secure = False
    for name in host.listdir("/sys/firmware/efi/efivars"):
        if name.startswith("SecureBoot-"):
            data = host.read("/sys/firmware/efi/efivars/" + name, 64)
            # 4 bytes of attributes, then the value (Lynis: od field 5)
            secure = secure or (data is not None and len(data) > 4 and data[4] == "\x01")
    return check.passed("/sys/firmware/efi", {"uefi": uefi, "secure_boot": secure})


GRUB_FILES = ("/boot/grub/grub.cfg", "/boot/grub2/grub.cfg", "/boot/grub/grub.conf", "/boot/grub/menu.lst")


@CHECKS.info("HG-BOOT-005", "GRUB boot loader detected", "BOOT-5121", ", ".join(GRUB_FILES))
def check_grub(check, host):
    return check.passed("/boot/grub", {"config": grub_config(host)})


def grub_config(host):
    for path in GRUB_FILES:
        if host.is_file(path):
            return path
    return None


_GRUB_PW = re.compile(r"password --md5|password --encrypted")


@CHECKS.check("HG-BOOT-006", "medium", "GRUB boot loader has no password", lynis="BOOT-5122", cis="1.4.1",
              reads="grub.cfg, /boot/grub/custom.cfg, /etc/grub.d/[0-9][0-9]*",
              remediation="Set 'set superusers' and a 'password_pbkdf2' entry (grub-mkpasswd-pbkdf2) in /etc/grub.d/40_custom, then update-grub.")
def check_grub_password(check, host):
    config = grub_config(host)
    if config is None:
        return check.skip("/boot/grub", "no GRUB configuration (Lynis skips the test too)")
    files = [config, "/boot/grub/custom.cfg"]
    files += ["/etc/grub.d/" + n for n in host.listdir("/etc/grub.d") if n[:2].isdigit()]
    superusers = pbkdf2 = legacy = False
    where = []
    for path in files:
        for line in host.lines(path) or []:
            if line.lstrip().startswith("#"):
                continue
            if _GRUB_PW.search(line):
                legacy = True
                where.append(path)
            if "set superusers" in line:
                superusers = True
                where.append(path)
            if "password_pbkdf2" in line or "grub.pbkdf2" in line:
                pbkdf2 = True
    ok = legacy or (superusers and pbkdf2)
    return verdict(check, config, not ok, {"superusers": superusers, "pbkdf2": pbkdf2,
                                           "legacy_password": legacy, "files": sorted(set(where))})


@CHECKS.check("HG-BOOT-007", "medium", "LILO boot loader has no password", lynis="BOOT-5139", reads="/etc/lilo.conf",
              remediation="Add 'password=<password>' above the first image= line of /etc/lilo.conf.")
def check_lilo(check, host):
    path = "/etc/lilo.conf"
    if not host.is_file(path):
        return check.passed(path, {"present": False})
    has_pw = any(re.match(r"password\s?=", line) for line in host.config_lines(path))
    return verdict(check, path, not has_pw, {"present": True, "password": has_pw})


@CHECKS.info("HG-BOOT-008", "ELILO boot loader detected", "BOOT-5140", "/etc/elilo.conf, /boot/efi/EFI/*/elilo.conf")
def check_elilo(check, host):
    found = [p for p in ("/etc/elilo.conf", "/boot/efi/EFI/debian/elilo.conf") if host.is_file(p)]
    return check.passed("/etc/elilo.conf", {"found": found})


SILO = define_file_inventory(CHECKS, "HG-BOOT-009", "SILO boot loader detected", "BOOT-5142",
                             "/etc/silo.conf")


YABOOT = define_file_inventory(CHECKS, "HG-BOOT-010", "YABOOT boot loader detected", "BOOT-5155",
                               "/etc/yaboot.conf")


def enabled_services(host):
    names = set()
    for entry in host.listdir("/etc/systemd/system"):
        if entry.endswith(".wants"):
            for name in host.listdir("/etc/systemd/system/" + entry):
                if name.endswith(".service"):
                    names.add(name)
    return sorted(names)[:MAX_SERVICES]


@CHECKS.info("HG-BOOT-011", "services enabled at boot (inventory)", "BOOT-5177", "/etc/systemd/system/*.wants")
def check_boot_services(check, host):
    services = enabled_services(host)
    return check.passed("/etc/systemd/system", {"count": len(services), "services": services})


TARGET_RUNLEVEL = {"poweroff.target": 0, "rescue.target": 1, "multi-user.target": 3,
                   "graphical.target": 5, "reboot.target": 6}


@CHECKS.check("HG-BOOT-012", "low", "default runlevel/target cannot be determined", lynis="BOOT-5180",
              reads="/etc/systemd/system/default.target, /lib/systemd/system/default.target",
              remediation="Set a default target: systemctl set-default multi-user.target.")
def check_runlevel(check, host):
    target = None
    for path in ("/etc/systemd/system/default.target", "/lib/systemd/system/default.target",
                 "/usr/lib/systemd/system/default.target"):
        found = host.resolve(path)
        if found:
            target = os.path.basename(found[1])
            break
    runlevel = TARGET_RUNLEVEL.get(target)
    return verdict(check, "default.target", target is None, {"target": target, "runlevel": runlevel})


@CHECKS.check("HG-BOOT-013", "high", "world-writable startup script", lynis="BOOT-5184", attack="T1037.004",
              reads="/etc/init.d, /etc/rc.d, /etc/rcS.d, /etc/rc[0-6].d, /etc/rc, /etc/rc.local, /etc/rc.d/rc.sysinit",
              remediation="chmod o-w on the script; review it for tampering.")
def check_startup_writable(check, host):
    dirs = ["/etc/init.d", "/etc/rc.d", "/etc/rcS.d"] + ["/etc/rc%d.d" % n for n in range(7)]
    writable = []
    for directory in dirs:
        for name in host.listdir(directory):
            info = host.stat(directory + "/" + name)
            if info and info["type"] == "file" and is_world_writable(info):
                writable.append(directory + "/" + name)
    for path in ("/etc/rc", "/etc/rc.local", "/etc/rc.d/rc.sysinit"):
        info = host.stat(path)
        if info and info["type"] == "file" and is_world_writable(info):
            writable.append(path)
    return verdict(check, "startup scripts", bool(writable), {"world_writable": sorted(set(writable))})


@CHECKS.info("HG-BOOT-014", "system uptime", "BOOT-5202", "/proc/uptime")
def check_uptime(check, host):
    text = host.read("/proc/uptime", 256) or ""
    try:
        seconds = int(float(text.split()[0]))
    except (ValueError, IndexError):
        seconds = None
    return check.passed("/proc/uptime", {"uptime_seconds": seconds,
                                         "uptime_days": None if seconds is None else seconds // 86400})


@CHECKS.check("HG-BOOT-015", "medium", "rescue.service does not ask for the root password (sulogin)", lynis="BOOT-5260",
              reads="/usr/lib/systemd/system/rescue.service",
              remediation="ExecStart of rescue.service must run sulogin (Debian's default does via systemd-sulogin-shell).")
def check_rescue(check, host):
    path = "/usr/lib/systemd/system/rescue.service"
    lines = host.lines(path)
    if lines is None:
        return check.skip(path, "no rescue.service (Lynis skips it too)")
    ok = any(re.match(r"ExecStart=.*sulogin", line) for line in lines)
    return verdict(check, path, not ok, {"sulogin": ok})


EXPOSED_AT = 75


@CHECKS.check("HG-BOOT-016", "low", "enabled service is EXPOSED or UNSAFE (systemd-analyze security, from unit files)", lynis="BOOT-5264",
              reads="unit files and drop-ins of services enabled in /etc/systemd/system/*.wants",
              remediation="Add sandboxing to the unit (NoNewPrivileges=, ProtectSystem=strict, PrivateTmp=, "
                          "CapabilityBoundingSet=, SystemCallFilter=@system-service ...) via a drop-in.")
def check_exposure(check, host):
    services = enabled_services(host)
    if not services:
        return check.skip("systemd", "no enabled services found (not a systemd system?)")
    scores = {}
    cuts = []
    for name in services:
        unit = systemd_units.find_unit(host.root, name)
        if unit is None or unit.get("masked"):
            continue
        cut = systemd_units.dropins_cut(unit)
        if cut:
            cuts.append(cut)
        assignments = []
        for path in systemd_units.unit_files(unit):
            try:
                lines = systemd_units.read_lines(host.root, path)
            except Exception:
                continue
            assignments.extend((k, v) for _n, k, v in systemd_units.section_assignments(lines, "Service"))
        value, level, _bad = exposure(merge_service(assignments))
        scores[name] = {"exposure": value / 10.0, "level": level}
    exposed = sorted(n for n, s in scores.items() if s["exposure"] * 10 >= EXPOSED_AT)
    if cuts and not exposed:   # a drop-in not read may weaken a service: never a pass (issue 17)
        return check.error("enabled services", "; ".join(cuts[:4]),
                           {"scores": dict((n, scores[n]) for n in sorted(scores)[:20])})
    return verdict(check, "enabled services", bool(exposed),
                   {"exposed": exposed, "scores": dict((n, scores[n]) for n in sorted(scores)[:20])})


def audit(params):
    return run_evaluators(CHECKS, Host(params["root"]))
