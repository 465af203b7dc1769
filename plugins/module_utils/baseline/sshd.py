# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sshd effective configuration and Lynis SSH-7408 grading (pure functions, stdlib only).

Two sources for the effective configuration, in this order:

1. ``sshd -T`` (only when auditing the running system, ``root == "/"``, and an sshd binary
   exists). It prints every keyword sshd knows with its effective global value, defaults
   included. It needs readable host keys and can fail (no keys, bad config): then we fall
   back, and say so in the evidence.
2. Parsing ``sshd_config`` under ``root`` the way sshd does, as documented in sshd_config(5):
   - "Unless noted otherwise, for each keyword, the first obtained value will be used."
     (``Port`` and a few others accumulate.)
   - "Include: ... each pathname may contain glob(7) wildcards that will be expanded and
     processed in lexical order. Files without absolute paths are assumed to be in /etc/ssh.
     An Include directive may appear inside a Match block to perform conditional inclusion."
   - "Match: ... the keywords on the following lines override those set in the global
     section of the config file, until either another Match line or the end of the file."
     Global values are what we grade, so lines inside a Match block are ignored (a Match
     opened in an included file ends with that file, as in OpenSSH's servconf.c).
   Keywords never set get OpenSSH's compiled-in default (``OPENSSH_DEFAULTS``), so both
   sources grade the same values.

Grading copies Lynis 3.0.8 ``include/tests_ssh`` test SSH-7408 (CISOfy/lynis, the SSHOPS
table and the comparison code below it), see ``LYNIS_SSH_7408`` and ``grade``.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core.sshd_config import (  # noqa: F401 (re-exported)
    MAX_CONFIG_BYTES, MAX_CONFIG_FILES, MAX_INCLUDE_DEPTH, MULTI_VALUE, parse_config_tree,
    split_config_line)

# Lynis include/tests_ssh, SSH-7408, SSHOPS (verbatim, Lynis 3.0.8 = CISOfy/lynis master):
#   <OptionName>:<ExpectedValue>,<MediumScoreValue>,<WeakValue>:<TestType>
#   TestType '=' equal is better, '<' less or equal is better, '>' more or equal is better,
#   '!' not equal (to the weak value) is better.
LYNIS_SSH_7408 = (
    "AllowTcpForwarding:NO,LOCAL,YES:=",
    "ClientAliveCountMax:2,4,16:<",
    "ClientAliveInterval:300,600,900:<",
    "Compression:NO,,YES:=",
    "FingerprintHash:SHA256,MD5,:=",
    "GatewayPorts:NO,,YES:=",
    "IgnoreRhosts:YES,,NO:=",
    "LoginGraceTime:120,240,480:<",
    "LogLevel:VERBOSE,INFO,:=",
    "MaxAuthTries:3,6,999:<",
    "MaxSessions:2,4,8:<",
    "PermitRootLogin:(FORCED-COMMANDS-ONLY|NO|PROHIBIT-PASSWORD|WITHOUT-PASSWORD),,YES:=",
    "PermitUserEnvironment:NO,,YES:=",
    "PermitTunnel:NO,,YES:=",
    "Port:,,22:!",
    "PrintLastLog:YES,,NO:=",
    "StrictModes:YES,,NO:=",
    "TCPKeepAlive:NO,,YES:=",
    "UseDNS:NO,,YES:=",
    "X11Forwarding:NO,,YES:=",
    "AllowAgentForwarding:NO,,YES:=",
)

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
GRADES = ("good", "medium", "weak", "unknown", "not_found")


class Expectation(object):
    """One row of the SSH-7408 table."""

    def __init__(self, option, expected, medium, weak, test):
        self.option = option
        self.expected = expected
        self.medium = medium
        self.weak = weak
        self.test = test

    def as_lynis(self):
        return "%s:%s,%s,%s:%s" % (self.option, self.expected, self.medium, self.weak, self.test)


def parse_expectation(text):
    """Parse ``Option:expected,medium,weak:test`` (Lynis's syntax) into an Expectation."""
    parts = text.strip().split(":")
    if len(parts) != 3:
        raise ValueError("expectation %r is not Option:expected,medium,weak:test" % (text,))
    option, values, test = parts
    fields = values.split(",")
    if len(fields) < 3:
        raise ValueError("expectation %r needs three comma-separated values" % (text,))
    if test not in ("=", "<", ">", "!"):
        raise ValueError("expectation %r has unknown test type %r" % (text, test))
    if not re.match(r"^[A-Za-z0-9]+$", option):
        raise ValueError("expectation %r has a bad option name" % (text,))
    return Expectation(option, fields[0].upper(), fields[1].upper(), fields[2].upper(), test)


def expectations(overrides=None):
    """The SSH-7408 table as an ordered list, with user overrides applied.

    ``overrides`` maps an option name to either a full Lynis line ("Opt:a,b,c:=") or just
    its value part plus test ("a,b,c:="). An override for an option not in the table adds it.
    """
    table = [parse_expectation(line) for line in LYNIS_SSH_7408]
    by_name = dict((e.option.lower(), i) for i, e in enumerate(table))
    for name, text in sorted((overrides or {}).items()):
        text = str(text)
        if text.count(":") == 1:
            text = "%s:%s" % (name, text)
        exp = parse_expectation(text)
        exp.option = name if exp.option.lower() == str(name).lower() else exp.option
        key = exp.option.lower()
        if key in by_name:
            table[by_name[key]] = exp
        else:
            by_name[key] = len(table)
            table.append(exp)
    return table


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _egrep(pattern, value):
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return False


def grade(value, exp):
    """Grade one (upper-cased) value exactly as Lynis SSH-7408 does.

    Returns good|medium|weak|unknown|not_found. Mirrors the shell code, quirks included:
    for '=' an exact match is tried first, then the expected and the medium values as
    egrep patterns (medium is tested last and wins); for '<' the weak test comes first.
    A non-numeric value under '<'/'>' is 'unknown' (the shell ``[ -ge ]`` errors out).
    """
    if value is None or value == "":
        return "not_found"
    value = value.upper()
    if exp.test == "=":
        if value == exp.expected:
            return "good"
        if value == exp.medium:
            return "medium"
        if value == exp.weak:
            return "weak"
        result = None
        if exp.expected and _egrep(exp.expected, value):
            result = "good"
        if exp.medium and _egrep(exp.medium, value):
            result = "medium"
        return result or "weak"
    if exp.test == "<":
        v, e, m, w = _int(value), _int(exp.expected), _int(exp.medium), _int(exp.weak)
        if v is None or e is None or m is None or w is None:
            return "unknown"
        if v >= w or v > m:
            return "weak"
        if m >= v > e:
            return "medium"
        if v <= e:
            return "good"
        return "unknown"
    if exp.test == ">":
        v, e, m, w = _int(value), _int(exp.expected), _int(exp.medium), _int(exp.weak)
        if v is None or e is None or w is None:
            return "unknown"
        if v <= w:
            return "weak"
        # Lynis's medium branch (v <= w and v >= m) can never be reached after the weak one.
        if v >= e:
            return "good"
        return "unknown"
    if exp.test == "!":
        return "weak" if value == exp.weak else "good"
    return "not_found"


# ---------------------------------------------------------------------------- parsing

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


def effective_from_files(root, path="/etc/ssh/sshd_config"):
    """Effective global values (keyword -> list of normalized strings) from the files."""
    tree = parse_config_tree(root, path)
    values = {}
    origin = {}
    for keyword, default in OPENSSH_DEFAULTS.items():
        if keyword in tree["values"]:
            values[keyword] = [normalize_value(keyword, v) for v in tree["values"][keyword]]
            origin[keyword] = tree["origin"][keyword]
        else:
            values[keyword] = [default]
            origin[keyword] = "default"
    for keyword, vals in tree["values"].items():
        if keyword not in values:
            values[keyword] = [normalize_value(keyword, v) for v in vals]
            origin[keyword] = tree["origin"][keyword]
    return {"values": values, "origin": origin, "files": tree["files"],
            "problems": tree["problems"], "found": tree["found"]}


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


def grade_option(exp, values):
    """Grade one option from effective values (keyword -> list). Returns a dict.

    Port can hold several values: Lynis grades the last line of ``sshd -T`` only; we grade
    every port and report the worst (a second port 22 is still port 22). Everything else
    has one value.
    """
    vals = values.get(exp.option.lower()) or []
    if not vals:
        return {"grade": "not_found", "value": None, "values": []}
    rank = {"weak": 0, "unknown": 1, "medium": 2, "good": 3, "not_found": 4}
    graded = [(grade(v, exp), v) for v in vals]
    worst = sorted(graded, key=lambda item: rank[item[0]])[0]
    return {"grade": worst[0], "value": worst[1].upper(), "values": [v for _g, v in graded]}
