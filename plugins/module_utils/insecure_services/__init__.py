# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `insecure_services` (insecure services): the descriptor; the checks live in ``checks.py``."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.area import Area
from ansible_collections.hostguard.hardening.plugins.module_utils.insecure_services.spec import CHECKS, OPTIONS
from ansible_collections.hostguard.hardening.plugins.module_utils.insecure_services.checks import audit

AREA = Area(name="insecure_services", prefix="HG-INSE", title="insecure services", options=OPTIONS, checks=CHECKS, audit=audit)
