# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Audit of cron and boot-script locations (issue 2, seed 000: the dump.rdb case).

What it does, top to bottom:

1. Lists every cron/boot location under ``root`` (``/etc/crontab``, ``/etc/cron.d``,
   ``/etc/cron.{hourly,daily,weekly,monthly}``, ``/etc/anacrontab``, ``/var/spool/cron``
   (cronie), ``/var/spool/cron/crontabs`` (Debian), ``/etc/rc.local``, ``/etc/rc.d/**``,
   ``/etc/init.d``, ``/etc/local.d`` (OpenRC), plus ``extra_paths``), at most ``max_entries``
   names per directory. On an OpenRC host (cron/openrc.py) an init.d script runs at boot only when
   a boot runlevel holds it (rc-update) or an enabled service needs it, and local.d only when the
   ``local`` service is enabled.
2. ``lstat``s every entry, resolves symlinks *inside* ``root`` without opening them,
   and opens only regular files through ``safe_read`` (``O_NOFOLLOW|O_NONBLOCK``),
   reading at most ``max_read_bytes`` in one streamed pass (sha256, magic sniffing and
   line scanning share the pass; lines are capped at ``max_line_bytes``).
3. Decides per cron family (``cronie`` and ``debian``) whether the daemon would run the
   entry, and why, with the acceptance rules of each daemon (sources in comments below).
4. Emits findings (``CHECKS``) and a ``files`` inventory.

Nothing is ever written. A multi-GB sparse file costs one ``lstat`` plus one bounded head.
Stdlib only, Python 3.8+.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import re
import stat
import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core.accounts import load_id_map
from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import (
    area_result, sort_findings)
from ansible_collections.hostguard.hardening.plugins.module_utils.core.linematch import (
    COMMAND_POSITION, match_line)
from ansible_collections.hostguard.hardening.plugins.module_utils.core.redact import redact
from ansible_collections.hostguard.hardening.plugins.module_utils.core.values import text_table
from ansible_collections.hostguard.hardening.plugins.module_utils.cron.spec import OPTIONS
from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths
from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import (
    SafeReadError, decode_line, iter_lines_fd, looks_binary, stat_to_info)

AREA = "cron"

# A direct call's defaults (tests, scripts): the spec's (cron_audit's documentation says what
# each bounds) and root; ``daemons`` is read from the options as given.
DEFAULTS = dict([(key, spec["default"]) for key, spec in OPTIONS.items() if key != "daemons"], root="/")
SNIFF_BYTES = 8192                   # head kept in memory for magic / binary detection
MAX_MATCHES_PER_FILE = 10
EXCERPT_CHARS = 200
PSEUDO_FS = ("/dev", "/proc", "/sys")

from ansible_collections.hostguard.hardening.plugins.module_utils.cron.spec import (  # noqa: E402
    ATTACK_CRON, ATTACK_RC, CHECKS, _REFS_CRON)
from ansible_collections.hostguard.hardening.plugins.module_utils.cron import crontab_env, daemon_checks, daemons, openrc  # noqa: E402
from ansible_collections.hostguard.hardening.plugins.module_utils.cron import crontab_command  # noqa: E402
from ansible_collections.hostguard.hardening.plugins.module_utils.cron.collect import load_accounts  # noqa: E402

# ---------------------------------------------------------------------------------------
# Locations, in scan order: path as the audited system sees it, kind, file or directory
# ---------------------------------------------------------------------------------------
LOCATIONS = tuple((path, kind, {"file": False, "dir": True}[what]) for path, kind, what in text_table("""
/etc/crontab             system_crontab file
/etc/cron.d              crond          dir
/etc/cron.hourly         runparts       dir
/etc/cron.daily          runparts       dir
/etc/cron.weekly         runparts       dir
/etc/cron.monthly        runparts       dir
/etc/anacrontab          anacrontab     file
/var/spool/cron          spool_cronie   dir
/var/spool/cron/crontabs spool_debian   dir
/etc/rc.local            boot           file
/etc/rc.d                boot           dir
/etc/init.d              boot           dir
/etc/local.d             local_d        dir
""", 3))
SPOOL_KINDS = ("spool_cronie", "spool_debian")
BOOT_KINDS = ("boot", "local_d")
FAMILIES = ("cronie", "debian")

# ---------------------------------------------------------------------------------------
# Acceptance rules, per family, with their sources.
# ---------------------------------------------------------------------------------------
# cronie src/database.c (cronie-crond/cronie), not_a_crontab(): names starting with "." or
# "#", ending in "~", ".rpmsave", ".rpmorig", ".rpmnew", the CRON_HOSTNAME file
# (".cron.hostname") and names >= MAXNAMLEN are skipped in /etc/cron.d and the spool.
_CRONIE_SKIP_SUFFIXES = ("~", ".rpmsave", ".rpmorig", ".rpmnew")
# cronie src/database.c check_open(): open(O_RDONLY|O_NONBLOCK) (symlinks are followed),
# then: not S_ISREG -> "NOT REGULAR"; (st_mode & 07533) != 0400 -> "BAD FILE MODE"
# (owner must read; no owner-x, no group/other w or x, no setuid/setgid/sticky);
# st_uid != root and (no passwd entry, or uid/name mismatch) -> "WRONG FILE OWNER";
# for user crontabs (pw != NULL) st_nlink != 1 -> "BAD LINK COUNT".
# process_crontab(): spool file whose name has no passwd entry -> "ORPHAN".
_CRONIE_MODE_MASK = 0o7533
_CRONIE_MODE_WANT = 0o400
# cronie's run-parts (used by /etc/cron.d/0hourly and anacron for cron.{daily,...}) skips
# dotfiles (glob *), names ending "~" or "," and *.{rpmsave,rpmorig,rpmnew,swp,cfsaved},
# directories, non-executables, and honours jobs.allow / jobs.deny in the directory.
_CRONIE_RUNPARTS_SKIP = ("~", ",", ".rpmsave", ".rpmorig", ".rpmnew", ".swp", ".cfsaved")

# Debian cron 3.0pl1 (checked against the bookworm binary cron_3.0pl1-162, whose log
# strings are "ORPHAN", "CAN'T OPEN", "WRONG FILE OWNER", "NOT A REGULAR FILE",
# "NUMBER OF HARD LINKS > 1", "WRONG SYMLINK OWNER", "CAN'T OPEN SYMLINK",
# "INSECURE MODE (mode 0600 expected)", "INSECURE MODE (group/other writable)", and the
# name regexes below), and cron(8) of that package:
#  - /etc/cron.d names must match ^[a-zA-Z0-9_-]+$ (the run-parts(8) classic rule), or
#    with "cron -l" (LSBNAMES/EXTRA_OPTS in /etc/default/cron) ^[a-z0-9][a-z0-9-]*$ and
#    not *.dpkg-(old|dist);
#  - /etc/crontab and /etc/cron.d: may be symlinks if the link is owned by root
#    ("WRONG SYMLINK OWNER"); target owned by root, regular, not group/other writable;
#  - spool /var/spool/cron/crontabs/<user>: the name must be a user ("ORPHAN"; names
#    "tmp.*" are crontab(1) temp files, ignored silently), opened O_NOFOLLOW (a symlink
#    is "CAN'T OPEN"), owned by that user (root is also accepted by database.c),
#    regular, mode exactly 0600, one hard link.
_DEBIAN_CROND_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
_DEBIAN_CROND_LSB_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DEBIAN_DPKG_LEFTOVER = re.compile(r"\.dpkg-(old|dist|new|tmp|bak)$")
# run-parts(8), debianutils 5.7 (/etc/crontab runs "run-parts --report /etc/cron.daily",
# no --lsbsysinit): names must match ^[a-zA-Z0-9_-]+$; the entry must stat() (symlinks
# followed) to a regular file that is executable. Verified on this host: run-parts --test
# lists executables owned by nobody and mode 0777, i.e. it does NOT check the owner,
# although cron(8) says the files "have to be owned by root".
_DEBIAN_RUNPARTS_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")

# Names that are package-manager / editor leftovers: skipped by design, not a finding.
_LEFTOVER = re.compile(r"(^\.|~$|,$|\.(rpmsave|rpmorig|rpmnew|swp|cfsaved|disabled|bak|orig|old)$|"
                       r"\.dpkg-[a-z]+$|\.ucf-[a-z]+$|^README$|^\.placeholder$)")

# Rejection codes that HG-CRON-009 reports (the file seems meant to run but will not).
_REJECTIONS = ("BAD_FILE_MODE", "WRONG_FILE_OWNER", "BAD_LINK_COUNT", "INSECURE_MODE",
               "WRONG_SYMLINK_OWNER", "NAME_SKIPPED", "NOT_EXECUTABLE", "SYMLINK_REFUSED")

_SCHEDULE_FIELD = re.compile(r"^[0-9*/,A-Za-z-]+$")


# ---------------------------------------------------------------------------------------
# Small pure helpers
# ---------------------------------------------------------------------------------------
def safe_text(value):
    """A str safe for JSON: undecodable filename bytes become \\xNN escapes."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def normalize_options(options):
    """Defaults filled in and types checked; raises ValueError with a clear message."""
    opts = dict(DEFAULTS)
    for key, value in (options or {}).items():
        if value is not None and key in DEFAULTS:
            opts[key] = value
    for key in ("max_read_bytes", "max_file_size", "max_line_bytes", "max_entries", "max_depth"):
        try:
            opts[key] = int(opts[key])
        except (TypeError, ValueError):
            raise ValueError("%s must be an integer, got %r" % (key, opts[key]))
        if opts[key] < (0 if key == "max_depth" else 1):
            raise ValueError("%s must be positive, got %d" % (key, opts[key]))
    root = opts["root"] or "/"
    if not os.path.isabs(root):
        raise ValueError("root must be an absolute path, got %r" % (root,))
    root = os.path.normpath(root)
    if not os.path.isdir(root):
        raise ValueError("root %r is not a directory" % (root,))
    opts["root"] = root
    extra = opts.get("extra_paths") or []
    if isinstance(extra, str):
        extra = [extra]
    for path in extra:
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError("extra_paths must be absolute paths as seen inside root, got %r" % (path,))
    opts["extra_paths"] = [os.path.normpath(p) for p in extra]
    return opts


def command_part(line, kind):
    """The command text of a cron line (schedule and user fields removed), or the line."""
    if kind not in ("system_crontab", "crond", "spool_cronie", "spool_debian", "anacrontab"):
        return line
    stripped = line.strip()
    if kind == "anacrontab":
        # period delay job-identifier command  (anacrontab(5))
        parts = stripped.split(None, 3)
        if len(parts) == 4 and (parts[0].isdigit() or parts[0].startswith("@")) and parts[1].isdigit():
            return parts[3]
        return line
    with_user = kind in ("system_crontab", "crond")
    if stripped.startswith("@"):
        parts = stripped.split(None, 2 if with_user else 1)
        return parts[-1] if len(parts) == (3 if with_user else 2) else line
    parts = stripped.split(None, 6 if with_user else 5)
    want = 7 if with_user else 6
    if len(parts) == want and all(_SCHEDULE_FIELD.match(p) for p in parts[:5]):
        return parts[-1]
    return line


CRONTAB_KINDS = ("system_crontab", "crond", "spool_cronie", "spool_debian")


def excerpt(text, start, end):
    lo = max(0, start - EXCERPT_CHARS // 2)
    hi = min(len(text), max(end, lo + EXCERPT_CHARS))
    piece = text[lo:hi]
    if lo > 0:
        piece = "..." + piece
    if hi < len(text):
        piece = piece + "..."
    return redact(piece)[:EXCERPT_CHARS + 40]


def rdb_info(head):
    """Redis RDB magic (``REDIS`` + 4-digit version, e.g. REDIS0009) and redis-ver aux field."""
    if not head.startswith(b"REDIS00"):
        return None
    version = head[5:9].decode("ascii", "replace")
    out = {"magic": head[:9].decode("ascii", "backslashreplace"), "rdb_version": version}
    # AUX field: 0xFA, then a length-prefixed "redis-ver" key and value (6-bit lengths).
    idx = head.find(b"\xfa\x09redis-ver")
    if idx >= 0 and idx + 12 < len(head):
        length = head[idx + 11]
        if length < 64:
            value = head[idx + 12: idx + 12 + length]
            out["redis_ver"] = value.decode("ascii", "backslashreplace")
    return out


def is_executable(info):
    # crond and run-parts run as root: access(X_OK) succeeds if any x bit is set.
    return bool(int(info["mode"], 8) & 0o111)


def _verdict(run, code, reason, **extra):
    out = {"would_run": run, "code": code, "reason": reason}
    out.update(extra)
    return out


# ---------------------------------------------------------------------------------------
# Per-family verdicts. ``link`` is the lstat info of the entry, ``target`` the info of
# what open()/stat() would reach (None when broken/refused), ``name`` the file name.
# ---------------------------------------------------------------------------------------
def cronie_crontab(link, target, name, user, users, is_system):
    """cronie database.c: system crontab (/etc/crontab, cron.d) or spool <user>."""
    if name is not None:
        if (name.startswith(".") or name.startswith("#") or name.endswith(_CRONIE_SKIP_SUFFIXES)
                or len(name.encode("utf-8", "surrogateescape")) >= 255):
            return _verdict(False, "LEFTOVER_NAME" if _LEFTOVER.search(name) else "NAME_SKIPPED",
                            "skipped by name (not_a_crontab: ., #, ~, .rpm*)")
    pw = None
    if not is_system:
        pw = users.get(user)
        if pw is None:
            return _verdict(False, "ORPHAN", "ORPHAN: no passwd entry for %r" % safe_text(user))
    if target is None:
        return _verdict(False, "CANT_OPEN", "CAN'T OPEN (broken or refused symlink)")
    if target["type"] != "file":
        return _verdict(False, "NOT_REGULAR", "NOT REGULAR (%s)" % target["type"])
    mode = int(target["mode"], 8)
    if (mode & _CRONIE_MODE_MASK) != _CRONIE_MODE_WANT:
        return _verdict(False, "BAD_FILE_MODE",
                        "BAD FILE MODE %s (cronie wants (mode & 07533) == 0400, e.g. 0600/0644)"
                        % target["mode"])
    if target["uid"] != 0 and (pw is None or target["uid"] != pw):
        return _verdict(False, "WRONG_FILE_OWNER",
                        "WRONG FILE OWNER uid %d (must be root%s)"
                        % (target["uid"], "" if is_system else " or %s" % safe_text(user)))
    if not is_system and target["nlink"] != 1:
        return _verdict(False, "BAD_LINK_COUNT", "BAD LINK COUNT %d" % target["nlink"])
    if is_system:
        return _verdict(True, "ACCEPTED", "accepted as a system crontab (user field per line)")
    return _verdict(True, "ACCEPTED", "accepted; jobs run as %s" % safe_text(user), run_as=safe_text(user))


def debian_system_crontab(link, target, name, lsb):
    """Debian cron: /etc/crontab (name None) or /etc/cron.d/<name>."""
    if name is not None:
        if lsb:
            ok = bool(_DEBIAN_CROND_LSB_NAME.match(name)) and not _DEBIAN_DPKG_LEFTOVER.search(name)
            rule = "^[a-z0-9][a-z0-9-]*$ (cron -l, LSB names)"
        else:
            ok = bool(_DEBIAN_CROND_NAME.match(name))
            rule = "^[a-zA-Z0-9_-]+$"
        if not ok:
            return _verdict(False, "LEFTOVER_NAME" if _LEFTOVER.search(name) else "NAME_SKIPPED",
                            "name does not match %s (ignored by Debian cron)" % rule)
    if link["type"] == "symlink" and link["uid"] != 0:
        return _verdict(False, "WRONG_SYMLINK_OWNER", "WRONG SYMLINK OWNER uid %d" % link["uid"])
    if target is None:
        return _verdict(False, "CANT_OPEN", "CAN'T OPEN SYMLINK (broken or refused)")
    if target["uid"] != 0:
        return _verdict(False, "WRONG_FILE_OWNER", "WRONG FILE OWNER uid %d (must be root)" % target["uid"])
    if target["type"] != "file":
        return _verdict(False, "NOT_REGULAR", "NOT A REGULAR FILE (%s)" % target["type"])
    if int(target["mode"], 8) & 0o022:
        return _verdict(False, "INSECURE_MODE", "INSECURE MODE (group/other writable) %s" % target["mode"])
    return _verdict(True, "ACCEPTED", "accepted as a system crontab (user field per line)")


def debian_spool(link, target, name, users):
    """Debian cron: /var/spool/cron/crontabs/<user>."""
    if name.startswith("tmp."):
        return _verdict(False, "LEFTOVER_NAME", "crontab(1) temporary file (ignored silently)")
    pw = users.get(name)
    if pw is None:
        return _verdict(False, "ORPHAN", "ORPHAN: no passwd entry for %r" % safe_text(name))
    if link["type"] == "symlink":
        return _verdict(False, "SYMLINK_REFUSED", "CAN'T OPEN (opened with O_NOFOLLOW: symlink refused)")
    if link["uid"] not in (pw, 0):
        return _verdict(False, "WRONG_FILE_OWNER", "WRONG FILE OWNER uid %d (must be %s)"
                        % (link["uid"], safe_text(name)))
    if link["type"] != "file":
        return _verdict(False, "NOT_REGULAR", "NOT A REGULAR FILE (%s)" % link["type"])
    if int(link["mode"], 8) != 0o600:
        return _verdict(False, "INSECURE_MODE", "INSECURE MODE (mode 0600 expected, is %s)" % link["mode"])
    if link["nlink"] != 1:
        return _verdict(False, "BAD_LINK_COUNT", "NUMBER OF HARD LINKS > 1 (%d)" % link["nlink"])
    return _verdict(True, "ACCEPTED", "accepted; jobs run as %s" % safe_text(name), run_as=safe_text(name))


def debian_runparts(link, target, name):
    """run-parts(8) (debianutils) as called from /etc/crontab and /etc/anacrontab."""
    if not _DEBIAN_RUNPARTS_NAME.match(name):
        return _verdict(False, "LEFTOVER_NAME" if _LEFTOVER.search(name) else "NAME_SKIPPED",
                        "name does not match run-parts ^[a-zA-Z0-9_-]+$ (e.g. contains a dot)")
    if target is None:
        return _verdict(False, "CANT_OPEN", "failed to stat component (broken or refused symlink)")
    if target["type"] == "directory":
        return _verdict(False, "DIRECTORY", "directory (ignored)")
    if target["type"] != "file" or not is_executable(target):
        return _verdict(False, "NOT_EXECUTABLE" if target["type"] == "file" else "NOT_REGULAR",
                        "not an executable plain file")
    return _verdict(True, "ACCEPTED", "run by run-parts as root (owner is not checked)", run_as="root")


def cronie_runparts(link, target, name, allow, deny):
    """cronie's run-parts shell script."""
    if name.startswith(".") or name.endswith(_CRONIE_RUNPARTS_SKIP):
        return _verdict(False, "LEFTOVER_NAME", "skipped by name (dotfile, ~ , or .rpm*/.swp/.cfsaved)")
    if name in ("jobs.allow", "jobs.deny"):
        return _verdict(False, "CONTROL_FILE", "run-parts control file")
    if allow is not None and name not in allow:
        return _verdict(False, "NAME_SKIPPED", "not listed in jobs.allow")
    if deny is not None and name in deny:
        return _verdict(False, "DENIED", "listed in jobs.deny")
    if target is None:
        return _verdict(False, "CANT_OPEN", "broken or refused symlink")
    if target["type"] == "directory":
        return _verdict(False, "DIRECTORY", "directory (ignored)")
    if not is_executable(target):
        return _verdict(False, "NOT_EXECUTABLE", "not executable ([ -x ] fails)")
    return _verdict(True, "ACCEPTED", "run by run-parts as root", run_as="root")


def boot_verdict(link, target, name, display, rc=None):
    """rc.local / rc.d / init.d / local.d. Without OpenRC (``rc`` None or not detected) any
    executable name in a boot directory runs (seed 000); with OpenRC, init.d scripts run at boot
    when enabled (cron/openrc.py), local.d scripts when the local service is."""
    if target is None:
        return _verdict(False, "CANT_OPEN", "broken or refused symlink")
    if target["type"] == "directory":
        return _verdict(False, "DIRECTORY", "directory")
    if target["type"] != "file":
        return _verdict(False, "NOT_REGULAR", "not a regular file (%s)" % target["type"])
    on_openrc = bool(rc and rc["detected"])
    parent = display.rsplit("/", 1)[0]
    in_local_d = parent == openrc.LOCAL_D
    if in_local_d and (name.startswith(".") or not name.endswith((".start", ".stop"))):
        return _verdict(False, "LEFTOVER_NAME" if _LEFTOVER.search(name) else "NAME_SKIPPED",
                        "the local service runs only *.start and *.stop")
    if not is_executable(target):
        if name.startswith("."):
            # insserv's /etc/init.d/.depend.{boot,start,stop} (Debian sysvinit/openrc): data, never run
            return _verdict(False, "LEFTOVER_NAME", "hidden non-executable file (not run)")
        return _verdict(False, "NOT_EXECUTABLE", "not executable")
    if in_local_d:
        if not on_openrc:
            return _verdict(False, "NOT_THIS_INIT", "no OpenRC here: only OpenRC's local service runs /etc/local.d")
        return _verdict(*openrc.local_d_verdict(rc, name), run_as="root")
    if on_openrc and display.endswith("/rc.local"):
        # OpenRC has no rc.local of its own (Alpine runs /etc/local.d); Debian's initscripts ship
        # /etc/init.d/rc.local, which runs it when that service is started.
        if "rc.local" in rc["at_boot"]:
            return _verdict(True, "ACCEPTED", "run at boot by the OpenRC service rc.local (%s)"
                            % rc["at_boot"]["rc.local"], run_as="root")
        return _verdict(False, "NOT_ENABLED", "OpenRC host: no rc.local service started at boot "
                        "(OpenRC runs /etc/local.d/*.start, not /etc/rc.local)")
    if on_openrc and parent in openrc.INIT_DIRS:
        return _verdict(*openrc.init_script_verdict(rc, name), run_as="root")
    if display.endswith("/rc.local"):
        return _verdict(True, "ACCEPTED", "rc.local runs at boot when executable "
                        "(rc-local.service / systemd-rc-local-generator)", run_as="root")
    return _verdict(True, "ACCEPTED", "executable in a boot directory: runs at boot whatever its name "
                    "(when linked from a runlevel or started by name)", run_as="root")


# ---------------------------------------------------------------------------------------
# The audit
# ---------------------------------------------------------------------------------------
def open_in_root(root, path):
    """(fd, info) of a regular file at ``path`` (inside root, resolved by core.paths, last
    component not followed); raises SafeReadError like safe_read.open_regular."""
    try:
        fd, res = paths.open_file(root, path, follow=False)
    except paths.PathRefused as exc:
        status = exc.resolved.status
        reason = {paths.MISSING: "missing", paths.DENIED: "permission", paths.LOOP: "symlink",
                  paths.NOT_DIR: "missing"}.get(status, "io_error")
        raise SafeReadError(path, reason, exc.resolved.reason or status)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SafeReadError(path, "not_regular", "is not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd, stat_to_info(st)


def link_view(res_follow, link_text):
    """The legacy symlink record from a core.paths resolution (status ok|broken|loop)."""
    status = {paths.OK: "ok", paths.LOOP: "loop", paths.TOO_DEEP: "loop"}.get(res_follow.status, "broken")
    return {"target": link_text, "resolved": res_follow.path if res_follow.status != paths.INVALID else None,
            "status": status, "info": stat_to_info(res_follow.st) if res_follow.ok else None,
            "hops": len(res_follow.links), "clamped_at_root": res_follow.clamped}


def _account_name(names, ident, live, database):
    """The name of a uid ("pwd") or gid ("grp"): from the audited root's passwd/group, else, on
    the live root only, from NSS (LDAP, sssd accounts own files too)."""
    name = names.get(ident)
    if name is None and live:
        try:
            if database == "pwd":
                import pwd
                name = pwd.getpwuid(ident).pw_name
            else:
                import grp
                name = grp.getgrgid(ident).gr_name
        except (KeyError, ImportError):
            name = None
    return safe_text(name) if name is not None else None


# ---------------------------------------------------------------------------------------
# Per-file judges: each check declared above the function that grades it. A judge gets the
# walk (``run``: options, accounts, ``add``) and one entry (path, kind, record, content head).
# ---------------------------------------------------------------------------------------
@CHECKS.check("HG-CRON-001", "critical", "Redis RDB dump in a cron or boot directory",
              "first bytes of each file (magic REDIS00 at offset 0)",
              "Quarantine the file (do not delete: keep it for forensics), then secure the Redis "
              "that wrote it (bind, protected-mode, requirepass/ACL, rename CONFIG)",
              role="cron_hygiene", attack=ATTACK_CRON, lynis="SCHD-7704")
@CHECKS.check("HG-CRON-002", "high", "Binary or non-text content in a cron or boot file",
              "first 8 KiB of each file", "Inspect and quarantine: cron tables and boot scripts are text",
              role="cron_hygiene", **_REFS_CRON)
def judge_content_kind(rdb_check, binary_check, run, entry):
    content = entry["content"]
    if content is None:
        return
    if content["rdb"]:
        evidence = dict(entry["ev_base"], **content["rdb"])
        evidence["allocated"] = entry["rec"]["allocated"]
        run.add(rdb_check.id, "fail", entry["display"], evidence,
                "Redis RDB dump (magic %s) in a cron/boot location" % content["rdb"]["magic"])
    elif content["kind"] in ("binary", "elf"):
        run.add(binary_check.id, "fail", entry["display"],
                dict(entry["ev_base"], content=content["kind"], head_hex=content["head"][:16].hex()))


@CHECKS.check("HG-CRON-010", "critical", "Malicious command line in a cron or boot file",
              "lines of each file head, matched against named attack patterns",
              "Treat the host as compromised: quarantine the file, find the persistence source, "
              "rotate credentials",
              role="cron_hygiene", attack=ATTACK_CRON + ", " + ATTACK_RC)
def judge_command_lines(check, run, entry):
    content = entry["content"]
    if content is None or not content["matches"]:
        return
    first = content["matches"][0]
    evidence = {"file": safe_text(entry["display"]), "line": first["line"], "pattern": first["pattern"],
                "excerpt": first["excerpt"], "match_count": content["match_count"],
                "matches": content["matches"][1:], "would_run": entry["runners"]}
    if "why" in first:
        evidence["why"] = first["why"]
    run.add(check.id, "fail", entry["display"], evidence,
            "line %d matches %s" % (first["line"], first["pattern"]) + (": " + first["why"] if "why" in first else ""))


@CHECKS.check("HG-CRON-005", "medium", "Oversized cron or boot file (or over-long line)",
              "lstat size; line lengths in the scanned head",
              "Cron tables and scripts are small: inspect the file; the audit scanned only its head",
              role="cron_hygiene", attack=ATTACK_CRON)
def judge_size(check, run, entry):
    content, rec, opts = entry["content"], entry["rec"], run.opts
    if content is None:
        return
    oversized = rec["size"] > opts["max_file_size"]
    if oversized or content["cut_lines"]:
        run.add(check.id, "fail", entry["display"],
                dict(entry["ev_base"], max_file_size=opts["max_file_size"], allocated=rec["allocated"],
                     oversized=oversized, lines_over_cap=content["cut_lines"],
                     max_line_bytes=opts["max_line_bytes"], scanned_bytes=rec["scanned_bytes"]))


@CHECKS.check("HG-CRON-003", "high", "Spool file whose name is no user (foreign file, never runs)",
              "spool directory names vs <root>/etc/passwd",
              "Cron never runs it (ORPHAN) but something wrote it there: find the writer (often an exposed Redis) and quarantine the file",
              role="cron_hygiene", attack=ATTACK_CRON)
def judge_spool_name(check, run, entry):
    """Spool names that are no user: a foreign file (seed 000)."""
    if entry["kind"] not in SPOOL_KINDS or entry["link"]["type"] == "directory":
        return
    family = "cronie" if entry["kind"] == "spool_cronie" else "debian"
    if entry["rec"]["would_run"][family]["code"] == "ORPHAN":
        run.add(check.id, "fail", entry["display"],
                dict(entry["ev_base"], name=safe_text(entry["name"]), family=family,
                     content=entry["rec"].get("content"), users_source=run.users_source))


@CHECKS.check("HG-CRON-004", "high", "Unexpected file that runs at boot from rc.d/init.d",
              "names and heads of boot scripts",
              "rc.d/init.d run any name: verify the file belongs to a package "
              "(dpkg -S / rpm -qf) and quarantine it if not",
              role="cron_hygiene", attack=ATTACK_RC)
def judge_boot_script(check, run, entry):
    """Files that run at boot whatever their name: a finding only when suspicious."""
    content, name = entry["content"], entry["name"]
    if entry["kind"] not in BOOT_KINDS or not entry["runners"] or content is None:
        return
    why = []
    if name.startswith("."):
        why.append("hidden name")
    if not re.match(r"^[A-Za-z0-9._@+-]+$", name):
        why.append("unusual characters in name")
    if content["kind"] == "elf":
        why.append("ELF binary (boot scripts are normally shell scripts)")
    elif content["kind"] == "text" and not content["head"].startswith(b"#!"):
        why.append("no #! interpreter line")
    if why:
        run.add(check.id, "fail", entry["display"], dict(entry["ev_base"], why=why, content=content["kind"]))


@CHECKS.check("HG-CRON-009", "medium", "Cron entry rejected by an installed cron family (mode, owner, name)",
              "lstat mode/owner/nlink and file names vs each daemon's rules",
              "Fix the name, owner or mode so that the job runs, or remove the dead file",
              role="cron_hygiene", lynis="SCHD-7704")
def judge_rejections(check, run, entry):
    """Rejections by an installed family (every family when none is installed)."""
    rec = entry["rec"]
    for family in run.installed or list(FAMILIES):
        verdict = rec["would_run"][family]
        if verdict["code"] in _REJECTIONS:
            run.add(check.id, "fail", entry["display"],
                    {"family": family, "code": verdict["code"], "reason": verdict["reason"],
                     "mode": rec["mode"], "owner": rec["owner"], "nlink": rec["nlink"]},
                    severity="low" if verdict["code"] in ("NAME_SKIPPED", "NOT_EXECUTABLE") else None)


@CHECKS.check("HG-CRON-011", "high",
              "Cron or boot path writable by non-root (group/world-writable or non-root owner)",
              "lstat mode/owner of files and directories",
              "chown root:root and chmod go-w (spool files: owner user, mode 0600)",
              role="cron_hygiene", lynis="SCHD-7704", attack=ATTACK_CRON)
def judge_writable(check, run, entry):
    """Writable by non-root: the file a link points to, or the file itself (directories: check_dir_perms)."""
    target, kind = entry["target"], entry["kind"]
    if target is None or target["type"] != "file":
        return
    mode = int(target["mode"], 8)
    problems = []
    if target["uid"] != 0 and kind not in SPOOL_KINDS and kind != "extra":
        problems.append("owned by %s (uid %d), not root" % (run.owner_name(target["uid"]), target["uid"]))
    if mode & 0o002:
        problems.append("world-writable")
    if mode & 0o020:
        problems.append("group-writable")
    if problems:
        severity = "high" if (mode & 0o002 or "not root" in problems[0]) else "medium"
        run.add(check.id, "fail", entry["display"],
                {"mode": target["mode"], "owner": run.owner_name(target["uid"]),
                 "group": run.group_name(target["gid"]), "problems": problems,
                 "would_run": entry["runners"]}, severity=severity)


# In the order the findings of one entry were always emitted.
JUDGES = (judge_content_kind, judge_command_lines, judge_size, judge_spool_name, judge_boot_script,
          judge_rejections, judge_writable)


# The walk's own findings, emitted by the scan methods of _Audit below (scan_dir, scan_entry, analyze).
CHECKS.define("HG-CRON-012", "Unreadable cron or boot path", "medium",
              "open/opendir errors",
              "Run the audit as root, or check why root cannot read it (FUSE, NFS root_squash)")
CHECKS.define("HG-CRON-013", "Cron or boot directory with more entries than max_entries", "medium",
              "directory listing (bounded)",
              "A cron directory with thousands of entries is abnormal: inspect it; raise "
              "max_entries to audit it fully",
              {"attack": ATTACK_CRON}, role="cron_hygiene")
CHECKS.define("HG-CRON-006", "Non-regular entry (FIFO, socket, device) in a cron or boot directory", "high",
              "lstat type",
              "Remove the special file after checking what created it; readers of this "
              "directory can block or read endless data",
              {"attack": ATTACK_CRON}, role="cron_hygiene")
CHECKS.define("HG-CRON-007", "Symlink escaping the audited tree or into /dev, /proc, /sys", "high",
              "readlink (never followed outside root)", "Replace the link by the real file or remove it",
              {"attack": ATTACK_CRON}, role="cron_hygiene")
CHECKS.define("HG-CRON-008", "Broken symlink or symlink loop in a cron or boot directory", "low",
              "readlink chain inside root", "Remove the dangling link", {}, role="cron_hygiene")


class _Audit(object):
    def __init__(self, opts):
        self.opts = opts
        self.root = opts["root"]
        self.findings = []
        self.files = {}
        self.seen_dirs = set()
        self.budget = opts["max_entries"] * 20      # global bound over all directories
        self.bytes_read = 0
        self.users, self.user_names, self.users_source = self._load_ids("/etc/passwd")
        self.groups, self.group_names, _src = self._load_ids("/etc/group")
        self.lsb = self._debian_lsb()
        self.judged = list(daemons.NAMES)   # daemon builds judged (audit() sets them)
        self.installed = [fam for fam, binary in (("cronie", "/usr/sbin/crond"), ("debian", "/usr/sbin/cron"))
                          if paths.resolve(self.root, binary, follow=False).ok]
        self.location_paths = set(loc[0] for loc in LOCATIONS)
        self.openrc = openrc.load(self.root, opts["max_entries"])
        self.runparts_lists = {}
        self.pending = []            # boot sub-directories still to walk
        self.depth_cut = []          # directories not entered because of max_depth

    def _readlink(self, path):
        """The text of the symlink at ``path`` (inside root; parents resolved by core.paths)."""
        parent = paths.resolve(self.root, os.path.dirname(path) or "/", follow=True)
        if not parent.ok:
            return None
        try:
            fd, _res = paths.open_dir(self.root, parent.path, follow=False)
        except (paths.PathRefused, OSError):
            return None
        try:
            return os.readlink(os.path.basename(path), dir_fd=fd)
        except OSError:
            return None
        finally:
            os.close(fd)

    # -- identity -----------------------------------------------------------------------
    def _load_ids(self, path):
        """name -> id and id -> name from <root>/etc/passwd or group, bounded."""
        by_name, by_id, error = load_id_map(self.root, path)
        if error is None:
            return by_name, by_id, path
        if error.reason == "permission":
            self.findings.append(CHECKS["HG-CRON-012"].error(path, "cannot read %s: %s" % (path, error.message)))
        return by_name, by_id, "%s %s" % (path, error.reason)

    def user_uid(self, name):
        if name in self.users:
            return self.users[name]
        if self.root == "/":
            # NSS (LDAP, sssd) users are real users for the local cron daemon too.
            try:
                import pwd
                return pwd.getpwnam(name).pw_uid
            except (KeyError, ImportError, UnicodeError, ValueError):
                return None
        return None

    def owner_name(self, uid):
        return _account_name(self.user_names, uid, self.root == "/", "pwd")

    def group_name(self, gid):
        return _account_name(self.group_names, gid, self.root == "/", "grp")

    def _debian_lsb(self):
        # /etc/default/cron: LSBNAMES="-l" or EXTRA_OPTS containing -l (cron(8)).
        try:
            fd, _info = open_in_root(self.root, "/etc/default/cron")
        except SafeReadError:
            return False
        try:
            for _n, line, _cut in iter_lines_fd(fd, 65536, 4096):
                text = line.strip()
                if text.startswith(b"#"):
                    continue
                if re.match(br"^(LSBNAMES|EXTRA_OPTS)\s*=.*(^|[\s\"'])-l\b", text):
                    return True
        except OSError:
            return False
        finally:
            os.close(fd)
        return False

    def _name_list(self, real_dir, fname):
        """jobs.allow / jobs.deny of cronie's run-parts (None when absent)."""
        key = (real_dir, fname)
        if key not in self.runparts_lists:
            names = None
            try:
                fd, _info = open_in_root(self.root, real_dir.rstrip("/") + "/" + fname)
                try:
                    names = set(line.strip().decode("utf-8", "surrogateescape")
                                for _n, line, _c in iter_lines_fd(fd, 65536, 1024) if line.strip())
                finally:
                    os.close(fd)
            except (SafeReadError, OSError):
                names = None
            self.runparts_lists[key] = names
        return self.runparts_lists[key]

    # -- bookkeeping ----------------------------------------------------------------------
    def add(self, check_id, status, subject, evidence=None, detail=None, severity=None):
        check = CHECKS[check_id]
        if status == "fail":
            self.findings.append(check.fail(safe_text(subject), evidence, detail, severity))
        else:
            self.findings.append(check.error(safe_text(subject), detail, evidence))

    def record(self, display, kind, info):
        rec = {
            "path": safe_text(display),
            "location": kind,
            "type": info["type"],
            "size": info["size"],
            "allocated": info["allocated"],
            "uid": info["uid"],
            "owner": self.owner_name(info["uid"]),
            "gid": info["gid"],
            "group": self.group_name(info["gid"]),
            "mode": info["mode"],
            "mtime": info["mtime"],
            "nlink": info["nlink"],
            "status": "ok",
        }
        self.files[rec["path"]] = rec
        return rec

    # -- walking --------------------------------------------------------------------------
    def run(self):
        for path, kind, is_dir in LOCATIONS:
            self.scan_location(path, kind, is_dir, depth=0)
            self.drain()
        for path in self.opts["extra_paths"]:
            self.scan_location(path, "extra", None, depth=0)
            self.drain()

    def drain(self):
        """Sub-directories of boot locations, walked from a work list (no recursion: a
        1000-deep rc.d costs a list, not the interpreter's stack)."""
        while self.pending:
            self.scan_dir(*self.pending.pop())

    def lstat_in_root(self, path):
        """lstat of ``path`` as seen inside root (directories on the way resolved by core.paths)."""
        res = paths.resolve(self.root, path, follow=False)
        if res.status == paths.DENIED:
            self.add("HG-CRON-012", "error", path, {"status": res.status}, "cannot stat: permission denied")
        elif res.status in (paths.TOO_DEEP, paths.LOOP):
            self.depth_cut.append(path)       # never a silent skip: HG-CRON-016 names it
        return res

    def scan_location(self, display, kind, is_dir, depth):
        res = self.lstat_in_root(display)
        if not res.ok:
            return
        st = res.st
        if stat.S_ISDIR(st.st_mode) and is_dir is not False:
            self.scan_dir(display, res.path, kind, st, depth)
            return
        if stat.S_ISLNK(st.st_mode) and is_dir is not False:
            # e.g. RHEL's /etc/init.d -> rc.d/init.d: inventory the link, then scan the target dir.
            rec = self.scan_entry(display, res.path, kind, os.path.basename(display), None)
            if rec and (rec.get("symlink") or {}).get("status") == "ok" and rec.get("target_type") == "directory":
                tres = paths.resolve(self.root, display, follow=True)
                if tres.ok and stat.S_ISDIR(tres.st.st_mode):
                    self.scan_dir(display, tres.path, kind, tres.st, depth)
            return
        self.scan_entry(display, res.path, kind, os.path.basename(display), None)

    def check_dir_perms(self, display, info, kind):
        mode = int(info["mode"], 8)
        problems = []
        sticky_crontabs = (kind == "spool_debian" and display == "/var/spool/cron/crontabs"
                           and mode & stat.S_ISVTX and self.group_name(info["gid"]) == "crontab"
                           and not mode & 0o002)
        if info["uid"] != 0:
            problems.append("owned by %s (uid %d), not root" % (self.owner_name(info["uid"]), info["uid"]))
        if mode & 0o002:
            problems.append("world-writable")
        if mode & 0o020 and not sticky_crontabs:
            problems.append("group-writable")
        if problems:
            sev = "high" if (mode & 0o002 or info["uid"] != 0) else "medium"
            self.add("HG-CRON-011", "fail", display,
                     {"type": "directory", "mode": info["mode"], "owner": self.owner_name(info["uid"]),
                      "group": self.group_name(info["gid"]), "problems": problems}, severity=sev)

    def scan_dir(self, display, real, kind, st, depth):
        key = (st.st_dev, st.st_ino)
        if key in self.seen_dirs:
            return
        self.seen_dirs.add(key)
        info = stat_to_info(st)
        rec = self.files.get(safe_text(display))
        if rec is None:
            rec = self.record(display, kind, info)
        rec["would_run"] = dict((f, _verdict(False, "DIRECTORY", "directory")) for f in FAMILIES)
        self.check_dir_perms(display, info, kind)
        names = []
        truncated = False
        limit = min(self.opts["max_entries"], max(0, self.budget))
        try:
            names, truncated, _res = paths.list_dir(self.root, real, limit, follow=False)
        except (paths.PathRefused, OSError) as exc:
            refused = getattr(exc, "resolved", None)
            rec["status"] = "error"
            rec["error"] = refused.reason if refused is not None else os.strerror(exc.errno or 0)
            if (refused is not None and refused.status == paths.DENIED) or exc.errno in (13, 1):
                self.add("HG-CRON-012", "error", display, {"type": "directory"}, "cannot list directory: permission denied")
            else:
                self.add("HG-CRON-012", "error", display, {"type": "directory"}, "cannot list directory: %s" % rec["error"])
            return
        self.budget -= len(names)
        rec["entries"] = len(names)
        if truncated:
            rec["truncated"] = True
            try:
                total = paths.count_entries(self.root, real, follow=False)
            except (paths.PathRefused, OSError):
                total = len(names)
            spent = limit < self.opts["max_entries"]
            self.add("HG-CRON-013", "fail", display,
                     {"listed": len(names), "not_listed": max(0, total - len(names)),
                      "max_entries": self.opts["max_entries"],
                      "global_budget_left": max(0, self.budget)},
                     "directory listing stopped after %d of %d entries (%s); the other %d were not "
                     "audited" % (len(names), total, "the budget over all directories is spent"
                                  if spent else "max_entries", max(0, total - len(names))))
        base = display.rstrip("/")
        for name in names:
            child_display = base + "/" + name
            if child_display in self.location_paths:
                continue     # audited as its own location
            child_real = real.rstrip("/") + "/" + name
            if kind == "boot":
                cres = paths.resolve(self.root, child_real, follow=False)
                if cres.ok and stat.S_ISDIR(cres.st.st_mode):
                    if depth < self.opts["max_depth"]:
                        self.pending.append((child_display, child_real, kind, cres.st, depth + 1))
                    else:
                        self.depth_cut.append(child_display)
                        self.scan_entry(child_display, child_real, kind, name, real)
                    continue
            self.scan_entry(child_display, child_real, kind, name, real)

    def scan_entry(self, display, real, kind, name, real_dir):
        lres = self.lstat_in_root(real)
        if not lres.ok:
            return None
        link = stat_to_info(lres.st)
        rec = self.record(display, kind, link)
        target = None
        target_real = None
        if link["type"] == "symlink":
            fres = paths.resolve(self.root, real, follow=True)
            res = link_view(fres, self._readlink(real))
            resolved = res.get("resolved")
            inside = resolved
            sym = {"target": safe_text(res.get("target") or ""), "resolved": safe_text(resolved or ""),
                   "status": res["status"], "resolved_raw": resolved}
            pseudo = bool(res["status"] != "escapes" and inside and any(
                inside == p or inside.startswith(p + "/") for p in PSEUDO_FS))
            if pseudo:
                sym["status"] = "pseudo_fs"
                self.add("HG-CRON-007", "fail", display,
                         {"link": sym["target"], "resolved": sym["resolved"], "why": "points into /dev, /proc or /sys"})
            elif res["status"] == "escapes":
                self.add("HG-CRON-007", "fail", display,
                         {"link": sym["target"], "resolved_host_path": sym["resolved"],
                          "why": "points outside the audited root"})
            elif res["status"] in ("broken", "loop"):
                self.add("HG-CRON-008", "fail", display, {"link": sym["target"], "status": res["status"]})
            else:
                target = res["info"]
                target_real = resolved
                rec["target_type"] = target["type"]
                if target["type"] in ("fifo", "socket", "char_device", "block_device"):
                    self.add("HG-CRON-006", "fail", display,
                             {"type": target["type"], "via_symlink": sym["resolved"]})
            rec["symlink"] = sym
        elif link["type"] == "file":
            target = link
            target_real = real
        elif link["type"] in ("fifo", "socket", "char_device", "block_device", "unknown"):
            target = link     # cron would stat it and refuse it as not regular
            self.add("HG-CRON-006", "fail", display, {"type": link["type"], "mode": link["mode"],
                                                      "owner": rec["owner"]})
        elif link["type"] == "directory":
            target = link

        content = None
        if target is not None and target["type"] == "file" and target_real is not None:
            content = self.analyze(display, target_real, kind, rec, target)

        rec["would_run"] = self.verdicts(kind, display, name, link, target, real_dir)
        self.judge(display, kind, name, rec, link, target, content)
        return rec

    # -- content --------------------------------------------------------------------------
    def line_hits(self, text, kind):
        """(pattern, match, subject) of each malicious pattern a line matches, once per pattern;
        the command-position patterns on each command the job runs (a crontab's ``%``: the
        command before it, an interpreter's stdin after it, the whole line for busybox crond)."""
        command = command_part(text, kind)
        subjects = crontab_command.subjects(command, self.judged) if kind in CRONTAB_KINDS else [command]
        out = []
        named = set()
        for subject in subjects:
            for pname, m in match_line(text, subject):
                if pname not in named:
                    named.add(pname)
                    out.append((pname, m, subject if pname in COMMAND_POSITION else text))
        return out

    def analyze(self, display, real, kind, rec, target):
        opts = self.opts
        try:
            fd, finfo = open_in_root(self.root, real)
        except SafeReadError as exc:
            rec["status"] = "error"
            rec["error"] = exc.reason
            if exc.reason == "permission":
                self.add("HG-CRON-012", "error", display, {"reason": exc.reason}, "cannot open: permission denied")
            elif exc.reason != "missing":
                self.add("HG-CRON-012", "error", display, {"reason": exc.reason}, exc.message)
            return None
        digest = hashlib.sha256()
        head = bytearray()
        state = {"read": 0}

        def on_chunk(chunk):
            digest.update(chunk)
            state["read"] += len(chunk)
            if len(head) < SNIFF_BYTES:
                head.extend(chunk[:SNIFF_BYTES - len(head)])

        matches = []
        match_count = 0
        lines = 0
        cut_lines = 0
        longest = 0
        try:
            for lineno, line, cut in iter_lines_fd(fd, opts["max_read_bytes"], opts["max_line_bytes"], on_chunk):
                lines = lineno
                if cut:
                    cut_lines += 1
                    longest = max(longest, opts["max_line_bytes"] + 1)
                else:
                    longest = max(longest, len(line))
                stripped = line.lstrip()
                if not stripped or stripped.startswith(b"#"):
                    continue
                text = decode_line(line)
                env_hit = crontab_env.check_line(text, self.judged) if kind in CRONTAB_KINDS else None
                if env_hit:
                    match_count += 1
                    if len(matches) < MAX_MATCHES_PER_FILE:
                        matches.append({"line": lineno, "pattern": env_hit[0],
                                        "excerpt": excerpt(text, 0, len(text)), "cut": cut,
                                        "why": safe_text(env_hit[1])})
                hits = self.line_hits(text, kind)
                if env_hit:
                    # the same path as the environment line's finding, not a second fact
                    hits = [h for h in hits if h[0] not in COMMAND_POSITION]
                for pname, m, subject in hits:
                    match_count += 1
                    if len(matches) < MAX_MATCHES_PER_FILE:
                        matches.append({"line": lineno, "pattern": pname,
                                        "excerpt": excerpt(subject, m.start(), m.end()), "cut": cut})
        except OSError as exc:
            rec["status"] = "error"
            rec["error"] = os.strerror(exc.errno or 0)
            self.add("HG-CRON-012", "error", display, {"read_bytes": state["read"]},
                     "read error: %s" % rec["error"])
            return None
        finally:
            os.close(fd)
        self.bytes_read += state["read"]
        head = bytes(head)
        whole = finfo["size"] <= state["read"]
        if finfo.get("nlink", 1) > 1:
            # A file with other names (a hard link to /etc/shadow...): no hash of it in any output.
            rec["sha256_withheld"] = "file has %d names (HG-CRON-015)" % finfo["nlink"]
        elif whole:
            rec["sha256"] = digest.hexdigest()
        else:
            rec["sha256_head"] = digest.hexdigest()
        rec["scanned_bytes"] = state["read"]
        rec["lines_scanned"] = lines
        rec["lines_cut"] = cut_lines
        rdb = rdb_info(head)
        if rdb:
            kind_of = "redis_rdb"
        elif not head:
            kind_of = "empty"
        elif head.startswith(b"\x7fELF"):
            kind_of = "elf"
        elif looks_binary(head):
            kind_of = "binary"
        else:
            kind_of = "text"
        rec["content"] = kind_of
        return {"kind": kind_of, "rdb": rdb, "head": head, "matches": matches, "match_count": match_count,
                "cut_lines": cut_lines, "longest": longest, "whole": whole}

    # -- verdicts and findings ---------------------------------------------------------------
    def verdicts(self, kind, display, name, link, target, real_dir):
        users = _UserView(self)
        if link["type"] == "directory":
            return dict((f, _verdict(False, "DIRECTORY", "directory (not read)")) for f in FAMILIES)
        if kind == "system_crontab":
            return {"cronie": cronie_crontab(link, target, None, None, users, True),
                    "debian": debian_system_crontab(link, target, None, self.lsb)}
        if kind == "crond":
            return {"cronie": cronie_crontab(link, target, name, None, users, True),
                    "debian": debian_system_crontab(link, target, name, self.lsb)}
        if kind == "runparts":
            allow = self._name_list(real_dir, "jobs.allow") if real_dir else None
            deny = self._name_list(real_dir, "jobs.deny") if real_dir else None
            return {"cronie": cronie_runparts(link, target, name, allow, deny),
                    "debian": debian_runparts(link, target, name)}
        if kind == "anacrontab":
            if target is not None and target["type"] == "file":
                v = _verdict(True, "ACCEPTED", "read by anacron (jobs run as root) when anacron is installed",
                             run_as="root")
            else:
                v = _verdict(False, "NOT_REGULAR", "not a regular file")
            return {"cronie": v, "debian": dict(v)}
        if kind == "spool_cronie":
            return {"cronie": cronie_crontab(link, target, name, name, users, False),
                    "debian": _verdict(False, "NOT_THIS_FAMILY",
                                       "Debian cron reads /var/spool/cron/crontabs/<user>, not /var/spool/cron/<name>")}
        if kind == "spool_debian":
            return {"cronie": _verdict(False, "NOT_THIS_FAMILY",
                                       "cronie reads /var/spool/cron/<user>, not crontabs/"),
                    "debian": debian_spool(link, target, name, users)}
        if kind in BOOT_KINDS:
            v = boot_verdict(link, target, name, display, self.openrc)
            return {"cronie": v, "debian": dict(v)}
        v = _verdict(None, "NOT_A_CRON_LOCATION", "extra path: content checks only")
        return {"cronie": v, "debian": dict(v)}

    def runners(self, rec):
        return sorted(f for f, v in rec.get("would_run", {}).items() if v.get("would_run"))

    def judge(self, display, kind, name, rec, link, target, content):
        """Every per-file judge below (``JUDGES``) on one entry of a cron or boot location."""
        runners = self.runners(rec)
        entry = {"display": display, "kind": kind, "name": name, "rec": rec, "link": link,
                 "target": target, "content": content, "runners": runners,
                 "ev_base": {"size": rec["size"], "owner": rec["owner"], "mode": rec["mode"],
                             "would_run": runners,
                             "reasons": dict((f, v["reason"]) for f, v in rec["would_run"].items())}}
        for judge_entry in JUDGES:
            judge_entry(self, entry)


class _UserView(object):
    """users.get(name) -> uid or None, through the audit's passwd view (and NSS on /)."""

    def __init__(self, audit):
        self.audit = audit

    def get(self, name):
        return self.audit.user_uid(name)


def select_builds(requested, detected):
    """Installed builds plus the requested ones ("all": every build); none installed: all."""
    if "all" in requested:
        return list(daemons.NAMES)
    names = [n for n in daemons.NAMES if detected[n]["installed"] or n in requested]
    return names or list(daemons.NAMES)


def audit(options):
    """Audit cron and boot locations under ``options['root']``. Never writes anything."""
    started = time.time()
    opts = normalize_options(options)
    # Per daemon build (issue 11): installed builds detected from the root, others on request.
    # Known before the walk: a crontab environment line is reported for the builds that honour it.
    detected = daemons.detect(opts["root"])
    names = select_builds(options.get("daemons") or [], detected)
    run = _Audit(opts)
    run.judged = names
    run.run()
    findings = run.findings
    accounts = load_accounts(opts["root"])
    per_path, _entries = daemons.verdicts(opts["root"], [daemons.BY_NAME[n] for n in names], accounts,
                                          detected, opts["max_read_bytes"], opts["max_entries"])
    for path, verdicts in per_path.items():
        rec = run.files.get(path)
        if rec is None:
            rec = run.files[path] = {"path": path, "location": "crontab", "status": "ok"}
        rec["daemons"] = verdicts
    daemon_checks.annotate_rdb_and_foreign(findings, per_path)
    findings.extend(daemon_checks.check_daemon_verdicts(per_path))
    findings.extend(daemon_checks.check_hard_links(list(run.files.values())))
    findings.extend(daemon_checks.check_walk_cut(run.depth_cut, opts["max_depth"]))
    failed_ids = set(f["id"] for f in findings)
    for check_id in sorted(CHECKS.ids()):
        if check_id not in failed_ids:
            findings.append(CHECKS[check_id].passed("cron and boot locations",
                                                    {"entries": len(run.files)}))
    files = [run.files[k] for k in sorted(run.files)]
    for rec in files:
        if isinstance(rec.get("symlink"), dict):
            rec["symlink"].pop("resolved_raw", None)     # internal: may hold undecodable bytes
    facts = {
        "root": opts["root"],
        "families_installed": run.installed,
        "daemons": detected,
        "daemons_judged": names,
        "accounts": {"users": len(accounts["users"]), "shadow_ageing": len(accounts["shadow"]),
                     "sources": accounts["sources"]},
        "debian_lsb_names": run.lsb,
        "openrc": run.openrc,
        "users_known": len(run.users),
        "users_source": run.users_source,
        "entries": len(files),
        "bytes_read": run.bytes_read,
        "options": dict((k, opts[k]) for k in ("max_read_bytes", "max_file_size", "max_line_bytes",
                                               "max_entries", "max_depth")),
    }
    result = area_result(sort_findings(findings), facts, round(time.time() - started, 3))
    result["files"] = files
    return result
