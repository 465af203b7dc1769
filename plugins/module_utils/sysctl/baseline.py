# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sysctl baseline: Lynis KRNL-6000 keys plus the OOM policy, and per-host overrides.

One source: the audit grades against it, the sysctl_hardening role (filter sysctl_baseline)
persists it."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.parse_key import normalize_key


# The Linux keys of Lynis' KRNL-6000 ("config-data=sysctl;key;expected;..." lines of
# default.prf: CISOfy/lynis default.prf, identical in Lynis 3.0.8 /etc/lynis/default.prf).
# "1|2|3" there means "any of". Keys that do not exist on a kernel are not applicable.
LYNIS_KRNL_6000 = (
    ("fs.suid_dumpable", "0"),
    ("fs.protected_fifos", "2"),
    ("fs.protected_hardlinks", "1"),
    ("fs.protected_regular", "2"),
    ("fs.protected_symlinks", "1"),
    ("kernel.core_setuid_ok", "0"),
    ("kernel.core_uses_pid", "1"),
    ("kernel.ctrl-alt-del", "0"),
    ("kernel.dmesg_restrict", "1"),
    ("kernel.exec-shield-randomize", "1"),
    ("kernel.exec-shield", "1"),
    ("kernel.kptr_restrict", "2"),
    ("kernel.maps_protect", "1"),
    ("kernel.modules_disabled", "1"),
    ("kernel.perf_event_paranoid", "3"),
    ("kernel.randomize_va_space", "2"),
    ("kernel.suid_dumpable", "0"),
    ("kernel.sysrq", "0"),
    ("kernel.unprivileged_bpf_disabled", "1"),
    ("kernel.use-nx", "0"),
    ("kernel.yama.ptrace_scope", ["1", "2", "3"]),
    ("net.core.bpf_jit_harden", "2"),
    ("net.ipv4.conf.all.accept_redirects", "0"),
    ("net.ipv4.conf.all.accept_source_route", "0"),
    ("net.ipv4.conf.all.bootp_relay", "0"),
    ("net.ipv4.conf.all.forwarding", "0"),
    ("net.ipv4.conf.all.log_martians", "1"),
    ("net.ipv4.conf.all.mc_forwarding", "0"),
    ("net.ipv4.conf.all.proxy_arp", "0"),
    ("net.ipv4.conf.all.rp_filter", "1"),
    ("net.ipv4.conf.all.send_redirects", "0"),
    ("net.ipv4.conf.default.accept_redirects", "0"),
    ("net.ipv4.conf.default.accept_source_route", "0"),
    ("net.ipv4.conf.default.log_martians", "1"),
    ("net.ipv4.icmp_echo_ignore_broadcasts", "1"),
    ("net.ipv4.icmp_ignore_bogus_error_responses", "1"),
    ("net.ipv4.tcp_syncookies", "1"),
    ("net.ipv4.tcp_timestamps", ["0", "1"]),
    ("net.ipv6.conf.all.send_redirects", "0"),
    ("net.ipv6.conf.all.accept_redirects", "0"),
    ("net.ipv6.conf.all.accept_source_route", "0"),
    ("net.ipv6.conf.default.accept_redirects", "0"),
    ("net.ipv6.conf.default.accept_source_route", "0"),
    ("dev.tty.ldisc_autoload", "0"),
)


OOM_KEYS = ("vm.panic_on_oom", "vm.oom_kill_allocating_task", "vm.overcommit_memory",
            "vm.oom_dump_tasks", "kernel.panic", "kernel.panic_on_oops")


def oom_policy(cluster_failover_node=False):
    """The OOM policy baseline (see docs/oom-posture.md for the reasons).

    Semantics from the kernel's Documentation/admin-guide/sysctl/vm.rst and kernel.rst:
    panic_on_oom 0 = kill a process, 1/2 = panic; oom_kill_allocating_task 1 = kill the task
    that allocated instead of the biggest one (the innocent-victim pattern of seed 002);
    overcommit_memory 0 heuristic, 1 always, 2 strict; oom_dump_tasks 1 = print the task
    table on an OOM kill (the evidence hostguard's oom_events reads); kernel.panic N>0 =
    reboot N seconds after a panic; panic_on_oops 1 = panic on an oops.
    """
    if cluster_failover_node:
        return {
            "vm.panic_on_oom": {"expected": ["1", "2"], "severity": "medium",
                                "why": "a failover node panics so that the cluster fences it"},
            "vm.oom_kill_allocating_task": {"expected": "0", "severity": "medium"},
            "vm.overcommit_memory": {"expected": ["0", "2"], "severity": "low",
                                     "why": "1 (always overcommit) makes OOM kills likelier"},
            "vm.oom_dump_tasks": {"expected": "1", "severity": "low"},
            "kernel.panic": {"expected": ">0", "severity": "medium",
                             "why": "a panicked failover node must reboot to rejoin"},
            "kernel.panic_on_oops": {"expected": "1", "severity": "low"},
        }
    return {
        "vm.panic_on_oom": {"expected": "0", "severity": "high",
                            "why": "one OOM would take the whole host down"},
        "vm.oom_kill_allocating_task": {"expected": "0", "severity": "medium",
                                        "why": "kills whoever allocates, not the hog"},
        "vm.overcommit_memory": {"expected": ["0", "2"], "severity": "low",
                                 "why": "1 (always overcommit) makes OOM kills likelier; "
                                        "Redis hosts may override to allow 1"},
        "vm.oom_dump_tasks": {"expected": "1", "severity": "low",
                              "why": "without the task table an OOM cannot be explained"},
        "kernel.panic": {"expected": ">0", "severity": "low",
                         "why": "a panicked headless server should reboot by itself"},
        "kernel.panic_on_oops": {"expected": ["0", "1"], "severity": "info",
                                 "why": "no opinion for a standalone host; reported"},
    }


def default_baseline(cluster_failover_node=False):
    base = dict((key, {"expected": value, "severity": "low", "source": "lynis"})
                for key, value in LYNIS_KRNL_6000)
    for key, spec in oom_policy(cluster_failover_node).items():
        spec = dict(spec)
        spec["source"] = "oom"
        base[key] = spec
    return base


def merge_baseline(base, overrides):
    """Apply per-host overrides: key -> value | [values] | {expected, severity} | None (drop)."""
    out = dict(base)
    for key, value in (overrides or {}).items():
        key = normalize_key(str(key))
        if value is None:
            out.pop(key, None)
            continue
        old = out.get(key, {"severity": "low", "source": "override"})
        spec = dict(old)
        if isinstance(value, dict):
            spec.update(value)
        else:
            spec["expected"] = value
        spec["overridden"] = True
        out[key] = spec
    return out
