# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""FINT: file integrity tools (AFICK, AIDE and its configuration/database, Osiris, Samhain,
Tripwire, OSSEC, mtree, osquery, IMA) and whether any is installed (Lynis
include/tests_file_integrity)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    skip_unless, Host, define_presence, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.file_integrity.spec import CHECKS

FOUND = "fint_tools"
AIDE_CONFIG_DIRS = ("/etc", "/etc/aide", "/usr/local/etc", "/usr/pkg/etc", "/usr/local/etc/aide", "/opt")

define_presence(CHECKS, "HG-FINT-001", "AFICK installed", "FINT-4310", binaries=("afick.pl",), found_key=FOUND)
define_presence(CHECKS, "HG-FINT-002", "AIDE installed", "FINT-4314", binaries=("aide",), found_key=FOUND)


def aide_config(host):
    for directory in AIDE_CONFIG_DIRS:
        if host.is_file(directory + "/aide.conf"):
            return directory + "/aide.conf"
    return None


@CHECKS.check("HG-FINT-003", "medium", "AIDE installed without a configuration file", lynis="FINT-4315",
              reads=", ".join(d + "/aide.conf" for d in AIDE_CONFIG_DIRS), remediation="Install aide-common (Debian ships /etc/aide/aide.conf).")
@skip_unless("aide", "AIDE is not installed", which="aide")
def check_aide_config(check, host):
    config = aide_config(host)
    return verdict(check, config or "aide.conf", config is None, {"config": config})


def with_aide_config(function):
    """Below ``@CHECKS.check``: ``function(check, host, config)`` runs only when AIDE and its
    configuration exist (else a skip, as Lynis skips the test)."""
    @functools.wraps(function)
    def evaluate(check, host):
        config = aide_config(host) if host.which("aide") else None
        if not config:
            return check.skip("aide", "AIDE or its configuration is missing (Lynis skips too)")
        return function(check, host, config)
    return evaluate


@CHECKS.check("HG-FINT-004", "medium", "AIDE database missing or empty", lynis="FINT-4316",
              reads="aide.conf database(_in)= and the file it names",
              remediation="Initialise the database: aideinit (Debian) or aide --init, then move it into place.")
@with_aide_config
def check_aide_db(check, host, config):
    lines = host.config_lines(config)
    defines = dict(m.groups() for m in (re.match(r"@@define\s+(\w+)\s+(\S+)", l) for l in lines) if m)
    database = None
    for line in lines:
        match = re.match(r"^(database|database_in)\s*=\s*(\S+)", line)
        if match:
            database = re.sub(r"^\w+:", "", match.group(2))
            database = re.sub(r"@@\{(\w+)\}", lambda m: defines.get(m.group(1), ""), database)
    if database is None:
        database = "/var/lib/aide/aide.db"
    info = host.stat(database)
    return verdict(check, database, not info or info["size"] == 0, {"database": database,
                                                                    "size": info["size"] if info else None})


define_presence(CHECKS, "HG-FINT-005", "Osiris installed", "FINT-4318", binaries=("osiris",), found_key=FOUND)
define_presence(CHECKS, "HG-FINT-006", "Samhain installed", "FINT-4322", binaries=("samhain",), found_key=FOUND)
define_presence(CHECKS, "HG-FINT-007", "Tripwire installed", "FINT-4326", binaries=("tripwire",), found_key=FOUND)
define_presence(CHECKS, "HG-FINT-008", "OSSEC syscheck running", "FINT-4328", processes=("ossec-syscheckd",),
                found_key=FOUND)
define_presence(CHECKS, "HG-FINT-009", "mtree installed", "FINT-4330", binaries=("mtree",), found_key=FOUND)
define_presence(CHECKS, "HG-FINT-010", "osqueryd running", "FINT-4338", processes=("osqueryd",), found_key=FOUND)


@CHECKS.check("HG-FINT-011", "low", "AIDE configured without SHA256/SHA512 checksums", lynis="FINT-4402",
              reads="aide.conf", remediation="Use sha256 or sha512 in the AIDE rule groups.")
@with_aide_config
def check_aide_checksums(check, host, config):
    strong = any(re.search(r"sha256|sha512", line) for line in host.config_lines(config))
    return verdict(check, config, not strong, {"sha256_or_sha512": strong})


@CHECKS.info("HG-FINT-012", "IMA measurements (inventory)", "FINT-4339", "/sys/kernel/security/ima")
def check_ima(check, host):
    count = (host.read("/sys/kernel/security/ima/runtime_measurements_count", 64) or "").strip()
    if count.isdigit() and int(count) > 1:
        host.cache.setdefault(FOUND, []).append("HG-FINT-012")
    return check.passed("/sys/kernel/security/ima", {"measurements": count or None})


@CHECKS.check("HG-FINT-013", "medium", "no file integrity tool installed", lynis="FINT-4350", cis="1.3.1", reads="the FINT inventory checks above",
              remediation="apt-get install aide aide-common; aideinit.")
def check_any_tool(check, host):
    found = host.cache.get(FOUND, [])
    return verdict(check, "file integrity", not found, {"found_by": found})


def audit(params):
    return run_evaluators(CHECKS, Host(params["root"]))
