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
from ansible_collections.hostguard.hardening.plugins.module_utils.homedirs import AREA as HOMEDIRS
from ansible_collections.hostguard.hardening.plugins.module_utils.storage import AREA as STORAGE
from ansible_collections.hostguard.hardening.plugins.module_utils.nameservices import AREA as NAMESERVICES
from ansible_collections.hostguard.hardening.plugins.module_utils.mail import AREA as MAIL
from ansible_collections.hostguard.hardening.plugins.module_utils.firewall import AREA as FIREWALL
from ansible_collections.hostguard.hardening.plugins.module_utils.boot import AREA as BOOT
from ansible_collections.hostguard.hardening.plugins.module_utils.logs import AREA as LOGS
from ansible_collections.hostguard.hardening.plugins.module_utils.networking import AREA as NETWORKING
from ansible_collections.hostguard.hardening.plugins.module_utils.packages import AREA as PACKAGES
from ansible_collections.hostguard.hardening.plugins.module_utils.file_integrity import AREA as FILE_INTEGRITY
from ansible_collections.hostguard.hardening.plugins.module_utils.malware import AREA as MALWARE
from ansible_collections.hostguard.hardening.plugins.module_utils.tooling import AREA as TOOLING
from ansible_collections.hostguard.hardening.plugins.module_utils.debian import AREA as DEBIAN
from ansible_collections.hostguard.hardening.plugins.module_utils.crypto import AREA as CRYPTO
from ansible_collections.hostguard.hardening.plugins.module_utils.banners import AREA as BANNERS
from ansible_collections.hostguard.hardening.plugins.module_utils.hardening import AREA as HARDENING
from ansible_collections.hostguard.hardening.plugins.module_utils.mac import AREA as MAC
from ansible_collections.hostguard.hardening.plugins.module_utils.processes import AREA as PROCESSES
from ansible_collections.hostguard.hardening.plugins.module_utils.shells import AREA as SHELLS
from ansible_collections.hostguard.hardening.plugins.module_utils.timesync import AREA as TIMESYNC
from ansible_collections.hostguard.hardening.plugins.module_utils.insecure_services import AREA as INSECURE_SERVICES
from ansible_collections.hostguard.hardening.plugins.module_utils.accounting import AREA as ACCOUNTING
from ansible_collections.hostguard.hardening.plugins.module_utils.usb import AREA as USB
from ansible_collections.hostguard.hardening.plugins.module_utils.kernel import AREA as KERNEL
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence import AREA as PERSISTENCE

AREAS = (
    CRON,
    SYSCTL,
    OOM,
    OOMLOG,
    REDIS,
    SSH,
    AUTH,
    FILE,
    HOMEDIRS,
    STORAGE,
    NAMESERVICES,
    MAIL,
    FIREWALL,
    BOOT,
    LOGS,
    NETWORKING,
    PACKAGES,
    FILE_INTEGRITY,
    MALWARE,
    TOOLING,
    DEBIAN,
    CRYPTO,
    BANNERS,
    HARDENING,
    MAC,
    PROCESSES,
    SHELLS,
    TIMESYNC,
    INSECURE_SERVICES,
    ACCOUNTING,
    USB,
    KERNEL,
    PERSISTENCE,
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
