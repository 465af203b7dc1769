# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and checks of area `file` (HG-FILE, Lynis category FILE)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import CheckSet

OPTIONS = dict(
    separate_mounts=dict(type="list", elements="str", default=["/home", "/tmp", "/var"]),
    # FILE-6354: the walk of /tmp stops after this many entries (the evidence says it was cut)
    old_tmp_max_entries=dict(type="int", default=2000),
)

CHECKS = CheckSet(area="file", prefix="HG-FILE")
