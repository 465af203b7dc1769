# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HRDN: compilers and their permissions, malware scanner, non-native binary formats
(Lynis include/tests_hardening)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    Host, mode_of, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.core.tooldb import malware_scanners_found
from ansible_collections.hostguard.hardening.plugins.module_utils.hardening.spec import CHECKS

COMPILERS = ("as", "cc", "clang", "gcc")


def compilers(host):
    return dict((name, host.which(name)) for name in COMPILERS if host.which(name))


@CHECKS.info("HG-HRDN-001", "compilers installed (inventory)", "HRDN-7220", "as, cc, clang, gcc in PATH")
def check_installed(check, host):
    return check.passed("compilers", {"compilers": compilers(host)})


@CHECKS.check("HG-HRDN-002", "low", "compiler executable by every user", lynis="HRDN-7222", reads="as, cc, clang, gcc (symlinks followed)",
              remediation="Remove compilers from production hosts, or chmod o-x them (root-only).")
def check_world_exec(check, host):
    found = compilers(host)
    if not found:
        return check.passed("compilers", {"compilers": {}})
    world = sorted(n for n, p in found.items() if mode_of(host.stat(p)) & 0o001)
    return verdict(check, "compilers", bool(world), {"world_executable": world})


@CHECKS.check("HG-HRDN-003", "medium", "no malware scanner installed", lynis="HRDN-7230",
              reads="chkrootkit, rkhunter, maldet, clamscan, clamd, commercial AV daemons",
              remediation="apt-get install rkhunter (or chkrootkit, clamav) and scan periodically.")
def check_scanner(check, host):
    found = malware_scanners_found(host)
    return verdict(check, "malware scanner", not found, {"found": found})


@CHECKS.info("HG-HRDN-004", "non-native binary formats registered (binfmt_misc)", "HRDN-7231", "/proc/sys/fs/binfmt_misc")
def check_binfmt(check, host):
    names = [n for n in host.listdir("/proc/sys/fs/binfmt_misc") if n not in ("register", "status")]
    return check.passed("/proc/sys/fs/binfmt_misc", {"formats": names})


def audit(params):
    return run_evaluators(CHECKS, Host(params["root"]))
