# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The read-only live probe (PING, AUTH, INFO server, CONFIG GET, ACL) and HG-REDIS-010, the
probe's own verdict: never CONFIG SET, never a write; one deadline per instance."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.hostguard.hardening.plugins.module_utils.redis import resp
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.net import endpoints_of, is_loopback
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.spec import CHECKS


MAX_PROBED_INSTANCES = 16
MAX_ENDPOINTS_PER_INSTANCE = 8
MAX_EXTRA_ENDPOINTS = 32
# One deadline per instance: all its endpoints and calls share INSTANCE_BUDGET x timeout.
INSTANCE_BUDGET = 2.0
CONFIG_KEYS_TO_GET = ("dir", "dbfilename", "protected-mode", "bind", "port", "unixsocket",
                      "enable-protected-configs", "enable-debug-command", "enable-module-command")


def _classify_error(reply):
    code = reply.code.upper()
    if code == "NOAUTH":
        return "noauth"
    if code == "NOPERM":
        return "noperm"
    if code == "DENIED":
        return "denied"
    if code == "WRONGPASS":
        return "wrongpass"
    if "unknown command" in reply.text.lower():
        return "unknown_command"
    return "error"


def probe_endpoint(address, password=None, username=None, timeout=resp.DEFAULT_TIMEOUT,
                   max_reply_bytes=resp.DEFAULT_MAX_REPLY_BYTES, deadline=None):
    """Read-only probe of one endpoint. Never raises: network, protocol and reply-type
    trouble (a server that lies) all give ``status: error`` with the reason.

    ``deadline`` (a time.monotonic() value): the instance's one deadline, shared by all its
    endpoints; no call of this probe runs past it.

    Returns {"endpoint", "status": ok|error, "error", "ping", "auth", "version",
    "config_file", "config_access", "runtime", "acl_default", "whoami"}.
    """
    out = {"endpoint": resp.format_address(address), "status": "ok", "error": None,
           "ping": None, "auth": "not_tried", "version": None, "config_file": None,
           "process_id": None, "config_access": None, "runtime": {}, "acl_default": None,
           "whoami": None, "unauth": {}}
    client = resp.RespClient(address, timeout=timeout, max_reply_bytes=max_reply_bytes,
                             deadline=deadline)
    try:
        client.connect()
        reply = client.call("PING")
        if isinstance(reply, resp.ErrorReply):
            out["ping"] = _classify_error(reply)
        elif resp.text(reply) == "PONG":
            out["ping"] = "ok"
        else:
            out["ping"] = "unexpected"
            out["status"] = "error"
            out["error"] = "PING answered %r: not a Redis server?" % (str(resp.text(reply))[:64],)
            return out
        if out["ping"] == "denied":
            return out
        _query(client, out, out["unauth"])
        out["config_access"] = out["unauth"].get("config_access")
        if password:
            args = ("AUTH", username, password) if username else ("AUTH", password)
            reply = client.call(*args)
            if isinstance(reply, resp.ErrorReply):
                out["auth"] = "failed"
            else:
                out["auth"] = "ok"
                authed = {}
                _query(client, out, authed)
                out["authenticated"] = authed
    except resp.RespError as exc:
        out["status"] = "error"
        out["error"] = "%s: %s" % (exc.reason, exc.message)
        out["error_reason"] = exc.reason
    except Exception as exc:  # pylint: disable=broad-except
        # a lying server never crashes the area
        out["status"] = "error"
        out["error"] = "internal: %s: %s" % (type(exc).__name__, exc)
        out["error_reason"] = "internal"
    finally:
        client.close()
    return out


PROBE = CHECKS.define(
    "HG-REDIS-010", "Redis endpoint probe", "medium", "live probe",
    "Check that the endpoint is a Redis server and answers; an endpoint that accepts and "
    "never answers is not a healthy Redis", {"attack": "T1190"})


def check_probes(probes):
    """HG-REDIS-010 for each probe made: an endpoint that is no (healthy) Redis is an error."""
    findings = []
    for probe in probes:
        ev = {"endpoint": probe["endpoint"], "ping": probe["ping"], "error": probe.get("error")}
        if probe["status"] == "error":
            findings.append(PROBE.error(probe["endpoint"], probe.get("error") or "probe failed", ev))
        else:
            findings.append(PROBE.passed(probe["endpoint"], ev))
    return findings


def probe_instance(inst, server, index, password, username, timeout, max_reply):
    """Probe the endpoints of one running instance under ONE deadline (INSTANCE_BUDGET x
    timeout for all of them) and the caps; returns findings for what was not probed (issue 17:
    5 listeners answering at 0.9x the timeout took 117 s with a deadline per call)."""
    findings = []
    endpoints = endpoints_of(server["listeners"])
    if index >= MAX_PROBED_INSTANCES:
        inst["not_probed"] = [{"endpoint": resp.format_address(a), "why": "instance cap"} for a in endpoints]
        return [PROBE.error(inst["name"], "not probed: more than %d Redis instances on this "
                            "host" % MAX_PROBED_INSTANCES,
                            {"reason": "instance_cap", "endpoints": len(endpoints)})]
    budget = INSTANCE_BUDGET * timeout
    deadline = time.monotonic() + budget
    cut = []
    for address in endpoints:
        name = resp.format_address(address)
        if (address[0] == "tcp" and not server.get("same_netns", True)) or \
                (address[0] == "unix" and not server.get("same_mntns", True)):
            inst.setdefault("not_probed", []).append({"endpoint": name, "why": "in another namespace (container)"})
            continue
        if len(inst["probes"]) >= MAX_ENDPOINTS_PER_INSTANCE:
            cut.append((name, "endpoint cap (%d)" % MAX_ENDPOINTS_PER_INSTANCE))
            continue
        if time.monotonic() >= deadline:
            cut.append((name, "instance deadline (%.1f s) spent" % budget))
            continue
        probe = probe_endpoint(address, password, username, timeout, max_reply, deadline=deadline)
        probe["non_loopback"] = address[0] == "tcp" and not is_loopback(address[1])
        inst["probes"].append(probe)
    if cut:
        inst.setdefault("not_probed", []).extend({"endpoint": n, "why": why} for n, why in cut)
        findings.append(PROBE.error(
            inst["name"], "not fully probed: %d endpoint(s) skipped (%s)" % (len(cut), cut[0][1]),
            {"reason": "instance_budget", "skipped": [n for n, _w in cut], "budget_seconds": budget}))
    return findings


def _query(client, out, into):
    info = client.call("INFO", "server")
    if isinstance(info, resp.ErrorReply):
        into["info"] = _classify_error(info)
    else:
        fields = resp.parse_info(info)     # RespTypeError for ":1" and other lies
        into["info"] = "ok"
        out["version"] = fields.get("redis_version") or fields.get("valkey_version") or out["version"]
        out["config_file"] = fields.get("config_file") or out["config_file"]
        out["process_id"] = fields.get("process_id") or out["process_id"]
        out["executable"] = fields.get("executable")
    runtime = {}
    access = None
    for key in CONFIG_KEYS_TO_GET:
        reply = client.call("CONFIG", "GET", key)
        if isinstance(reply, resp.ErrorReply):
            access = _classify_error(reply)
            if access == "unknown_command":
                access = "renamed_or_disabled"
            break
        access = "allowed"
        runtime.update(resp.pairs_to_dict(reply, "CONFIG GET %s" % key))
    into["config_access"] = access
    if runtime:
        out["runtime"] = runtime
    reply = client.call("ACL", "WHOAMI")
    if not isinstance(reply, resp.ErrorReply):
        out["whoami"] = resp.expect_text(reply, "ACL WHOAMI")
    reply = client.call("ACL", "GETUSER", "default")
    if isinstance(reply, resp.ErrorReply):
        into["acl"] = _classify_error(reply)
    elif reply is not None:
        fields = resp.pairs_to_dict(reply, "ACL GETUSER", lists=True)
        into["acl"] = "ok"
        passwords = fields.get("passwords")
        # keep flags and command rules; never the password hashes
        out["acl_default"] = {"flags": fields.get("flags"),
                              "passwords": len(passwords) if isinstance(passwords, list) else 0,
                              "commands": fields.get("commands"),
                              "keys": fields.get("keys")}
