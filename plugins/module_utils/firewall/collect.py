# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The live rule sets: iptables-save -c, ip6tables-save -c, nft -j list ruleset (root=/ only)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import DEFAULT_COMMAND_TIMEOUT, find_executable, run_command
from ansible_collections.hostguard.hardening.plugins.module_utils.firewall.parse_iptables import parse_iptables_save
from ansible_collections.hostguard.hardening.plugins.module_utils.firewall.parse_nft import parse_nft_json


def firewall_state(options):
    timeout = options.get("command_timeout") or DEFAULT_COMMAND_TIMEOUT
    state = {"iptables": None, "ip6tables": None, "nft": None, "errors": []}
    for key, names in (("iptables", ["iptables-save"]), ("ip6tables", ["ip6tables-save"])):
        binary = find_executable("/", names)
        if not binary:
            continue
        res = run_command([binary, "-c"], timeout)
        if res["rc"] == 0:
            state[key] = parse_iptables_save(res["stdout"])
        else:
            state["errors"].append("%s: %s" % (binary, res["error"] or res["stderr"].strip()[:200]))
    binary = find_executable("/", ["nft"])
    if binary:
        res = run_command([binary, "-j", "list", "ruleset"], timeout)
        parsed = parse_nft_json(res["stdout"]) if res["rc"] == 0 else None
        if parsed is not None:
            state["nft"] = parsed
        else:
            state["errors"].append("%s: %s" % (binary, res["error"] or res["stderr"].strip()[:200]))
    return state
