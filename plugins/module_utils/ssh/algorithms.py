# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HG-SSH-028: the Ciphers, MACs and KexAlgorithms sshd really uses, and where each list came
from (sshd_config, a drop-in, the EL9 crypto-policies Include, EL8's $CRYPTO_POLICY on the
sshd.service command line, or OpenSSH's built-in default)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.config_validity import config_not_found
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.spec import CHECKS
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.crypto_policy import CRYPTO_KEYWORDS

# Algorithms OpenSSH itself no longer enables by default (release notes 6.7: CBC/arcfour/md5
# MACs out of the server default; 7.4/8.x: 3des-cbc, blowfish, cast128 and hmac-ripemd160 gone,
# diffie-hellman-group1-sha1 disabled; 8.8: none added here). A list naming one is weak.
WEAK = {
    "ciphers": frozenset(["3des-cbc", "blowfish-cbc", "cast128-cbc", "arcfour", "arcfour128",
                          "arcfour256", "rijndael-cbc@lysator.liu.se"]),
    "macs": frozenset(["hmac-md5", "hmac-md5-96", "hmac-sha1-96", "hmac-ripemd160",
                       "hmac-ripemd160@openssh.com", "hmac-md5-etm@openssh.com",
                       "hmac-md5-96-etm@openssh.com", "hmac-sha1-96-etm@openssh.com",
                       "hmac-ripemd160-etm@openssh.com"]),
    "kexalgorithms": frozenset(["diffie-hellman-group1-sha1", "gss-group1-sha1-"]),
}
LABEL = {"ciphers": "Ciphers", "macs": "MACs", "kexalgorithms": "KexAlgorithms"}


def _source(eff, keyword):
    if eff.get("source") == "sshd -T":
        policy = eff.get("crypto_policy") or {}
        if keyword in (policy.get("options") or {}):
            return "sshd -T with %s's $CRYPTO_POLICY (set in %s)" % (policy["unit"], policy["set_in"])
        return "sshd -T"
    return (eff.get("origin") or {}).get(keyword) or "OpenSSH built-in default"


@CHECKS.check("HG-SSH-028", "medium", "sshd Ciphers, MACs and KexAlgorithms: the effective lists and where they came from",
              reads="sshd -T (root=/), else sshd_config + Include (EL9: the crypto-policies back-end) and "
                    "sshd.service $CRYPTO_POLICY (EL8: EnvironmentFile opensshserver.config, /etc/sysconfig/sshd)",
              remediation="Remove the weak algorithms: on EL use update-crypto-policies (or a policy module), "
                          "elsewhere set Ciphers/MACs/KexAlgorithms in an sshd_config.d drop-in; sshd -t, reload",
              role="ssh_hardening", weight=0)   # not a Lynis item: the hardening index stays Lynis's
def check_algorithms(check, eff):
    if not eff.get("found"):
        return config_not_found(check, "Ciphers/MACs/KexAlgorithms", eff)
    lists = {}
    weak = {}
    for keyword in CRYPTO_KEYWORDS:
        values = (eff.get("values") or {}).get(keyword)
        entry = {"source": _source(eff, keyword)}
        if values:
            algorithms = [a for a in values[0].split(",") if a]
            entry["algorithms"] = algorithms
            found = [a for a in algorithms if a.lower() in WEAK[keyword]]
            if found:
                weak[LABEL[keyword]] = found
        else:
            entry["algorithms"] = None       # not set anywhere read: OpenSSH's compiled-in list
        lists[LABEL[keyword]] = entry
    policy = eff.get("crypto_policy") or {}
    evidence = {"lists": lists, "crypto_policy_unit": {
        "applies": bool(policy.get("applies")), "unit": policy.get("unit"),
        "set_in": policy.get("set_in"), "reason": policy.get("reason"),
        "not_read": policy.get("not_read") or []}}
    if weak:
        evidence["weak"] = weak
        return check.fail("Ciphers/MACs/KexAlgorithms", evidence=evidence, detail="; ".join(
            "%s has %s (from %s)" % (label, ", ".join(algs), lists[label]["source"])
            for label, algs in sorted(weak.items())))
    return check.passed("Ciphers/MACs/KexAlgorithms", evidence=evidence)
