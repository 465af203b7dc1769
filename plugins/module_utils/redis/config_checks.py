# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Static checks of one Redis config file (for running instances and unused configs alike)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import stat

from ansible_collections.hostguard.hardening.plugins.module_utils.redis.net import bind_is_loopback_only
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.parse_config import PROTECTION_DIRECTIVES
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.spec import CHECKS


CONFIG_INCOMPLETE = CHECKS.define(
    "HG-REDIS-012", "Redis config file could not be read completely", "medium",
    "config files and includes",
    "Fix the unreadable, cyclic or oversized include so the audit (and you) can see the config",
    {"lynis": "DBS-1882"})


def check_config_problems(cfg_path, parsed):
    """HG-REDIS-012: what of the config and its includes could not be read."""
    return [CONFIG_INCOMPLETE.error(problem["path"], problem["detail"],
                                    {"reason": problem["reason"], "config": cfg_path})
            for problem in parsed["problems"]]


@CHECKS.check("HG-REDIS-009", "high", "Redis config file readable by everyone", lynis="DBS-1882", reads="config file mode",
              remediation="chmod 640 (owner redis or root, group redis)")
def check_file_modes(check, parsed, acl):
    """HG-REDIS-009: config files (and the aclfile) readable by everyone."""
    findings = []
    for entry in parsed["files"]:
        mode = int(entry["mode"], 8)
        world = bool(mode & stat.S_IROTH)
        ev = {"path": entry["path"], "mode": entry["mode"], "holds_secret": entry["secret"]}
        if world and entry["secret"]:
            findings.append(check.fail(entry["path"], ev, "world-readable and holds a password"))
        elif world:
            findings.append(check.fail(entry["path"], ev, "world-readable (no password in it)",
                                       severity="low"))
        else:
            findings.append(check.passed(entry["path"], ev))
    if acl and int(acl.get("mode", "0"), 8) & stat.S_IROTH:
        findings.append(check.fail(acl["path"], {"path": acl["path"], "mode": acl["mode"],
                                                 "holds_secret": True},
                                   "aclfile is world-readable"))
    return findings


PROTECTED_MODE_OFF = CHECKS.define(
    "HG-REDIS-002", "Redis protected-mode is off", "high", "config file, CONFIG GET protected-mode",
    "Set 'protected-mode yes' (the default)", {"lynis": "DBS-1888", "attack": "T1190"})


def check_protected_mode(subject, pm, ev):
    """HG-REDIS-002 for a protected-mode value (``pm``, lower case) from config or runtime."""
    return PROTECTED_MODE_OFF.fail(subject, ev) if pm == "no" else PROTECTED_MODE_OFF.passed(subject, ev)


PROTECTIONS_OFF = CHECKS.define(
    "HG-REDIS-005", "Redis 7 protections turned off (enable-protected-configs / "
    "enable-debug-command / enable-module-command)", "high", "config file, CONFIG GET",
    "Remove these lines or set them to 'no' (default since Redis 7.0)", {"attack": "T1190"})


def _grade_protections(subject, values, source):
    loose = dict((k, v.lower()) for k, v in values.items() if str(v).lower() in ("yes", "local"))
    ev = {"values": dict((k, str(v).lower()) for k, v in values.items()), "source": source}
    if not loose:
        return PROTECTIONS_OFF.passed(subject, ev)
    severity = "high" if "yes" in loose.values() else "medium"
    return PROTECTIONS_OFF.fail(subject, ev, "turned off: %s" % ", ".join(
        "%s %s" % item for item in sorted(loose.items())), severity=severity)


BIND_EXPOSED = CHECKS.define(
    "HG-REDIS-013", "Redis bind includes non-loopback addresses", "medium", "config file bind",
    "bind 127.0.0.1 -::1 unless remote clients are intended (then require auth and TLS)",
    {"lynis": "DBS-1888", "attack": "T1190"})


def check_bind(cfg_path, eff):
    """HG-REDIS-013: the config's bind list reaches beyond loopback."""
    ev = {"bind": eff["bind"], "bind_configured": eff["bind_configured"], "port": eff["port"]}
    if eff["port"] == "0" or bind_is_loopback_only(eff["bind"]):
        return BIND_EXPOSED.passed(cfg_path, ev)
    return BIND_EXPOSED.fail(cfg_path, ev, "no bind line: Redis listens on every interface"
                             if not eff["bind_configured"] else None)


# Problems after which a directive may sit in what was not read (Redis applies the last value
# of a directive, so any unread part can override what was read): the passes of such a config
# are "not verified" errors instead (issue 17: no evasion by budget).
NOT_LOST = frozenset(("include_cycle", "include_depth", "repeated_include", "syntax", "missing",
                      "invalid_path"))


def unread_parts(parsed):
    """Paths of the config tree that Redis reads and that were not read, or not fully."""
    out = []
    for problem in parsed["problems"]:
        if problem["reason"] not in NOT_LOST and problem["path"] not in out:
            out.append(problem["path"])
    return out


def unless_unverified(check, finding, unread):
    """``finding`` itself, or, for a pass while ``unread`` parts exist, an error saying so."""
    if finding["status"] != "pass" or not unread:
        return finding
    ev = dict(finding.get("evidence") or {}, not_read=unread[:20])
    return check.error(finding["subject"], "not verified: %s not read or not fully (HG-REDIS-012); "
                                           "a later line there may override what was read"
                       % ", ".join(unread[:5]), ev)


def grade_config(cfg_path, parsed, eff, acl):
    """Static findings of one config file (for instances and configs alike)."""
    findings = check_config_problems(cfg_path, parsed)
    findings.extend(check_file_modes(parsed, acl))
    unread = unread_parts(parsed)
    pm = eff["protected-mode"].lower()
    findings.append(unless_unverified(PROTECTED_MODE_OFF, check_protected_mode(
        cfg_path, pm, {"protected-mode": pm, "source": "config", "config": cfg_path}), unread))
    findings.append(unless_unverified(PROTECTIONS_OFF, _grade_protections(
        cfg_path, dict((k, eff[k]) for k in PROTECTION_DIRECTIVES), "config"), unread))
    findings.append(unless_unverified(BIND_EXPOSED, check_bind(cfg_path, eff), unread))
    return findings
