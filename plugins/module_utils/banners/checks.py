# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""BANN: /etc/issue and /etc/issue.net presence and legal wording (Lynis include/tests_banners)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    Evaluators, Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.banners.spec import CHECKS

EVALUATORS = Evaluators()
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


def _presence(check, path):
    def evaluate(host):
        info = host.lstat(path)
        return check.passed(path, {"present": host.is_file(path), "symlink": bool(info) and info["type"] == "symlink"})
    return evaluate


def _contents(check, path):
    def evaluate(host):
        if not host.is_file(path):
            return check.skip(path, "%s does not exist (Lynis skips too)" % path)
        words = legal_words(host.read(path, 64 * 1024) or "")
        return verdict(check, path, len(words) < MIN_WORDS, {"legal_words": words, "needed": MIN_WORDS})
    return evaluate


ISSUE = CHECKS.define("HG-BANN-001", "/etc/issue present", "info", reads="/etc/issue",
                      remediation="None needed (inventory).", references={"lynis": "BANN-7124"})
EVALUATORS(ISSUE)(_presence(ISSUE, "/etc/issue"))

ISSUE_LEGAL = CHECKS.define("HG-BANN-002", "/etc/issue has no legal banner", "low", reads="/etc/issue",
                            remediation="Write a legal notice (authorised use only, monitoring, prosecution) to /etc/issue.",
                            references={"lynis": "BANN-7126", "cis": "1.7.2"}, role=ROLE)
EVALUATORS(ISSUE_LEGAL)(_contents(ISSUE_LEGAL, "/etc/issue"))

ISSUE_NET = CHECKS.define("HG-BANN-003", "/etc/issue.net present", "info", reads="/etc/issue.net",
                          remediation="None needed (inventory).", references={"lynis": "BANN-7128"})
EVALUATORS(ISSUE_NET)(_presence(ISSUE_NET, "/etc/issue.net"))

ISSUE_NET_LEGAL = CHECKS.define("HG-BANN-004", "/etc/issue.net has no legal banner", "low", reads="/etc/issue.net",
                                remediation="Write a legal notice to /etc/issue.net (shown before network logins).",
                                references={"lynis": "BANN-7130", "cis": "1.7.3"}, role=ROLE)
EVALUATORS(ISSUE_NET_LEGAL)(_contents(ISSUE_NET_LEGAL, "/etc/issue.net"))


def audit(params):
    return run_evaluators(EVALUATORS, Host(params["root"]))
