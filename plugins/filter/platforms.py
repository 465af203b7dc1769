# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter hostguard_platform_check: does a role support this host (plugin_utils/platforms.py)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: hostguard_platform_check
short_description: Decide whether a hostguard role supports the host, before it changes anything
version_added: "0.1.0"
description:
  - Compares the host's facts (C(os_family), C(distribution), C(service_mgr)) with the platforms a
    role is tested on and returns C(supported), C(platform) and the C(reason) of a refusal.
author:
  - hostguard engineers (@hostguard)
options:
  _input:
    description: C(ansible_facts) of the host.
    type: dict
    required: true
  platforms:
    description: The role's C(<role>_platforms) list (C(family), optional C(distributions), C(service_mgr)).
    type: list
    elements: dict
    required: true
  role:
    description: The role name, for the message.
    type: str
"""

EXAMPLES = r"""
- name: Refuse untested platforms
  ansible.builtin.set_fact:
    redis_hardening__platform: "{{ ansible_facts | hostguard.hardening.hostguard_platform_check(redis_hardening_platforms, 'redis_hardening') }}"
"""

RETURN = r"""
_value:
  description: C({supported, platform, reason}).
  type: dict
"""

from ansible_collections.hostguard.hardening.plugins.plugin_utils import platforms as platform_rules
from ansible_collections.hostguard.hardening.plugins.plugin_utils.filters import filter_module


def hostguard_platform_check(facts, platforms, role="this role"):
    return platform_rules.check(facts, platforms, role)


FilterModule = filter_module(hostguard_platform_check)
