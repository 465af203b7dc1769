# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis FIRE-4513 (rules that never matched) and FIRE-4590 (an active firewall)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import is_live
from ansible_collections.hostguard.hardening.plugins.module_utils.firewall.collect import firewall_state
from ansible_collections.hostguard.hardening.plugins.module_utils.firewall.spec import CHECKS


@CHECKS.check("HG-FIRE-001", "info", "Firewall rules that never matched (zero packet counters)", lynis="FIRE-4513",
              reads="iptables-save -c, ip6tables-save -c, nft -j list ruleset (root=/ only)",
              remediation="Review rules that never matched: stale, shadowed or mis-ordered rules")
@CHECKS.check("HG-FIRE-002", "medium", "A host firewall is active (iptables or nftables rules loaded)", lynis="FIRE-4590", attack="T1562.004",
              reads="iptables-save, nft -j list ruleset (root=/ only)",
              remediation="Load a default-deny nftables ruleset (nftables.service) or iptables rules", weight=5)
def firewall_findings(unused_check, active_check, options, state=None):
    root = options.get("root", "/")
    if not is_live(root):
        why = "firewall state is live kernel state; not read when root is not /"
        return [unused_check.skip("firewall", why), active_check.skip("firewall", why)]
    if state is None:
        state = firewall_state(options)
    sources = [k for k in ("iptables", "ip6tables", "nft") if state.get(k) is not None]
    if not sources:
        why = "no usable iptables-save or nft (%s)" % ("; ".join(state["errors"]) or "not installed")
        return [unused_check.skip("firewall", why), active_check.skip("firewall", why)]
    # iptables-nft rules live in the nftables ruleset too: count them once, from nft.
    ipt_sources = [k for k in ("iptables", "ip6tables") if state.get(k)
                   and not (state.get("nft") is not None and state[k].get("backend") == "nf_tables")]
    unused = []
    total = 0
    filtering = []
    for key in ipt_sources:
        for rule in state[key]["rules"]:
            total += 1
            if rule["packets"] == 0:
                unused.append("%s %s/%s %s" % (key, rule["table"], rule["chain"], rule["rule"]))
            if rule["table"] == "filter" and rule["chain"] == "INPUT":
                filtering.append("%s filter/INPUT rule" % key)
        for chain, policy in state[key]["policies"].items():
            if chain == "filter/INPUT" and policy in ("DROP", "REJECT"):
                filtering.append("%s %s policy %s" % (key, chain, policy))
    if state.get("nft"):
        chains = state["nft"].get("chains", {})
        for rule in state["nft"]["rules"]:
            total += 1
            key = "%s/%s" % (rule["table"], rule["chain"])
            if (chains.get(key) or {}).get("hook") == "input":
                filtering.append("nft %s rule" % key)
            if rule["packets"] is None:
                continue
            if rule["packets"] == 0:
                unused.append("nft %s handle %s" % (key, rule["handle"]))
        for key, chain in chains.items():
            if chain.get("hook") == "input" and chain.get("policy") == "drop":
                filtering.append("nft %s policy drop" % key)
    ev = {"sources": sources, "rules": total, "never_matched": unused}
    if state["errors"]:
        ev["errors"] = state["errors"]
    out = []
    if total == 0:
        out.append(unused_check.skip("firewall", "no rules loaded", evidence=ev))
    elif unused:
        out.append(unused_check.fail("firewall", evidence=ev,
                                     detail="%d of %d rules never matched" % (len(unused), total)))
    else:
        out.append(unused_check.passed("firewall", evidence=ev))
    # "Active" = something filters incoming traffic: a rule in an input-hook chain (nft) or
    # filter/INPUT (iptables), or a drop policy there. NAT-only rules (podman, docker) are not.
    sorted_filtering = sorted(set(filtering))
    if sorted_filtering:
        out.append(active_check.passed("firewall", evidence={"rules": total,
                                                             "filtering": sorted_filtering}))
    else:
        out.append(active_check.fail("firewall", evidence={"sources": sources, "rules": total},
                                     detail="no rule or drop policy filters incoming traffic"))
    return out
