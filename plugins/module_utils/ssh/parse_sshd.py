# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sshd_config(5) syntax and ``sshd -T`` output: pure parsing functions, stdlib only."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

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


def parse_time(text):
    """sshd_config(5) TIME FORMATS: ``90``, ``1m30s``, ``2h`` -> seconds, or None."""
    text = text.strip().lower()
    if re.match(r"^\d+$", text):
        return int(text)
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    total = 0
    pos = 0
    for match in re.finditer(r"(\d+)([smhdw])", text):
        if match.start() != pos:
            return None
        total += int(match.group(1)) * units[match.group(2)]
        pos = match.end()
    if pos != len(text) or pos == 0:
        return None
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


