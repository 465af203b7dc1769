# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The RHEL family's system-wide crypto policy as sshd receives it (I/O under ``root``).

Two layouts, both read as they apply:

- EL9 / Fedora >= 33: ``/etc/ssh/sshd_config.d/50-redhat.conf`` says
  ``Include /etc/crypto-policies/back-ends/opensshserver.config``, a file of sshd_config lines
  (``Ciphers ...``, ``MACs ...``, ``KexAlgorithms ...``). The Include tree parser
  (core/sshd_config.py) reads it like any drop-in: first value wins, ``origin`` names the file.
- EL8 (OpenSSH 8.0, no Include in sshd_config): ``sshd.service`` has
  ``EnvironmentFile=-/etc/crypto-policies/back-ends/opensshserver.config``,
  ``EnvironmentFile=-/etc/sysconfig/sshd`` and ``ExecStart=/usr/sbin/sshd -D $OPTIONS $CRYPTO_POLICY``;
  the back-end file is one line ``CRYPTO_POLICY='-oCiphers=... -oMACs=... -oKexAlgorithms=...'``.
  Command-line ``-o`` options come before every file sshd reads, so they win over sshd_config
  (sshd(8): "-o option ... for which there is no separate command-line flag"; first value
  wins). ``CRYPTO_POLICY=`` in /etc/sysconfig/sshd (read later) empties it: the opt-out.

``unit_policy(root)`` reads the unit (``/etc/systemd/system`` before ``/usr/lib/systemd/system``)
and its environment files in order, as systemd does, and returns the ``-o`` options the unit
passes, with the file that set ``CRYPTO_POLICY``. Drop-ins of sshd.service are listed, not
interpreted (``not_read``). Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths, safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import read_text_lines

UNIT_PATHS = ("/etc/systemd/system/sshd.service", "/usr/lib/systemd/system/sshd.service",
              "/lib/systemd/system/sshd.service")
BACKEND = "/etc/crypto-policies/back-ends/opensshserver.config"
MAX_BYTES = 256 * 1024
CRYPTO_KEYWORDS = ("ciphers", "macs", "kexalgorithms")
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_POLICY_REF = re.compile(r"\$(?:CRYPTO_POLICY\b|\{CRYPTO_POLICY\})")


def _lines(root, path):
    try:
        return read_text_lines(root, path, MAX_BYTES)
    except safe_read.SafeReadError:
        return None


def _unquote(value):
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def parse_environment_file(lines):
    """KEY -> value of a systemd EnvironmentFile (``#``/``;`` comments, quotes, last wins)."""
    env = {}
    for line in lines:
        if line.lstrip().startswith(("#", ";")):
            continue
        match = _ENV_LINE.match(line)
        if match:
            env[match.group(1)] = _unquote(match.group(2))
    return env


def parse_o_options(text):
    """sshd ``-oKey=Value`` / ``-o Key=Value`` / ``-oKey Value`` words -> {keyword_lower: value}
    (first wins, as sshd keeps the first value of a keyword)."""
    words = text.split()
    out = {}
    i = 0
    while i < len(words):
        word = words[i]
        if word == "-o" and i + 1 < len(words):
            option, i = words[i + 1], i + 2
        elif word.startswith("-o") and len(word) > 2:
            option, i = word[2:], i + 1
        else:
            i += 1
            continue
        key, sep, value = option.partition("=")
        if not sep:
            key, _sep, value = option.partition(" ")
        if key and value:
            out.setdefault(key.lower(), value)
    return out


def _unit(root):
    for path in UNIT_PATHS:
        lines = _lines(root, path)
        if lines is not None:
            return path, lines
    return None, None


def unit_policy(root):
    """What sshd.service passes as $CRYPTO_POLICY under ``root``: {"applies", "unit", "set_in",
    "options", "reason", "not_read"}; ``applies`` False with the reason when nothing is passed."""
    unit, lines = _unit(root)
    out = {"applies": False, "unit": unit, "set_in": None, "options": {}, "reason": None, "not_read": []}
    if unit is None:
        out["reason"] = "no sshd.service unit under root"
        return out
    dropins = paths.resolve(root, unit + ".d", follow=True)
    if dropins.ok:
        out["not_read"].append(unit + ".d (drop-ins of sshd.service are not interpreted)")
    env_files = []
    execstart = []
    section = None
    for line in lines:
        text = line.strip()
        if text.startswith("["):
            section = text
        elif section == "[Service]" and "=" in text and not text.startswith(("#", ";")):
            key, value = [s.strip() for s in text.split("=", 1)]
            if key == "EnvironmentFile":
                env_files.append(value)
            elif key == "ExecStart":
                execstart = [value] if value else []
    if not any(_POLICY_REF.search(cmd) for cmd in execstart):
        out["reason"] = "%s ExecStart does not pass $CRYPTO_POLICY" % unit
        return out
    value = None
    for spec in env_files:
        optional = spec.startswith("-")
        path = spec.lstrip("-")
        env_lines = _lines(root, path)
        if env_lines is None:
            if not optional:
                out["reason"] = "%s: EnvironmentFile %s missing (systemd refuses to start the unit)" % (unit, path)
                return out
            continue
        env = parse_environment_file(env_lines)
        if "CRYPTO_POLICY" in env:
            value, out["set_in"] = env["CRYPTO_POLICY"], path
    if not value:
        out["reason"] = ("CRYPTO_POLICY is empty (%s: the opt-out)" % out["set_in"] if out["set_in"]
                         else "no EnvironmentFile of %s sets CRYPTO_POLICY" % unit)
        return out
    out["options"] = parse_o_options(value)
    out["applies"] = bool(out["options"])
    if not out["applies"]:
        out["reason"] = "CRYPTO_POLICY in %s holds no -o option" % out["set_in"]
    return out


def apply_to(eff, policy):
    """Put the unit's -o options over the effective values parsed from the files (they win)."""
    if not policy.get("applies"):
        return eff
    where = "%s ExecStart $CRYPTO_POLICY (set in %s)" % (policy["unit"], policy["set_in"])
    for keyword, value in policy["options"].items():
        eff["values"][keyword] = [value]
        eff["origin"][keyword] = where
    return eff


def sshd_t_arguments(policy):
    """The -o words to give ``sshd -T`` so that it prints what the unit's sshd runs with."""
    if not policy.get("applies"):
        return []
    return ["-o%s=%s" % (k, v) for k, v in sorted(policy["options"].items())]
