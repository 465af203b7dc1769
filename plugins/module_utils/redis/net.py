# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Addresses and listeners: loopback or not, what to probe. Pure functions."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


def is_loopback(address):
    if address in ("localhost",):
        return True
    if address.startswith("127."):
        return True
    return address in ("::1", "0:0:0:0:0:0:0:1")


def bind_is_loopback_only(bind):
    """True if every address in a bind list is loopback (a leading '-' marks it optional)."""
    if not bind:
        return False
    for item in bind:
        address = item.lstrip("-")
        if not is_loopback(address):
            return False
    return True


def endpoints_of(listeners):
    """Addresses to probe for a process's listening sockets (wildcards via loopback)."""
    out = []
    for item in listeners:
        if item["family"] == "unix":
            if item["path"] and not item["path"].startswith("@"):
                out.append(("unix", item["path"]))
            continue
        host = item["address"]
        if host == "0.0.0.0":
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        addr = ("tcp", host, item["port"])
        if addr not in out:
            out.append(addr)
    return out


def non_loopback(listeners):
    return [l for l in listeners if l["family"] != "unix" and not is_loopback(l["address"])]
