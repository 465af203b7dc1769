# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shell, login and system hooks: files that run code as a side effect of something else
(a login, a shell, a library load, a device, a module load, a package install, sudo).

Locations and when each runs (the ``reason`` of every verdict):
- /etc/profile (login shells), /etc/profile.d/*.sh (sourced by /etc/profile: only ``*.sh``),
  /etc/bash.bashrc (interactive bash), /etc/zsh/* — T1546.004;
- users' ~/.bash_profile, ~/.bash_login, ~/.profile (a bash login shell reads the first that
  exists), ~/.bashrc, ~/.bash_logout, ~/.zshrc, ~/.zprofile, ~/.zshenv — T1546.004;
- /etc/update-motd.d/* (pam_motd runs ``run-parts --lsbsysinit`` as root at every login:
  executable files with LSB names) — T1037;
- /etc/ld.so.preload (every entry is loaded into every dynamically linked process) — T1574.006;
- udev rules ``RUN+=``/``PROGRAM=`` (/etc, /run, /usr/lib, /lib: same name, first wins) — T1546.017;
- /etc/modprobe.d ``install``/``remove`` commands and /etc/modules-load.d — T1547.006;
- XDG autostart ``Exec=`` (/etc/xdg/autostart, ~/.config/autostart; ``Hidden=true`` disables);
- APT ``Pre-Invoke``/``Post-Invoke``/``Pre-Install-Pkgs`` in /etc/apt/apt.conf{,.d} (root, every apt run);
- sudoers and sudoers.d ``NOPASSWD`` rules (sudo skips sudoers.d names with a dot or ending in ~).
Every line of every hook is matched with the shared malicious-line patterns (core/linematch).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core.linematch import match_line
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence import files
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.locate import list_dir, resolve
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.spec import CHECKS

SYSTEM_SHELL = ("/etc/profile", "/etc/bash.bashrc", "/etc/zsh/zshenv", "/etc/zsh/zprofile",
                "/etc/zsh/zshrc", "/etc/zsh/zlogin", "/etc/environment")
DOTFILES = (".bash_profile", ".bash_login", ".profile", ".bashrc", ".bash_logout", ".zshrc",
            ".zprofile", ".zshenv", ".zlogin")
UDEV_DIRS = ("/etc/udev/rules.d", "/run/udev/rules.d", "/usr/local/lib/udev/rules.d",
             "/usr/lib/udev/rules.d", "/lib/udev/rules.d")
MODPROBE_DIRS = ("/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
                 "/usr/lib/modprobe.d", "/lib/modprobe.d")
MODULES_LOAD_DIRS = ("/etc/modules-load.d", "/run/modules-load.d", "/usr/local/lib/modules-load.d",
                     "/usr/lib/modules-load.d", "/lib/modules-load.d")
# "install <module> /bin/true" (the CIS way to forbid a module) and a plain --ignore-install
# pass-through run nothing else; anything longer is a command to judge.
HARMLESS_INSTALL = re.compile(r"^(?:/usr)?/s?bin/(?:true|false)\s*$"
                              r"|^(?:/usr)?/s?bin/modprobe\s+--ignore-install\s+[\w-]+(?:\s+\$CMDLINE_OPTS)?\s*$")
LSB_NAME = re.compile(r"^[a-zA-Z0-9_-]+$|^_?(?:[a-z0-9_.]+-)+[a-z0-9]+$|^[a-z0-9]+$")
UDEV_RUN = re.compile(r"\b(RUN|PROGRAM|IMPORT\{program\})\s*\+?=\s*\"([^\"]*)\"")
APT_HOOK = re.compile(r"(Pre-Invoke|Post-Invoke(?:-Success)?|Pre-Install-Pkgs|Post-Install-Pkgs)", re.I)
QUOTED = re.compile(r"\"([^\"]*)\"")
MAX_SUDO_INCLUDES = 32
MAX_COMMANDS = 200          # commands kept per rule file (udev, modprobe, apt, sudoers, ...)


def _dir_files(root, directory, params, problems, suffix=None):
    names, total, res = list_dir(root, directory, params["max_entries"])
    problems.extend(files.directory_findings(directory, total, params, res))
    out = []
    for name in names:
        if suffix and not name.endswith(suffix):
            continue
        path = directory.rstrip("/") + "/" + name
        r = resolve(root, path, follow=False)
        if r["status"] == "ok" and r["info"]["type"] == "directory":
            continue
        out.append((name, path))
    return out


def _first_wins(root, dirs, params, problems, suffix):
    """systemd-style config dirs: for one file name the first directory wins."""
    chosen = {}
    for directory in dirs:
        for name, path in _dir_files(root, directory, params, problems, suffix):
            chosen.setdefault(name, path)
    return [chosen[n] for n in sorted(chosen)]


def _scan(root, path, params, kind, runs, reason, entries, user=None, extract=None):
    """Scan one hook; ``extract(text) -> [commands]`` picks the commands out of a line (all
    non-comment lines when None)."""
    hits = []
    commands = []

    def on_line(lineno, text, cut):
        stripped = text.strip()
        if stripped.startswith(("#", ";")) or not stripped:
            return
        subjects = extract(stripped) if extract else [stripped]
        for command in subjects:
            if extract and len(commands) < MAX_COMMANDS:
                commands.append((lineno, command))
            for pattern, _m in match_line(command):
                if len(hits) < 10:
                    hits.append({"line": lineno, "pattern": pattern, "excerpt": files.excerpt(command)})

    entry = files.scan_file(root, path, params, on_line=on_line, keep_lines=False)
    entry.update({"location": kind, "hits": hits, "commands": commands, "runs": runs,
                  "reason": reason, "user": user})
    entries.append(entry)
    return entry


def _udev_extract(text):
    return [m.group(2) for m in UDEV_RUN.finditer(text)]


def _modprobe_extract(text):
    words = text.split(None, 2)
    if len(words) == 3 and words[0] in ("install", "remove"):
        return [words[2]]
    return []


def _apt_extract(text):
    if not APT_HOOK.search(text):
        return []
    return QUOTED.findall(text) or [text]


def _desktop_exec(text):
    return [text.split("=", 1)[1].strip()] if text.startswith("Exec=") else []


def pam_motd(root, params):
    for path in ("/etc/pam.d/sshd", "/etc/pam.d/login"):
        entry = files.scan_file(root, path, params)
        if any("pam_motd" in t and not t.lstrip().startswith("#") for _n, t, _c in entry["lines"]):
            return path
    return None


def sudo_includes(root, params):
    """The sudoers.d directories /etc/sudoers includes (#includedir / @includedir)."""
    entry = files.scan_file(root, "/etc/sudoers", params)
    dirs = []
    for _no, text, _cut in entry["lines"]:
        m = re.match(r"^[#@]includedir\s+(\S+)", text.strip())
        if m and len(dirs) < MAX_SUDO_INCLUDES:
            dirs.append(m.group(1))
    return dirs


def collect(root, params, users, entries, extra_paths, problems):
    hooks = []
    add = hooks.append
    for path in SYSTEM_SHELL:
        if resolve(root, path, follow=False)["status"] == "ok":
            when = {"/etc/profile": "sourced by every login shell",
                    "/etc/bash.bashrc": "sourced by every interactive bash",
                    "/etc/environment": "read by pam_env at every login"}.get(path, "sourced by zsh")
            add(_scan(root, path, params, "shell", True, when, entries))
    for name, path in _dir_files(root, "/etc/profile.d", params, problems):
        sh = name.endswith(".sh")
        # commands kept (every non-comment line) to recognise hostguard's own drop-in
        add(_scan(root, path, params, "profile.d", sh,
                  "sourced by /etc/profile at every login shell" if sh else
                  "not sourced: /etc/profile reads only *.sh", entries, extract=lambda text: [text]))
    motd_pam = pam_motd(root, params)
    for name, path in _dir_files(root, "/etc/update-motd.d", params, problems):
        entry = _scan(root, path, params, "update-motd.d", False, "", entries)
        if not LSB_NAME.match(name) or name.endswith((".dpkg-old", ".dpkg-dist", ".dpkg-new", ".dpkg-tmp")):
            entry["runs"], entry["reason"] = False, "run-parts --lsbsysinit skips this name"
        elif not files.is_executable(entry):
            entry["runs"], entry["reason"] = False, "not executable: run-parts skips it"
        elif motd_pam:
            entry["runs"], entry["reason"] = True, "run as root at every login (pam_motd in %s)" % motd_pam
        else:
            entry["runs"], entry["reason"] = False, "no pam_motd in /etc/pam.d/sshd or login"
        add(entry)
    if resolve(root, "/etc/ld.so.preload", follow=False)["status"] == "ok":
        entry = _scan(root, "/etc/ld.so.preload", params, "ld.so.preload", True,
                      "loaded into every dynamically linked program", entries, extract=lambda text: [text])
        for lib in preload_libraries(entry):
            r = resolve(root, lib)
            if r["status"] == "ok":
                extra_paths.add(r["path"])
        add(entry)
    for path in _first_wins(root, UDEV_DIRS, params, problems, ".rules"):
        add(_scan(root, path, params, "udev", True, "run by udevd as root when a matching device event occurs",
                  entries, extract=_udev_extract))
    for path in _first_wins(root, MODPROBE_DIRS, params, problems, ".conf"):
        add(_scan(root, path, params, "modprobe.d", True, "run by modprobe as root when the module is loaded",
                  entries, extract=_modprobe_extract))
    for path in _first_wins(root, MODULES_LOAD_DIRS, params, problems, ".conf") + ["/etc/modules"]:
        if resolve(root, path, follow=False)["status"] == "ok":
            add(_scan(root, path, params, "modules-load.d", True, "modules loaded at boot", entries,
                      extract=lambda text: [text] if "/" in text or " " in text else []))
    for name, path in _dir_files(root, "/etc/xdg/autostart", params, problems, ".desktop"):
        add(_scan(root, path, params, "xdg-autostart", True, "run at every desktop login", entries,
                  extract=_desktop_exec))
    apt = [("apt.conf", "/etc/apt/apt.conf")] + _dir_files(root, "/etc/apt/apt.conf.d", params, problems)
    for name, path in apt:
        if resolve(root, path, follow=False)["status"] == "ok":
            add(_scan(root, path, params, "apt", True, "run as root by apt/dpkg", entries, extract=_apt_extract))
    sudo_paths = ["/etc/sudoers"] if resolve(root, "/etc/sudoers", follow=False)["status"] == "ok" else []
    for directory in sudo_includes(root, params):
        for name, path in _dir_files(root, directory, params, problems):
            sudo_paths.append(path)
    for path in sudo_paths:
        name = path.rsplit("/", 1)[-1]
        skip = path != "/etc/sudoers" and ("." in name or name.endswith("~"))
        add(_scan(root, path, params, "sudoers", not skip,
                  "sudo skips names with a dot or ending in ~" if skip else "read by sudo", entries,
                  extract=lambda text: [text] if "NOPASSWD" in text else []))
    for user in users:
        home = (user.get("home") or "").rstrip("/")
        if not home or home == "/nonexistent":
            continue
        present = [n for n in DOTFILES if resolve(root, home + "/" + n, follow=False)["status"] == "ok"]
        login_file = next((n for n in (".bash_profile", ".bash_login", ".profile") if n in present), None)
        for name in present:
            if name in (".bash_profile", ".bash_login", ".profile") and name != login_file:
                runs, reason = False, "bash reads %s instead at login" % login_file
            else:
                runs, reason = True, "read by %s's shell (%s)" % (user["name"], name)
            add(_scan(root, home + "/" + name, params, "dotfile", runs, reason, entries, user=user))
        for dname, dpath in _dir_files(root, home + "/.config/autostart", params, problems, ".desktop"):
            add(_scan(root, dpath, params, "xdg-autostart", True, "run at %s's desktop login" % user["name"],
                      entries, user=user, extract=_desktop_exec))
    return {"hooks": hooks}


def preload_libraries(entry):
    """ld.so(8): entries of /etc/ld.so.preload are separated by whitespace or colons."""
    return [w for _no, text in entry["commands"] for w in re.split(r"[\s:]+", text) if w]


@CHECKS.check("HG-PERS-030", "high", "/etc/ld.so.preload lists a library", attack="T1574.006",
              reads="/etc/ld.so.preload entries, their package owner",
              remediation="Empty the file (persistence_hygiene quarantines it): a preloaded library runs "
                          "inside every program, the usual way rootkits hide files and processes", role="persistence_hygiene")
def check_preload(check, entry, ctx):
    libs = preload_libraries(entry)
    if not libs:
        return None
    worst = None
    details = []
    for lib in libs[:20]:
        r = resolve(ctx["root"], lib)
        owner = ctx["owner_of"](r["path"]) if r["status"] == "ok" else None
        odd = bool(match_line(lib, command=lib)) or (ctx["package_known"] and not owner)
        worst = worst or odd
        details.append({"library": lib, "exists": r["status"] == "ok", "package": owner})
    return check.fail(entry["path"], {"path": entry["path"], "libraries": details},
                      severity="critical" if worst else None)


ROOT_HOOK_KINDS = ("update-motd.d", "udev", "modprobe.d", "apt", "profile.d", "xdg-autostart")

# The profile.d drop-in roles/baseline_hardening writes (tasks/shell.yml), line by line: at its
# path and with exactly these commands it is hostguard's own, not an unowned hook. Anything
# else in the file (one more command) and it is judged like any other hook.
HOSTGUARD_SHELL_PATH = re.compile(r"\A/etc/profile\.d/[0-9]{2}-hostguard-shell\.sh\Z")
HOSTGUARD_SHELL_LINES = (
    re.compile(r"\Aif ! readonly -p 2>/dev/null \| grep -q ' TMOUT='; then\Z"),
    re.compile(r"\ATMOUT=[0-9]{1,6}\Z"),
    re.compile(r"\Areadonly TMOUT\Z"),
    re.compile(r"\Aexport TMOUT\Z"),
    re.compile(r"\Afi\Z"),
    re.compile(r"\Aumask 0?[0-7]{3}\Z"),
)


def hostguard_managed(entry):
    """The role that wrote this hook when it is hostguard's own drop-in, else None."""
    if entry.get("location") != "profile.d" or not HOSTGUARD_SHELL_PATH.match(entry.get("path") or ""):
        return None
    commands = [c.strip() for _n, c in entry.get("commands") or []]
    if len(commands) != len(HOSTGUARD_SHELL_LINES) or entry.get("hits"):
        return None
    if all(p.match(c) for p, c in zip(HOSTGUARD_SHELL_LINES, commands)):
        return "hostguard.hardening.baseline_hardening"
    return None


def _is_rule_hook(entry):
    if entry["location"] in ("udev", "modprobe.d", "apt", "xdg-autostart"):
        cmds = [c for _n, c in entry["commands"]]
        if entry["location"] == "modprobe.d":
            cmds = [c for c in cmds if not HARMLESS_INSTALL.match(c.strip())]
        return bool(cmds)
    return True


def sudo_nopasswd(entry, allowed):
    out = []
    for lineno, text in entry["commands"]:
        if "NOPASSWD" not in text or text.startswith(("Defaults", "User_Alias", "Cmnd_Alias",
                                                      "Host_Alias", "Runas_Alias")):
            continue
        principal = text.split(None, 1)[0]
        if principal not in allowed:
            out.append({"line": lineno, "principal": principal, "excerpt": files.excerpt(text)})
    return out


@CHECKS.check("HG-PERS-031", "critical", "Malicious command in a shell, login or system hook", attack="T1546.004, T1037, T1546.017, T1547.006",
              reads="every line of profile, bashrc, dotfiles, update-motd.d, udev RUN, modprobe install, "
                    "XDG autostart, APT hooks, sudoers", remediation="Quarantine the file (dotfiles: remove the line), then find how it was written",
              role="persistence_hygiene")
@CHECKS.check("HG-PERS-032", "medium", "System hook that runs as root and no package owns", attack="T1037, T1546.017, T1547.006",
              reads="update-motd.d, udev rules with RUN, modprobe install, XDG autostart, APT hooks, "
                    "profile.d vs dpkg's .list files", remediation="Find who installed it; quarantine it if nobody claims it",
              role="persistence_hygiene")
@CHECKS.check("HG-PERS-033", "high", "sudo NOPASSWD rule for an unexpected user or group", attack="T1548.003",
              reads="/etc/sudoers and the sudoers.d files sudo reads",
              remediation="Remove the rule or list the principal in nopasswd_allowed if it is meant")
def check(malicious_hook, unowned_hook, nopasswd, state, ctx):
    findings = []
    inventory = []
    params = ctx["params"]
    for entry in state["hooks"]:
        kind = entry["location"]
        user = entry.get("user")
        item = files.file_facts(entry)
        item.update({"kind": kind, "would_run": entry["runs"], "reason": entry["reason"]})
        if user:
            item["user"] = user["name"]
        inventory.append(item)
        findings.extend(files.file_findings(entry, params, kind))
        if entry["status"] != "ok":
            continue
        ev = {"path": entry["path"], "kind": kind, "would_run": entry["runs"], "reason": entry["reason"]}
        for hit in entry["hits"]:
            findings.append(malicious_hook.fail(entry["path"], dict(ev, line=hit["line"], patterns=[hit["pattern"]],
                                                                    excerpt=hit["excerpt"],
                                                                    package=entry.get("package")),
                                                severity=None if entry["runs"] else "high"))
        if kind == "ld.so.preload":
            one = check_preload(entry, ctx)
            if one:
                findings.append(one)
        if kind == "sudoers" and entry["runs"]:
            for rule in sudo_nopasswd(entry, params["nopasswd_allowed"]):
                findings.append(nopasswd.fail(entry["path"], dict(ev, **rule)))
        managed = hostguard_managed(entry)
        if managed:
            item["managed_by"] = managed
        if (kind in ROOT_HOOK_KINDS and entry["runs"] and ctx["package_known"] and entry.get("owned_known")
                and not entry.get("package") and not user and _is_rule_hook(entry) and not managed):
            recent = files.is_recent(entry, params, ctx["now"])
            findings.append(unowned_hook.fail(entry["path"], dict(
                ev, package=None, recent=recent, executable=files.is_executable(entry),
                commands=[files.excerpt(c) for _n, c in entry["commands"][:3]]),
                severity="high" if recent and (files.is_executable(entry) or kind != "update-motd.d") else None))
        one = files.check_modified(entry, kind)
        if one:
            findings.append(one)
        one = files.check_writable(entry, kind, (0, user["uid"]) if user else (0,))
        if one:
            findings.append(one)
    facts = {"hooks": inventory[:params["max_inventory"]],
             "omitted": max(0, len(inventory) - params["max_inventory"])}
    return findings, facts
