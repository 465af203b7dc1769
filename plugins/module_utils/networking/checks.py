# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""NETW: hostname, IPv6, name servers, interfaces, listening ports, promiscuous interfaces,
WAIT connections, DHCP client, ARP monitoring, uncommon protocols (Lynis
include/tests_networking), plus IP forwarding.

Everything comes from files (/proc/net, /sys/class/net, /proc/sys, /etc): no ``ip``, ``ss``
or ``dig``. Tests that need the network (name server answers) are ``skip`` with the reason.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core import procfs
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.networking.spec import CHECKS

IFF_PROMISC = 0x100
LOCAL_RESOLVERS = ("::1", "127.0.0.1", "127.0.0.53", "127.0.1.1", "0.0.0.0")
UNCOMMON_PROTOCOLS = ("dccp", "sctp", "rds", "tipc")
MAX_WAIT = 5000
# TCP states of include/net/tcp_states.h that netstat prints with "WAIT"
WAIT_STATES = ("04", "05", "06", "08")


def hostname(host):
    text = (host.read("/proc/sys/kernel/hostname", 512) or host.read("/etc/hostname", 512) or "").strip()
    return text


@CHECKS.check("HG-NETW-001", "low", "hostname too long or with invalid characters", lynis="NETW-2400",
              reads="/proc/sys/kernel/hostname, /etc/hostname",
              remediation="Use a hostname of letters, digits, '-' and '.' (RFC 1123), at most 253 characters.")
def check_hostname(check, host):
    name = hostname(host)
    invalid = re.sub(r"[A-Za-z0-9.\-]", "", name)
    return verdict(check, name or "hostname", len(name) > 253 or bool(invalid),
                   {"length": len(name), "invalid_characters": sorted(set(invalid))})


def sysctl(host, key):
    text = host.read("/proc/sys/" + key.replace(".", "/"), 256)
    return None if text is None else text.strip()


@CHECKS.check("HG-NETW-002", "low", "IPv6 MTU below 1280", lynis="NETW-2600", reads="/proc/sys/net/ipv6/conf/{all,default}/mtu",
              remediation="Set an IPv6 MTU of at least 1280 (RFC 8200).")
def check_ipv6(check, host):
    if not host.is_dir("/proc/sys/net/ipv6"):
        return check.passed("net.ipv6", {"mode": "disabled"})
    ra, redirects = sysctl(host, "net.ipv6.conf.default.accept_ra"), sysctl(host, "net.ipv6.conf.default.accept_redirects")
    mode = "manual" if (ra, redirects) == ("0", "0") else ("auto" if "1" in (ra, redirects) else "disabled")
    low = []
    for key in ("net.ipv6.conf.all.mtu", "net.ipv6.conf.default.mtu"):
        value = sysctl(host, key)
        if value and value.isdigit() and int(value) < 1280:
            low.append("%s=%s" % (key, value))
    return verdict(check, "net.ipv6", bool(low), {"mode": mode, "low_mtu": low})


def nameservers(host):
    out = []
    for line in host.lines("/etc/resolv.conf") or []:
        if line.startswith("nameserver"):
            value = line[len("nameserver"):].split("#")[0].strip()
            if value and value not in out:
                out.append(value)
    return out


@CHECKS.check("HG-NETW-003", "low", "a configured name server does not answer", lynis="NETW-2704", reads="/etc/resolv.conf",
              remediation="Check the name server and that port 53 is not blocked.")
def check_nameserver_answers(check, host):
    return check.skip("/etc/resolv.conf", "querying a name server needs the network; hostguard audits without it",
                      {"nameservers": nameservers(host)})


@CHECKS.check("HG-NETW-004", "low", "fewer than 2 responsive name servers", lynis="NETW-2705", reads="/etc/resolv.conf",
              remediation="Add a backup name server to /etc/resolv.conf.")
def check_two_nameservers(check, host):
    servers = nameservers(host)
    if any(s in LOCAL_RESOLVERS for s in servers):
        return check.skip("/etc/resolv.conf", "a local resolver is configured (Lynis skips too)", {"nameservers": servers})
    return check.skip("/etc/resolv.conf", "whether a name server responds needs the network", {"nameservers": servers})


def interfaces(host):
    return list(host.listdir("/sys/class/net"))


@CHECKS.info("HG-NETW-005", "network interfaces (inventory)", "NETW-3004", "/sys/class/net")
def check_interfaces(check, host):
    return check.passed("/sys/class/net", {"interfaces": interfaces(host)})


@CHECKS.info("HG-NETW-006", "network MAC addresses (inventory)", "NETW-3006", "/sys/class/net/*/address")
def check_macs(check, host):
    macs = {}
    for name in interfaces(host):
        value = (host.read("/sys/class/net/%s/address" % name, 64) or "").strip()
        if value and value != "00:00:00:00:00:00":
            macs[name] = value
    return check.passed("/sys/class/net", {"mac_addresses": macs})


@CHECKS.info("HG-NETW-007", "IP addresses (inventory)", "NETW-3008", "/proc/net/fib_trie, /proc/net/if_inet6")
def check_addresses(check, host):
    v4, v6 = set(), set()
    lines = host.lines("/proc/net/fib_trie", 4 * 1024 * 1024) or []
    for index, line in enumerate(lines):
        if "/32 host LOCAL" in line and index > 0:
            v4.add(lines[index - 1].split()[-1])
    for line in host.lines("/proc/net/if_inet6") or []:
        parts = line.split()
        if parts:
            v6.add(":".join(parts[0][i:i + 4] for i in range(0, 32, 4)))
    return check.passed("addresses", {"ipv4": sorted(v4), "ipv6": sorted(v6)[:20]})


@CHECKS.info("HG-NETW-008", "listening ports (inventory)", "NETW-3012", "/proc/net/{tcp,tcp6,udp,udp6}")
def check_listening(check, host):
    socks = procfs.listening_sockets(host.root, protos=("tcp", "tcp6", "udp", "udp6"))
    items = sorted(set("%s %s:%s" % (s["proto"], s["addr"], s["port"]) for s in socks))
    return check.passed("/proc/net", {"count": len(items), "listening": items})


@CHECKS.check("HG-NETW-009", "high", "network interface in promiscuous mode", lynis="NETW-3015", attack="T1040", reads="/sys/class/net/*/flags",
              remediation="Find the sniffer that set IFF_PROMISC (ip link show; ps) and stop it, unless the host is a monitor.")
def check_promisc(check, host):
    found = []
    for name in interfaces(host):
        text = (host.read("/sys/class/net/%s/flags" % name, 64) or "").strip()
        try:
            flags = int(text, 16)
        except ValueError:
            continue
        if flags & IFF_PROMISC:
            found.append(name)
    return verdict(check, "interfaces", bool(found), {"promiscuous": found})


@CHECKS.check("HG-NETW-010", "low", "more than 5000 connections in a WAIT state", lynis="NETW-3028", reads="/proc/net/tcp, /proc/net/tcp6",
              remediation="Find the service that leaves connections in TIME_WAIT/CLOSE_WAIT.")
def check_wait_connections(check, host):
    count = 0
    for name in ("tcp", "tcp6"):
        for line in (host.lines("/proc/net/" + name, procfs.MAX_NET_BYTES) or [])[1:]:
            parts = line.split()
            if len(parts) > 3 and parts[3] in WAIT_STATES:
                count += 1
    return verdict(check, "/proc/net/tcp", count > MAX_WAIT, {"wait_connections": count, "limit": MAX_WAIT})


@CHECKS.info("HG-NETW-011", "DHCP client running", "NETW-3030", "/proc/*/comm")
def check_dhcp(check, host):
    names = sorted(set(p["comm"] for p in host.running("dhclient", "dhcpcd", "udhcpc", "dhcpcd-bin")))
    return check.passed("dhcp", {"running": names})


@CHECKS.info("HG-NETW-012", "ARP monitoring software running", "NETW-3032", "/proc/*/comm")
def check_arp_monitor(check, host):
    names = sorted(set(p["comm"] for p in host.running("addrwatch", "arpwatch", "arpon")))
    return check.passed("arp", {"running": names})


@CHECKS.check("HG-NETW-013", "low", "uncommon network protocol not disabled (dccp, sctp, rds, tipc)", lynis="NETW-3200", cis="3.4",
              reads="/etc/modprobe.conf, /etc/modprobe.d/*",
              remediation="install <proto> /bin/true in /etc/modprobe.d/ for each protocol not needed.", role="baseline_hardening")
def check_uncommon(check, host):
    files = ["/etc/modprobe.conf"] + ["/etc/modprobe.d/" + n for n in host.listdir("/etc/modprobe.d")]
    disabled = set()
    for path in files:
        for line in host.lines(path) or []:
            match = re.match(r"^install +(\S+) +/bin/true$", line)
            if match:
                disabled.add(match.group(1))
    enabled = [p for p in UNCOMMON_PROTOCOLS if p not in disabled]
    return [verdict(check, proto, proto in enabled, {"disabled": proto not in enabled})
            for proto in UNCOMMON_PROTOCOLS]


@CHECKS.check("HG-NETW-014", "medium", "IP forwarding enabled on a host that is not a router", cis="3.2.1",
              reads="/proc/sys/net/ipv4/ip_forward, /proc/sys/net/ipv6/conf/all/forwarding",
              remediation="net.ipv4.ip_forward=0 (and net.ipv6.conf.all.forwarding=0) unless the host routes or runs containers.")
def check_ip_forward(check, host):
    v4, v6 = sysctl(host, "net.ipv4.ip_forward"), sysctl(host, "net.ipv6.conf.all.forwarding")
    return verdict(check, "ip_forward", "1" in (v4, v6), {"ipv4": v4, "ipv6": v6})


def audit(params):
    return run_evaluators(CHECKS, Host(params["root"]))
