# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `ssh` (HG-SSH): the descriptor; the code lives in this package's other files."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.area import Area
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.spec import CHECKS, OPTIONS, check_params
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.audit import audit

AREA = Area(name="ssh", prefix="HG-SSH", title="SSH server (Lynis SSH)", options=OPTIONS,
            checks=CHECKS, audit=audit, check_params=check_params)
