# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `boot` (boot loader and boot services): the descriptor; the checks live in ``checks.py``."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.area import Area
from ansible_collections.hostguard.hardening.plugins.module_utils.boot.spec import CHECKS, OPTIONS
from ansible_collections.hostguard.hardening.plugins.module_utils.boot.checks import audit

AREA = Area(name="boot", prefix="HG-BOOT", title="boot loader and boot services", options=OPTIONS, checks=CHECKS, audit=audit)
