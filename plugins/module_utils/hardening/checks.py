# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HRDN: compilers and their permissions, malware scanner, non-native binary formats
(Lynis include/tests_hardening)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    Evaluators, Host, mode_of, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.core.tooldb import malware_scanners_found
from ansible_collections.hostguard.hardening.plugins.module_utils.hardening.spec import CHECKS

EVALUATORS = Evaluators()
COMPILERS = ("as", "cc", "clang", "gcc")


def compilers(host):
    return dict((name, host.which(name)) for name in COMPILERS if host.which(name))


INSTALLED = CHECKS.define("HG-HRDN-001", "compilers installed (inventory)", "info", reads="as, cc, clang, gcc in PATH",
                          remediation="None needed (inventory).", references={"lynis": "HRDN-7220"})


@EVALUATORS(INSTALLED)
def check_installed(host):
    return INSTALLED.passed("compilers", {"compilers": compilers(host)})


WORLD_EXEC = CHECKS.define("HG-HRDN-002", "compiler executable by every user", "low", reads="as, cc, clang, gcc (symlinks followed)",
                           remediation="Remove compilers from production hosts, or chmod o-x them (root-only).",
                           references={"lynis": "HRDN-7222"})


@EVALUATORS(WORLD_EXEC)
def check_world_exec(host):
    found = compilers(host)
    if not found:
        return WORLD_EXEC.passed("compilers", {"compilers": {}})
    world = sorted(n for n, p in found.items() if mode_of(host.stat(p)) & 0o001)
    return verdict(WORLD_EXEC, "compilers", bool(world), {"world_executable": world})


SCANNER = CHECKS.define("HG-HRDN-003", "no malware scanner installed", "medium",
                        reads="chkrootkit, rkhunter, maldet, clamscan, clamd, commercial AV daemons",
                        remediation="apt-get install rkhunter (or chkrootkit, clamav) and scan periodically.",
                        references={"lynis": "HRDN-7230"})


@EVALUATORS(SCANNER)
def check_scanner(host):
    found = malware_scanners_found(host)
    return verdict(SCANNER, "malware scanner", not found, {"found": found})


BINFMT = CHECKS.define("HG-HRDN-004", "non-native binary formats registered (binfmt_misc)", "info",
                       reads="/proc/sys/fs/binfmt_misc", remediation="None needed (inventory).",
                       references={"lynis": "HRDN-7231"})


@EVALUATORS(BINFMT)
def check_binfmt(host):
    names = [n for n in host.listdir("/proc/sys/fs/binfmt_misc") if n not in ("register", "status")]
    return BINFMT.passed("/proc/sys/fs/binfmt_misc", {"formats": names})


def audit(params):
    return run_evaluators(EVALUATORS, Host(params["root"]))
