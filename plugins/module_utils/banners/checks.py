# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""BANN: /etc/issue and /etc/issue.net presence and legal wording (Lynis include/tests_banners)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.banners.spec import CHECKS

ROLE = "baseline_hardening"
# Lynis include/consts LEGAL_BANNER_STRINGS; more than 4 must appear (case-insensitive)
LEGAL_WORDS = ("audit", "access", "authori", "condition", "connect", "consent", "continu", "criminal",
               "enforce", "evidence", "forbidden", "intrusion", "law", "legal", "legislat", "log",
               "monitor", "owner", "penal", "policy", "policies", "privacy", "private", "prohibited",
               "record", "restricted", "secure", "subject", "system", "terms", "warning")
MIN_WORDS = 5


def legal_words(text):
    low = text.lower()
    return [w for w in LEGAL_WORDS if w in low]


def banner_checks(path, ids, lynis, cis, remediation):
    """The two checks of one banner file: present (inventory), and legal wording in it."""
    @CHECKS.info(ids[0], path + " present", lynis[0], path)
    def check_presence(check, host):
        info = host.lstat(path)
        return check.passed(path, {"present": host.is_file(path), "symlink": bool(info) and info["type"] == "symlink"})

    @CHECKS.check(ids[1], "low", path + " has no legal banner", lynis=lynis[1], cis=cis, reads=path,
                  remediation=remediation, role=ROLE)
    def check_contents(check, host):
        if not host.is_file(path):
            return check.skip(path, "%s does not exist (Lynis skips too)" % path)
        words = legal_words(host.read(path, 64 * 1024) or "")
        return verdict(check, path, len(words) < MIN_WORDS, {"legal_words": words, "needed": MIN_WORDS})


banner_checks("/etc/issue", ("HG-BANN-001", "HG-BANN-002"), ("BANN-7124", "BANN-7126"), "1.7.2",
              "Write a legal notice (authorised use only, monitoring, prosecution) to /etc/issue.")
banner_checks("/etc/issue.net", ("HG-BANN-003", "HG-BANN-004"), ("BANN-7128", "BANN-7130"), "1.7.3",
              "Write a legal notice to /etc/issue.net (shown before network logins).")


def audit(params):
    return run_evaluators(CHECKS, Host(params["root"]))
