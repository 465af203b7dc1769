# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""OOM posture of the running system: who is protected, who is immune, who dies first.

- sshd and key services: the effective ``oom_score_adj``/``oom_score`` of their main
  processes (/proc) against the ``OOMScoreAdjust=`` their systemd unit configures (unit file +
  ``*.service.d/*.conf`` drop-ins under ``root``; ``systemctl show`` when auditing the live
  system under systemd). A configured value the process does not carry is the container case
  (no CAP_SYS_RESOURCE: lowering is refused, the process keeps 0): "configured but not
  effective".
- processes immune to the OOM killer (``oom_score_adj`` -1000: mm/oom_kill.c's
  oom_badness() returns LONG_MIN for OOM_SCORE_ADJ_MIN, so the task is never chosen) that are
  not on an allow list, ranked by RSS: the hog of seed 002.
- the top N likely victims by ``oom_score`` (what ``dstat --top-oom`` shows), and whether a
  key service is among them.
Stdlib only; never changes a process.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import subprocess
import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core import procfs
from ansible_collections.hostguard.hardening.plugins.module_utils.core.redact import redact_tokens
from ansible_collections.hostguard.hardening.plugins.module_utils.core import systemd_units
from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import (
    Check, CheckSet, area_result)
from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import SafeReadError

OOM_SCORE_ADJ_MIN = -1000  # include/uapi/linux/oom.h
OOM_SCORE_ADJ_MAX = 1000

MAX_SYSTEMCTL_BYTES = 256 * 1024
SYSTEMCTL_TIMEOUT = 5.0

SSHD = {"name": "sshd", "units": ["ssh.service", "sshd.service"], "processes": ["sshd"],
        "sshd": True}

# Decision (docs/oom-posture.md): these may legitimately be immune. systemd-udevd,
# dm-event (dmeventd), multipathd and auditd ship units with OOMScoreAdjust=-1000;
# sshd is immune when an admin follows seed 003's advice.
DEFAULT_IMMUNE_ALLOW = ("systemd-udevd", "udevd", "sshd", "dmeventd", "multipathd", "auditd")
DEFAULT_SSHD_MAX_ADJ = -500
DEFAULT_TOP_N = 10
DEFAULT_HOG_RSS_MIB = 256
MAX_IMMUNE_FINDINGS = 20

CHECKS = CheckSet.of("oom", "HG-OOM", (
    Check("HG-OOM-001", "sshd (or a key service) is not protected from the OOM killer",
          "medium", "oom", "/proc/<pid>/oom_score_adj",
          "Set OOMScoreAdjust=-500 (or lower) for the service in a drop-in "
          "/etc/systemd/system/<unit>.d/oom.conf and restart it, so that an OOM kill "
          "cannot lock operators out",
          references={"lynis": "KRNL-6000"}, role="oom_protection"),
    Check("HG-OOM-002", "OOMScoreAdjust= configured but not effective", "medium", "oom",
          "unit files, systemctl show, /proc/<pid>/oom_score_adj",
          "The process does not carry the configured value: restart the service, check "
          "that the manager may lower oom_score_adj (CAP_SYS_RESOURCE; containers cannot), "
          "or that the daemon does not reset it itself",
          role="oom_protection"),
    Check("HG-OOM-003", "Process immune to the OOM killer and not on the allow list", "medium",
          "oom", "/proc/<pid>/oom_score_adj, /proc/<pid>/status",
          "An immune process that grows forces the kernel to kill innocent ones (seed 002): "
          "remove OOMScoreAdjust=-1000 / the oom_score_adj write, or cap its memory "
          "(MemoryMax=) and add it to the allow list"),
    Check("HG-OOM-004", "Key service among the likely OOM victims", "medium", "oom",
          "/proc/<pid>/oom_score",
          "Lower the service's OOMScoreAdjust= or move memory-hungry batch work into a "
          "cgroup with a memory limit", role="oom_protection"),
    Check("HG-OOM-005", "Likely OOM victims (top by oom_score)", "info", "oom",
          "/proc/<pid>/oom_score, /proc/<pid>/status",
          "Informational: who the kernel would kill first (dstat --top-oom)"),
))


# --- unit files ----------------------------------------------------------------------------

def parse_unit_oom(lines, source):
    """OOMScoreAdjust= assignments of the [Service] section, in order.

    systemd.syntax(7) via systemd_units.section_assignments; an empty assignment resets the
    setting. Returns [(value_or_None, "file:line")]."""
    out = []
    for lineno, key, value in systemd_units.section_assignments(lines, "Service"):
        if key != "OOMScoreAdjust":
            continue
        where = "%s:%d" % (source, lineno)
        if value == "":
            out.append((None, where))
            continue
        try:
            num = int(value)
        except ValueError:
            out.append(("invalid:" + value[:32], where))
            continue
        out.append((num, where))
    return out


def configured_oom_adj(root, unit):
    """(value or None, where, errors) from the unit file then its drop-ins (last wins)."""
    value, where, errors = None, None, []
    for path in unit.get("dropins_not_read") or []:   # a later drop-in may set it (issue 17)
        reason = "not read: more than %d drop-ins in its directory" % systemd_units.MAX_DROPINS
        errors.append({"file": path, "reason": reason})
    for path in systemd_units.unit_files(unit):
        try:
            assignments = parse_unit_oom(systemd_units.read_lines(root, path), path)
        except SafeReadError as exc:
            errors.append({"file": path, "reason": exc.reason})
            continue
        for val, loc in assignments:
            if isinstance(val, str):
                errors.append({"file": loc, "reason": "invalid OOMScoreAdjust " + val[8:]})
                continue
            value, where = val, loc
    return value, where, errors


# --- systemctl -----------------------------------------------------------------------------

def parse_systemctl_show(text):
    """`systemctl show -p A -p B u1 u2` output -> {Id: {prop: value}} (blank-line blocks)."""
    out = {}
    block = {}
    for line in text.splitlines() + [""]:
        if not line.strip():
            if block.get("Id"):
                out[block["Id"]] = block
            block = {}
            continue
        key, sep, value = line.partition("=")
        if sep:
            block[key] = value
    return out


def systemd_running(root):
    """sd_booted(3): the system was booted with systemd if /run/systemd/system/ exists."""
    return (root or "/") == "/" and os.path.isdir("/run/systemd/system")


def systemctl_show(units, timeout=SYSTEMCTL_TIMEOUT):
    """Live OOMScoreAdjust/MainPID of units, time-boxed. Returns ({Id: props}, error)."""
    binary = shutil.which("systemctl")
    if not binary or not units:
        return {}, "systemctl not found" if not binary else None
    cmd = [binary, "show", "--no-pager", "-p", "Id", "-p", "OOMScoreAdjust", "-p", "MainPID",
           "-p", "LoadState", "-p", "ActiveState", "--"] + list(units)
    env = dict(os.environ, LC_ALL="C", SYSTEMD_PAGER="")
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        return {}, "systemctl show timed out after %ss" % timeout
    except OSError as exc:
        return {}, "systemctl show failed: %s" % exc
    text = proc.stdout[:MAX_SYSTEMCTL_BYTES].decode("utf-8", "replace")
    return parse_systemctl_show(text), None if proc.returncode == 0 else (
        "systemctl show exited %d" % proc.returncode)


# --- services ------------------------------------------------------------------------------

def service_specs(options):
    """Normalize the ``services`` option: strings (unit or process name) or dicts."""
    specs = []
    if options.get("include_sshd", True):
        specs.append(dict(SSHD, max_oom_score_adj=options.get("sshd_max_oom_score_adj",
                                                              DEFAULT_SSHD_MAX_ADJ)))
    for item in options.get("services") or []:
        if isinstance(item, dict):
            name = item.get("name") or item.get("unit") or item.get("process")
            units = item.get("units") or ([item["unit"]] if item.get("unit") else [])
            procs = item.get("processes") or ([item["process"]] if item.get("process") else [])
            spec = {"name": str(name), "units": [str(u) for u in units],
                    "processes": [str(p) for p in procs],
                    "max_oom_score_adj": item.get("max_oom_score_adj")}
        else:
            name = str(item)
            if "." in name and name.rsplit(".", 1)[1] in ("service", "scope"):
                spec = {"name": name, "units": [name], "processes": [name.rsplit(".", 1)[0]]}
            else:
                spec = {"name": name, "units": [name + ".service"], "processes": [name]}
            spec["max_oom_score_adj"] = None
        if spec["name"] in ("sshd", "ssh", "ssh.service", "sshd.service") and specs and \
                specs[0].get("sshd"):
            continue
        specs.append(spec)
    return specs


def main_processes(procs, spec, main_pids=()):
    """The service's top processes: MainPID if known, else processes matched by unit
    cgroup or comm whose parent is not itself matched (sshd's per-session children, which
    OpenSSH resets to the original oom_score_adj, are not the daemon)."""
    by_pid = dict((p["pid"], p) for p in procs)
    chosen = [by_pid[pid] for pid in main_pids if pid in by_pid]
    if chosen:
        return chosen
    units = set(spec.get("units") or [])
    names = set(spec.get("processes") or [])
    matched = [p for p in procs
               if (p.get("unit") and p["unit"] in units) or p.get("comm") in names]
    pids = set(p["pid"] for p in matched)
    return [p for p in matched if p.get("ppid") not in pids]


def _brief(proc):
    return {"pid": proc["pid"], "comm": proc.get("comm"), "uid": proc.get("uid"),
            "rss_kib": proc.get("rss_kib"), "rss_mib": procfs.kib_to_mib(proc.get("rss_kib")),
            "oom_score": proc.get("oom_score"), "oom_score_adj": proc.get("oom_score_adj"),
            "unit": proc.get("unit"),
            # redacted before it is cut: a cut secret would no longer be recognised
            "cmdline": " ".join(redact_tokens(list(proc.get("cmdline") or [])))[:200]}


def likely_victims(procs, top_n=DEFAULT_TOP_N):
    """Top N by oom_score (then RSS), immune processes excluded: dstat --top-oom's view."""
    cands = [p for p in procs if p.get("oom_score") is not None
             and p.get("oom_score_adj") != OOM_SCORE_ADJ_MIN]
    cands.sort(key=lambda p: (-(p["oom_score"] or 0), -(p.get("rss_kib") or 0), p["pid"]))
    return cands[:max(0, int(top_n))]


def immune_processes(procs):
    """Processes with oom_score_adj -1000, largest RSS first."""
    out = [p for p in procs if p.get("oom_score_adj") == OOM_SCORE_ADJ_MIN]
    out.sort(key=lambda p: (-(p.get("rss_kib") or 0), p["pid"]))
    return out


def is_allowed(proc, allow):
    names = set(allow or ())
    exe_base = os.path.basename(proc.get("exe") or "").replace(" (deleted)", "")
    return bool(names & set(filter(None, [proc.get("comm"), proc.get("unit"), exe_base])))


def collect_processes(root, max_pids):
    procs = []
    for proc in procfs.iter_processes(root, max_pids, with_cmdline=True):
        proc["unit"] = procfs.systemd_unit_of(procfs.cgroups(root, proc["pid"]))
        procs.append(proc)
    return procs


def audit_service(root, spec, procs, live, use_live):
    """Findings and facts for one key service."""
    findings = []
    unit = None
    for name in spec.get("units") or []:
        unit = systemd_units.find_unit(root, name)
        if unit:
            break
    configured, where, errors = (None, None, [])
    if unit:
        configured, where, errors = configured_oom_adj(root, unit)
    live_props = {}
    if use_live:
        for name in (unit["aliases"] if unit else spec.get("units") or []):
            if name in live:
                live_props = live[name]
                break
        # systemctl show prints the manager's value even when the unit sets none; a nonzero
        # one means something (a drop-in we could not read, a transient property) set it.
        try:
            live_adj = int(live_props.get("OOMScoreAdjust", ""))
        except ValueError:
            live_adj = None
        if live_adj is not None and (configured is not None or live_adj != 0):
            configured, where = live_adj, "systemctl show %s" % live_props.get("Id")
    main_pids = []
    try:
        if int(live_props.get("MainPID", "0")) > 0:
            main_pids = [int(live_props["MainPID"])]
    except ValueError:
        pass
    mains = main_processes(procs, spec, main_pids)
    fact = {"name": spec["name"], "unit": unit["path"] if unit else None,
            "unit_masked": bool(unit and unit["masked"]),
            "dropins": unit["dropins"] if unit else [],
            "configured_oom_score_adj": configured, "configured_in": where,
            "processes": [_brief(p) for p in mains[:10]], "errors": errors}
    subject = spec["name"] if not unit else "%s (%s)" % (spec["name"], unit["name"])

    # HG-OOM-002: configured vs effective
    check = CHECKS["HG-OOM-002"]
    if configured is None:
        findings.append(check.skip(subject, "OOMScoreAdjust= is not configured", fact_ev(fact)))
    elif not mains:
        findings.append(check.skip(subject, "service not running", fact_ev(fact)))
    else:
        wrong = [p for p in mains if p.get("oom_score_adj") != configured]
        ev = {"configured": configured, "configured_in": where,
              "effective": [{"pid": p["pid"], "oom_score_adj": p.get("oom_score_adj")}
                            for p in mains[:10]]}
        if wrong:
            detail = "configured but not effective: %s=%s, process %d has %s" % (
                "OOMScoreAdjust", configured, wrong[0]["pid"], wrong[0].get("oom_score_adj"))
            if (wrong[0].get("oom_score_adj") or 0) > configured:
                detail += " (lowering needs CAP_SYS_RESOURCE: a container, or not restarted)"
            findings.append(check.fail(subject, ev, detail=detail))
        else:
            findings.append(check.passed(subject, ev))
    cut = systemd_units.dropins_cut(unit)
    if cut:   # a drop-in not read may set OOMScoreAdjust=: said as a finding (issue 17)
        judged = findings.pop()
        if judged["status"] == "fail":
            judged["detail"] = "%s; %s" % (judged["detail"], cut)
            findings.append(judged)
        else:
            findings.append(check.error(subject, cut, dict(fact_ev(fact), dropins_not_read=unit["dropins_not_read"])))

    # HG-OOM-001: protection threshold (sshd by default; services with max_oom_score_adj)
    limit = spec.get("max_oom_score_adj")
    if limit is not None:
        check = CHECKS["HG-OOM-001"]
        if not mains:
            findings.append(check.skip(subject, "not running", fact_ev(fact)))
        else:
            bad = [p for p in mains if (p.get("oom_score_adj") or 0) > int(limit)]
            ev = {"max_oom_score_adj": int(limit), "configured": configured,
                  "configured_in": where, "processes": [_brief(p) for p in mains[:5]]}
            if bad:
                findings.append(check.fail(
                    subject, ev, detail="oom_score_adj %s > %s: an OOM kill can take it" % (
                        bad[0].get("oom_score_adj"), limit)))
            else:
                findings.append(check.passed(subject, ev))
    return findings, fact, mains


def fact_ev(fact):
    return {"unit": fact["unit"], "configured": fact["configured_oom_score_adj"],
            "configured_in": fact["configured_in"]}


# Option names audit() reads besides ``root`` (host_audit rejects any other name).
OPTION_NAMES = frozenset([
    "services",
    "include_sshd",
    "sshd_max_oom_score_adj",
    "immune_allow",
    "immune_allow_default",
    "immune_hog_rss_mib",
    "top_n",
    "use_systemctl",
    "systemctl_timeout",
    "max_pids",
])


def audit(options):
    """Options: root, services, include_sshd, sshd_max_oom_score_adj, immune_allow (added to
    the default allow list unless immune_allow_default is false), immune_hog_rss_mib, top_n, use_systemctl (auto|yes|no), systemctl_timeout, max_pids."""
    started = time.time()
    root = options.get("root") or "/"
    top_n = int(options.get("top_n") or DEFAULT_TOP_N)
    allow = list(DEFAULT_IMMUNE_ALLOW) if options.get("immune_allow_default", True) else []
    allow += [str(a) for a in options.get("immune_allow") or []]
    hog_kib = int(options.get("immune_hog_rss_mib") or DEFAULT_HOG_RSS_MIB) * 1024
    procs = collect_processes(root, int(options.get("max_pids") or procfs.DEFAULT_MAX_PIDS))
    specs = service_specs(options)

    mode = str(options.get("use_systemctl", "auto")).lower()
    use_live = mode in ("yes", "true", "always") or (mode == "auto" and systemd_running(root))
    if (root or "/") != "/":
        use_live = False  # systemctl talks to this machine's manager, not to ``root``
    live, live_error = {}, None
    if use_live:
        names = []
        for spec in specs:
            names.extend(spec.get("units") or [])
        live, live_error = systemctl_show(names, float(options.get("systemctl_timeout")
                                                       or SYSTEMCTL_TIMEOUT))

    findings, services, key_pids = [], [], {}
    for spec in specs:
        found, fact, mains = audit_service(root, spec, procs, live, use_live)
        findings.extend(found)
        services.append(fact)
        for p in mains:
            key_pids[p["pid"]] = spec["name"]

    # HG-OOM-003: immune processes not allowed, ranked by RSS
    immune = immune_processes(procs)
    for proc in immune:
        proc["exe"] = procfs.exe(root, proc["pid"])
    flagged = [p for p in immune if not is_allowed(p, allow)]
    for rank, proc in enumerate(flagged[:MAX_IMMUNE_FINDINGS], 1):
        ev = _brief(proc)
        ev["rank_by_rss"] = rank
        ev["exe"] = proc.get("exe")
        sev = "high" if (proc.get("rss_kib") or 0) >= hog_kib else None
        findings.append(CHECKS["HG-OOM-003"].fail(
            "%s[%d]" % (proc.get("comm"), proc["pid"]), ev, severity=sev,
            detail="immune (oom_score_adj -1000) and holding %.1f MiB RSS" % (
                (proc.get("rss_kib") or 0) / 1024.0)))
    if len(flagged) > MAX_IMMUNE_FINDINGS:
        rest = flagged[MAX_IMMUNE_FINDINGS:]
        findings.append(CHECKS["HG-OOM-003"].fail(
            "%d more immune processes" % len(rest),
            {"pids": [p["pid"] for p in rest[:20]],
             "rss_kib_total": sum(p.get("rss_kib") or 0 for p in rest)}))
    if not flagged:
        findings.append(CHECKS["HG-OOM-003"].passed(
            "immune processes", {"allowed": [_brief(p) for p in immune[:10]]}))

    # HG-OOM-004 / 005: likely victims
    victims = likely_victims(procs, top_n)
    victim_list = [dict(_brief(p), rank=i) for i, p in enumerate(victims, 1)]
    hit = [v for v in victim_list if v["pid"] in key_pids]
    if hit:
        for item in hit:
            findings.append(CHECKS["HG-OOM-004"].fail(
                key_pids[item["pid"]], item,
                detail="rank %d of the likely OOM victims (oom_score %s)" % (
                    item["rank"], item["oom_score"])))
    else:
        findings.append(CHECKS["HG-OOM-004"].passed(
            "key services", {"key_services": sorted(set(key_pids.values())), "top_n": top_n}))
    findings.append(CHECKS["HG-OOM-005"].passed("top %d likely OOM victims" % top_n,
                                                {"victims": victim_list}))

    mem = procfs.meminfo(root)
    facts = {
        "likely_victims": victim_list,
        "immune_processes": [dict(_brief(p), allowed=is_allowed(p, allow)) for p in immune[:50]],
        "services": services,
        "systemctl": {"used": use_live, "error": live_error},
        "process_count": len(procs),
        "mem_total_kib": mem.get("MemTotal"),
        "immune_allow": list(allow),
    }
    return area_result(findings, facts, round(time.time() - started, 4))
