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

``unit_policy(root)`` finds sshd.service as systemd loads it (core/systemd_units.py: search
path precedence ``/etc`` > ``/run`` > ``/usr/lib``, masking, aliases, drop-ins ``sshd.service.d/``
and ``service.d/`` of every directory in name order) and reads its ``[Service]`` settings in that
order: an empty ``EnvironmentFile=``/``Environment=``/``ExecStart=`` resets the list, a drop-in adds
to it; ``Environment=`` values are overridden by the environment files, which are read in order
(systemd.exec(5)). It returns the ``-o`` options the unit passes, with where ``CRYPTO_POLICY`` was
set. Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import shlex

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths, safe_read, systemd_units
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import read_text_lines

UNIT = "sshd.service"
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


def parse_environment_directive(value):
    """KEY -> value of one ``Environment=`` line (space-separated assignments, quotes group words;
    systemd ignores an assignment without ``=`` and a line it cannot split)."""
    try:
        words = shlex.split(value)
    except ValueError:
        return {}
    env = {}
    for word in words:
        key, sep, val = word.partition("=")
        if sep and re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
            env[key] = val
    return env


def _service_settings(root, unit, out):
    """EnvironmentFile=, Environment= and ExecStart= of the unit file and its drop-ins, in the
    order systemd applies them (an empty assignment resets the list)."""
    env_files, environment, execstart = [], {}, []
    for path in systemd_units.unit_files(unit):
        try:
            lines = systemd_units.read_lines(root, path)
        except safe_read.SafeReadError:
            out["not_read"].append("%s (unreadable)" % path)
            continue
        for lineno, key, value in systemd_units.section_assignments(lines, "Service"):
            where = "%s:%d" % (path, lineno)
            if key == "EnvironmentFile":
                env_files = env_files + [(value, where)] if value else []
            elif key == "Environment":
                if not value:
                    environment = {}
                for name, val in parse_environment_directive(value).items():
                    environment[name] = (val, where)
            elif key == "ExecStart":
                execstart = execstart + [(value, path)] if value else []
    return env_files, environment, execstart


def unit_policy(root):
    """What sshd.service passes as $CRYPTO_POLICY under ``root``: {"applies", "unit", "set_in",
    "options", "reason", "not_read"}; ``applies`` False with the reason when nothing is passed.
    ``unit``: the unit file systemd loads (its drop-ins are read too; ``set_in`` names the file,
    and for ``Environment=`` the line, that set the value)."""
    out = {"applies": False, "unit": None, "set_in": None, "options": {}, "reason": None, "not_read": []}
    unit = systemd_units.find_unit(root, UNIT)
    if unit is None:
        out["reason"] = "no sshd.service unit under root"
        return out
    if unit["masked"]:
        out["unit"] = unit["path"]
        out["reason"] = "%s is masked (systemd does not start it)" % unit["path"]
        return out
    res = paths.resolve(root, unit["real"])      # the file systemd loads: alias, /lib -> usr/lib
    real = out["unit"] = res.path if res.ok else unit["real"]
    cut = systemd_units.dropins_cut(unit)
    if cut:
        out["not_read"].append(cut)
    env_files, environment, execstart = _service_settings(root, unit, out)
    passing = [path for cmd, path in execstart if _POLICY_REF.search(cmd)]
    if not passing:
        out["reason"] = "%s ExecStart does not pass $CRYPTO_POLICY" % real
        return out
    if passing[-1] != unit["real"]:
        out["unit"] = "%s (ExecStart in %s)" % (real, passing[-1])
    value = None
    if "CRYPTO_POLICY" in environment:
        value, where = environment["CRYPTO_POLICY"]
        out["set_in"] = "%s Environment=" % where
    for spec, _where in env_files:
        optional = spec.startswith("-")
        path = spec.lstrip("-")
        env_lines = _lines(root, path)
        if env_lines is None:
            if not optional:
                out["reason"] = "%s: EnvironmentFile %s missing (systemd refuses to start the unit)" % (real, path)
                return out
            continue
        env = parse_environment_file(env_lines)
        if "CRYPTO_POLICY" in env:     # the files override Environment=, a later file an earlier one
            value, out["set_in"] = env["CRYPTO_POLICY"], path
    if not value:
        out["reason"] = ("CRYPTO_POLICY is empty (%s: the opt-out)" % out["set_in"] if out["set_in"]
                         else "no EnvironmentFile of %s sets CRYPTO_POLICY" % real)
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
