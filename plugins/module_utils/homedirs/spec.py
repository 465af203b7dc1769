# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and checks of area `homedirs` (HG-HOME, Lynis category HOME)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import CheckSet

OPTIONS = dict()

CHECKS = CheckSet(area="homedirs", prefix="HG-HOME")
