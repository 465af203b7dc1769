# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sshd_config(5) syntax and ``sshd -T`` output: pure parsing functions, stdlib only."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

# OpenSSH's compiled-in defaults (servconf.c fill_default_server_options, as sshd -T prints
# them; OpenSSH 8.x/9.x). Used only when parsing files, for keywords the files never set.
OPENSSH_DEFAULTS = {
    "allowtcpforwarding": "yes",
    "clientalivecountmax": "3",
    "clientaliveinterval": "0",
    "compression": "yes",
    "fingerprinthash": "SHA256",
    "gatewayports": "no",
    "ignorerhosts": "yes",
    "logingracetime": "120",
    "loglevel": "INFO",
    "maxauthtries": "6",
    "maxsessions": "10",
    "permitrootlogin": "without-password",
    "permituserenvironment": "no",
    "permittunnel": "no",
    "port": "22",
    "printlastlog": "yes",
    "strictmodes": "yes",
    "tcpkeepalive": "yes",
    "usedns": "no",
    "x11forwarding": "no",
    "allowagentforwarding": "yes",
}

TIME_KEYWORDS = frozenset(["logingracetime", "clientaliveinterval"])


TIME_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_time(text):
    """sshd_config(5) TIME FORMATS: ``90``, ``1m30s``, ``2h`` -> seconds, or None.

    A single left-to-right scan (no regex): linear in the length of any input."""
    text = text.strip().lower()
    if not text:
        return None
    total = 0
    digits = ""
    for ch in text:
        if "0" <= ch <= "9":
            digits += ch
        elif ch in TIME_UNITS and digits:
            total += int(digits) * TIME_UNITS[ch]
            digits = ""
        else:
            return None
    if digits:
        if total:
            return None       # "1m30" : a trailing number without unit after a unit
        return int(digits)
    return total


def normalize_value(keyword, value):
    """The value as ``sshd -T`` would print it, for the keywords we grade."""
    if keyword in TIME_KEYWORDS:
        seconds = parse_time(value)
        return str(seconds) if seconds is not None else value
    low = value.lower()
    if keyword == "permitrootlogin" and low == "prohibit-password":
        return "without-password"
    if keyword == "compression" and low == "delayed":
        return "yes"
    return value


def parse_sshd_t(text):
    """Parse ``sshd -T`` output: keyword -> list of values (in printed order)."""
    values = {}
    for line in text.splitlines():
        parts = line.strip().split(None, 1)
        if not parts:
            continue
        keyword = parts[0].lower()
        values.setdefault(keyword, []).append(parts[1].strip() if len(parts) > 1 else "")
    return values


def parse_openssh_version(text):
    """``OpenSSH_9.2p1 Debian-2`` or a Debian version ``1:9.2p1-2+deb12u3`` -> (9, 2), or None."""
    if not text:
        return None
    text = text.strip()
    if "OpenSSH_" in text:
        text = text.split("OpenSSH_", 1)[1]
    elif ":" in text.split("-", 1)[0]:
        text = text.split(":", 1)[1]
    major, _dot, rest = text.partition(".")
    minor = ""
    for ch in rest:
        if not ch.isdigit():
            break
        minor += ch
    if not major.isdigit() or not minor:
        return None
    return int(major), int(minor)


def dpkg_package_version(lines, package):
    """The ``Version:`` of ``package`` in dpkg's status file lines (installed stanza), or None."""
    in_stanza = False
    installed = False
    version = None
    for line in list(lines) + [""]:
        if not line.strip():
            if in_stanza and installed and version:
                return version
            in_stanza, installed, version = False, False, None
            continue
        if line.startswith("Package: "):
            in_stanza = line[9:].strip() == package
        elif in_stanza and line.startswith("Status: "):
            installed = line.rstrip().endswith(" installed")
        elif in_stanza and line.startswith("Version: "):
            version = line[9:].strip()
    return None
