# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter for baseline_hardening's permissions topic (HG-FILE-016, Lynis FILE-7524): which paths
of the profile carry a bit their symbolic ``remove`` mode takes away, from one ``stat`` of all
of them (one round trip per host instead of one ``stat`` module per path)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: hostguard_permissions_plan
short_description: The permission-profile paths a symbolic mode would change
version_added: "0.2.0"
description:
  - >-
    Reads the output of C(stat -L -c '%f %n' -- PATH...) (raw mode in hexadecimal, a space, the
    path; one line per path that exists, links followed) and returns the entries of O(table)
    whose path is there with the right type (C(kind) C(file) a regular file, C(directory) a
    directory) and whose mode has at least one bit that the entry's C(remove) clears.
  - An entry whose path is missing, of another type, or already as strict is left out, so the
    role changes (and reports) only what the profile does not allow.
  - C(remove) must be comma-separated C(who-perms) clauses (C(who) of C(ugo), C(perms) of C(rwxst)),
    the form the role's table uses; anything else is an error.
author:
  - hostguard engineers (@hostguard)
options:
  _input:
    description: The stdout of the C(stat) command.
    type: str
    required: true
  table:
    description: The entries, each with C(path), C(kind) (C(file) or C(directory)) and C(remove).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: The profile's paths that keep a bit they must lose
  ansible.builtin.set_fact:
    to_fix: "{{ stat_out.stdout | hostguard.hardening.hostguard_permissions_plan(baseline_hardening_permissions_paths) }}"
  # stdout "81a4 /etc/crontab\n41ed /etc/cron.d" with the default table:
  # to_fix: [{path: /etc/crontab, kind: file, remove: ..., mode: "0644"},
  #          {path: /etc/cron.d, kind: directory, remove: ..., mode: "0755"}]
"""

RETURN = r"""
_value:
  description: "The entries to change, in table order, each with C(mode): its current permission bits in octal."
  type: list
  elements: dict
"""

import re
import stat

from ansible.errors import AnsibleFilterError

from ansible_collections.hostguard.hardening.plugins.plugin_utils.filters import filter_module

WHO = {"u": 0o4700, "g": 0o2070, "o": 0o1007}
WHAT = {"r": 0o444, "w": 0o222, "x": 0o111, "s": 0o6000, "t": 0o1000}
CLAUSE = re.compile(r"^([ugo]+)-([rwxst]+)$")


def removed_bits(symbolic):
    """The permission bits the comma-separated ``who-perms`` clauses clear."""
    out = 0
    for clause in str(symbolic).split(","):
        match = CLAUSE.match(clause.strip())
        if not match:
            raise AnsibleFilterError("hostguard_permissions_plan: %r is not a who-perms clause that only "
                                     "removes bits" % clause)
        who = 0
        for w in match.group(1):
            who |= WHO[w]
        what = 0
        for p in match.group(2):
            what |= WHAT[p]
        out |= who & what
    return out


def parse_stat(text):
    """path -> raw st_mode from ``stat -c '%f %n'`` lines (hex mode, one space, the path)."""
    modes = {}
    for line in (text or "").splitlines():
        raw, sep, path = line.partition(" ")
        if not sep:
            continue
        try:
            modes[path] = int(raw, 16)
        except ValueError:
            continue
    return modes


def permissions_plan(stat_stdout, table):
    modes = parse_stat(stat_stdout)
    out = []
    for entry in table or []:
        mode = modes.get(entry["path"])
        if mode is None:
            continue
        want_dir = entry["kind"] == "directory"
        if not (stat.S_ISDIR(mode) if want_dir else stat.S_ISREG(mode)):
            continue
        if stat.S_IMODE(mode) & removed_bits(entry["remove"]):
            fixed = dict(entry)
            fixed["mode"] = "%04o" % stat.S_IMODE(mode)
            out.append(fixed)
    return out


FilterModule = filter_module(permissions_plan)
