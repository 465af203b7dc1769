# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the check families of the remediation roles (docs/remediation.md, "Families").

A role groups its settings into families (ssh_hardening: authentication, forwarding, ...;
sysctl_hardening: oom, kernel, network, filesystem); each family has a toggle
(``<role>_<family>_enabled``) and a tag (``<role>_<family>``), and a disabled or skipped family's
file is not touched. ``families`` maps a family to glob patterns of the keys it owns (matched
case-insensitively, the first family in order wins); a key no family owns belongs to ``other``.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: hostguard_family_split
short_description: Split settings into the check families of a hostguard role
version_added: "0.2.0"
description:
  - >-
    Returns a dict of family name to the settings it owns, for the families in O(selected) (all
    when omitted), keys matched against each family's glob patterns case-insensitively, the first
    family in order winning; keys no family owns go to C(other), which is always kept.
  - Families with no key are left out, so a role writes no empty file.
author:
  - hostguard engineers (@hostguard)
options:
  _input:
    description: The settings (C(sshd) keywords, sysctl keys) with their values.
    type: dict
    required: true
  families:
    description: Family name to a list of glob patterns of the keys it owns, in precedence order.
    type: dict
    required: true
  selected:
    description: The families to keep (the role's selected families); C(other) is always kept.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Settings of the selected families, one dict per family
  ansible.builtin.set_fact:
    sysctl_hardening__by_family: >-
      {{ sysctl_hardening__settings | hostguard.hardening.hostguard_family_split(sysctl_hardening__families,
                                                                                 sysctl_hardening__selected) }}
"""

RETURN = r"""
_value:
  description: "Family name to its settings (key to value), only families that are selected and own at least one key."
  type: dict
"""

import fnmatch

from ansible_collections.hostguard.hardening.plugins.plugin_utils.filters import filter_module

OTHER = "other"


def family_of(key, families):
    """The first family whose pattern matches ``key`` (case-insensitive), else ``other``."""
    low = str(key).lower()
    for name, patterns in (families or {}).items():
        for pattern in patterns or []:
            if fnmatch.fnmatchcase(low, str(pattern).lower()):
                return name
    return OTHER


def family_split(settings, families, selected=None):
    keep = None if selected is None else set(selected) | {OTHER}
    out = {}
    for key, value in (settings or {}).items():
        name = family_of(key, families)
        if keep is None or name in keep:
            out.setdefault(name, {})[key] = value
    return out


FilterModule = filter_module(family_split)
