# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""systemd units, drop-ins and timers in every search path, their enabled state and whether
they would run (T1543.002, T1053.006).

Read as systemd reads them (systemd.unit(5)), without systemd:
- search paths in priority order (``SYSTEM_DIRS``; user units: ``~/.config/systemd/user``,
  ``/etc/systemd/user``, ``/run/systemd/user``, ``~/.local/share/systemd/user``,
  ``/usr/lib/systemd/user``), generator output included; the first directory holding a name
  wins, a link to /dev/null masks it, a link to another unit name is an alias;
- drop-ins: ``<name>.d/*.conf`` of the name, its aliases, its template (``foo@.service.d``),
  its dash prefixes (``foo-.service.d``) and its type (``service.d``); for one file name the
  highest-priority directory wins; applied in file-name order (an empty ``ExecStart=`` resets);
- the enabled state the way ``systemctl is-enabled`` words it (masked, generated, transient,
  enabled, enabled-runtime, linked, alias, disabled, indirect, static) from ``*.wants/``,
  ``*.requires/``, ``*.upholds/`` links and ``[Install]``;
- would it run: a walk from ``default.target`` (and the targets every boot reaches) along
  ``.wants``/``.requires`` links and ``[Unit] Wants=/Requires=/BindsTo=/Upholds=``, then from
  each reached timer, socket and path unit to the unit it activates. A masked unit never runs.
Bounded: ``max_entries`` names per directory, unit files read through files.scan_file.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.hostguard.hardening.plugins.module_utils.core.linematch import match_line
from ansible_collections.hostguard.hardening.plugins.module_utils.core.systemd_units import all_section_assignments
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence import conditions, files
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.locate import list_dir, resolve
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.spec import CHECKS

UNIT_SUFFIXES = (".service", ".socket", ".timer", ".path", ".target", ".mount", ".automount",
                 ".swap", ".slice", ".scope", ".device")
LINK_DIR_SUFFIXES = (".wants", ".requires", ".upholds")
# (directory, kind), highest priority first: systemd.unit(5) "System Unit Search Path";
# /lib/systemd/system for split-/usr Debian (the same directory on merged /usr: visited once).
SYSTEM_DIRS = (
    ("/etc/systemd/system.control", "control"),
    ("/run/systemd/system.control", "control-runtime"),
    ("/run/systemd/transient", "transient"),
    ("/run/systemd/generator.early", "generator"),
    ("/etc/systemd/system", "config"),
    ("/etc/systemd/system.attached", "attached"),
    ("/run/systemd/system", "runtime"),
    ("/run/systemd/system.attached", "attached"),
    ("/run/systemd/generator", "generator"),
    ("/usr/local/lib/systemd/system", "vendor"),
    ("/usr/lib/systemd/system", "vendor"),
    ("/lib/systemd/system", "vendor"),
    ("/run/systemd/generator.late", "generator"),
)
GLOBAL_USER_DIRS = (
    ("/etc/xdg/systemd/user", "config"),
    ("/etc/systemd/user", "config"),
    ("/run/systemd/user", "runtime"),
    ("/usr/local/share/systemd/user", "vendor"),
    ("/usr/share/systemd/user", "vendor"),
    ("/usr/local/lib/systemd/user", "vendor"),
    ("/usr/lib/systemd/user", "vendor"),
    ("/lib/systemd/user", "vendor"),
)
CONFIG_KINDS = ("control", "config")
RUNTIME_KINDS = ("control-runtime", "runtime")
# Reached by every normal boot whatever default.target is (basic.target pulls them in).
BOOT_IMPLIED = ("sysinit.target", "basic.target", "sockets.target", "timers.target",
                "paths.target", "local-fs.target", "slices.target")
EXEC_KEYS = ("ExecStart", "ExecStartPre", "ExecStartPost", "ExecStop", "ExecStopPost",
             "ExecReload", "ExecCondition", "ExecStopPre")
TIMER_TRIGGERS = ("OnCalendar", "OnActiveSec", "OnBootSec", "OnStartupSec", "OnUnitActiveSec",
                  "OnUnitInactiveSec")
PULL_KEYS = ("Wants", "Requires", "BindsTo", "Upholds", "Requisite")
# Started only when the unit holding them ends in failure / success.
CHAIN_KEYS = ("OnFailure", "OnSuccess")
INSTALL_RULES = ("WantedBy", "RequiredBy", "UpheldBy", "Alias")
SECTIONS = ("Unit", "Service", "Socket", "Timer", "Path", "Install")
# The settings the verdicts read (everything else is not kept: 10,000 units stay small).
KEPT = {"Unit": PULL_KEYS + CHAIN_KEYS, "Service": (), "Socket": ("Service", "Accept"),
        "Timer": TIMER_TRIGGERS + ("Unit",), "Path": ("Unit",),
        "Install": INSTALL_RULES + ("Also", "DefaultInstance")}


def user_dirs(home, uid=None):
    """(directory, kind) of one user's manager, highest priority first (systemd.unit(5) "User
    Unit Search Path"; ``$XDG_RUNTIME_DIR`` is ``/run/user/<uid>``)."""
    run = "/run/user/%d/systemd" % uid if isinstance(uid, int) and uid >= 0 else None
    early = ((run + "/user.control", "control-runtime"), (run + "/transient", "transient"),
             (run + "/generator.early", "generator")) if run else ()
    mid = ((run + "/user", "runtime"),) if run else ()
    gen = ((run + "/generator", "generator"),) if run else ()
    late = ((run + "/generator.late", "generator"),) if run else ()
    return ((home + "/.config/systemd/user.control", "control"),) + early + \
        ((home + "/.config/systemd/user", "config"),) + GLOBAL_USER_DIRS[:2] + mid + \
        GLOBAL_USER_DIRS[2:3] + gen + ((home + "/.local/share/systemd/user", "vendor"),) + \
        GLOBAL_USER_DIRS[3:] + late


def unit_type(name):
    return name.rsplit(".", 1)[-1] if "." in name else ""


def template_of(name):
    """``foo@.service`` for an instance ``foo@bar.service``; None otherwise."""
    if "@" not in name:
        return None
    prefix, _at, rest = name.partition("@")
    return "%s@.%s" % (prefix, unit_type(rest)) if "." in rest else None


def dropin_dir_names(name):
    """Drop-in directory names that apply to unit ``name``, most specific last."""
    out = []
    utype = unit_type(name)
    out.append(utype + ".d")
    base = name[:-(len(utype) + 1)]
    pieces = base.split("-")
    for i in range(1, len(pieces)):
        out.append("-".join(pieces[:i]) + "-." + utype + ".d")
    tmpl = template_of(name)
    if tmpl:
        out.append(tmpl + ".d")
    out.append(name + ".d")
    return out


def exec_command(value):
    """The command of an Exec*= value without systemd's prefixes (- @ : + ! !!)."""
    value = value.strip()
    while value and value[0] in "-@:+!|":
        value = value[1:]
    return value.strip()


def scan_scope(root, scope, dirs, params, problems):
    """Listing of one manager's search path: units, links, drop-in dirs. No file is read."""
    seen_dirs = {}
    units = {}          # name -> {"dir", "kind", "path", "shadowed": [paths]}
    links = []          # {"from": target name, "unit": linked name, "path", "kind", "text"}
    dropin_dirs = {}    # "<x>.d" -> [(priority, dir path)]
    for priority, (directory, kind) in enumerate(dirs):
        res = resolve(root, directory)
        if res["status"] != "ok" or res["info"]["type"] != "directory":
            continue
        if res["path"] in seen_dirs:
            continue      # /lib/systemd/system on merged /usr: the same directory
        if res["path"] != directory and res["path"] in [d for d, _k in dirs]:
            directory = res["path"]     # Debian's /etc/xdg/systemd/user -> ../../systemd/user
        seen_dirs[res["path"]] = directory
        names, total, lres = list_dir(root, directory, params["max_entries"])
        problems.extend(files.directory_findings(directory, total, params, lres))
        for name in names:
            path = directory + "/" + name
            if name.endswith(LINK_DIR_SUFFIXES):
                sub, subtotal, sres = list_dir(root, path, params["max_entries"])
                problems.extend(files.directory_findings(path, subtotal, params, sres))
                target = name.rsplit(".", 1)[0]
                for linked in sub:
                    lres2 = resolve(root, path + "/" + linked, follow=False)
                    text = None
                    if lres2["status"] == "ok" and lres2["info"]["type"] == "symlink":
                        try:
                            text = os.readlink(lres2["host"])
                        except OSError:
                            text = None
                    links.append({"from": target, "unit": linked, "path": path + "/" + linked,
                                  "kind": kind, "text": text, "dir_type": name.rsplit(".", 1)[1]})
                continue
            if name.endswith(".d"):
                dropin_dirs.setdefault(name, []).append((priority, path))
                continue
            if not name.endswith(UNIT_SUFFIXES):
                continue
            if name in units:
                units[name]["shadowed"].append({"path": path, "kind": kind})
                continue
            units[name] = {"name": name, "dir": directory, "kind": kind, "path": path,
                           "priority": priority, "shadowed": []}
    return {"scope": scope, "units": units, "links": links, "dropin_dirs": dropin_dirs,
            "dirs": dict((v, k) for k, v in seen_dirs.items())}


def classify_file(root, unit, dirs):
    """Masked / alias / linked / regular for the winning file of a unit name."""
    res = resolve(root, unit["path"], follow=False)
    if res["status"] != "ok":
        return "missing", None
    if res["info"]["type"] != "symlink":
        return "file", unit["path"]
    full = resolve(root, unit["path"])
    text = full["links"][0][1] if full["links"] else ""
    if text == "/dev/null" or full["path"] == "/dev/null":
        return "masked", None
    if full["status"] != "ok":
        return "broken", None
    base = full["path"].rsplit("/", 1)[-1]
    target_dir = full["path"].rsplit("/", 1)[0]
    in_search = any(resolve(root, d)["path"] == target_dir for d, _k in dirs)
    if base != unit["name"] and base.endswith(UNIT_SUFFIXES):
        return "alias:" + base, full["path"]
    return ("file" if in_search else "linked"), full["path"]


def dropins_for(name, names, scan, root, params=None, problems=None):
    """Drop-in paths for a unit known by ``names`` in application order (file-name order).
    A drop-in directory of more than ``max_entries`` names is an HG-PERS-043 in ``problems``
    (once per directory), never a silent cut (issue 17)."""
    limit = (params or {}).get("max_entries") or 4096
    chosen = {}
    dir_names = []
    for n in names:
        for d in dropin_dir_names(n):
            if d not in dir_names:
                dir_names.append(d)
    candidates = []
    for d in dir_names:
        for priority, path in scan["dropin_dirs"].get(d, ()):
            candidates.append((priority, path))
    candidates.sort()
    for _priority, path in candidates:
        entries, total, res = list_dir(root, path, limit)
        said = scan.setdefault("dropin_dirs_said", set())
        if problems is not None and path not in said:
            said.add(path)
            problems.extend(files.directory_findings(path, total, dict(params or {}, max_entries=limit), res))
        for entry in entries:
            if entry.endswith(".conf") and entry not in chosen:
                chosen[entry] = path + "/" + entry
    return [chosen[k] for k in sorted(chosen)]


def parse_unit(root, path, params, settings, execs):
    """Read one unit file or drop-in into ``settings`` ({section: {key: [values]}}) and
    ``execs`` ({key: [(path, lineno, command)]}). Returns the scanned file entry."""
    entry = files.scan_file(root, path, params)
    if entry["status"] != "ok":
        return entry
    lines = [(no, text) for no, text, _cut in entry["lines"]]
    entry["lines"] = []
    by_section = all_section_assignments(lines)
    for section in SECTIONS:
        for lineno, key, value in by_section.get(section, ()):
            if key in EXEC_KEYS and section in ("Service", "Socket"):
                if value == "":
                    execs[key] = []
                else:
                    execs.setdefault(key, []).append((path, lineno, exec_command(value)))
                continue
            bucket = settings.setdefault(section, {})
            if section == "Unit" and conditions.is_condition_key(key):
                if value == "":     # resets every condition (or assert) set so far
                    prefix = "Condition" if key.startswith("Condition") else "Assert"
                    for k in [k for k in bucket if k.startswith(prefix)]:
                        del bucket[k]
                else:
                    bucket.setdefault(key, []).append(value)
                continue
            if key not in KEPT[section]:
                continue
            if value == "":
                bucket[key] = []
            else:
                bucket.setdefault(key, []).extend(value.split() if key in PULL_KEYS + CHAIN_KEYS + INSTALL_RULES + ("Also",) else [value])
    return entry


def enabled_state(unit, links_by_unit, aliases_by_target):
    """``systemctl is-enabled`` wording for a loaded unit."""
    if unit["masked"]:
        return "masked" if unit["kind"] in CONFIG_KINDS else "masked-runtime"
    if unit["kind"] == "generator":
        return "generated"
    if unit["kind"] == "transient":
        return "transient"
    names = [unit["name"]] + unit["aliases"]
    kinds = set(l["kind"] for n in names for l in links_by_unit.get(n, ()))
    kinds |= set(a["kind"] for a in aliases_by_target.get(unit["name"], ()))
    if kinds & set(CONFIG_KINDS):
        return "enabled"
    if kinds & set(RUNTIME_KINDS):
        return "enabled-runtime"
    if unit["file_kind"] == "linked":
        return "linked"
    install = unit["settings"].get("Install", {})
    if any(install.get(k) for k in INSTALL_RULES):
        return "disabled"
    if install.get("Also") or (unit["name"].endswith("@." + unit_type(unit["name"]))
                               and install.get("DefaultInstance")):
        return "indirect"
    return "static"


def load_scope(root, scan, dirs, params, entries, problems=None):
    """Every unit of one scope with settings, exec lines, state. ``entries`` collects every
    scanned file (for package lookup and file checks)."""
    units = {}
    aliases_by_target = {}
    for name, unit in sorted(scan["units"].items()):
        file_kind, real = classify_file(root, unit, dirs)
        unit = dict(unit, file_kind=file_kind, real=real, masked=file_kind == "masked", aliases=[])
        if file_kind.startswith("alias:"):
            target = file_kind.split(":", 1)[1]
            aliases_by_target.setdefault(target, []).append({"name": name, "kind": unit["kind"],
                                                             "path": unit["path"]})
            continue
        units[name] = unit
    links_by_unit = {}
    for link in scan["links"]:
        links_by_unit.setdefault(link["unit"], []).append(link)
        tmpl = template_of(link["unit"])
        if tmpl and tmpl != link["unit"]:
            links_by_unit.setdefault(tmpl + "#instances", []).append(link)
    for name, unit in units.items():
        unit["aliases"] = [a["name"] for a in aliases_by_target.get(name, ())]
        # the enablement links (.wants/.requires/.upholds, alias links): what `disable` removes
        unit["links"] = sorted(set([l["path"] for n in [name] + unit["aliases"] for l in links_by_unit.get(n, ())]
                                   + [a["path"] for a in aliases_by_target.get(name, ())]))
        unit["settings"], unit["execs"], unit["files"] = {}, {}, []
        if unit["masked"] or unit["file_kind"] in ("missing", "broken"):
            unit["state"] = "masked" if unit["masked"] else "not-found"
            if unit["masked"]:
                unit["state"] = enabled_state(unit, links_by_unit, aliases_by_target)
            continue
        main = parse_unit(root, unit["path"], params, unit["settings"], unit["execs"])
        main["location"] = "systemd unit"
        main["scope"] = scan["scope"]
        entries.append(main)
        unit["files"].append(main)
        for dropin in dropins_for(name, [name] + unit["aliases"], scan, root, params, problems):
            d = parse_unit(root, dropin, params, unit["settings"], unit["execs"])
            d["location"] = "systemd drop-in"
            d["scope"] = scan["scope"]
            entries.append(d)
            unit["files"].append(d)
        unit["state"] = enabled_state(unit, links_by_unit, aliases_by_target)
    return units, links_by_unit, aliases_by_target


def activation_target(unit):
    """The unit a timer/socket/path activates (Unit=/Service=, default: same name .service)."""
    utype = unit_type(unit["name"])
    section = {"timer": "Timer", "path": "Path", "socket": "Socket"}.get(utype)
    if not section:
        return None
    values = unit["settings"].get(section, {})
    explicit = values.get("Service" if utype == "socket" else "Unit")
    if explicit:
        return explicit[-1]
    base = unit["name"][:-(len(utype) + 1)]
    if utype == "socket" and "yes" in [v.lower() for v in values.get("Accept", [])]:
        return base + "@.service"
    return base + ".service"


def unit_conditions(root, unit):
    """(True/False/None, reason) of a unit's Condition*/Assert* (conditions.py)."""
    return conditions.summary(conditions.evaluate(root, unit["settings"].get("Unit", {})))


def reachability(units, links_by_unit, aliases_by_target, user_scope=False, cond_of=None):
    """{unit name: (certain, reason)} for every unit a boot (or a user manager start) would
    start: ``certain`` False when it starts only if something else happens first (an
    OnFailure=/OnSuccess= chain, a timer/socket/path whose own conditions files cannot decide).

    Pull edges (.wants/.requires links, Wants=/Requires=/BindsTo=/Upholds=) hold whatever the
    puller's conditions say (systemd queues dependencies before it checks conditions); a
    timer/socket/path activates its unit only when its own conditions do not fail; an
    OnFailure=/OnSuccess= unit is started only when the unit naming it ends that way."""
    cond_of = cond_of or (lambda name: (True, ""))
    alias_to = {}
    for target, items in aliases_by_target.items():
        for item in items:
            alias_to[item["name"]] = target

    def canon(name):
        name = alias_to.get(name, name)
        if name not in units and template_of(name) in units:
            return template_of(name)
        return name

    edges = {}      # name -> [(next, why, certain)]
    for link in (l for items in links_by_unit.values() for l in items):
        if link["unit"].endswith("#instances"):
            continue
        edges.setdefault(canon(link["from"]), []).append(
            (canon(link["unit"]), "%s links it (%s)" % (link["from"], link["path"]), True))
    for name, unit in units.items():
        for key in PULL_KEYS:
            for other in unit["settings"].get("Unit", {}).get(key, []):
                edges.setdefault(name, []).append((canon(other), "%s has %s=%s" % (name, key, other), True))
        for key in CHAIN_KEYS:
            for other in unit["settings"].get("Unit", {}).get(key, []):
                edges.setdefault(name, []).append(
                    (canon(other), "started only if %s %s (%s has %s=%s)" % (
                        name, "fails" if key == "OnFailure" else "succeeds", name, key, other), False))
    roots = ["default.target"]
    if canon("default.target") not in units:
        roots.append("multi-user.target")
    if not user_scope:
        roots.extend(BOOT_IMPLIED)

    def next_of(current):
        unit = units.get(current)
        if unit is not None and unit["masked"]:
            return []
        nexts = list(edges.get(current, ()))
        if unit is None:
            return nexts
        own, own_why = cond_of(current)
        if own is False:
            # skipped: it neither activates anything nor ends in failure/success
            return [e for e in nexts if e[2]]
        target = activation_target(unit)
        if target:
            if own is None:
                lead = "if %s starts: %s; " % (current, own_why)
            else:
                lead = ""
            if unit_type(current) == "timer":
                triggers = ["%s=%s" % (k, v) for k in TIMER_TRIGGERS
                            for v in unit["settings"].get("Timer", {}).get(k, [])]
                if triggers:
                    nexts.append((canon(target), "%striggered by %s (%s)" % (lead, current, ", ".join(triggers[:3])),
                                  own is True))
            else:
                nexts.append((canon(target), "%sactivated by %s" % (lead, current), own is True))
        return nexts

    reached = {}
    for certain_only in (True, False):
        queue = []
        for r in roots:
            c = canon(r)
            if c not in reached:
                reached[c] = (True, "started at %s" % ("user manager start" if user_scope else "boot")
                              if r == "default.target" else "reached by every boot")
            queue.append(c)
        if not certain_only:
            queue = [n for n, (certain, _w) in reached.items() if certain]
        seen = set(queue)
        steps = 0
        while queue and steps < 10 * (len(units) + 100):
            steps += 1
            current = queue.pop(0)
            for nxt, why, certain in next_of(current):
                if certain_only and not certain:
                    continue
                if nxt not in reached:
                    reached[nxt] = (certain_only, why)
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
    return reached


def verdict(unit, reached, user=None, lingering=False, cond=(True, "")):
    """(runs: True, False or "conditional", reason) for one unit."""
    if unit["masked"]:
        return False, "masked (%s -> /dev/null): systemd refuses to start it" % unit["path"]
    if unit["state"] == "not-found":
        return False, "its unit file is a broken link"
    got = reached.get(unit["name"])
    if got is None:
        return False, "%s and nothing that starts at boot pulls it in" % unit["state"]
    certain, why = got
    own, own_why = cond
    if own is False:
        return False, "%s, but %s" % (why, own_why)
    runs = True if certain and own is True else "conditional"
    if own is None:
        why = "%s; %s" % (why, own_why)
    if user:
        when = "at boot (lingering)" if lingering else "when %s logs in" % user
        return runs, "%s; runs in %s's user manager %s" % (why, user, when)
    return runs, why


ATTACK = "T1543.002"


def scope_evidence(unit, scope, user=None, uid=None):
    """What a remediation needs to disable the unit in its own manager."""
    ev = {"scope": scope, "unit_file": unit["path"], "links": unit.get("links", [])}
    if user and scope != "system":
        ev["user"] = user
        if uid is not None and uid >= 0:
            ev["uid"] = uid
    return ev


@CHECKS.check("HG-PERS-001", "critical", "systemd unit runs a malicious, temp-dir or hidden-path command", attack=ATTACK + ", T1053.006",
              lynis="BOOT-5177", reads="Exec*= lines of every unit file and drop-in in every search path",
              remediation="Disable and stop the unit, quarantine its files (and the timer/socket/path "
                          "that activates it), then find how it was written", role="persistence_hygiene")
def check_exec(malicious_exec, unit, runs, reason, owner_of, scope="system", user=None, uid=None):
    """One finding per (file, line) whose command matches the shared patterns."""
    out = []
    for key, items in sorted(unit["execs"].items()):
        for path, lineno, command in items:
            hits = match_line(command, command=command)
            if not hits:
                continue
            out.append(malicious_exec.fail(path, dict(scope_evidence(unit, scope, user, uid), **{
                "path": path, "unit": unit["name"],
                "line": lineno, "key": key,
                "patterns": [name for name, _m in hits], "excerpt": files.excerpt(command),
                "would_run": runs, "reason": reason, "package": owner_of(path)}),
                severity=None if runs else "high"))
    return out


@CHECKS.check("HG-PERS-002", "critical", "Timer, socket or path unit activates a unit that runs a malicious command", attack="T1053.006, " + ATTACK,
              reads="[Timer]/[Socket]/[Path] Unit=/Service= and the activated unit's Exec*= lines",
              remediation="Disable the timer/socket/path and quarantine it with the unit it activates", role="persistence_hygiene")
def check_activators(activates_malicious, units, flagged, verdicts, scope="system", user=None, uid=None):
    out = []
    for name, unit in sorted(units.items()):
        target = activation_target(unit)
        if not target or target not in flagged or not unit["files"]:
            continue
        path = unit["files"][0]["path"]
        runs, reason = verdicts.get(name, (False, ""))
        trig = ["%s=%s" % (k, v) for k in TIMER_TRIGGERS for v in unit["settings"].get("Timer", {}).get(k, [])]
        out.append(activates_malicious.fail(path, dict(scope_evidence(unit, scope, user, uid), **{
            "path": path, "unit": name,
            "activates": target, "triggers": trig,
            "activated_files": flagged[target], "would_run": runs, "reason": reason,
            "state": unit["state"]}), severity=None if runs else "high"))
    return out


@CHECKS.check("HG-PERS-003", "medium", "Unit file or drop-in in a package directory that no package owns", attack=ATTACK,
              reads="/usr/lib/systemd and /lib/systemd files vs dpkg's .list files",
              remediation="Files under /usr/lib/systemd come from packages: find who wrote this one; "
                          "quarantine it if nobody claims it", role="persistence_hygiene")
def check_unowned_vendor(unowned_vendor, entry, package_known):
    if not package_known or entry["status"] != "ok" or entry.get("package"):
        return None
    if not entry.get("owned_known"):
        return None
    if entry["real"].startswith(("/usr/lib/systemd/", "/lib/systemd/", "/usr/local/lib/systemd/")) or \
            entry["path"].startswith(("/usr/lib/systemd/", "/lib/systemd/")):
        return unowned_vendor.fail(entry["path"], {"path": entry["path"], "real": entry["real"],
                                                   "package": None})
    return None


@CHECKS.check("HG-PERS-004", "low", "Runtime or transient unit in /run runs a command", attack=ATTACK,
              reads="/run/systemd/system, /run/systemd/transient",
              remediation="Units under /run vanish at reboot: something created this one at run time "
                          "(systemd-run, a process running as root); check what it runs")
def check_runtime(runtime_unit, unit):
    if unit["kind"] not in ("runtime", "transient", "control-runtime") or not unit["execs"]:
        return None
    if unit_type(unit["name"]) not in ("service", "socket"):
        return None
    first = [c for items in unit["execs"].values() for _p, _l, c in items][:3]
    return runtime_unit.fail(unit["path"], {"path": unit["path"], "unit": unit["name"],
                                            "kind": unit["kind"], "commands": [files.excerpt(c) for c in first]})


@CHECKS.check("HG-PERS-005", "medium", "Unit file replaces a packaged unit of the same name, or overrides its mask", attack=ATTACK,
              reads="the same unit name in several search directories; links to /dev/null",
              remediation="Compare it with the packaged unit (systemctl cat shows both); remove the copy "
                          "if nobody meant to replace the vendor unit", role="persistence_hygiene")
def check_shadows(shadows_packaged, root, unit, owner_of):
    if unit["masked"] or not unit["shadowed"] or unit["kind"] in ("generator",):
        return None
    lower = []
    for item in unit["shadowed"]:
        r = resolve(root, item["path"])
        masked = r["path"] == "/dev/null" or any(t == "/dev/null" for _l, t in r["links"])
        pkg = owner_of(r["path"]) if r["status"] == "ok" else None
        if masked or pkg:
            lower.append({"path": item["path"], "masked": masked, "package": pkg})
    if not lower:
        return None
    mine = owner_of(unit["real"] or unit["path"])
    if mine:
        return None
    return shadows_packaged.fail(unit["path"], {"path": unit["path"], "unit": unit["name"],
                                                "shadows": lower, "package": None})


def find_lingering(root, params):
    names, _t, _r = list_dir(root, "/var/lib/systemd/linger", params["max_users"])
    return set(names)


def collect(root, params, users, entries, extra_paths, problems):
    """Every scope's units (system, global user units, each user with units of his own)."""
    scopes = []
    scan = scan_scope(root, "system", SYSTEM_DIRS, params, problems)
    units, links, aliases = load_scope(root, scan, SYSTEM_DIRS, params, entries, problems)
    scopes.append({"scope": "system", "user": None, "units": units, "links": links,
                   "aliases": aliases, "dirs": SYSTEM_DIRS})
    lingering = find_lingering(root, params)
    personal = []
    for user in users:
        home = user.get("home") or ""
        if not home.startswith("/") or home == "/":
            continue
        dirs = user_dirs(home.rstrip("/"), user.get("uid"))
        own = (home.rstrip("/") + "/", "/run/user/")
        if any(resolve(root, d)["status"] == "ok" for d, k in dirs if d.startswith(own)):
            personal.append((user, dirs))
    if personal:
        for user, dirs in personal:
            scan = scan_scope(root, "user:" + user["name"], dirs, params, problems)
            units, links, aliases = load_scope(root, scan, dirs, params, entries, problems)
            scopes.append({"scope": "user:" + user["name"], "user": user["name"], "units": units,
                           "links": links, "aliases": aliases, "dirs": dirs,
                           "lingering": user["name"] in lingering})
    scan = scan_scope(root, "user", GLOBAL_USER_DIRS, params, problems)
    units, links, aliases = load_scope(root, scan, GLOBAL_USER_DIRS, params, entries, problems)
    scopes.append({"scope": "user", "user": "every user", "units": units, "links": links,
                   "aliases": aliases, "dirs": GLOBAL_USER_DIRS, "lingering": False})
    for sc in scopes:
        for unit in sc["units"].values():
            for item in unit["shadowed"]:
                r = resolve(root, item["path"])
                if r["status"] == "ok":
                    extra_paths.add(r["path"])
    return {"scopes": scopes}


def check(state, ctx):
    """Findings and the inventory (a verdict and its reason for every unit)."""
    findings = []
    inventory = []
    counts = {"units": 0, "timers": 0, "would_run": 0, "conditional": 0}
    timers = []
    for sc in state["scopes"]:
        user_scope = sc["scope"] != "system"
        uid = ctx["uid_of"](sc["user"]) if sc["scope"].startswith("user:") else None
        conds = dict((name, unit_conditions(ctx["root"], unit)) for name, unit in sc["units"].items())
        reached = reachability(sc["units"], sc["links"], sc["aliases"], user_scope=user_scope,
                               cond_of=lambda name: conds.get(name, (True, "")))
        verdicts = {}
        for name, unit in sc["units"].items():
            verdicts[name] = verdict(unit, reached, user=sc["user"] if user_scope else None,
                                     lingering=sc.get("lingering", False), cond=conds[name])
        flagged = {}
        for name, unit in sorted(sc["units"].items()):
            runs, reason = verdicts[name]
            counts["units"] += 1
            counts["would_run"] += int(runs is True)
            counts["conditional"] += int(runs == "conditional")
            hits = check_exec(unit, runs, reason, ctx["owner_of"], sc["scope"], sc["user"], uid)
            if hits:
                flagged[name] = sorted(set(h["subject"] for h in hits))
            findings.extend(hits)
            for one in (check_runtime(unit), check_shadows(ctx["root"], unit, ctx["owner_of"])):
                if one:
                    findings.append(one)
            for entry in unit["files"]:
                findings.extend(files.file_findings(entry, ctx["params"], entry["location"]))
                for one in (check_unowned_vendor(entry, ctx["package_known"]),
                            files.check_modified(entry, entry["location"]),
                            files.check_writable(entry, entry["location"],
                                                 (0,) if not user_scope else (0, ctx["uid_of"](sc["user"])))):
                    if one:
                        findings.append(one)
            item = {"scope": sc["scope"], "name": name, "path": unit["path"], "kind": unit["kind"],
                    "state": unit["state"], "would_run": runs, "reason": reason,
                    "package": ctx["owner_of"](unit["real"] or unit["path"])}
            if unit["aliases"]:
                item["aliases"] = unit["aliases"]
            if unit.get("links"):
                item["links"] = unit["links"][:20]
            if len(unit["files"]) > 1:
                item["dropins"] = [f["path"] for f in unit["files"][1:]]
            cmds = [c for items in unit["execs"].values() for _p, _l, c in items]
            if cmds:
                item["exec"] = files.excerpt(cmds[0])
            if name.endswith(".timer"):
                counts["timers"] += 1
                item["activates"] = activation_target(unit)
                item["triggers"] = ["%s=%s" % (k, v) for k in TIMER_TRIGGERS
                                    for v in unit["settings"].get("Timer", {}).get(k, [])]
                timers.append(item)
            inventory.append(item)
        findings.extend(check_activators(sc["units"], flagged, verdicts, sc["scope"], sc["user"], uid))
    cap = ctx["params"]["max_inventory"]
    facts = {"counts": counts, "units": inventory[:cap], "timers": timers[:cap],
             "omitted": max(0, len(inventory) - cap)}
    return findings, facts
