# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PROC: memory, zombie and IO-waiting processes, prelink (Lynis include/tests_memory_processes)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core import procfs
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    Evaluators, Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.processes.spec import CHECKS

EVALUATORS = Evaluators()


def states(host):
    if "states" not in host.cache:
        out = []
        for proc in host.processes():
            text = procfs.read_proc_text(host.root, proc["pid"], "stat", 4096) or ""
            # pid (comm) S ...: the state follows the last ')'
            state = text.rsplit(")", 1)[-1].split()[:1]
            out.append((proc["pid"], proc["comm"], state[0] if state else "?"))
        host.cache["states"] = out
    return host.cache["states"]


MEMINFO = CHECKS.define("HG-PROC-001", "memory (inventory)", "info", reads="/proc/meminfo",
                        remediation="None needed (inventory).", references={"lynis": "PROC-3602"})


@EVALUATORS(MEMINFO)
def check_meminfo(host):
    info = procfs.meminfo(host.root) if host.live else {}
    if not info:
        for line in host.lines("/proc/meminfo") or []:
            key, _sep, value = line.partition(":")
            if key in ("MemTotal", "MemAvailable", "SwapTotal"):
                info[key] = value.strip()
    return MEMINFO.passed("/proc/meminfo", dict((k, info.get(k)) for k in ("MemTotal", "MemAvailable", "SwapTotal")))


ZOMBIES = CHECKS.define("HG-PROC-002", "dead or zombie processes", "low", reads="/proc/*/stat",
                        remediation="Find the parent that does not reap its children (ps -o ppid= -p PID) and fix or restart it.",
                        references={"lynis": "PROC-3612"})


@EVALUATORS(ZOMBIES)
def check_zombies(host):
    found = ["%d(%s)" % (p, c) for p, c, s in states(host) if s in ("Z", "X")]
    return verdict(ZOMBIES, "processes", bool(found), {"zombies": found})


IOWAIT = CHECKS.define("HG-PROC-003", "processes waiting for IO (state D)", "low", reads="/proc/*/stat",
                       remediation="Look at the storage the processes wait on (dmesg, iostat).",
                       references={"lynis": "PROC-3614"})


@EVALUATORS(IOWAIT)
def check_iowait(host):
    found = ["%d(%s)" % (p, c) for p, c, s in states(host) if s == "D"]
    return verdict(IOWAIT, "processes", bool(found), {"waiting": found})


PRELINK = CHECKS.define("HG-PROC-004", "prelink installed", "info", reads="/var/lib/dpkg/status (prelink)",
                        remediation="apt-get purge prelink (it rewrites binaries, defeating ASLR and integrity checks).",
                        references={"lynis": "PROC-3802"})


@EVALUATORS(PRELINK)
def check_prelink(host):
    return PRELINK.passed("prelink", {"installed": bool(host.installed("prelink"))})


def audit(params):
    return run_evaluators(EVALUATORS, Host(params["root"]))
