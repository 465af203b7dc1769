# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `tooling` (automation and intrusion prevention tools): the descriptor; the checks live in ``checks.py``."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.area import Area
from ansible_collections.hostguard.hardening.plugins.module_utils.tooling.spec import CHECKS, OPTIONS
from ansible_collections.hostguard.hardening.plugins.module_utils.tooling.checks import audit

AREA = Area(name="tooling", prefix="HG-TOOL", title="automation and intrusion prevention tools", options=OPTIONS, checks=CHECKS, audit=audit)
