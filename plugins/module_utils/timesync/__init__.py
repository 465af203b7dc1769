# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `timesync` (time synchronisation): the descriptor; the checks live in ``checks.py``."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.area import Area
from ansible_collections.hostguard.hardening.plugins.module_utils.timesync.spec import CHECKS, OPTIONS
from ansible_collections.hostguard.hardening.plugins.module_utils.timesync.checks import audit

AREA = Area(name="timesync", prefix="HG-TIME", title="time synchronisation", options=OPTIONS, checks=CHECKS, audit=audit)
