# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``nft -j list ruleset`` output (pure)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json


def parse_nft_json(text):
    """``nft -j list ruleset`` -> rules with their counter (None when a rule has no counter)."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    rules = []
    tables = 0
    chains = {}
    for item in data.get("nftables", []) if isinstance(data, dict) else []:
        if not isinstance(item, dict):
            continue
        if "table" in item:
            tables += 1
        chain = item.get("chain")
        if isinstance(chain, dict):
            key = "%s %s/%s" % (chain.get("family"), chain.get("table"), chain.get("name"))
            chains[key] = {"hook": chain.get("hook"), "policy": chain.get("policy")}
        rule = item.get("rule")
        if not isinstance(rule, dict):
            continue
        packets = None
        for expr in rule.get("expr") or []:
            if isinstance(expr, dict) and isinstance(expr.get("counter"), dict):
                packets = expr["counter"].get("packets")
                break
        rules.append({"table": "%s %s" % (rule.get("family"), rule.get("table")),
                      "chain": rule.get("chain"), "handle": rule.get("handle"),
                      "packets": packets, "comment": str(rule.get("comment", ""))[:100]})
    return {"rules": rules, "tables": tables, "chains": chains}
