# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SHLL: valid shells, idle session timeout (TMOUT), umask in shell startup files
(Lynis include/tests_shells). Lynis 3.0.8 only scores SHLL-6220/6230 (no suggestion); hostguard
fails them (docs/lynis-oracle.md, section "shells")."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.shells.spec import CHECKS

ROLE = "baseline_hardening"
SHELL_FILES = ("/etc/bashrc", "/etc/bash.bashrc", "/etc/bash.bashrc.local", "/etc/csh.cshrc", "/etc/profile",
               "/etc/zshenv", "/etc/zsh/zshrc")
STRICT_UMASKS = ("027", "0027", "077", "0077")
_READONLY = re.compile(r"\b(readonly|typeset -r|declare -r)\b")
_TMOUT_WORD = re.compile(r"\bTMOUT\b")


def profile_files(host):
    return ["/etc/profile"] + host.glob_files("/etc/profile.d", ".sh")


@CHECKS.info("HG-SHLL-001", "/etc/shells lists shells that do not exist (inventory)", "SHLL-6211", "/etc/shells")
def check_shells(check, host):
    listed = [l for l in host.config_lines("/etc/shells") if l.startswith("/")]
    missing = [s for s in listed if not host.is_file(s)]
    return check.passed("/etc/shells", {"shells": len(listed), "missing": missing})


@CHECKS.check("HG-SHLL-002", "low", "no idle session timeout (TMOUT readonly in /etc/profile*, timeoutd, autolog)", lynis="SHLL-6220", cis="5.5.5",
              reads="/etc/profile, /etc/profile.d/*.sh", remediation="readonly TMOUT=900; export TMOUT in /etc/profile.d/.", role=ROLE)
def check_tmout(check, host):
    daemons = sorted(set(p["comm"] for p in host.running("timeoutd", "autolog")))
    values, readonly = [], False
    for path in profile_files(host):
        for line in host.config_lines(path):
            line = line.split("#", 1)[0]
            match = re.search(r"\bTMOUT=(\d+)", line)
            if match:
                values.append("%s: %s" % (path, match.group(1)))
            marker = _READONLY.search(line)      # then check after it: a staged search, linear
            if marker and _TMOUT_WORD.search(line, marker.end()):
                readonly = True
    ok = bool(daemons) or bool(values)
    return verdict(check, "TMOUT", not ok, {"tmout": values, "readonly": readonly, "daemons": daemons})


@CHECKS.check("HG-SHLL-003", "low", "shell startup file sets a umask weaker than 027", lynis="SHLL-6230", reads=", ".join(SHELL_FILES),
              remediation="umask 027 in the shell startup files.", role=ROLE)
def check_umask(check, host):
    weak = []
    for path in SHELL_FILES:
        for line in host.lines(path) or []:
            text = line.strip().split("#", 1)[0]
            if "umask" not in text:
                continue
            words = text.split()
            value = words[1] if len(words) > 1 and words[0] == "umask" else None
            if value and value not in STRICT_UMASKS:
                weak.append("%s: umask %s" % (path, value))
    return verdict(check, "umask", bool(weak), {"weak": weak})


def audit(params):
    return run_evaluators(CHECKS, Host(params["root"]))
