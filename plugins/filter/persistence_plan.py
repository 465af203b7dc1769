# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side filter of roles/persistence_hygiene: from persistence_audit's findings and
facts, what to disable, what to quarantine, which authorized_keys lines to remove, and what is
left for a human (with the reason)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

UNIT_IDS = ("HG-PERS-001", "HG-PERS-002")
KEY_IDS = ("HG-PERS-020", "HG-PERS-021", "HG-PERS-022")


def _manual(out, finding, why):
    out["manual"].append({"path": finding.get("subject"), "id": finding.get("id"),
                          "title": finding.get("title", ""), "why": why})


def _home_file(path, facts):
    homes = [f.get("path", "").rsplit("/.ssh/", 1)[0] for f in (facts.get("ssh_keys") or {}).get("files", [])]
    return any(path.startswith(h + "/") for h in homes if h)


def persistence_plan(findings, facts, connected_user, quarantine_ids, protected_paths=None):
    """{'disable': [system units], 'move': {path: [ids]}, 'key_lines': {path: {...}}, 'manual': [...]}."""
    out = {"disable": [], "move": {}, "key_lines": {}, "manual": []}
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
        if fid in UNIT_IDS and ev.get("scope") == "system" and ev.get("unit_file") == subject:
            if ev.get("unit") and ev["unit"] not in out["disable"]:
                out["disable"].append(ev["unit"])
    for plan in out["key_lines"].values():
        plan["fingerprints"] = sorted(set(plan["fingerprints"]))
        plan["ids"] = sorted(set(plan["ids"]))
    # timers/sockets/paths before the units they activate
    out["disable"].sort(key=lambda name: (not name.endswith((".timer", ".socket", ".path")), name))
    return out


class FilterModule(object):
    def filters(self):
        return {"hostguard_persistence_plan": persistence_plan}
