# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `homedirs` (HG-HOME): the descriptor; the code lives in this package's other files."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.area import Area
from ansible_collections.hostguard.hardening.plugins.module_utils.homedirs.spec import CHECKS, OPTIONS
from ansible_collections.hostguard.hardening.plugins.module_utils.homedirs.audit import audit

AREA = Area(name="homedirs", prefix="HG-HOME", title="Home directories (Lynis HOME)",
            options=OPTIONS, checks=CHECKS, audit=audit)
