# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `redis` (Redis exposure): the descriptor; the code lives in this package's other files."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.area import Area
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.spec import CHECKS, OPTIONS, check_params
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.audit import audit as audit_area

AREA = Area(name="redis", prefix="HG-REDIS", title="Redis exposure", options=OPTIONS, checks=CHECKS, audit=audit_area, check_params=check_params)
