# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `persistence` (systemd units and timers, at jobs, SSH keys, shell/login/system hooks)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.area import Area
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.spec import CHECKS, OPTIONS, check_params
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.audit import audit as audit_area

AREA = Area(name="persistence", prefix="HG-PERS", title="systemd units and timers, at jobs, SSH keys, login and system hooks",
            options=OPTIONS, checks=CHECKS, audit=audit_area, check_params=check_params)
