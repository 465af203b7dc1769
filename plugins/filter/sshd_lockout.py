# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side filters of roles/ssh_hardening: `sshd -T` output, the options we want, and
the lock-out rules (README of the role). Pure functions; the role's tasks only orchestrate."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hostguard.hardening.plugins.plugin_utils.filters import filter_module

# sshd -T prints without-password for prohibit-password (older OpenSSH) - same meaning.
ALIASES = {"prohibit-password": "without-password"}
ROOT_KEY_ONLY = ("without-password", "prohibit-password", "forced-commands-only")


def _flat(value):
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def sshd_want(options):
    """{Keyword: value} -> {keyword (lower): value (lower, lists joined)}."""
    return dict((str(k).lower(), _flat(v).lower()) for k, v in (options or {}).items())


def sshd_config_dump(lines):
    """`sshd -T` lines -> {keyword: value}; repeated keywords (AllowUsers...) joined by spaces."""
    out = {}
    for line in lines or []:
        if " " not in line:
            continue
        key, value = line.split(" ", 1)
        out[key] = (out[key] + " " + value) if key in out else value
    return out


def sshd_not_effective(lines, want):
    """Wanted values that `sshd -T` shows differently (another file read earlier wins)."""
    eff = dict((k, v.lower()) for k, v in sshd_config_dump(lines).items())
    out = []
    for key, value in (want or {}).items():
        if key in eff and ALIASES.get(value, value) != ALIASES.get(eff[key], eff[key]):
            out.append({"option": key, "wanted": value, "effective": eff[key]})
    return out


def sshd_keyfiles(after, home, user):
    """AuthorizedKeysFile tokens (%h, %u, %%) -> absolute paths."""
    out = []
    for token in str(after.get("authorizedkeysfile", ".ssh/authorized_keys")).split():
        if token == "none":
            continue
        path = token.replace("%h", home).replace("%u", user).replace("%%", "%")
        out.append(path if path.startswith("/") else home.rstrip("/") + "/" + path)
    return out


def _pattern(pattern):
    """sshd_config(5) PATTERNS: `*` and `?` wildcards; USER@HOST keeps the user part here."""
    user = pattern.split("@")[0]
    return "^" + re.escape(user).replace("\\*", ".*").replace("\\?", ".") + "$"


def _admits(patterns, name):
    return any(re.match(_pattern(p), name) for p in str(patterns).split())


def sshd_lockout(after, user, keys, groups):
    """Reasons why `after` (effective values with ours applied) would lock `user` out."""
    keys = int(keys)
    keycmd = after.get("authorizedkeyscommand", "none") != "none"
    password = (after.get("passwordauthentication", "yes") == "yes"
                or after.get("kbdinteractiveauthentication", "no") == "yes")
    pubkey = after.get("pubkeyauthentication", "yes") == "yes"
    root_login = after.get("permitrootlogin", "")
    out = []
    if not password and not pubkey:
        out.append("PasswordAuthentication and PubkeyAuthentication would both be off: nobody could log in")
    if not password and pubkey and keys == 0 and not keycmd:
        out.append("PasswordAuthentication no, but %s has no public key in %s: add a key first or set "
                   "ssh_hardening_extra_options.PasswordAuthentication"
                   % (user, after.get("authorizedkeysfile", ".ssh/authorized_keys")))
    if user == "root" and root_login == "no":
        out.append("PermitRootLogin no while you log in as root: log in as another user"
                   " (ssh_hardening_login_user) or keep PermitRootLogin prohibit-password")
    if user == "root" and keys == 0 and not keycmd and root_login in ROOT_KEY_ONLY:
        out.append("PermitRootLogin %s allows root only with a key, and root has none" % root_login)
    if str(after.get("allowusers", "")).strip() and not _admits(after["allowusers"], user):
        out.append("AllowUsers (%s) does not admit %s" % (after["allowusers"], user))
    if str(after.get("denyusers", "")).strip() and _admits(after["denyusers"], user):
        out.append("DenyUsers (%s) matches %s" % (after["denyusers"], user))
    if str(after.get("allowgroups", "")).strip() and not any(_admits(after["allowgroups"], g) for g in groups):
        out.append("AllowGroups (%s) admits none of %s's groups %s" % (after["allowgroups"], user, ",".join(groups)))
    return out


FilterModule = filter_module(
    sshd_want, sshd_config_dump, sshd_not_effective, sshd_keyfiles, sshd_lockout)
