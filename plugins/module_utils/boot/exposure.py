# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``systemd-analyze security`` exposure of a service, computed from its unit files.

systemd (src/analyze/analyze-security.c) sums, over a table of assessors, ``weight`` times the
assessor's badness (0..range, scaled to 0..1) and divides by the sum of weights: 0 = PERFECT,
100 = DANGEROUS, shown as x/10. This module carries the same weights for the directives a unit
file sets (User=, NoNewPrivileges=, Protect*=, Private*=, CapabilityBoundingSet=,
RestrictAddressFamilies=, SystemCallFilter=, ...) and evaluates them from the merged unit file
and drop-ins, without D-Bus. Approximations (stated in docs/lynis-oracle.md): badness is 0 or
full for every assessor (systemd grades some in steps, e.g. ProtectSystem=full vs strict), and
SystemCallFilter= groups count as filtered when any allow-list or a ``~@group`` deny names them.
Pure functions, stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

# (name, weight): systemd's assessor weights
BOOL_ASSESSORS = (
    ("NoNewPrivileges", 1000), ("PrivateDevices", 1000), ("PrivateMounts", 1000),
    ("PrivateNetwork", 2500), ("PrivateTmp", 1000), ("PrivateUsers", 1000),
    ("ProtectControlGroups", 1000), ("ProtectKernelModules", 1000),
    ("ProtectKernelTunables", 1000), ("ProtectKernelLogs", 1000), ("ProtectClock", 1000),
    ("ProtectHostname", 50), ("LockPersonality", 100), ("MemoryDenyWriteExecute", 100),
    ("RestrictRealtime", 500), ("RestrictSUIDSGID", 1000), ("RemoveIPC", 100),
)
CAPABILITY_GROUPS = (
    (("CAP_SYS_ADMIN",), 1500), (("CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP"), 1500),
    (("CAP_SYS_PTRACE",), 1500), (("CAP_SYS_TIME",), 1000), (("CAP_NET_ADMIN",), 1500),
    (("CAP_SYS_RAWIO",), 1000), (("CAP_SYS_MODULE",), 1000), (("CAP_SYS_TTY_CONFIG",), 1000),
    (("CAP_SYSLOG",), 1500), (("CAP_AUDIT_CONTROL", "CAP_AUDIT_READ", "CAP_AUDIT_WRITE"), 500),
    (("CAP_SYS_NICE", "CAP_SYS_RESOURCE"), 500), (("CAP_MKNOD",), 500),
    (("CAP_CHOWN", "CAP_FSETID", "CAP_SETFCAP"), 1000),
    (("CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_IPC_OWNER"), 1000),
    (("CAP_KILL",), 500), (("CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_RAW"), 500),
    (("CAP_SYS_BOOT",), 500), (("CAP_MAC_ADMIN", "CAP_MAC_OVERRIDE"), 500),
    (("CAP_LINUX_IMMUTABLE",), 500), (("CAP_IPC_LOCK",), 500), (("CAP_SYS_CHROOT",), 500),
    (("CAP_BLOCK_SUSPEND",), 25), (("CAP_WAKE_ALARM",), 25), (("CAP_LEASE",), 25),
    (("CAP_SYS_PACCT",), 500), (("CAP_BPF",), 25),
)
NAMESPACES = (("user", 1500), ("mnt", 500), ("ipc", 500), ("pid", 500), ("cgroup", 500),
              ("net", 500), ("uts", 100))
FAMILIES = ((("AF_INET", "AF_INET6"), 1500), (("AF_UNIX",), 25), (("AF_NETLINK",), 200),
            (("AF_PACKET",), 1000), (("*other*",), 1250))
SYSCALL_GROUPS = (("@swap", 1000), ("@obsolete", 250), ("@clock", 1000), ("@cpu-emulation", 250),
                  ("@debug", 1000), ("@mount", 1000), ("@module", 1000), ("@raw-io", 1000),
                  ("@reboot", 1000), ("@privileged", 700), ("@resources", 700))
# the predicates of analyze-security.c's badness_table: exposure >= threshold
LEVELS = ((100, "DANGEROUS"), (90, "UNSAFE"), (75, "EXPOSED"), (50, "MEDIUM"), (10, "OK"),
          (1, "SAFE"), (0, "PERFECT"))
TRUE_WORDS = ("1", "yes", "true", "on")


def merge_service(assignments):
    """[(key, value)] of [Service] in application order -> {key: value or [values]}.
    List-valued directives accumulate; an empty assignment resets them."""
    lists = ("CapabilityBoundingSet", "AmbientCapabilities", "RestrictAddressFamilies",
             "SystemCallFilter", "RestrictNamespaces", "IPAddressDeny", "DeviceAllow",
             "SystemCallArchitectures")
    out = {}
    for key, value in assignments:
        if key in lists:
            if value == "":
                out[key] = []
            else:
                out.setdefault(key, []).append(value)
        else:
            out[key] = value
    return out


def _is_true(value):
    return str(value).strip().lower() in TRUE_WORDS


def _set_spec(values):
    """A list of allow/deny assignments -> (mode, names): mode 'allow' (only names) or 'deny'
    (all but names) or None when never set."""
    if values is None:
        return None, set()
    if values == []:
        return "allow", set()
    mode, names = None, set()
    for value in values:
        words = value.split()
        if not words:
            continue
        deny = words[0].startswith("~")
        words[0] = words[0].lstrip("~")
        if mode is None:
            mode = "deny" if deny else "allow"
        if (mode == "deny") == deny:
            names.update(words)
        elif mode == "allow":
            names.difference_update(words)
        else:
            names.difference_update(words)
    return mode, names


def _allowed(mode, names, item):
    if mode is None:
        return True
    return (item in names) if mode == "allow" else (item not in names)


def exposure(service):
    """(exposure 0..100, level name, [badly set directives]) of a merged [Service] dict."""
    bad_sum, weight_sum, bad = 0, 0, []

    def add(name, weight, is_bad):
        nonlocal bad_sum, weight_sum
        weight_sum += weight
        if is_bad:
            bad_sum += weight
            bad.append(name)

    user = service.get("User", "")
    dynamic = _is_true(service.get("DynamicUser", "no"))
    add("User=/DynamicUser=", 2000, not dynamic and user in ("", "root", "0"))
    add("SupplementaryGroups=", 200, bool(service.get("SupplementaryGroups")) and not dynamic)
    for name, weight in BOOL_ASSESSORS:
        add(name + "=", weight, not _is_true(service.get(name, "no")))
    protect_home = service.get("ProtectHome", "no").lower()
    add("ProtectHome=", 1000, protect_home not in ("yes", "true", "1", "on", "read-only", "tmpfs"))
    protect_system = service.get("ProtectSystem", "no").lower()
    add("ProtectSystem=", 1000, protect_system not in ("strict", "full", "yes", "true", "1", "on"))
    add("RootDirectory=/RootImage=", 200, not (service.get("RootDirectory") or service.get("RootImage")))
    add("UMask=", 100, service.get("UMask", "0022").lstrip("0")[-1:] in ("", "0", "1", "2", "3")
        if service.get("UMask") else True)
    add("KeyringMode=", 1000, service.get("KeyringMode", "private").lower() == "shared")
    add("ProtectProc=", 1000, service.get("ProtectProc", "default").lower() not in ("invisible", "ptraceable", "noaccess"))
    add("ProcSubset=", 10, service.get("ProcSubset", "all").lower() != "pid")
    add("NotifyAccess=", 1000, service.get("NotifyAccess", "none").lower() == "all")
    add("Delegate=", 100, _is_true(service.get("Delegate", "no")))
    mode, caps = _set_spec(service.get("CapabilityBoundingSet"))
    privileged_user = not dynamic and user in ("", "root", "0")
    for group, weight in CAPABILITY_GROUPS:
        held = any(_allowed(mode, caps, cap) for cap in group)
        add("CapabilityBoundingSet=~" + "|".join(group), weight, held and privileged_user)
    ambient = service.get("AmbientCapabilities") or []
    add("AmbientCapabilities=", 500, any(v.strip() and not v.startswith("~") for v in ambient))
    ns_value = service.get("RestrictNamespaces")
    ns_text = " ".join(ns_value) if ns_value else ""
    for ns, weight in NAMESPACES:
        if not ns_text or ns_text.lower() in ("no", "false", "0", "off"):
            restricted = False
        elif ns_text.lower() in TRUE_WORDS:
            restricted = True
        else:
            fmode, names = _set_spec(ns_value)
            restricted = not _allowed(fmode, names, ns)
        add("RestrictNamespaces=~" + ns, weight, not restricted)
    fmode, fams = _set_spec(service.get("RestrictAddressFamilies"))
    for group, weight in FAMILIES:
        if group == ("*other*",):
            open_other = fmode is None or fmode == "deny"
            add("RestrictAddressFamilies=~...", weight, open_other)
        else:
            add("RestrictAddressFamilies=~" + "|".join(group), weight,
                any(_allowed(fmode, fams, fam) for fam in group))
    archs = service.get("SystemCallArchitectures") or []
    add("SystemCallArchitectures=", 1000, not any("native" in a for a in archs))
    smode, groups = _set_spec(service.get("SystemCallFilter"))
    for group, weight in SYSCALL_GROUPS:
        filtered = smode == "allow" and group not in groups or smode == "deny" and group in groups
        add("SystemCallFilter=~" + group, weight, not filtered)
    deny = " ".join(service.get("IPAddressDeny") or [])
    add("IPAddressDeny=", 1000, "any" not in deny.split())
    add("DeviceAllow=", 1000, not service.get("DeviceAllow") and not _is_true(service.get("PrivateDevices", "no")))
    value = (bad_sum * 100 + weight_sum - 1) // weight_sum if weight_sum else 0
    return value, level_name(value), bad


def level_name(value):
    for threshold, name in LEVELS:
        if value >= threshold:
            return name
    return "PERFECT"
