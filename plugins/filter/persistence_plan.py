# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side filter of roles/persistence_hygiene: from persistence_audit's findings and
facts, what to disable, what to quarantine, which authorized_keys lines to remove, and what is
left for a human (with the reason).

Units are disabled in the manager that runs them: system units with systemctl; global user
units (``/etc/systemd/user``, scope ``user``) with ``systemctl --global disable``;
a user's own units (scope ``user:<name>``, unit file in that user's directories) in that
user's manager when it runs, else by removing the enablement links the audit listed
(``links``: the ``.wants``/``.requires`` links inside the user's home)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.plugin_utils.filters import filter_module

UNIT_IDS = ("HG-PERS-001", "HG-PERS-002")
KEY_IDS = ("HG-PERS-020", "HG-PERS-021", "HG-PERS-022")
GLOBAL_USER_DIRS = ("/etc/xdg/systemd/user/", "/etc/systemd/user/", "/run/systemd/user/",
                    "/usr/local/share/systemd/user/", "/usr/share/systemd/user/",
                    "/usr/local/lib/systemd/user/", "/usr/lib/systemd/user/", "/lib/systemd/user/")


def _manual(out, finding, why):
    out["manual"].append({"path": finding.get("subject"), "id": finding.get("id"),
                          "title": finding.get("title", ""), "why": why})


def _home_file(path, facts):
    homes = [f.get("path", "").rsplit("/.ssh/", 1)[0] for f in (facts.get("ssh_keys") or {}).get("files", [])]
    return any(path.startswith(h + "/") for h in homes if h)


def persistence_plan(findings, facts, connected_user, quarantine_ids, protected_paths=None):
    """{'disable': [system units], 'move': {path: [ids]}, 'key_lines': {path: {...}}, 'manual': [...]}."""
    out = {"disable": [], "disable_global": [], "disable_user": [], "move": {}, "key_lines": {}, "manual": []}
    facts = facts or {}
    key_files = [f for f in (facts.get("ssh_keys") or {}).get("files", [])
                 if f.get("user") == connected_user and f.get("would_apply")]
    own_paths = sorted(set(f["path"] for f in key_files))
    for f in findings or []:
        subject, fid, ev = f.get("subject"), f.get("id"), f.get("evidence") or {}
        if f.get("status") != "fail" or not isinstance(subject, str) or not subject.startswith("/"):
            continue
        if fid in KEY_IDS:
            if fid == "HG-PERS-022" and f.get("severity") != "critical":
                _manual(out, f, "forced command or environment= option: review it, not removed automatically")
                continue
            plan = out["key_lines"].setdefault(subject, {"fingerprints": [], "remove_unparsable": False, "ids": [],
                                                         "protect": subject in own_paths,
                                                         "protect_key_files": [p for p in own_paths if p != subject]})
            if fid == "HG-PERS-020":
                plan["fingerprints"].extend(ev.get("fingerprints") or [])
                plan["remove_unparsable"] = True
            elif fid == "HG-PERS-021":
                plan["remove_unparsable"] = True
            elif ev.get("fingerprint"):
                plan["fingerprints"].append(ev["fingerprint"])
            plan["ids"].append(fid)
            continue
        if fid not in (quarantine_ids or []):
            continue
        if subject in (protected_paths or []) or (fid == "HG-PERS-031" and _home_file(subject, facts)):
            _manual(out, f, "protected file (a shared shell file or a user's dotfile): remove the line by hand")
            continue
        out["move"].setdefault(subject, []).append(fid)
        if fid in UNIT_IDS and ev.get("unit_file") == subject and ev.get("unit"):
            _plan_disable(out, ev)
    for plan in out["key_lines"].values():
        plan["fingerprints"] = sorted(set(plan["fingerprints"]))
        plan["ids"] = sorted(set(plan["ids"]))
    # timers/sockets/paths before the units they activate
    out["disable"].sort(key=_activators_first)
    out["disable_global"].sort(key=_activators_first)
    out["disable_user"].sort(key=lambda item: (item["user"], _activators_first(item["unit"])))
    return out


def _activators_first(name):
    return (not name.endswith((".timer", ".socket", ".path")), name)


def _plan_disable(out, ev):
    scope, unit = ev.get("scope"), ev["unit"]
    if scope == "system":
        if unit not in out["disable"]:
            out["disable"].append(unit)
    elif scope == "user":
        if unit not in out["disable_global"]:
            out["disable_global"].append(unit)
    elif isinstance(scope, str) and scope.startswith("user:") and ev.get("uid") is not None:
        user = scope.split(":", 1)[1]
        if any(d["user"] == user and d["unit"] == unit for d in out["disable_user"]):
            return
        # a global unit seen through the user's manager is disabled globally, not per user
        if not ev.get("unit_file", "").startswith(GLOBAL_USER_DIRS):
            homes = [l for l in ev.get("links") or [] if not l.startswith(GLOBAL_USER_DIRS)]
            out["disable_user"].append({"user": user, "uid": ev["uid"], "unit": unit, "links": sorted(homes)})


FilterModule = filter_module(persistence_plan)
