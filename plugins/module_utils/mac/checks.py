# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""MACF: AppArmor, SELinux, TOMOYO, grsecurity and whether a MAC framework is active
(Lynis include/tests_mac_frameworks). AppArmor state comes from securityfs
(/sys/kernel/security/apparmor) instead of aa-status."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    skip_unless, Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.mac.spec import CHECKS

AA_PROFILES = "/sys/kernel/security/apparmor/profiles"


@CHECKS.info("HG-MACF-001", "AppArmor tools present", "MACF-6204", "aa-status / apparmor_status")
def check_apparmor(check, host):
    return check.passed("apparmor", {"aa_status": host.which("aa-status", "apparmor_status")})


def apparmor_profiles(host):
    """{"enforce": n, "complain": n, ...} from securityfs, or None when unreadable."""
    lines = host.lines(AA_PROFILES, 4 * 1024 * 1024)
    if lines is None:
        return None
    modes = {}
    for line in lines:
        mode = line.rsplit("(", 1)[-1].rstrip(")") if "(" in line else "unknown"
        modes[mode] = modes.get(mode, 0) + 1
    return modes


@CHECKS.check("HG-MACF-002", "medium", "AppArmor installed but no policy loaded", lynis="MACF-6208", cis="1.6.1",
              reads=AA_PROFILES + ", /sys/module/apparmor/parameters/enabled",
              remediation="Enable AppArmor (apparmor=1 security=apparmor) and load profiles (systemctl enable --now apparmor).")
@skip_unless("apparmor", "AppArmor tools are not installed", which=("aa-status", "apparmor_status"))
def check_apparmor_enabled(check, host):
    modes = apparmor_profiles(host)
    if modes is None:
        # Lynis: "Check output of aa-status" when securityfs is not readable
        return check.fail(AA_PROFILES, {"readable": False})
    loaded = sum(modes.values())
    return verdict(check, AA_PROFILES, loaded == 0, {"profiles": modes})


@CHECKS.info("HG-MACF-003", "SELinux tools present", "MACF-6232", "sestatus")
def check_selinux(check, host):
    return check.passed("selinux", {"sestatus": host.which("sestatus")})


@CHECKS.check("HG-MACF-004", "medium", "SELinux mode differs from /etc/selinux/config", lynis="MACF-6234",
              reads="/sys/fs/selinux/enforce, /etc/selinux/config",
              remediation="Set SELINUX= in /etc/selinux/config to the running mode (or reboot into it).")
@skip_unless("selinux", "sestatus is not installed", which="sestatus")
def check_selinux_mode(check, host):
    enforce = (host.read("/sys/fs/selinux/enforce", 16) or "").strip()
    current = {"1": "enforcing", "0": "permissive"}.get(enforce, "disabled")
    config = "disabled"
    for line in host.config_lines("/etc/selinux/config"):
        if line.startswith("SELINUX="):
            config = line.split("=", 1)[1].strip().lower()
    return verdict(check, "/etc/selinux/config", current != config, {"current": current, "config": config})


@CHECKS.info("HG-MACF-005", "TOMOYO Linux present", "MACF-6240", "tomoyo-init")
def check_tomoyo(check, host):
    return check.passed("tomoyo", {"tomoyo_init": host.which("tomoyo-init")})


@CHECKS.info("HG-MACF-006", "grsecurity present", "RBAC-6272", "/dev/grsec, /proc/sys/kernel/grsecurity")
def check_grsec(check, host):
    return check.passed("grsecurity", {"present": host.exists("/dev/grsec") or host.is_dir("/proc/sys/kernel/grsecurity")})


@CHECKS.check("HG-MACF-007", "medium", "no MAC framework active (AppArmor, SELinux, TOMOYO)", lynis="MACF-6290",
              reads=AA_PROFILES + ", /sys/fs/selinux/enforce", remediation="Enable AppArmor (Debian's default LSM) with its profiles.")
def check_active(check, host):
    modes = apparmor_profiles(host) or {}
    selinux = (host.read("/sys/fs/selinux/enforce", 16) or "").strip() in ("0", "1")
    active = bool(sum(modes.values())) or selinux
    # Lynis MACF-6290 only logs (no suggestion): inventory severity, fail = no framework active
    return check.result("fail" if not active else "pass", "mac", {"apparmor_profiles": modes, "selinux": selinux},
                        severity="info" if not active else None)


def audit(params):
    return run_evaluators(CHECKS, Host(params["root"]))
