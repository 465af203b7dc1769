# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Area `file`: file systems and file permissions, as Lynis's tests_filesystems sees them."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import area_result
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host
from ansible_collections.hostguard.hardening.plugins.module_utils.file.filesystem_modules import unused_fs_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.file.fstab_lines import fstab_line_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.file.locate_db import locate_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.file.lvm import lvm_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.file.mount_options import mount_option_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.file.permissions import permission_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.file.swappiness import swappiness_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.file.tmp_age import tmp_age_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.file.collect import read_mounts
from ansible_collections.hostguard.hardening.plugins.module_utils.file.separate_mounts import separate_mount_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.file.sticky import sticky_findings


def mount_findings(options):
    points, source = read_mounts(options.get("root", "/"))
    return separate_mount_findings(options, points, source)


def audit(params):
    root = params.get("root", "/")
    findings = mount_findings(params) + sticky_findings(root) + mount_option_findings(root)
    findings += tmp_age_findings(root, max_entries=params.get("old_tmp_max_entries") or 2000) + swappiness_findings(root) + locate_findings(Host(root))
    findings += unused_fs_findings(root) + permission_findings(root) + fstab_line_findings(root)
    findings += lvm_findings(Host(root))
    return area_result(findings, {})
