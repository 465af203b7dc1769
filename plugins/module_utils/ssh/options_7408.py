# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis SSH-7408: one check per sshd option of Lynis's table, graded as Lynis grades it."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.lynis_table import (
    LYNIS_SSH_7408, expectations, grade_option)
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.config_validity import config_not_found
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.spec import CHECKS

SSH_ROLE = "ssh_hardening"
SSH_READS = "sshd -T (root=/), else /etc/ssh/sshd_config + Include (sshd_config.d)"
_SSH_SEVERITY = {"PermitRootLogin": "high", "PermitUserEnvironment": "medium",
                 "IgnoreRhosts": "high", "StrictModes": "medium", "MaxAuthTries": "medium",
                 "X11Forwarding": "medium", "AllowTcpForwarding": "medium",
                 "AllowAgentForwarding": "medium", "GatewayPorts": "medium",
                 "PermitTunnel": "medium", "LogLevel": "medium"}
_SSH_ATTACK = {"PermitRootLogin": "T1078.003", "MaxAuthTries": "T1110",
               "AllowTcpForwarding": "T1572", "GatewayPorts": "T1572", "PermitTunnel": "T1572",
               "AllowAgentForwarding": "T1563.001", "LogLevel": "T1562.006"}

SSH_OPTIONS = tuple(line.split(":", 1)[0] for line in LYNIS_SSH_7408)
SSH_CHECK_ID = dict((opt, "HG-SSH-%03d" % (index + 1)) for index, opt in enumerate(SSH_OPTIONS))


def _define_option_check(option):
    line = [x for x in LYNIS_SSH_7408 if x.startswith(option + ":")][0]
    refs = {"lynis": "SSH-7408"}
    if option in _SSH_ATTACK:
        refs["attack"] = _SSH_ATTACK[option]
    return CHECKS.define(SSH_CHECK_ID[option], "sshd %s graded as Lynis SSH-7408" % option,
                         _SSH_SEVERITY.get(option, "low"), reads=SSH_READS,
                         remediation="Set %s in an sshd_config.d drop-in (Lynis expectation %s), "
                                     "validate with sshd -t, reload sshd" % (option, line),
                         references=refs, role=SSH_ROLE, weight=3)


for _option in SSH_OPTIONS:
    _define_option_check(_option)

USER_EXPECTATION = CHECKS.define(
    "HG-SSH-099", "sshd option graded with a user-defined expectation (ssh_expectations)",
    "low", reads=SSH_READS, remediation="Set the option as the site's expectation says",
    references={"lynis": "SSH-7408"}, role=SSH_ROLE, weight=3)


def option_check(option):
    """The check of a table option; options a user added share HG-SSH-099."""
    return CHECKS.get(SSH_CHECK_ID.get(option)) or USER_EXPECTATION


# Lynis 3.1 (include/tests_ssh) grades Compression only for OpenSSH < 7.4, where it adds
# "Compression:(DELAYED|NO),,YES:=": since 7.4 sshd only compresses after authentication
# (pre-auth compression is gone), so "yes" is not a weakness. Lynis 3.0.8 still grades it
# "NO,,YES"; we follow 3.1 (docs/lynis-oracle.md lists the bookworm disagreement).
COMPRESSION_GRADED_BELOW = (7, 4)


def compression_not_graded(version):
    """None when Compression is graded for this OpenSSH version, else the reason it is not.
    An unknown version is taken as a current one (every supported Debian has OpenSSH >= 7.4)."""
    if version is not None and tuple(version) < COMPRESSION_GRADED_BELOW:
        return None
    return ("OpenSSH %s only compresses after authentication (>= 7.4); Lynis 3.1 does not grade "
            "Compression there" % (".".join(str(v) for v in version) if version else "(version unknown)"))


def ssh_option_findings(eff, overrides=None, version=None):
    """One finding per option of the (overridden) SSH-7408 table from effective values.
    ``version``: the OpenSSH (major, minor), for the options Lynis grades by version."""
    overrides = overrides or {}
    table = expectations(overrides)
    findings = []
    common = {"source": eff["source"]}
    if eff.get("attempts"):
        common["fallback_reason"] = eff["attempts"]
    if eff.get("problems"):
        common["problems"] = eff["problems"]
    for exp in table:
        check = option_check(exp.option)
        if not eff["found"]:
            findings.append(config_not_found(check, exp.option, eff, evidence=common))
            continue
        not_graded = compression_not_graded(version) if (
            exp.option == "Compression" and "Compression" not in overrides) else None
        if not_graded:
            findings.append(check.skip(exp.option, not_graded, evidence=dict(
                common, value=(eff["values"].get("compression") or [None])[0])))
            continue
        res = grade_option(exp, eff["values"])
        evidence = dict(common)
        evidence.update({"value": res["value"], "grade": res["grade"],
                         "lynis_expectation": exp.as_lynis(), "expected": exp.expected})
        if len(res["values"]) > 1:
            evidence["values"] = res["values"]
        origin = eff.get("origin", {}).get(exp.option.lower())
        if origin:
            evidence["set_at"] = origin
        expects = exp.expected or "not " + exp.weak
        if res["grade"] == "good" and exp.option.lower() in (eff.get("uncertain") or ()):
            # issue 17: a part sshd reads was not read; it may set this option first
            evidence["not_read"] = eff.get("not_read") or []
            findings.append(check.error(exp.option, "%s is %s in what was read, but not verified: "
                                        "%s not read (HG-SSH-023)" % (
                                            exp.option, res["value"],
                                            ", ".join(evidence["not_read"][:5]) or "part of the configuration"),
                                        evidence=evidence))
        elif res["grade"] == "good":
            findings.append(check.passed(exp.option, evidence=evidence))
        elif res["grade"] == "medium":
            evidence["partial_credit"] = round(1.0 / 3, 4)  # Lynis AddHP 1 3
            findings.append(check.fail(exp.option, evidence=evidence, severity="low",
                                       detail="%s is %s; Lynis grades it medium, expects %s"
                                       % (exp.option, res["value"], expects)))
        elif res["grade"] == "weak":
            findings.append(check.fail(exp.option, evidence=evidence,
                                       detail="%s is %s; Lynis grades it weak, expects %s"
                                       % (exp.option, res["value"], expects)))
        elif res["grade"] == "unknown":
            findings.append(check.error(exp.option, "value %r cannot be compared (%s)"
                                        % (res["value"], exp.as_lynis()), evidence=evidence))
        else:
            findings.append(check.skip(exp.option, "option not present in the effective "
                                       "configuration", evidence=evidence))
    return findings
