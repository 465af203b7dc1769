# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PROC: memory, zombie and IO-waiting processes, prelink (Lynis include/tests_memory_processes)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core import procfs
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.processes.spec import CHECKS


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


@CHECKS.info("HG-PROC-001", "memory (inventory)", "PROC-3602", "/proc/meminfo")
def check_meminfo(check, host):
    info = procfs.meminfo(host.root) if host.live else {}
    if not info:
        for line in host.lines("/proc/meminfo") or []:
            key, _sep, value = line.partition(":")
            if key in ("MemTotal", "MemAvailable", "SwapTotal"):
                info[key] = value.strip()
    return check.passed("/proc/meminfo", dict((k, info.get(k)) for k in ("MemTotal", "MemAvailable", "SwapTotal")))


@CHECKS.check("HG-PROC-002", "low", "dead or zombie processes", lynis="PROC-3612", reads="/proc/*/stat",
              remediation="Find the parent that does not reap its children (ps -o ppid= -p PID) and fix or restart it.")
def check_zombies(check, host):
    found = ["%d(%s)" % (p, c) for p, c, s in states(host) if s in ("Z", "X")]
    return verdict(check, "processes", bool(found), {"zombies": found})


@CHECKS.check("HG-PROC-003", "low", "processes waiting for IO (state D)", lynis="PROC-3614", reads="/proc/*/stat",
              remediation="Look at the storage the processes wait on (dmesg, iostat).")
def check_iowait(check, host):
    found = ["%d(%s)" % (p, c) for p, c, s in states(host) if s == "D"]
    return verdict(check, "processes", bool(found), {"waiting": found})


@CHECKS.check("HG-PROC-004", "info", "prelink installed", lynis="PROC-3802", reads="/var/lib/dpkg/status (prelink)",
              remediation="apt-get purge prelink (it rewrites binaries, defeating ASLR and integrity checks).")
def check_prelink(check, host):
    return check.passed("prelink", {"installed": bool(host.installed("prelink"))})


def audit(params):
    return run_evaluators(CHECKS, Host(params["root"]))
