# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Redis exposure audit: config files, running instances, a read-only live probe, grading.

Seed 000: a 600 MB ``/var/spool/cron/dump.rdb`` was written by a Redis anyone could reach
and reconfigure (``CONFIG SET dir /var/spool/cron``, ``CONFIG SET dbfilename root``, a key
holding a cron line, ``SAVE``). Lynis (DBS-1880..1888, include/tests_databases) only checks
that redis-server runs, that config files are not world-readable, and greps them for
``^requirepass``, ``^rename-command CONFIG`` and ``^bind (localhost|127\\.)``. Here we judge
the instance that is actually running:

1. config files (``/etc/redis/*.conf`` ...) parsed as Redis does (``sdssplitargs``
   quoting, last line wins, ``include`` inline with globs), bounded depth and cycles;
2. running redis-server / valkey-server processes from /proc: user, cwd (= runtime
   ``dir``: Redis ``chdir``s into it, also on ``CONFIG SET dir``), listening sockets,
   systemd unit (from /proc/<pid>/cgroup);
3. a probe per endpoint, read-only: PING, AUTH (optional password), INFO server,
   CONFIG GET, ACL WHOAMI / ACL GETUSER default. Never CONFIG SET, never a write;
4. findings HG-REDIS-0xx made from the checks defined next to their code.

Secrets (requirepass, masterauth, user ``>password`` / ``#hash`` rules, the probe
password, the names CONFIG was renamed to) are never copied into results; a final scrub
replaces any that slipped into the result with ``<redacted>``. Stdlib only.

The pieces: spec.py (options, CheckSet), collect.py (servers, units, config discovery),
read_config.py (config + includes, bounded), parse_config.py / net.py / dangerous_paths.py
(pure), probe.py (the live probe, HG-REDIS-010), config_checks.py (002, 005, 009, 012, 013),
instance_checks.py (001, 003, 006, 007, 011), drift_checks.py (004), unit_checks.py (008).
The names imported below are this area's public face (tests and bench use them from here)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import area_result, sort_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.redis import resp
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.collect import (
    DEFAULT_CONFIG_GLOBS, MAX_SERVER_FDS, SERVER_NAMES, UNIT_PATTERNS, discover_config_paths,
    find_servers, find_units, parse_unit, proc_root, server_kind, server_listeners,
    unit_config_path, unit_of_pid)
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.config_checks import (
    CONFIG_INCOMPLETE, _grade_protections, grade_config)
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.dangerous_paths import (
    DANGEROUS_COMPONENTS, DANGEROUS_FILENAMES, DANGEROUS_PREFIXES, classify_dir, dump_path)
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.drift_checks import grade_drift
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.instance_checks import (
    RUNNING, check_config_authentication, default_user_state, grade_instance)
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.net import (
    bind_is_loopback_only, endpoints_of, is_loopback)
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.parse_config import (
    DEFAULTS, DEFAULT_BIND, PROTECTION_DIRECTIVES, SECRET_DIRECTIVES, SINGLE_VALUED,
    ConfigSyntaxError, config_secrets, effective_config, parse_user_rules, split_args)
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.probe import (
    CONFIG_KEYS_TO_GET, INSTANCE_BUDGET, MAX_ENDPOINTS_PER_INSTANCE, MAX_EXTRA_ENDPOINTS,
    MAX_PROBED_INSTANCES, PROBE, probe_endpoint, probe_instance)
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.read_config import (
    MAX_CONFIG_BYTES, MAX_CONFIG_LINE, MAX_FILES, MAX_GLOB_ENTRIES, MAX_INCLUDE_DEPTH,
    MAX_TOTAL_CONFIG_BYTES, expand_glob, parse_aclfile, parse_config, read_config_file)
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.spec import CHECKS
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.unit_checks import (
    grade_unit_settings, grade_units)

__all__ = [
    "CHECKS", "CONFIG_INCOMPLETE", "CONFIG_KEYS_TO_GET", "ConfigSyntaxError",
    "DANGEROUS_COMPONENTS", "DANGEROUS_FILENAMES", "DANGEROUS_PREFIXES", "DEFAULTS", "DEFAULT_BIND",
    "DEFAULT_CONFIG_GLOBS", "INSTANCE_BUDGET", "MAX_CONFIG_BYTES", "MAX_CONFIG_LINE",
    "MAX_ENDPOINTS_PER_INSTANCE", "MAX_EXTRA_ENDPOINTS", "MAX_FILES", "MAX_GLOB_ENTRIES",
    "MAX_INCLUDE_DEPTH", "MAX_PROBED_INSTANCES", "MAX_SERVER_FDS", "MAX_TOTAL_CONFIG_BYTES",
    "PROBE", "PROTECTION_DIRECTIVES", "REDACTED", "RUNNING", "SECRET_DIRECTIVES", "SERVER_NAMES",
    "SINGLE_VALUED", "UNIT_PATTERNS", "_grade_protections", "audit", "bind_is_loopback_only",
    "check_config_authentication", "classify_dir", "config_secrets", "default_user_state",
    "discover_config_paths", "dump_path", "effective_config", "endpoints_of", "expand_glob",
    "find_servers", "find_units", "grade_config", "grade_drift", "grade_instance",
    "grade_unit_settings", "grade_units", "is_loopback", "parse_aclfile", "parse_config",
    "parse_unit", "parse_user_rules", "probe_endpoint", "probe_instance", "proc_root",
    "read_config_file", "scrub", "server_kind", "server_listeners", "split_args",
    "unit_config_path", "unit_of_pid",
]

REDACTED = "<redacted>"


def scrub(value, secrets):
    """Replace every secret (len >= 3) found in strings of ``value`` with <redacted>."""
    secrets = sorted((s for s in secrets if s and len(s) >= 3), key=len, reverse=True)
    if not secrets:
        return value
    return _scrub(value, secrets)


def _scrub(value, secrets):
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return dict((_scrub(k, secrets), _scrub(v, secrets)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_scrub(item, secrets) for item in value]
    return value


def audit(options):
    """Run the Redis area. Options (module argument_spec): root, proc, probe, endpoints,
    password, username, timeout, config_paths, max_reply_bytes."""
    started = time.monotonic()
    root = options.get("root") or "/"
    proc = options.get("proc") or "/proc"
    live = root == "/" and options.get("probe", True)
    timeout = float(options.get("timeout") or resp.DEFAULT_TIMEOUT)
    password = options.get("password") or None
    username = options.get("username") or None
    max_reply = int(options.get("max_reply_bytes") or resp.DEFAULT_MAX_REPLY_BYTES)
    secrets = set([password]) if password else set()
    findings = []

    # processes are read for the live system, or for an explicitly given proc tree
    servers = []
    procfs_root = proc_root(proc)
    if procfs_root is None:
        findings.append(RUNNING.error(proc, "the proc option must be a directory named proc (e.g. /host/proc)"))
    elif root == "/" or proc != "/proc":
        servers = find_servers(procfs_root, root)
    units = find_units(root)
    unit_configs = {}
    for name, unit in units.items():
        if not unit.get("masked"):
            settings, _p = parse_unit(unit["files"], root)
            unit_configs[name] = unit_config_path(settings)

    # probe running instances, then extra endpoints
    instances = []
    for index, server in enumerate(servers):
        inst = dict(server)
        inst["name"] = "%s pid %s" % (server["kind"], server["pid"])
        inst["unit"] = unit_of_pid(server["pid"], procfs_root)
        inst["probes"] = []
        if live:
            findings.extend(probe_instance(inst, server, index, password, username, timeout, max_reply))
        instances.append(inst)
    extra = list(options.get("endpoints") or [])
    if len(extra) > MAX_EXTRA_ENDPOINTS:
        findings.append(PROBE.error(
            "endpoints", "not fully probed: %d endpoints given, the first %d probed"
            % (len(extra), MAX_EXTRA_ENDPOINTS), {"reason": "endpoint_cap", "skipped": extra[MAX_EXTRA_ENDPOINTS:]}))
        extra = extra[:MAX_EXTRA_ENDPOINTS]
    for text in extra:
        try:
            address = resp.parse_address(text)
        except ValueError as exc:
            findings.append(PROBE.error(str(text), str(exc)))
            continue
        if not live:
            findings.append(PROBE.skip(resp.format_address(address), "probing disabled"))
            continue
        owner = next((i for i in instances if address in endpoints_of(i["listeners"])), None)
        if owner is not None and any(p["endpoint"] == resp.format_address(address) for p in owner["probes"]):
            continue  # already probed as a listener of that process
        probe = probe_endpoint(address, password, username, timeout, max_reply,
                               deadline=time.monotonic() + INSTANCE_BUDGET * timeout)
        probe["non_loopback"] = address[0] == "tcp" and not is_loopback(address[1])
        if probe["status"] == "error":
            # not (or not behaving as) a Redis server: report it, do not grade it as one
            findings.append(PROBE.error(probe["endpoint"], probe.get("error") or "probe failed",
                                        {"endpoint": probe["endpoint"], "ping": probe["ping"],
                                         "reason": probe.get("error_reason")}))
            continue
        if owner is None and probe.get("process_id"):
            owner = next((i for i in instances if str(i["pid"]) == str(probe["process_id"])), None)
        if owner is not None:
            owner["probes"].append(probe)
            continue
        # an endpoint no local process owns (another host, a container's network namespace)
        instances.append({"name": probe["endpoint"], "pid": None, "uid": None, "user": None, "cwd": None,
                          "listeners": [], "probes": [probe], "unit": None})

    # config files: defaults, extra paths, INFO config_file, unit ExecStart
    extra_paths = list(options.get("config_paths") or [])
    for inst in instances:
        for probe in inst["probes"]:
            if probe.get("config_file"):
                inst.setdefault("config_path", probe["config_file"])
                extra_paths.append(probe["config_file"])
        if not inst.get("config_path") and inst.get("unit") and unit_configs.get(inst["unit"]):
            inst["config_path"] = unit_configs[inst["unit"]]
    extra_paths.extend(p for p in unit_configs.values() if p)
    configs = {}
    included = set()
    for path in discover_config_paths(root, extra_paths):
        parsed = parse_config(path, root)
        if not parsed["files"] and parsed["problems"] and parsed["problems"][0]["reason"] == "missing":
            continue
        configs[path] = parsed
        for entry in parsed["files"][1:]:
            included.add(entry["path"])
        secrets |= config_secrets(parsed)
    # match instances without a known config by port / unixsocket
    for inst in instances:
        if inst.get("config_path"):
            continue
        ports = set(str(l.get("port")) for l in inst["listeners"] if l["family"] != "unix")
        socks = set(l.get("path") for l in inst["listeners"] if l["family"] == "unix")
        for path, parsed in configs.items():
            eff = effective_config(parsed)
            if (eff["port"] != "0" and eff["port"] in ports) or eff.get("unixsocket") in socks:
                inst["config_path"] = path
                break

    acl_cache = {}
    graded_configs = set()
    facts_instances = []
    for inst in instances:
        parsed = configs.get(inst.get("config_path")) if inst.get("config_path") else None
        eff = effective_config(parsed) if parsed else {}
        acl = None
        if eff.get("aclfile"):
            if eff["aclfile"] not in acl_cache:
                acl_cache[eff["aclfile"]] = parse_aclfile(eff["aclfile"], root)
            acl, problem, acl_secrets = acl_cache[eff["aclfile"]]
            secrets |= acl_secrets
            if problem:
                findings.append(CONFIG_INCOMPLETE.error(problem["path"], problem["detail"], problem))
        inst["effective"] = eff
        inst["acl_users"] = acl["users"] if acl else None
        findings.extend(grade_instance(inst))
        if parsed and inst["config_path"] not in graded_configs:
            graded_configs.add(inst["config_path"])
            findings.extend(grade_config(inst["config_path"], parsed, eff, acl))
        facts_instances.append(_instance_fact(inst))
    for path, parsed in sorted(configs.items()):
        if path in graded_configs or path in included or parsed["sentinel"]:
            continue
        eff = effective_config(parsed)
        acl = None
        if eff.get("aclfile"):
            acl, problem, acl_secrets = parse_aclfile(eff["aclfile"], root)
            secrets |= acl_secrets
        findings.extend(grade_config(path, parsed, eff, acl))
        # a config no running instance uses: no-auth is still worth saying
        local_only = eff["port"] == "0" or bind_is_loopback_only(eff["bind"])
        findings.append(check_config_authentication(path, eff, acl["users"] if acl else None, local_only))
    findings.extend(grade_units(units, root))

    facts = {
        "instances": facts_instances,
        "config_files": dict((path, {
            "files": [dict((k, v) for k, v in f.items()) for f in parsed["files"]],
            "sentinel": parsed["sentinel"],
            "effective": _public_effective(effective_config(parsed)),
            "problems": parsed["problems"],
        }) for path, parsed in configs.items()),
        "units": dict((name, unit["files"]) for name, unit in units.items()),
        "probed": live,
    }
    result = area_result(sort_findings(findings), facts, round(time.monotonic() - started, 3))
    return scrub(result, secrets)


def _public_effective(eff):
    keys = ("bind", "bind_configured", "port", "protected-mode", "unixsocket", "aclfile", "dir",
            "dbfilename", "requirepass_set", "renamed_commands", "users") + PROTECTION_DIRECTIVES
    return dict((k, eff.get(k)) for k in keys if k in eff)


def _instance_fact(inst):
    probes = []
    for probe in inst.get("probes") or []:
        probes.append(dict((k, probe.get(k)) for k in (
            "endpoint", "status", "error", "ping", "auth", "version", "config_file", "config_access",
            "runtime", "acl_default", "whoami")))
    return {"name": inst["name"], "pid": inst.get("pid"), "not_probed": inst.get("not_probed", []), "uid": inst.get("uid"), "user": inst.get("user"),
            "cwd": inst.get("cwd"), "unit": inst.get("unit"), "config": inst.get("config_path"),
            "listeners": inst.get("listeners"), "probes": probes}
