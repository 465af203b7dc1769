# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SSH authorized keys (T1098.004): every file sshd would read for every user, and the
classic keys-only siblings it would not.

- ``AuthorizedKeysFile`` (and ``StrictModes``, ``PermitUserEnvironment``,
  ``AuthorizedKeysCommand``) from the effective sshd configuration parsed under ``root``
  (core/sshd_config.py: Include, Match skipped, first value wins); default
  ``.ssh/authorized_keys .ssh/authorized_keys2``; tokens ``%h %u %U %%``; relative paths are
  relative to the home directory.
- StrictModes as OpenSSH's auth_secure_path(): the file (after realpath) must be a regular
  file owned by root or the user and not world-writable, and so must every directory from it up
  to the home directory (or to / for a file outside home); group-writable only when the group's
  sole member is the user (Debian's user-group-modes patch: what the real sshd accepted in
  molecule/persistence, Redis writing the dump 0660 under UMask=007).
- A Redis RDB magic at offset 0 is the signature of ``CONFIG SET dir /root/.ssh`` +
  ``CONFIG SET dbfilename authorized_keys`` + ``SAVE``: sshd skips the junk lines and accepts
  the key stored in Redis. Only fingerprints reach the report, never keys.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.authorized_keys import parse_key_line
from ansible_collections.hostguard.hardening.plugins.module_utils.core.linematch import match_line
from ansible_collections.hostguard.hardening.plugins.module_utils.core.sshd_config import parse_config_tree
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence import files
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.locate import resolve
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.spec import CHECKS

DEFAULT_FILES = [".ssh/authorized_keys", ".ssh/authorized_keys2"]
SSHD_CONFIG = "/etc/ssh/sshd_config"
MAX_KEYS_PER_FILE = 1000


def sshd_settings(root):
    tree = parse_config_tree(root, SSHD_CONFIG)
    args = tree.get("args", {})
    values = tree.get("values", {})

    def first(key, default):
        return (values.get(key) or [default])[0]

    akf = args.get("authorizedkeysfile")
    return {"found": tree["found"], "files": tree["files"], "problems": tree["problems"][:10],
            "authorized_keys_file": akf if akf else list(DEFAULT_FILES),
            "authorized_keys_file_origin": tree["origin"].get("authorizedkeysfile", "default"),
            "strict_modes": first("strictmodes", "yes").lower() == "yes",
            "permit_user_environment": first("permituserenvironment", "no").lower() != "no",
            "authorized_keys_command": " ".join(args.get("authorizedkeyscommand", [])) or None,
            "authorized_keys_command_user": first("authorizedkeyscommanduser", None)}


def expand(pattern, user):
    """One AuthorizedKeysFile entry for ``user`` as an absolute path (sshd's expand_authorized_keys)."""
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "%" and i + 1 < len(pattern):
            tok = pattern[i + 1]
            out.append({"%": "%", "h": user["home"], "u": user["name"], "U": str(user["uid"])}.get(tok, "%" + tok))
            i += 2
            continue
        out.append(ch)
        i += 1
    path = "".join(out)
    if not path.startswith("/"):
        path = user["home"].rstrip("/") + "/" + path
    return path


def group_only_user(gid, user, groups):
    """Debian's OpenSSH (user-group-modes.patch, secure_permissions): a group-writable file is
    accepted when its group has exactly one member, the user (primary or supplementary)."""
    members = [u["name"] for u in groups.get("users", []) if u["gid"] == gid]
    if any(name != user["name"] for name in members):
        return False
    extra = groups.get("members", {}).get(gid)
    if extra is None and not members:
        return False
    if extra:
        if extra != [user["name"]]:
            return False
    return bool(members or extra)


def _bad_modes(st, user, groups):
    mode = int(st["mode"], 8)
    if st["uid"] not in (0, user["uid"]) or mode & 0o002:
        return True
    return bool(mode & 0o020) and not group_only_user(st["gid"], user, groups)


def strict_modes_problem(root, real, info, user, groups=None):
    """None if OpenSSH's StrictModes accepts the file, else why not."""
    groups = groups or {}
    if info["type"] != "file":
        return "not a regular file"
    if _bad_modes(info, user, groups):
        return "bad ownership or modes for file %s (owner %d, mode %s)" % (real, info["uid"], info["mode"])
    home = resolve(root, user["home"])["path"].rstrip("/") or "/"
    parts = real.rstrip("/").split("/")[:-1]
    while parts:
        directory = "/".join(parts) or "/"
        r = resolve(root, directory)
        if r["status"] != "ok":
            return "cannot stat directory %s" % directory
        d = r["info"]
        if _bad_modes(d, user, groups):
            return "bad ownership or modes for directory %s (owner %d, mode %s)" % (directory, d["uid"], d["mode"])
        if directory == home or directory == "/":
            break
        parts = parts[:-1]
    return None


def load_groups(root, users):
    """{"users": passwd entries, "members": {gid: [supplementary member names]}} from <root>/etc/group."""
    members = {}
    entry = files.scan_file(root, "/etc/group", {"max_read_bytes": 4 << 20, "max_line_bytes": 65536})
    for _no, text, _cut in entry["lines"]:
        parts = text.strip().split(":")
        if len(parts) >= 4 and parts[2].isdigit():
            members.setdefault(int(parts[2]), [m for m in parts[3].split(",") if m])
    return {"users": users, "members": members}


def collect(root, params, users, entries, problems):
    settings = sshd_settings(root)
    configured = [p for p in settings["authorized_keys_file"] if p.lower() != "none"]
    by_path = {}
    per_user = []
    for user in users:
        home = user.get("home") or ""
        if not home.startswith("/"):
            continue
        used = [expand(p, user) for p in configured]
        candidates = list(used) + [expand(p, user) for p in DEFAULT_FILES if expand(p, user) not in used]
        for path in candidates:
            if resolve(root, path, follow=False)["status"] != "ok":
                continue
            if path not in by_path:
                keys = []
                junk = [0]

                def on_line(lineno, text, cut):
                    parsed = parse_key_line(text)
                    if parsed is None:
                        return
                    if not parsed["valid"]:
                        junk[0] += 1
                    elif len(keys) < MAX_KEYS_PER_FILE:
                        parsed["line"] = lineno
                        keys.append(parsed)

                entry = files.scan_file(root, path, params, on_line=on_line, keep_lines=False)
                entry.update({"location": "authorized_keys", "keys": keys, "junk_lines": junk[0]})
                entries.append(entry)
                by_path[path] = entry
            per_user.append({"user": user, "path": path, "used": path in used, "entry": by_path[path]})
    return {"settings": settings, "files": per_user, "groups": load_groups(root, users)}


@CHECKS.check("HG-PERS-020", "critical", "Redis RDB dump written as an authorized_keys file", attack="T1098.004",
              reads="first bytes of every authorized_keys file (magic REDIS00 at offset 0)",
              remediation="Remove the file's lines (persistence_hygiene keeps a backup in quarantine), "
                          "secure the Redis that wrote it (bind, protected-mode, ACL, rename CONFIG), "
                          "check the key's logins in the auth log", role="persistence_hygiene")
@CHECKS.check("HG-PERS-021", "high", "Binary junk or unparsable lines in an authorized_keys file", attack="T1098.004",
              reads="every line of every authorized_keys file",
              remediation="authorized_keys holds only key lines and comments: find what wrote the rest", role="persistence_hygiene")
@CHECKS.check("HG-PERS-022", "medium", "Key with a forced command or environment= option", attack="T1098.004", reads="options of every key line",
              remediation="Check the command and environment a key line sets; remove the line if nobody "
                          "put it there", role="persistence_hygiene")
@CHECKS.check("HG-PERS-023", "medium", "authorized_keys that sshd's StrictModes rejects (or would, were it on)", attack="T1098.004",
              reads="owner and mode of the file and every directory up to the home directory; StrictModes",
              remediation="chown the file and its directories to the user (or root) and chmod go-w; with "
                          "StrictModes no, anyone who can write the file can log in as the user")
@CHECKS.check("HG-PERS-024", "medium", "The same key authorizes several users", attack="T1098.004", reads="fingerprints of every key sshd would accept",
              remediation="One key per person: a key shared by accounts (root among them) is how one "
                          "stolen key opens them all")
@CHECKS.check("HG-PERS-025", "low", "AuthorizedKeysCommand runs a program at every SSH login",
              attack="T1098.004", reads="AuthorizedKeysCommand in the effective sshd configuration",
              remediation="Make sure the command is the one your identity system installed")
@CHECKS.check("HG-PERS-026", "low", "Keys in a file sshd does not read (not in AuthorizedKeysFile)", attack="T1098.004",
              reads="authorized_keys/authorized_keys2 outside AuthorizedKeysFile",
              remediation="Remove the file, or know that a change of AuthorizedKeysFile would enable it")
def check(rdb_keys, junk_keys, key_options, strict_modes, duplicate_key, keys_command, dormant_keys, state, ctx):
    settings = state["settings"]
    findings = []
    inventory = []
    by_fp = {}
    seen_entry = set()
    for item in state["files"]:
        user, entry, path = item["user"], item["entry"], item["path"]
        info = entry.get("info") or {}
        reason = None
        if entry["status"] != "ok":
            reason = "not read by sshd: %s" % entry["status"]
        elif not item["used"]:
            reason = "not listed in AuthorizedKeysFile (%s)" % " ".join(settings["authorized_keys_file"])
        problem = (strict_modes_problem(ctx["root"], entry["real"], info, user, state.get("groups"))
                   if entry["status"] == "ok" else None)
        if reason is None and problem and settings["strict_modes"]:
            reason = "StrictModes rejects it: %s" % problem
        accepted = reason is None
        if accepted:
            reason = "sshd reads it for %s%s" % (user["name"], " (StrictModes off: %s)" % problem if problem else "")
        fps = [k["fingerprint"] for k in entry.get("keys", [])]
        recent = files.is_recent(entry, ctx["params"], ctx["now"])
        inventory.append({"user": user["name"], "path": path, "used": item["used"], "would_apply": accepted,
                          "reason": reason, "keys": fps[:20], "key_count": len(fps),
                          "junk_lines": entry.get("junk_lines", 0), "rdb": entry.get("rdb", False),
                          "recent": recent})
        ev = {"path": path, "user": user["name"], "would_apply": accepted, "reason": reason,
              "fingerprints": fps[:20], "recent": recent}
        if accepted:
            for fp in set(fps):
                by_fp.setdefault(fp, {"users": set(), "paths": set()})
                by_fp[fp]["users"].add(user["name"])
                by_fp[fp]["paths"].add(path)
        if problem and entry["status"] == "ok":
            findings.append(strict_modes.fail(path, dict(ev, problem=problem, strict_modes=settings["strict_modes"]),
                                              severity=None if settings["strict_modes"] else "high"))
        if fps and not item["used"] and entry["status"] == "ok":
            findings.append(dormant_keys.fail(path, ev))
        if path in seen_entry:
            continue
        seen_entry.add(path)
        findings.extend(files.file_findings(entry, ctx["params"], "authorized_keys"))
        if entry.get("rdb"):
            findings.append(rdb_keys.fail(path, dict(ev, junk_lines=entry.get("junk_lines", 0),
                                                     size=info.get("size"))))
        elif entry.get("junk_lines") or entry.get("binary"):
            findings.append(junk_keys.fail(path, dict(ev, junk_lines=entry.get("junk_lines", 0),
                                                      binary=entry.get("binary"))))
        for key in entry.get("keys", []):
            names = dict(key["options"])
            if "command" not in names and "environment" not in names:
                continue
            command = names.get("command") or ""
            hits = [n for n, _m in match_line(command, command=command)] if command else []
            env_effective = settings["permit_user_environment"]
            findings.append(key_options.fail(path, dict(
                ev, line=key["line"], fingerprint=key["fingerprint"], options=sorted(names),
                command=files.excerpt(command) if command else None, patterns=hits,
                environment_effective=env_effective if "environment" in names else None),
                severity="critical" if hits else None))
    for fp, seen in sorted(by_fp.items()):
        if len(seen["users"]) > 1:
            paths = sorted(seen["paths"])
            findings.append(duplicate_key.fail(paths[0], {"fingerprint": fp, "users": sorted(seen["users"]),
                                                          "paths": paths}))
    if settings["authorized_keys_command"]:
        cmd = settings["authorized_keys_command"]
        hits = [n for n, _m in match_line(cmd, command=cmd)]
        findings.append(keys_command.fail(SSHD_CONFIG, {"path": SSHD_CONFIG, "command": files.excerpt(cmd),
                                                        "user": settings["authorized_keys_command_user"],
                                                        "patterns": hits},
                                          severity="critical" if hits else None))
    facts = {"sshd": dict((k, v) for k, v in settings.items() if k != "problems"),
             "sshd_problems": settings["problems"], "files": inventory[:ctx["params"]["max_inventory"]],
             "omitted": max(0, len(inventory) - ctx["params"]["max_inventory"])}
    return findings, facts
