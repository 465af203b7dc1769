# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HG-SYSCTL-003: a sysctl.d file that could not be read, or not all of it."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.paths import sample_names
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.spec import CHECKS

MAX_PROBLEM_FINDINGS = 50   # per kind: unreadable files, budget cuts

CONFIG_SUSPICIOUS = CHECKS.define(
    "HG-SYSCTL-003", "sysctl configuration file unreadable or suspicious", "low",
    reads="sysctl.d files",
    remediation="Make the sysctl configuration a small, root-owned regular file",
    references={})


def check_config_files(errors, cuts):
    """One error per unreadable file (``errors``) and per budget cut (``cuts``); a file that was
    read but holds lines systemd-sysctl ignores is a fail (the setting meant there is not applied)."""
    findings = [(CONFIG_SUSPICIOUS.fail(err["file"], {"reason": err["reason"]}, err["message"])
                 if err["reason"] == "not_an_assignment" else
                 CONFIG_SUSPICIOUS.error(err["file"], err["message"], {"reason": err["reason"]}))
                for err in errors[:MAX_PROBLEM_FINDINGS]]
    findings.extend(CONFIG_SUSPICIOUS.error(cut["file"], cut["message"], {"reason": cut["reason"]})
                    for cut in cuts[:MAX_PROBLEM_FINDINGS])
    for kind, items in (("unreadable", errors), ("cut", cuts)):
        rest = [item["file"] for item in items[MAX_PROBLEM_FINDINGS:]]
        if rest:   # past the per-kind cap: still named, in one finding (issue 17)
            findings.append(CONFIG_SUSPICIOUS.error(
                "sysctl.d", "not fully scanned: %d more %s file(s) beyond the first %d: %s"
                % (len(rest), kind, MAX_PROBLEM_FINDINGS, sample_names(rest)),
                {"reason": "more_" + kind, "files": rest[:64], "count": len(rest)}))
    return findings
