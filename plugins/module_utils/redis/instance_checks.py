# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of one running Redis instance: its process, its probes and its config together."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.redis.config_checks import _grade_protections, check_protected_mode
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.drift_checks import grade_drift
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.net import non_loopback
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.parse_config import DEFAULTS, PROTECTION_DIRECTIVES
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.probe import check_probes
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.spec import CHECKS


RUNNING = CHECKS.define(
    "HG-REDIS-011", "Redis server running", "info", "/proc, live probe",
    "Inventory only", {"lynis": "DBS-1880"})


def check_inventory(inst, first):
    """HG-REDIS-011 (Lynis DBS-1880): the instance, as an inventory line."""
    return RUNNING.passed(inst["name"], {
        "pid": inst.get("pid"), "user": inst.get("user"), "version": first.get("version") if first else None,
        "listeners": [l.get("path") or "%s:%s" % (l["address"], l["port"]) for l in inst.get("listeners", [])],
        "config": inst.get("config_path"), "unit": inst.get("unit")})


AUTHENTICATION = CHECKS.define(
    "HG-REDIS-006", "Redis authentication configured", "high",
    "requirepass / user / aclfile, ACL GETUSER default, probe",
    "Set requirepass or define ACL users and make the default user 'off' or passworded",
    {"lynis": "DBS-1884", "attack": "T1190"})


def default_user_state(eff, acl_users, probe):
    """'nopass' | 'password' | 'off' | 'unknown' for the default user."""
    if probe and probe.get("acl_default"):
        flags = probe["acl_default"].get("flags") or []
        if "off" in flags:
            return "off"
        if "nopass" in flags:
            return "nopass"
        return "password"
    if probe and probe.get("ping") == "noauth":
        return "password"
    if probe and probe.get("ping") == "ok" and probe.get("auth") == "not_tried":
        return "nopass"
    users = dict(eff.get("users") or {})
    users.update(acl_users or {})
    if "default" in users:
        user = users["default"]
        if not user["enabled"]:
            return "off"
        return "nopass" if user["nopass"] or not user["passwords"] else "password"
    if eff.get("requirepass_set"):
        return "password"
    return "nopass" if eff else "unknown"


def check_authentication(inst, eff, good, first):
    """HG-REDIS-006 for a running instance (Lynis DBS-1884 greps requirepass; we ask the server)."""
    subject = inst["name"]
    state = default_user_state(eff, inst.get("acl_users"), first)
    ev = {"default_user": state, "requirepass_in_config": eff.get("requirepass_set"),
          "acl_default": first.get("acl_default") if first else None,
          "unauthenticated_ping": [p["ping"] for p in good]}
    if state == "nopass":
        listeners = inst.get("listeners") or []
        local_only = bool(listeners) and not non_loopback(listeners)
        return AUTHENTICATION.fail(subject, ev, "no authentication: the default user has no password",
                                   severity="medium" if local_only else None)
    if state == "unknown":
        return AUTHENTICATION.skip(subject, "no probe answer and no config to judge", ev)
    return AUTHENTICATION.passed(subject, ev, "authentication configured")


def check_config_authentication(path, eff, acl_users, local_only):
    """HG-REDIS-006 for a config no running instance uses: no-auth is still worth saying."""
    state = default_user_state(eff, acl_users, None)
    ev = {"default_user": state, "requirepass_in_config": eff.get("requirepass_set"), "running": False}
    if state == "nopass":
        return AUTHENTICATION.fail(path, ev, severity="medium" if local_only else None)
    return AUTHENTICATION.passed(path, ev, "authentication configured")


EXPOSED = CHECKS.define(
    "HG-REDIS-001", "Redis reachable on a non-loopback address without authentication",
    "critical", "listening sockets, live probe",
    "Bind to 127.0.0.1/::1 or a unix socket, set a password (requirepass or ACL users), "
    "keep protected-mode yes and firewall the port",
    {"lynis": "DBS-1888", "attack": "T1190"})


def check_exposure(inst, good, pm):
    """HG-REDIS-001: a non-loopback listener, no auth and nothing denying remote clients.

    Returns (finding, remote_unauth)."""
    exposed_listeners = non_loopback(inst.get("listeners", []))
    unauth_ok = any(p["ping"] == "ok" for p in good)
    direct = [p for p in good if p["ping"] == "ok" and p.get("non_loopback")]
    # Redis 7 networking.c: protected mode refuses non-local clients when the default
    # user is nopass ("server.protected_mode && DefaultUser->flags & USER_FLAG_NOPASS").
    remote_unauth = bool(direct) or (bool(exposed_listeners) and unauth_ok and pm == "no")
    ev = {"non_loopback_listeners": ["%s:%s" % (l["address"], l["port"]) for l in exposed_listeners],
          "unauthenticated_ping": unauth_ok, "protected-mode": pm,
          "probed_directly": [p["endpoint"] for p in direct]}
    if remote_unauth:
        return EXPOSED.fail(inst["name"], ev), True
    return EXPOSED.passed(inst["name"], ev), False


@CHECKS.check("HG-REDIS-003", "high", "Redis CONFIG command callable by an unauthenticated client", lynis="DBS-1886", attack="T1190",
              reads="live probe (CONFIG GET without AUTH)",
              remediation="Require authentication; deny CONFIG to untrusted ACL users (-@dangerous) or "
                          "rename-command CONFIG \"\"")
def check_config_command(check, subject, good, remote_unauth):
    """HG-REDIS-003: CONFIG answered without AUTH (critical when the instance is exposed)."""
    accesses = [p.get("unauth", {}).get("config_access") for p in good if p["ping"] == "ok"]
    ev = {"unauthenticated_config": accesses}
    if "allowed" in accesses:
        return check.fail(subject, ev, severity="critical" if remote_unauth else None)
    if accesses or any(p["ping"] in ("noauth", "denied") for p in good):
        return check.passed(subject, ev, "CONFIG refused without authentication")
    return check.skip(subject, "no probe answered", ev)


@CHECKS.check("HG-REDIS-007", "high", "Redis runs as root", attack="T1190", reads="/proc/<pid>/status Uid",
              remediation="Run redis-server as a dedicated unprivileged user (User=redis in the unit)")
def check_run_as(check, inst):
    """HG-REDIS-007: the server's effective uid; [] when unknown."""
    ev = {"pid": inst.get("pid"), "uid": inst.get("uid"), "user": inst.get("user")}
    if inst.get("uid") == 0:
        return [check.fail(inst["name"], ev)]
    if inst.get("uid") is not None:
        return [check.passed(inst["name"], ev)]
    return []


def grade_instance(inst):
    """Findings of one running instance (process + probes + its config)."""
    subject = inst["name"]
    eff = inst.get("effective") or {}
    probes = inst.get("probes") or []
    good = [p for p in probes if p["status"] == "ok"]
    first = good[0] if good else None
    findings = [check_inventory(inst, first)]
    findings.extend(check_probes(probes))
    findings.append(check_authentication(inst, eff, good, first))
    # runtime protected-mode: CONFIG GET when we could, else the config file
    runtime = {}
    for probe in good:
        runtime.update(probe.get("runtime") or {})
    pm = (runtime.get("protected-mode") or eff.get("protected-mode") or DEFAULTS["protected-mode"]).lower()
    pm_source = "runtime" if "protected-mode" in runtime else ("config" if eff else "default")
    findings.append(check_protected_mode(subject, pm, {"protected-mode": pm, "source": pm_source}))
    prot = dict((k, runtime.get(k) or eff.get(k) or DEFAULTS[k]) for k in PROTECTION_DIRECTIVES)
    findings.append(_grade_protections(subject, prot, "runtime" if runtime else "config"))
    exposure, remote_unauth = check_exposure(inst, good, pm)
    findings.append(exposure)
    findings.append(check_config_command(subject, good, remote_unauth))
    findings.extend(grade_drift(inst, runtime, eff))
    findings.extend(check_run_as(inst))
    return findings
