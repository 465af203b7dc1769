# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis SSH-7408: its expectation table and its grading, copied from Lynis 3.0.8
``include/tests_ssh`` (CISOfy/lynis, the SSHOPS table and the comparison code below it).
Pure functions, stdlib only."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

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
