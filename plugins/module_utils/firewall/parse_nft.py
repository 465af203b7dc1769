# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``nft -j list ruleset`` output (pure)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json


def _as_list(value):
    return value if isinstance(value, list) else []


def _as_dict(value):
    return value if isinstance(value, dict) else {}


def _counter_packets(expr):
    """The packet count of a ``{"counter": {"packets": N}}`` statement; None otherwise."""
    counter = _as_dict(expr).get("counter")
    if not isinstance(counter, dict):
        return None
    packets = counter.get("packets")
    if isinstance(packets, bool) or not isinstance(packets, int):
        return None
    return packets


def _text(value, limit=100):
    return value[:limit] if isinstance(value, str) else ("" if value is None else str(value)[:limit])


def parse_nft_json(text):
    """``nft -j list ruleset`` -> rules with their counter (None when a rule has no counter).

    Any JSON shape is accepted: items, chains, rules and expressions of the wrong type are
    skipped, never raised on; None when the text is not JSON at all (or nested past Python's
    recursion limit)."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError, TypeError):
        return None
    rules = []
    tables = 0
    chains = {}
    for item in _as_list(_as_dict(data).get("nftables")):
        if not isinstance(item, dict):
            continue
        if "table" in item:
            tables += 1
        chain = item.get("chain")
        if isinstance(chain, dict):
            key = "%s %s/%s" % (_text(chain.get("family")), _text(chain.get("table")), _text(chain.get("name")))
            chains[key] = {"hook": _text(chain.get("hook")) or None, "policy": _text(chain.get("policy")) or None}
        rule = item.get("rule")
        if not isinstance(rule, dict):
            continue
        packets = None
        for expr in _as_list(rule.get("expr")):
            packets = _counter_packets(expr)
            if packets is not None:
                break
        handle = rule.get("handle")
        rules.append({"table": "%s %s" % (_text(rule.get("family")), _text(rule.get("table"))),
                      "chain": _text(rule.get("chain")),
                      "handle": handle if isinstance(handle, int) and not isinstance(handle, bool) else _text(handle),
                      "packets": packets, "comment": _text(rule.get("comment", ""))})
    return {"rules": rules, "tables": tables, "chains": chains}
