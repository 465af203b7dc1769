# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis-like baseline checks (seed 003): SSH-7408, AUTH-9286, AUTH-9328, FILE-6310,
USB-1000, STRG-1846, NAME-4406, MAIL-8818, FIRE-4513 / FIRE-4590.

Each rule says where it comes from: Lynis 3.0.8 (Debian's package, same code as CISOfy/lynis
master for these tests), file ``include/tests_*``. Where we deliberately differ from Lynis
the comment says so and docs/lynis-oracle.md lists it.

Files are read under ``root`` through safe_read only (bounded, no symlinks, no FIFOs).
Commands (sshd -T, postconf, iptables-save, nft) run only when ``root == "/"`` and are
time-boxed and output-capped. Stdlib only, Python 3.8+.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.baseline import sshd as sshd_cfg
from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import Check, CheckSet, area_result
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import (  # noqa: F401  (re-exported)
    DEFAULT_COMMAND_TIMEOUT, MAX_COMMAND_OUTPUT, MAX_DIR_ENTRIES, MAX_SMALL_FILE,
    find_executable, is_live, list_dir, read_text_lines, run_command)


# ------------------------------------------------------------------------- catalogue

SSH_ROLE = "ssh_hardening"
_SSH_SEVERITY = {"PermitRootLogin": "high", "PermitUserEnvironment": "medium",
                 "IgnoreRhosts": "high", "StrictModes": "medium", "MaxAuthTries": "medium",
                 "X11Forwarding": "medium", "AllowTcpForwarding": "medium",
                 "AllowAgentForwarding": "medium", "GatewayPorts": "medium",
                 "PermitTunnel": "medium", "LogLevel": "medium"}
_SSH_ATTACK = {"PermitRootLogin": "T1078.003", "MaxAuthTries": "T1110",
               "AllowTcpForwarding": "T1572", "GatewayPorts": "T1572", "PermitTunnel": "T1572",
               "AllowAgentForwarding": "T1563.001", "LogLevel": "T1562.006"}

SSH_OPTIONS = tuple(line.split(":", 1)[0] for line in sshd_cfg.LYNIS_SSH_7408)
SSH_CHECK_ID = dict((opt, "HG-SSH-%03d" % (index + 1)) for index, opt in enumerate(SSH_OPTIONS))


def _ssh_check(option):
    line = [x for x in sshd_cfg.LYNIS_SSH_7408 if x.startswith(option + ":")][0]
    refs = {"lynis": "SSH-7408"}
    if option in _SSH_ATTACK:
        refs["attack"] = _SSH_ATTACK[option]
    return Check(SSH_CHECK_ID[option], "sshd %s graded as Lynis SSH-7408" % option,
                 _SSH_SEVERITY.get(option, "low"), "ssh",
                 "sshd -T (root=/), else /etc/ssh/sshd_config + Include (sshd_config.d)",
                 "Set %s in an sshd_config.d drop-in (Lynis expectation %s), validate with "
                 "sshd -t, reload sshd" % (option, line),
                 refs, role=SSH_ROLE, weight=3)


_CHECK_LIST = [_ssh_check(opt) for opt in SSH_OPTIONS] + [
    Check("HG-SSH-099", "sshd option graded with a user-defined expectation (ssh_expectations)",
          "low", "ssh", "sshd -T (root=/), else /etc/ssh/sshd_config + Include",
          "Set the option as the site's expectation says", {"lynis": "SSH-7408"},
          role=SSH_ROLE, weight=3),
    Check("HG-AUTH-001", "Maximum password age set in login.defs (PASS_MAX_DAYS)", "medium",
          "auth", "/etc/login.defs",
          "Set PASS_MAX_DAYS (e.g. 365) in /etc/login.defs; apply to existing users with chage -M",
          {"lynis": "AUTH-9286", "attack": "T1110"}),
    Check("HG-AUTH-002", "Minimum password age set in login.defs (PASS_MIN_DAYS)", "low",
          "auth", "/etc/login.defs",
          "Set PASS_MIN_DAYS (e.g. 1) in /etc/login.defs; apply to existing users with chage -m",
          {"lynis": "AUTH-9286"}),
    Check("HG-AUTH-003", "Default umask in login.defs is strict (027 or tighter)", "medium",
          "auth", "/etc/login.defs",
          "Set UMASK 027 in /etc/login.defs (pam_umask uses it)",
          {"lynis": "AUTH-9328"}),
    Check("HG-AUTH-004", "No weak umask set in shell profiles (/etc/profile, /etc/profile.d)",
          "low", "auth", "/etc/profile, /etc/profile.d/*",
          "Replace weak umask commands in /etc/profile and /etc/profile.d with umask 027",
          {"lynis": "AUTH-9328"}),
    Check("HG-FILE-001", "Separate file system for /home, /tmp and /var", "low", "file",
          "/proc/self/mounts (live), else /etc/fstab under root",
          "Put the directory on its own file system (partition, LV or tmpfs for /tmp)",
          {"lynis": "FILE-6310"}, weight=1),
    Check("HG-STRG-001", "usb-storage kernel module disabled or blacklisted", "low", "storage",
          "/etc/modprobe.d, /run/modprobe.d, /usr/local/lib/modprobe.d, /lib/modprobe.d, "
          "/usr/lib/modprobe.d (*.conf), /etc/modprobe.conf",
          "Add 'install usb-storage /bin/false' and 'blacklist usb-storage' to "
          "/etc/modprobe.d/hostguard.conf, then update-initramfs -u",
          {"lynis": "USB-1000", "attack": "T1052.001"}),
    Check("HG-STRG-002", "FireWire modules disabled or blacklisted", "low", "storage",
          "/etc/modprobe.d and the other modprobe.d directories (*.conf), /etc/modprobe.conf",
          "Add 'install firewire-core /bin/false' and 'blacklist firewire-core' to "
          "/etc/modprobe.d/hostguard.conf",
          {"lynis": "STRG-1846", "attack": "T1200"}),
    Check("HG-NAME-001", "Hostname not mapped on the localhost line of /etc/hosts", "info",
          "name", "/etc/hosts, /etc/hostname (kernel hostname when root=/)",
          "Keep localhost lines for localhost only; map the hostname to the host's address "
          "(Debian convention: 127.0.1.1 <fqdn> <short>)",
          {"lynis": "NAME-4406"}, weight=1),
    Check("HG-MAIL-001", "Postfix SMTP banner does not reveal mail software or OS", "low",
          "mail", "postconf -h (root=/), else /etc/postfix/main.cf",
          "Set smtpd_banner = $myhostname ESMTP (postconf -e), reload postfix",
          {"lynis": "MAIL-8818", "attack": "T1592.002"}),
    Check("HG-FIRE-001", "Firewall rules that never matched (zero packet counters)", "info",
          "firewall", "iptables-save -c, ip6tables-save -c, nft -j list ruleset (root=/ only)",
          "Review rules that never matched: stale, shadowed or mis-ordered rules",
          {"lynis": "FIRE-4513"}),
    Check("HG-FIRE-002", "A host firewall is active (iptables or nftables rules loaded)",
          "medium", "firewall", "iptables-save, nft -j list ruleset (root=/ only)",
          "Load a default-deny nftables ruleset (nftables.service) or iptables rules",
          {"lynis": "FIRE-4590", "attack": "T1562.004"}, weight=5),
]
CHECKS = CheckSet.of("baseline", "HG", _CHECK_LIST)

DEFAULTS = {
    "root": "/",
    "ssh_expectations": {},
    "use_sshd_t": True,
    "sshd_config": "/etc/ssh/sshd_config",
    "command_timeout": DEFAULT_COMMAND_TIMEOUT,
    "pass_max_days_limit": None,
    "separate_mounts": ["/home", "/tmp", "/var"],
    "skip": [],
}

# ----------------------------------------------------------------- small helpers


# ------------------------------------------------------------------------ SSH-7408

def ssh_effective(options):
    """The effective sshd values and where they came from (sshd -T, else files)."""
    root = options["root"]
    attempts = []
    if is_live(root) and options.get("use_sshd_t", True):
        binary = find_executable(root, ["sshd"])
        if binary:
            argv = [binary, "-T"]
            if options.get("sshd_config") and options["sshd_config"] != DEFAULTS["sshd_config"]:
                argv += ["-f", options["sshd_config"]]
            res = run_command(argv, options.get("command_timeout", DEFAULT_COMMAND_TIMEOUT))
            if res["rc"] == 0 and res["stdout"].strip():
                values = sshd_cfg.parse_sshd_t(res["stdout"])
                return {"source": "sshd -T", "values": values, "origin": {}, "files": [],
                        "problems": [], "found": True, "attempts": attempts}
            attempts.append("sshd -T failed (rc=%s): %s" % (
                res["rc"], (res["error"] or res["stderr"].strip().splitlines()[-1:] or [""])[0]
                if (res["error"] or res["stderr"].strip()) else "no output"))
    eff = sshd_cfg.effective_from_files(root, options.get("sshd_config") or DEFAULTS["sshd_config"])
    eff["source"] = "files"
    eff["attempts"] = attempts
    return eff


def ssh_findings(options):
    table = sshd_cfg.expectations(options.get("ssh_expectations") or {})
    eff = ssh_effective(options)
    findings = []
    common = {"source": eff["source"]}
    if eff.get("attempts"):
        common["fallback_reason"] = eff["attempts"]
    if eff.get("problems"):
        common["problems"] = eff["problems"]
    for exp in table:
        check = CHECKS.get(SSH_CHECK_ID.get(exp.option)) or _extra_ssh_check(exp.option)
        if not eff["found"]:
            findings.append(check.skip(exp.option, "sshd configuration not found under root",
                                       evidence=common))
            continue
        res = sshd_cfg.grade_option(exp, eff["values"])
        evidence = dict(common)
        evidence.update({"value": res["value"], "grade": res["grade"],
                         "lynis_expectation": exp.as_lynis(), "expected": exp.expected})
        if len(res["values"]) > 1:
            evidence["values"] = res["values"]
        origin = eff.get("origin", {}).get(exp.option.lower())
        if origin:
            evidence["set_at"] = origin
        if res["grade"] == "good":
            findings.append(check.passed(exp.option, evidence=evidence))
        elif res["grade"] == "medium":
            evidence["partial_credit"] = round(1.0 / 3, 4)  # Lynis AddHP 1 3
            findings.append(check.fail(exp.option, evidence=evidence, severity="low",
                                       detail="%s is %s; Lynis grades it medium, expects %s"
                                       % (exp.option, res["value"], exp.expected or "not " + exp.weak)))
        elif res["grade"] == "weak":
            findings.append(check.fail(exp.option, evidence=evidence,
                                       detail="%s is %s; Lynis grades it weak, expects %s"
                                       % (exp.option, res["value"], exp.expected or "not " + exp.weak)))
        elif res["grade"] == "unknown":
            findings.append(check.error(exp.option, "value %r cannot be compared (%s)"
                                        % (res["value"], exp.as_lynis()), evidence=evidence))
        else:
            findings.append(check.skip(exp.option, "option not present in the effective "
                                       "configuration", evidence=evidence))
    return findings, {"ssh_source": eff["source"], "ssh_files": eff.get("files", [])}


def _extra_ssh_check(_option):
    """Options a user added through ssh_expectations share one catalogue entry."""
    return CHECKS["HG-SSH-099"]


# ------------------------------------------------------------------ login.defs

def parse_login_defs(lines):
    """login.defs keys -> value. shadow-utils getdef.c skips leading blanks and comments;
    a later line overrides an earlier one (putdef_str replaces). Returns (values, dup_keys)."""
    values = {}
    dups = set()
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = stripped.split(None, 1)
        key = parts[0]
        value = parts[1].strip().strip('"') if len(parts) > 1 else ""
        if key in values:
            dups.add(key)
        values[key] = value
    return values, sorted(dups)


def check_pass_max_days(value, limit=None):
    """Lynis AUTH-9286: unset or 99999 = not configured. We also fail on values that
    disable expiry (-1, non-numeric) and, when ``limit`` is given, on values above it."""
    if value is None or value == "":
        return False, "PASS_MAX_DAYS not set"
    num = _to_int(value)
    if num is None:
        return False, "PASS_MAX_DAYS %r is not a number" % value
    if num >= 99999 or num < 0:
        return False, "PASS_MAX_DAYS %d disables password expiry" % num
    if limit is not None and num > int(limit):
        return False, "PASS_MAX_DAYS %d is above the limit %d" % (num, int(limit))
    return True, "PASS_MAX_DAYS %d" % num


def check_pass_min_days(value):
    """Lynis AUTH-9286: unset or 0 = not configured."""
    if value is None or value == "":
        return False, "PASS_MIN_DAYS not set"
    num = _to_int(value)
    if num is None:
        return False, "PASS_MIN_DAYS %r is not a number" % value
    if num <= 0:
        return False, "PASS_MIN_DAYS %d allows immediate password changes" % num
    return True, "PASS_MIN_DAYS %d" % num


def _to_int(value):
    try:
        return int(str(value).strip(), 10)
    except (TypeError, ValueError):
        return None


def parse_umask(text):
    """An octal umask string -> int, or None."""
    text = str(text).strip()
    if not re.match(r"^[0-7]{1,4}$", text):
        return None
    return int(text, 8)


def umask_is_strict(text):
    """Lynis AUTH-9328 accepts exactly 027, 077, 0027, 0077. We accept any umask that masks
    at least group-write and all of other (mask & 027 == 027): 037, 0057... are strict too."""
    value = parse_umask(text)
    return value is not None and (value & 0o027) == 0o027


def auth_findings(options):
    root = options["root"]
    findings = []
    try:
        lines = read_text_lines(root, "/etc/login.defs")
    except safe_read.SafeReadError as exc:
        for cid in ("HG-AUTH-001", "HG-AUTH-002", "HG-AUTH-003"):
            if exc.reason == "missing":
                findings.append(CHECKS[cid].skip("/etc/login.defs", "no /etc/login.defs"))
            else:
                findings.append(CHECKS[cid].error("/etc/login.defs", exc.message))
        lines = None
    if lines is not None:
        values, dups = parse_login_defs(lines)
        ev = {"duplicates": dups} if dups else {}
        ok, why = check_pass_max_days(values.get("PASS_MAX_DAYS"), options.get("pass_max_days_limit"))
        findings.append(_ok_fail(CHECKS["HG-AUTH-001"], "/etc/login.defs", ok, why,
                                 dict(ev, PASS_MAX_DAYS=values.get("PASS_MAX_DAYS"))))
        ok, why = check_pass_min_days(values.get("PASS_MIN_DAYS"))
        findings.append(_ok_fail(CHECKS["HG-AUTH-002"], "/etc/login.defs", ok, why,
                                 dict(ev, PASS_MIN_DAYS=values.get("PASS_MIN_DAYS"))))
        umask = values.get("UMASK")
        if umask is None:
            # Lynis: "defaults usually to 022" -> suggestion (AddHP 1 2).
            findings.append(CHECKS["HG-AUTH-003"].fail("/etc/login.defs", {"UMASK": None},
                                                       "UMASK not set (login defaults to 022)"))
        else:
            ok = umask_is_strict(umask)
            findings.append(_ok_fail(CHECKS["HG-AUTH-003"], "/etc/login.defs", ok,
                                     "UMASK %s %s" % (umask, "is strict" if ok else "could be stricter (027)"),
                                     {"UMASK": umask}))
    findings.append(profile_umask_finding(root))
    return findings


def _ok_fail(check, subject, ok, why, evidence):
    if ok:
        return check.passed(subject, evidence=evidence, detail=why)
    return check.fail(subject, evidence=evidence, detail=why)


_UMASK_CMD = re.compile(r"(?:^|[;&|{(\s])umask\s+(?:-S\s+)?([0-7]{3,4}|[ugoa=,+\-rwx]+)(?=$|[\s;&|)}])")


def umasks_in_shell(lines):
    """umask values set by a shell script: ``umask 027`` commands outside comments."""
    found = []
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        code = stripped.split(" #", 1)[0]
        for match in _UMASK_CMD.finditer(code):
            found.append(match.group(1))
    return found


def profile_umask_finding(root):
    """AUTH-9328 for shell profiles. Lynis reads every file in /etc/profile.d and /etc/profile;
    /etc/profile sources only /etc/profile.d/*.sh (Debian, RHEL), so we read those.
    Weak = any umask set there that is not strict. None set -> skip (login.defs governs)."""
    check = CHECKS["HG-AUTH-004"]
    files = ["/etc/profile"] + ["/etc/profile.d/" + n for n in list_dir(root, "/etc/profile.d")
                                if n.endswith(".sh")]
    seen = []
    problems = []
    for path in files:
        try:
            lines = read_text_lines(root, path)
        except safe_read.SafeReadError as exc:
            if exc.reason != "missing":
                problems.append("%s: %s" % (path, exc.message))
            continue
        for value in umasks_in_shell(lines):
            seen.append({"file": path, "umask": value, "strict": umask_is_strict(value)})
    evidence = {"umasks": seen}
    if problems:
        evidence["problems"] = problems
    weak = [s for s in seen if not s["strict"]]
    if weak:
        return check.fail("/etc/profile", evidence=evidence,
                          detail="weak umask %s in %s" % (weak[0]["umask"], weak[0]["file"]))
    if seen:
        return check.passed("/etc/profile", evidence=evidence)
    return check.skip("/etc/profile", "no umask set in /etc/profile or /etc/profile.d/*.sh; "
                      "the login default (HG-AUTH-003) applies", evidence=evidence)


# ------------------------------------------------------------------- FILE-6310

def unescape_mount_field(text):
    """/proc/mounts and fstab escape blanks as octal (\\040)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), text)


def mount_points(lines, fstab=False):
    points = {}
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = stripped.split()
        if len(fields) < 3:
            continue
        mp = unescape_mount_field(fields[1])
        if fstab and (fields[2] == "swap" or mp == "none"):
            continue
        if len(mp) > 1:
            mp = mp.rstrip("/")
        points[mp] = {"device": fields[0], "fstype": fields[2]}
    return points


def read_mounts(root):
    """Live mount table when one exists under root, else fstab. Returns (points, source)."""
    for path in ("/proc/self/mounts", "/proc/mounts"):
        try:
            lines = read_text_lines(root, path, max_bytes=4 * 1024 * 1024)
        except safe_read.SafeReadError:
            # /proc/self is a symlink: safe_read refuses it, so resolve it by hand on a live root
            if path == "/proc/self/mounts" and is_live(root):
                try:
                    lines = read_text_lines("/", "/proc/%d/mounts" % os.getpid(), 4 * 1024 * 1024)
                except safe_read.SafeReadError:
                    continue
            else:
                continue
        if lines:
            return mount_points(lines), path
    try:
        lines = read_text_lines(root, "/etc/fstab")
    except safe_read.SafeReadError:
        return None, None
    return mount_points(lines, fstab=True), "/etc/fstab"


def mount_findings(options):
    root = options["root"]
    check = CHECKS["HG-FILE-001"]
    points, source = read_mounts(root)
    findings = []
    for mp in options.get("separate_mounts") or DEFAULTS["separate_mounts"]:
        real = safe_read.join_root(root, mp)
        try:
            info = safe_read.lstat_info(real)
        except safe_read.SafeReadError:
            findings.append(check.skip(mp, "%s does not exist" % mp))
            continue
        if info["type"] == "symlink":
            # Lynis FILE-6310: a symlinked mount point needs a manual check (suggestion).
            link = safe_read.resolve_symlink(root, real)
            findings.append(check.fail(mp, {"symlink_to": link["target"], "source": source},
                                       "%s is a symlink; check its file system by hand" % mp))
            continue
        if points is None:
            findings.append(check.error(mp, "no mount table (/proc/mounts) nor /etc/fstab under root"))
            continue
        ev = {"source": source}
        if mp in points:
            ev.update(points[mp])
            findings.append(check.passed(mp, evidence=ev))
        else:
            findings.append(check.fail(mp, evidence=ev,
                                       detail="%s is on the same file system as its parent" % mp))
    return findings


# ------------------------------------------------------- USB-1000 / STRG-1846

# modprobe.d(5): files *.conf in these directories; a file in an earlier directory hides a
# file of the same name in a later one (/etc first).
MODPROBE_DIRS = ("/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
                 "/lib/modprobe.d", "/usr/lib/modprobe.d")
USB_STORAGE_MODULES = ("usb_storage",)
# Lynis STRG-1846 accepts ohci1394, firewire-ohci/firewire_ohci, firewire-core; we also
# accept firewire_sbp2 (the FireWire storage protocol driver itself).
FIREWIRE_MODULES = ("ohci1394", "firewire_ohci", "firewire_core", "firewire_sbp2")
_DISABLING_COMMANDS = ("true", "false")


def modprobe_files(root):
    chosen = {}
    for directory in MODPROBE_DIRS:
        if directory == "/lib/modprobe.d" and os.path.realpath(safe_read.join_root(root, "/lib")) == \
                os.path.realpath(safe_read.join_root(root, "/usr/lib")):
            continue  # merged /usr: the same directory twice
        for name in list_dir(root, directory):
            if name.endswith(".conf") and name not in chosen:
                chosen[name] = directory + "/" + name
    files = [chosen[name] for name in sorted(chosen)]
    files.append("/etc/modprobe.conf")
    return files


def norm_module(name):
    return name.replace("-", "_")


def parse_modprobe(lines):
    """(blacklisted modules, modules whose install command is true/false) of one file."""
    blacklisted, disabled = set(), set()
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = stripped.split()
        if fields[0] == "blacklist" and len(fields) >= 2:
            blacklisted.add(norm_module(fields[1]))
        elif fields[0] == "install" and len(fields) >= 3:
            command = os.path.basename(fields[2])
            if command in _DISABLING_COMMANDS and (len(fields) == 3 or fields[3].startswith("#")):
                disabled.add(norm_module(fields[1]))
    return blacklisted, disabled


def module_state(root):
    blacklisted, disabled, read, problems = {}, {}, [], []
    for path in modprobe_files(root):
        try:
            lines = read_text_lines(root, path)
        except safe_read.SafeReadError as exc:
            if exc.reason != "missing":
                problems.append("%s: %s" % (path, exc.message))
            continue
        read.append(path)
        bl, dis = parse_modprobe(lines)
        for mod in bl:
            blacklisted.setdefault(mod, path)
        for mod in dis:
            disabled.setdefault(mod, path)
    return {"blacklisted": blacklisted, "disabled": disabled, "files": read, "problems": problems}


def loaded_modules(root):
    if not is_live(root):
        return None
    try:
        lines = read_text_lines("/", "/proc/modules", 1024 * 1024)
    except safe_read.SafeReadError:
        return None
    return set(line.split()[0] for line in lines if line.strip())


def storage_findings(options):
    root = options["root"]
    state = module_state(root)
    loaded = loaded_modules(root)
    out = []
    for cid, subject, modules in (("HG-STRG-001", "usb-storage", USB_STORAGE_MODULES),
                                  ("HG-STRG-002", "firewire", FIREWIRE_MODULES)):
        hits = {}
        for mod in modules:
            if mod in state["disabled"]:
                hits[mod] = "install %s (%s)" % ("/bin/false", state["disabled"][mod])
            elif mod in state["blacklisted"]:
                hits[mod] = "blacklist (%s)" % state["blacklisted"][mod]
        ev = {"disabled_by": hits, "files_read": len(state["files"])}
        if state["problems"]:
            ev["problems"] = state["problems"]
        if loaded is not None:
            ev["loaded_now"] = sorted(m for m in modules if m in loaded)
        if hits:
            out.append(CHECKS[cid].passed(subject, evidence=ev))
        else:
            out.append(CHECKS[cid].fail(subject, evidence=ev,
                                        detail="none of %s is blacklisted or disabled" % ", ".join(modules)))
    return out


# ---------------------------------------------------------------------- NAME-4406

LOCALHOST_ADDRESSES = ("127.0.0.1", "::1")


def host_name(root):
    if is_live(root):
        return os.uname()[1]
    try:
        lines = read_text_lines(root, "/etc/hostname", 4096)
    except safe_read.SafeReadError:
        return None
    for line in lines:
        if line.strip() and not line.strip().startswith("#"):
            return line.strip()
    return None


def hosts_lines_mapping_hostname(lines, hostname):
    """Lines of /etc/hosts that map the hostname together with localhost.

    Lynis NAME-4406 greps lines starting with ``localhost`` or ``::1`` that hold the short
    hostname as a word; an IPv4 ``127.0.0.1 localhost myhost`` line never matches its
    pattern. We flag any line whose address is 127.0.0.1 or ::1 or whose names include
    ``localhost``, and which also names the host (short or full name, any case).
    """
    if not hostname:
        return []
    short = hostname.split(".")[0].lower()
    names_wanted = set([hostname.lower(), short])
    hits = []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        fields = text.split()
        if len(fields) < 2:
            continue
        address = fields[0]
        names = [n.lower() for n in fields[1:]]
        names_short = set(n.split(".")[0] for n in names)
        localhost_line = address in LOCALHOST_ADDRESSES or "localhost" in names
        if not localhost_line:
            continue
        if short == "localhost":
            continue
        if names_wanted & set(names) or short in names_short - set(["localhost"]):
            hits.append({"line": number, "text": text[:200]})
    return hits


def name_finding(options):
    root = options["root"]
    check = CHECKS["HG-NAME-001"]
    hostname = host_name(root)
    if not hostname:
        return check.skip("/etc/hosts", "hostname unknown")
    try:
        lines = read_text_lines(root, "/etc/hosts")
    except safe_read.SafeReadError as exc:
        if exc.reason == "missing":
            return check.skip("/etc/hosts", "no /etc/hosts")
        return check.error("/etc/hosts", exc.message)
    hits = hosts_lines_mapping_hostname(lines, hostname)
    ev = {"hostname": hostname, "lines": hits}
    if hits:
        return check.fail("/etc/hosts", evidence=ev,
                          detail="hostname %s is on a localhost line" % hostname)
    return check.passed("/etc/hosts", evidence=ev)


# ----------------------------------------------------------------------- MAIL-8818

POSTFIX_DEFAULT_BANNER = "$myhostname ESMTP $mail_name"
POSTFIX_DEFAULT_MAIL_NAME = "Postfix"
_MAIL_SOFTWARE = ("postfix",)
_OS_WORDS = ("linux", "debian", "ubuntu", "gnu", "red hat", "redhat", "centos", "fedora",
             "rocky", "almalinux", "suse", "alpine", "freebsd")


def parse_main_cf(lines):
    """Postfix main.cf: ``name = value`` with continuation lines (leading blank); last wins."""
    values = {}
    current = None
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[:1] in (" ", "\t") and current:
            values[current] += " " + line.strip()
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            current = name.strip()
            values[current] = value.strip()
    return values


def expand_postfix(value, params, depth=0):
    """Expand $name, ${name}, $(name) from params (bounded)."""
    if depth > 5:
        return value

    def repl(match):
        name = match.group(1) or match.group(2) or match.group(3)
        if name in params:
            return expand_postfix(params[name], params, depth + 1)
        return match.group(0)
    return re.sub(r"\$(?:\{(\w+)\}|\((\w+)\)|(\w+))", repl, value)


def banner_disclosure(banner, mail_name, os_words=_OS_WORDS):
    """What an expanded smtpd_banner reveals: list of ('software'|'os', word)."""
    expanded = expand_postfix(banner, {"mail_name": mail_name}).lower()
    found = []
    for word in _MAIL_SOFTWARE:
        if word in expanded:
            found.append(("software", word))
    for word in os_words:
        if re.search(r"(?<![a-z])" + re.escape(word) + r"(?![a-z])", expanded):
            found.append(("os", word))
    return found


def os_release_words(root):
    words = list(_OS_WORDS)
    try:
        lines = read_text_lines(root, "/etc/os-release", 65536)
    except safe_read.SafeReadError:
        return words
    for line in lines:
        if line.startswith(("ID=", "NAME=")):
            value = line.split("=", 1)[1].strip().strip('"').lower()
            if value and value not in words and len(value) >= 3:
                words.append(value)
    return words


def mail_finding(options):
    root = options["root"]
    check = CHECKS["HG-MAIL-001"]
    main_cf = safe_read.join_root(root, "/etc/postfix/main.cf")
    postconf = find_executable(root, ["postconf"])
    if not os.path.lexists(main_cf) and not postconf:
        return check.skip("smtpd_banner", "postfix is not installed")
    banner = mail_name = None
    source = None
    if is_live(root) and postconf:
        res = run_command([postconf, "-h", "smtpd_banner", "mail_name"],
                          options.get("command_timeout", DEFAULT_COMMAND_TIMEOUT), 65536)
        out = res["stdout"].splitlines()
        if res["rc"] == 0 and len(out) >= 2:
            banner, mail_name, source = out[0], out[1], "postconf -h"
    if banner is None:
        try:
            params = parse_main_cf(read_text_lines(root, "/etc/postfix/main.cf"))
        except safe_read.SafeReadError as exc:
            return check.error("smtpd_banner", "cannot read /etc/postfix/main.cf: %s" % exc.message)
        banner = params.get("smtpd_banner", POSTFIX_DEFAULT_BANNER)
        mail_name = params.get("mail_name", POSTFIX_DEFAULT_MAIL_NAME)
        source = "/etc/postfix/main.cf"
    hits = banner_disclosure(banner, mail_name, os_release_words(root))
    ev = {"smtpd_banner": banner, "mail_name": mail_name, "source": source,
          "reveals": ["%s:%s" % h for h in hits]}
    if hits:
        return check.fail("smtpd_banner", evidence=ev,
                          detail="SMTP banner reveals %s" % ", ".join(w for _k, w in hits))
    return check.passed("smtpd_banner", evidence=ev)


# ------------------------------------------------------------- FIRE-4513 / 4590

_IPT_RULE = re.compile(r"^\[(\d+):(\d+)\]\s+-A\s+(\S+)\s*(.*)$")
_IPT_POLICY = re.compile(r"^:(\S+)\s+(\S+)\s+\[(\d+):(\d+)\]")


def parse_iptables_save(text):
    """``iptables-save -c`` -> {"rules": [...], "policies": {...}}; rule = table, chain,
    packets, bytes, spec."""
    table = None
    rules = []
    policies = {}
    backend = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("# Generated by") and backend is None:
            backend = "nf_tables" if "(nf_tables)" in line else "legacy"
            continue
        if line.startswith("*"):
            table = line[1:]
            continue
        match = _IPT_POLICY.match(line)
        if match:
            policies["%s/%s" % (table, match.group(1))] = match.group(2)
            continue
        match = _IPT_RULE.match(line)
        if match:
            rules.append({"table": table, "chain": match.group(3), "packets": int(match.group(1)),
                          "bytes": int(match.group(2)), "rule": match.group(4)[:200]})
    return {"rules": rules, "policies": policies, "backend": backend}


def parse_nft_json(text):
    """``nft -j list ruleset`` -> rules with their counter (None when a rule has no counter)."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    rules = []
    tables = 0
    chains = {}
    for item in data.get("nftables", []) if isinstance(data, dict) else []:
        if not isinstance(item, dict):
            continue
        if "table" in item:
            tables += 1
        chain = item.get("chain")
        if isinstance(chain, dict):
            key = "%s %s/%s" % (chain.get("family"), chain.get("table"), chain.get("name"))
            chains[key] = {"hook": chain.get("hook"), "policy": chain.get("policy")}
        rule = item.get("rule")
        if not isinstance(rule, dict):
            continue
        packets = None
        for expr in rule.get("expr") or []:
            if isinstance(expr, dict) and isinstance(expr.get("counter"), dict):
                packets = expr["counter"].get("packets")
                break
        rules.append({"table": "%s %s" % (rule.get("family"), rule.get("table")),
                      "chain": rule.get("chain"), "handle": rule.get("handle"),
                      "packets": packets, "comment": str(rule.get("comment", ""))[:100]})
    return {"rules": rules, "tables": tables, "chains": chains}


def firewall_state(options):
    timeout = options.get("command_timeout", DEFAULT_COMMAND_TIMEOUT)
    state = {"iptables": None, "ip6tables": None, "nft": None, "errors": []}
    for key, names in (("iptables", ["iptables-save"]), ("ip6tables", ["ip6tables-save"])):
        binary = find_executable("/", names)
        if not binary:
            continue
        res = run_command([binary, "-c"], timeout)
        if res["rc"] == 0:
            state[key] = parse_iptables_save(res["stdout"])
        else:
            state["errors"].append("%s: %s" % (binary, res["error"] or res["stderr"].strip()[:200]))
    binary = find_executable("/", ["nft"])
    if binary:
        res = run_command([binary, "-j", "list", "ruleset"], timeout)
        parsed = parse_nft_json(res["stdout"]) if res["rc"] == 0 else None
        if parsed is not None:
            state["nft"] = parsed
        else:
            state["errors"].append("%s: %s" % (binary, res["error"] or res["stderr"].strip()[:200]))
    return state


def firewall_findings(options, state=None):
    root = options["root"]
    unused_check, active_check = CHECKS["HG-FIRE-001"], CHECKS["HG-FIRE-002"]
    if not is_live(root):
        why = "firewall state is live kernel state; not read when root is not /"
        return [unused_check.skip("firewall", why), active_check.skip("firewall", why)]
    if state is None:
        state = firewall_state(options)
    sources = [k for k in ("iptables", "ip6tables", "nft") if state.get(k) is not None]
    if not sources:
        why = "no usable iptables-save or nft (%s)" % ("; ".join(state["errors"]) or "not installed")
        return [unused_check.skip("firewall", why), active_check.skip("firewall", why)]
    # iptables-nft rules live in the nftables ruleset too: count them once, from nft.
    ipt_sources = [k for k in ("iptables", "ip6tables") if state.get(k)
                   and not (state.get("nft") is not None and state[k].get("backend") == "nf_tables")]
    unused = []
    total = 0
    filtering = []
    for key in ipt_sources:
        for rule in state[key]["rules"]:
            total += 1
            if rule["packets"] == 0:
                unused.append("%s %s/%s %s" % (key, rule["table"], rule["chain"], rule["rule"]))
            if rule["table"] == "filter" and rule["chain"] == "INPUT":
                filtering.append("%s filter/INPUT rule" % key)
        for chain, policy in state[key]["policies"].items():
            if chain == "filter/INPUT" and policy in ("DROP", "REJECT"):
                filtering.append("%s %s policy %s" % (key, chain, policy))
    if state.get("nft"):
        chains = state["nft"].get("chains", {})
        for rule in state["nft"]["rules"]:
            total += 1
            key = "%s/%s" % (rule["table"], rule["chain"])
            if (chains.get(key) or {}).get("hook") == "input":
                filtering.append("nft %s rule" % key)
            if rule["packets"] is None:
                continue
            if rule["packets"] == 0:
                unused.append("nft %s handle %s" % (key, rule["handle"]))
        for key, chain in chains.items():
            if chain.get("hook") == "input" and chain.get("policy") == "drop":
                filtering.append("nft %s policy drop" % key)
    ev = {"sources": sources, "rules": total, "never_matched": unused}
    if state["errors"]:
        ev["errors"] = state["errors"]
    out = []
    if total == 0:
        out.append(unused_check.skip("firewall", "no rules loaded", evidence=ev))
    elif unused:
        out.append(unused_check.fail("firewall", evidence=ev,
                                     detail="%d of %d rules never matched" % (len(unused), total)))
    else:
        out.append(unused_check.passed("firewall", evidence=ev))
    # "Active" = something filters incoming traffic: a rule in an input-hook chain (nft) or
    # filter/INPUT (iptables), or a drop policy there. NAT-only rules (podman, docker) are not.
    sorted_filtering = sorted(set(filtering))
    if sorted_filtering:
        out.append(active_check.passed("firewall", evidence={"rules": total,
                                                             "filtering": sorted_filtering}))
    else:
        out.append(active_check.fail("firewall", evidence={"sources": sources, "rules": total},
                                     detail="no rule or drop policy filters incoming traffic"))
    return out


# --------------------------------------------------------------------------- entry

SECTIONS = (
    ("ssh", None),
    ("auth", auth_findings),
    ("file", mount_findings),
    ("storage", storage_findings),
    ("name", lambda o: [name_finding(o)]),
    ("mail", lambda o: [mail_finding(o)]),
    ("firewall", firewall_findings),
)


def audit(options):
    """Run every baseline check. ``options`` is a plain dict (see DEFAULTS)."""
    opts = dict(DEFAULTS)
    opts.update(dict((k, v) for k, v in (options or {}).items() if v is not None))
    start = time.monotonic()
    findings = []
    facts = {"root": opts["root"], "timings": {}}
    skip = set(opts.get("skip") or [])
    for name, func in SECTIONS:
        if name in skip:
            continue
        t0 = time.monotonic()
        try:
            if name == "ssh":
                found, ssh_facts = ssh_findings(opts)
                facts.update(ssh_facts)
            else:
                found = func(opts)
        except Exception as exc:  # one broken section must not hide the others
            ids = [c.id for c in _CHECK_LIST if c.area == name][:1] or ["HG-FILE-001"]
            found = [CHECKS[ids[0]].error(name, "internal error: %s: %s" % (type(exc).__name__, exc))]
        findings.extend(found)
        facts["timings"][name] = round(time.monotonic() - t0, 4)
    return area_result(findings, facts, round(time.monotonic() - start, 4))
