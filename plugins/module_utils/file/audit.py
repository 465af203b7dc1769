# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `file`: file systems and file permissions, as Lynis's tests_filesystems sees them."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import area_result
from ansible_collections.hostguard.hardening.plugins.module_utils.file.collect import read_mounts
from ansible_collections.hostguard.hardening.plugins.module_utils.file.separate_mounts import separate_mount_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.file.sticky import sticky_findings


def mount_findings(options):
    points, source = read_mounts(options.get("root", "/"))
    return separate_mount_findings(options, points, source)


def audit(params):
    return area_result(mount_findings(params) + sticky_findings(params.get("root", "/")), {})
