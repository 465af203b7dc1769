# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""OpenRC boot enablement under ``root`` (Alpine; Debian's ``openrc`` package): which
/etc/init.d scripts and /etc/local.d scripts run at boot, as OpenRC decides it.

OpenRC's rules, as modelled here (OpenRC 0.45, src/librc/librc.c and init.d/local.in):

- ``rc-update add NAME LEVEL`` makes the symlink ``/etc/runlevels/LEVEL/NAME -> /etc/init.d/NAME``.
  ``rc_services_in_runlevel`` lists a level directory with ``ls_dir(.., LS_INITD)``: names starting
  with ``.`` are skipped and an entry that does not stat() (a dangling link: the script was
  removed) is skipped. Names ending in ``.sh`` count: Debian's openrc enables ``mountall.sh``,
  ``checkroot.sh``... in sysinit, and its real ``rc-update show -v`` lists them there
  (tests/integration/test_openrc_real.py). A sub-directory of a level is a stacked runlevel (its
  services count for the level too).
- The service that runs is resolved BY NAME (``rc_service_resolve``: /etc/init.d/NAME, then
  /usr/local/etc/init.d/NAME), not through the link's target.
- Every boot enters ``sysinit``, then ``boot``, then ``default`` (unless ``softlevel=`` on the
  kernel command line names another); ``shutdown`` is entered at halt/reboot. Services in any
  other level run only when that level is entered (``openrc LEVEL``).
- A service that an enabled service ``need``s (its ``depend()``) is started with it, enabled or
  not: the audit reads the ``need`` lines of the enabled scripts (bounded) and says so.
- ``/etc/local.d``: the ``local`` service runs, in glob order, every executable ``*.start`` when
  it starts and every executable ``*.stop`` when it stops (init.d/local.in: ``for file in
  @SYSCONFDIR@/local.d/*.start; do if [ -x "${file}" ]; then ... eval "${file}"``). So a local.d
  script runs at boot only when ``local`` is started at boot. (Debian's openrc package ships no
  ``local`` service, only a dangling ``/etc/runlevels/nonetwork/local`` link.)

OpenRC is taken to be the init system when ``/etc/runlevels`` is a directory and an ``openrc``
binary exists. Nothing is written; every listing and read is bounded. Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import stat

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths
from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import read_text_lines

RUNLEVELS = "/etc/runlevels"
INIT_DIRS = ("/etc/init.d", "/usr/local/etc/init.d")
LOCAL_D = "/etc/local.d"
BINARIES = ("/sbin/openrc", "/usr/sbin/openrc", "/bin/openrc", "/usr/bin/openrc")
BOOT_LEVELS = ("sysinit", "boot", "default")
SHUTDOWN_LEVEL = "shutdown"
MAX_STACK_DEPTH = 4
MAX_SCRIPT_BYTES = 64 * 1024
_NAME = re.compile(r"^[A-Za-z0-9_.@+-]+$")


def _names(root, path, limit):
    try:
        names, truncated, _res = paths.list_dir(root, path, limit, follow=False)
    except (paths.PathRefused, OSError):
        return None, False
    return names, truncated


def _level_services(root, level_dir, limit, depth, problems):
    """Service names of one runlevel directory (stacked levels included), librc's LS_INITD rules."""
    names, truncated = _names(root, level_dir, limit)
    if names is None:
        problems.append("%s: cannot list" % level_dir)
        return []
    if truncated:
        problems.append("%s: more than %d entries, the rest not read" % (level_dir, limit))
    services = []
    for name in names:
        if name.startswith("."):
            continue
        path = level_dir.rstrip("/") + "/" + name
        res = paths.resolve(root, path, follow=True)
        if not res.ok:
            problems.append("%s: dangling (%s), OpenRC skips it" % (path, res.status))
            continue
        if stat.S_ISDIR(res.st.st_mode):
            if depth < MAX_STACK_DEPTH:
                services.extend(_level_services(root, path, limit, depth + 1, problems))
            else:
                problems.append("%s: stacked runlevels deeper than %d not read" % (path, MAX_STACK_DEPTH))
            continue
        services.append(name)
    return services


def _script_path(root, name):
    for directory in INIT_DIRS:
        path = directory + "/" + name
        if paths.resolve(root, path, follow=True).ok:
            return path
    return None


def _needs(root, path):
    """Names a script's depend() ``need``s (bounded head; virtual names such as ``net`` too)."""
    try:
        lines = read_text_lines(root, path, MAX_SCRIPT_BYTES)
    except safe_read.SafeReadError:
        return []
    out = []
    for line in lines:
        # `need a b  # comment`: no regex, so no backtracking on a hostile line
        words = line.split("#", 1)[0].split()
        if len(words) > 1 and words[0] == "need":
            out.extend(n for n in words[1:] if _NAME.match(n))
    return out


def load(root, limit=4096):
    """The OpenRC state of ``root``: detected, why, level -> services, service -> levels, the
    services started at boot (enabled in a boot level, or needed by one), problems met."""
    state = {"detected": False, "evidence": None, "levels": {}, "enabled": {}, "at_boot": {},
             "needed_by": {}, "problems": []}
    binary = [b for b in BINARIES if paths.resolve(root, b, follow=True).ok]
    rl = paths.resolve(root, RUNLEVELS, follow=True)
    if not (rl.ok and stat.S_ISDIR(rl.st.st_mode)):
        return state
    if not binary:
        state["evidence"] = "%s exists but no openrc binary (%s): not taken as OpenRC" % (
            RUNLEVELS, ", ".join(BINARIES))
        return state
    state["detected"] = True
    state["evidence"] = "%s and %s" % (RUNLEVELS, binary[0])
    levels, truncated = _names(root, RUNLEVELS, limit)
    if truncated:
        state["problems"].append("%s: more than %d runlevels, the rest not read" % (RUNLEVELS, limit))
    for level in levels or []:
        path = RUNLEVELS + "/" + level
        res = paths.resolve(root, path, follow=True)
        if not (res.ok and stat.S_ISDIR(res.st.st_mode)) or level.startswith("."):
            continue
        services = sorted(set(_level_services(root, path, limit, 0, state["problems"])))
        state["levels"][level] = services
        for name in services:
            state["enabled"].setdefault(name, []).append(level)
    # Started at boot: enabled in a boot level, then whatever those need (transitively, bounded).
    todo = [(name, "runlevel " + "/".join(lv for lv in BOOT_LEVELS if lv in levels_of))
            for name, levels_of in sorted(state["enabled"].items()) if set(levels_of) & set(BOOT_LEVELS)]
    seen = 0
    while todo and seen < limit:
        name, why = todo.pop(0)
        if name in state["at_boot"]:
            continue
        seen += 1
        state["at_boot"][name] = why
        script = _script_path(root, name)
        if script is None:
            continue
        for dep in _needs(root, script):
            if dep not in state["at_boot"]:
                state["needed_by"].setdefault(dep, []).append(name)
                todo.append((dep, "needed by %s (depend: need %s)" % (name, dep)))
    return state


def init_script_verdict(state, name):
    """(would_run, code, reason) of /etc/init.d/NAME (an executable file) on an OpenRC host."""
    levels = state["enabled"].get(name, [])
    if name in state["at_boot"]:
        return True, "ENABLED", "OpenRC starts it at boot: %s (rc-update: %s)" % (
            state["at_boot"][name], ", ".join(levels) or "no runlevel of its own")
    if SHUTDOWN_LEVEL in levels:
        return True, "ENABLED", "OpenRC runs it at shutdown (rc-update: runlevel shutdown)"
    if levels:
        return False, "NOT_ENABLED", ("present; in runlevel(s) %s only, which a boot does not enter "
                                      "(runs when `openrc <level>` is run)" % ", ".join(levels))
    return False, "NOT_ENABLED", ("present only: in no runlevel (rc-update show -v: unassigned) and "
                                  "needed by no enabled service; runs only if started by name")


def local_d_verdict(state, name):
    """(would_run, code, reason) of an executable LOCAL_D/NAME on an OpenRC host."""
    if name.startswith(".") or not (name.endswith(".start") or name.endswith(".stop")):
        return False, "NAME_SKIPPED", "the local service runs only *.start and *.stop"
    local = state["at_boot"].get("local")
    if local is None and SHUTDOWN_LEVEL not in state["enabled"].get("local", []):
        return False, "NOT_ENABLED", ("the local service is not enabled (rc-update add local default), "
                                      "so local.d is not run at boot")
    if name.endswith(".start"):
        if local is None:
            return False, "NOT_ENABLED", "the local service is not started at boot"
        return True, "ENABLED", "run as root at boot when the local service starts (%s)" % local
    return True, "ENABLED", "run as root when the local service stops (shutdown)"
