# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""TIME: NTP daemon or client running, systemd-timesyncd synchronised, NTP configuration
permissions, TZ (Lynis include/tests_time). Synchronisation state comes from timesyncd's
files (/run/systemd/timesync/synchronized, .../clock), not timedatectl."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    Host, is_world_writable, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.timesync.spec import CHECKS

ROLE = "baseline_hardening"
NTP_FILES = ("/etc/ntp.conf", "/etc/ntp/step-tickers", "/etc/ntp.conf.local", "/etc/chrony.conf",
             "/etc/chrony/chrony.conf", "/etc/openntpd/ntpd.conf", "/etc/systemd/timesyncd.conf", "/etc/ntpsec/ntp.conf")
SYNC_FILES = ("/run/systemd/timesync/synchronized", "/var/lib/systemd/timesync/clock",
              "/var/lib/private/systemd/timesync/clock", "/var/lib/systemd/clock")
STALE_SECONDS = 2048


def ntp_daemons(host):
    out = []
    if host.is_file("/etc/chrony.conf") or host.is_file("/etc/chrony/chrony.conf"):
        out += [p["comm"] for p in host.running("chronyd")]
    out += [p["comm"] for p in host.running("dntpd", "timed", "ntpd", "openntpd", "systemd-timesyncd", "systemd-timesyn")]
    return sorted(set(out))


@CHECKS.check("HG-TIME-001", "medium", "no NTP daemon or client running", lynis="TIME-3104", cis="2.1.1", reads="/proc/*/comm",
              remediation="systemctl enable --now systemd-timesyncd (or install chrony).", role=ROLE)
def check_ntp_running(check, host):
    daemons = ntp_daemons(host)
    return verdict(check, "ntp", not daemons, {"running": daemons})


@CHECKS.check("HG-TIME-002", "medium", "systemd-timesyncd has not synchronised the clock recently", lynis="TIME-3185", reads=", ".join(SYNC_FILES),
              remediation="Check NTP reachability (timedatectl timesync-status).")
def check_timesyncd_synced(check, host):
    if not host.running("systemd-timesyncd", "systemd-timesyn"):
        return check.skip("systemd-timesyncd", "systemd-timesyncd is not running")
    for path in SYNC_FILES:
        info = host.stat(path)
        if info:
            age = int(time.time()) - info["mtime"]
            return verdict(check, path, age >= STALE_SECONDS, {"age_seconds": age})
    return check.fail("systemd-timesyncd", {"synchronised": "never"})


@CHECKS.info("HG-TIME-003", "time zone (inventory)", "TIME-3148", "/etc/timezone, /etc/localtime")
def check_tz(check, host):
    link = host.resolve("/etc/localtime")
    zone = (host.read("/etc/timezone", 256) or "").strip() or (link[1].split("zoneinfo/")[-1] if link else None)
    return check.passed("timezone", {"timezone": zone, "TZ": os.environ.get("TZ") if host.live else None})


@CHECKS.check("HG-TIME-004", "high", "world-writable time configuration file", lynis="TIME-3170", reads=", ".join(NTP_FILES),
              remediation="chmod o-w the file.")
def check_config_writable(check, host):
    writable = [p for p in NTP_FILES if host.is_file(p) and is_world_writable(host.stat(p))]
    return verdict(check, "ntp configuration", bool(writable), {"world_writable": writable})


def audit(params):
    return run_evaluators(CHECKS, Host(params["root"]))
