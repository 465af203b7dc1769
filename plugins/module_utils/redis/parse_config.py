# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Redis config syntax (sdssplitargs quoting, ACL user rules) and the effective values
Redis would use: pure functions, no I/O."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


# Redis 7 defaults (redis.conf shipped with 7.0; src/config.c standardConfig table).
DEFAULTS = {
    "port": "6379",
    "protected-mode": "yes",
    "dir": "./",
    "dbfilename": "dump.rdb",
    "enable-protected-configs": "no",
    "enable-debug-command": "no",
    "enable-module-command": "no",
}
# Without a ``bind`` line Redis 7 listens on every interface ("* -::*").
DEFAULT_BIND = ["*", "-::*"]
PROTECTION_DIRECTIVES = ("enable-protected-configs", "enable-debug-command", "enable-module-command")
SINGLE_VALUED = ("port", "protected-mode", "unixsocket", "unixsocketperm", "aclfile", "dir",
                 "dbfilename", "enable-protected-configs", "enable-debug-command",
                 "enable-module-command", "daemonize", "supervised", "logfile", "pidfile")
SECRET_DIRECTIVES = ("requirepass", "masterauth", "masteruser")


class ConfigSyntaxError(ValueError):
    pass


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a"}


def _after_closing_quote(line, i):
    """The index after the closing quote at ``i``: Redis refuses a quote glued to the next word."""
    if i + 1 < len(line) and not line[i + 1].isspace():
        raise ConfigSyntaxError("closing quote must be followed by a space")
    return i + 1


def split_args(line):
    """Split a config line as Redis' ``sdssplitargs`` does.

    Double quotes take ``\\xHH``, ``\\n``, ``\\r``, ``\\t``, ``\\b``, ``\\a`` and ``\\<char>``;
    single quotes take only ``\\'``; a closing quote must be followed by a space or the end.
    Raises ConfigSyntaxError on unbalanced quotes (Redis refuses to start on them).
    """
    args = []
    i, n = 0, len(line)
    hexdigits = "0123456789abcdefABCDEF"
    while True:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            return args
        current = []
        inq = insq = False
        while True:
            if inq:
                if i >= n:
                    raise ConfigSyntaxError("unbalanced double quotes")
                ch = line[i]
                if ch == "\\" and i + 3 < n and line[i + 1] == "x" and line[i + 2] in hexdigits \
                        and line[i + 3] in hexdigits:
                    current.append(chr(int(line[i + 2:i + 4], 16)))
                    i += 3
                elif ch == "\\" and i + 1 < n:
                    i += 1
                    current.append(_ESCAPES.get(line[i], line[i]))
                elif ch == '"':
                    i = _after_closing_quote(line, i)
                    break
                else:
                    current.append(ch)
            elif insq:
                if i >= n:
                    raise ConfigSyntaxError("unbalanced single quotes")
                ch = line[i]
                if ch == "\\" and i + 1 < n and line[i + 1] == "'":
                    i += 1
                    current.append("'")
                elif ch == "'":
                    i = _after_closing_quote(line, i)
                    break
                else:
                    current.append(ch)
            else:
                if i >= n:
                    break
                ch = line[i]
                if ch.isspace():
                    break
                if ch == '"':
                    inq = True
                elif ch == "'":
                    insq = True
                else:
                    current.append(ch)
            i += 1
        args.append("".join(current))


def parse_user_rules(args):
    """An ACL ``user`` line's rules -> a secret-free summary."""
    name = args[0] if args else ""
    summary = {"name": name, "enabled": False, "nopass": False, "passwords": 0, "rules": []}
    for rule in args[1:]:
        low = rule.lower()
        if low == "on":
            summary["enabled"] = True
        elif low == "off":
            summary["enabled"] = False
        elif low == "nopass":
            summary["nopass"] = True
            summary["passwords"] = 0
        elif low == "resetpass":
            summary["nopass"] = False
            summary["passwords"] = 0
        elif rule[:1] in (">", "#"):
            summary["passwords"] += 1
            summary["nopass"] = False
        elif rule[:1] in ("<", "!"):
            summary["passwords"] = max(0, summary["passwords"] - 1)
        elif low == "reset":
            summary.update({"enabled": False, "nopass": False, "passwords": 0, "rules": []})
        else:
            summary["rules"].append(rule)
    return summary


def effective_config(parsed):
    """The values Redis would use, from parsed directives. No secret values are kept."""
    values = {}
    bind = None
    renamed = {}
    users = {}
    requirepass = None
    for _path, _lineno, name, args in parsed["directives"]:
        if name == "bind":
            bind = list(args)
        elif name == "rename-command" and len(args) == 2:
            # the new name is itself a secret-by-obscurity: keep only renamed/disabled
            renamed[args[0].upper()] = "disabled" if args[1] == "" else "renamed"
        elif name == "user" and args:
            users[args[0]] = parse_user_rules(args)
        elif name == "requirepass" and args:
            requirepass = args[0] != ""
        elif name in SINGLE_VALUED and args:
            values[name] = args[0]
    out = dict(DEFAULTS)
    out.update(values)
    out["bind"] = bind if bind is not None else list(DEFAULT_BIND)
    out["bind_configured"] = bind is not None
    out["renamed_commands"] = renamed
    out["users"] = users
    out["requirepass_set"] = bool(requirepass)
    out["explicit"] = sorted(values)
    if requirepass:
        users.setdefault("default", {"name": "default", "enabled": True, "nopass": False,
                                     "passwords": 1, "rules": ["~*", "+@all"]})["passwords"] = 1
    return out


def config_secrets(parsed, root="/"):
    """Secret values of a parsed config (for the final scrub only; never returned)."""
    out = set()
    for _path, _lineno, name, args in parsed["directives"]:
        if name in SECRET_DIRECTIVES[:2] and args and args[0]:
            out.add(args[0])
        elif name == "rename-command" and len(args) == 2 and args[1]:
            out.add(args[1])
        elif name == "user":
            for rule in args[1:]:
                if rule[:1] in (">", "#", "<", "!") and len(rule) > 1:
                    out.add(rule[1:])
    return out
