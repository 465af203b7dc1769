# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every area of this build, in report order: one import and one entry per area.

Imports are static and absolute so that AnsiballZ packs every area into host_audit.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.cron import AREA as CRON
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl import AREA as SYSCTL
from ansible_collections.hostguard.hardening.plugins.module_utils.oom import AREA as OOM
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import AREA as OOMLOG
from ansible_collections.hostguard.hardening.plugins.module_utils.redis import AREA as REDIS
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh import AREA as SSH
from ansible_collections.hostguard.hardening.plugins.module_utils.auth import AREA as AUTH
from ansible_collections.hostguard.hardening.plugins.module_utils.file import AREA as FILE
from ansible_collections.hostguard.hardening.plugins.module_utils.storage import AREA as STORAGE
from ansible_collections.hostguard.hardening.plugins.module_utils.nameservices import AREA as NAMESERVICES
from ansible_collections.hostguard.hardening.plugins.module_utils.mail import AREA as MAIL
from ansible_collections.hostguard.hardening.plugins.module_utils.firewall import AREA as FIREWALL

AREAS = (
    CRON,
    SYSCTL,
    OOM,
    OOMLOG,
    REDIS,
    SSH,
    AUTH,
    FILE,
    STORAGE,
    NAMESERVICES,
    MAIL,
    FIREWALL,
)

REGISTRY = dict((area.name, area) for area in AREAS)


def area_names():
    return [area.name for area in AREAS]


def all_checks():
    """Every check of every area (and core's HG-CORE-001), in registry order."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.runner import CHECKS as CORE_CHECKS
    out = list(CORE_CHECKS)
    for area in AREAS:
        out.extend(area.checks)
    return out
