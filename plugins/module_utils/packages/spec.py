# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and checks of area `packages` (packages and updates; Lynis category PKGS)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import CheckSet

OPTIONS = dict(
    # packages whose files are verified against /var/lib/dpkg/info/<pkg>.md5sums (bounded)
    integrity_packages=dict(type="list", elements="str",
                            default=["openssh-server", "openssh-client", "sudo", "login", "passwd",
                                     "libpam-modules", "cron"]),
    integrity_max_bytes=dict(type="int", default=32 * 1024 * 1024),
)

CHECKS = CheckSet(area="packages", prefix="HG-PKGS")
