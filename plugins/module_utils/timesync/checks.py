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
    Evaluators, Host, is_world_writable, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.timesync.spec import CHECKS

EVALUATORS = Evaluators()
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


NTP_RUNNING = CHECKS.define("HG-TIME-001", "no NTP daemon or client running", "medium", reads="/proc/*/comm",
                            remediation="systemctl enable --now systemd-timesyncd (or install chrony).",
                            references={"lynis": "TIME-3104", "cis": "2.1.1"}, role=ROLE)


@EVALUATORS(NTP_RUNNING)
def check_ntp_running(host):
    daemons = ntp_daemons(host)
    return verdict(NTP_RUNNING, "ntp", not daemons, {"running": daemons})


TIMESYNCD_SYNCED = CHECKS.define(
    "HG-TIME-002", "systemd-timesyncd has not synchronised the clock recently", "medium",
    reads=", ".join(SYNC_FILES), remediation="Check NTP reachability (timedatectl timesync-status).",
    references={"lynis": "TIME-3185"})


@EVALUATORS(TIMESYNCD_SYNCED)
def check_timesyncd_synced(host):
    if not host.running("systemd-timesyncd", "systemd-timesyn"):
        return TIMESYNCD_SYNCED.skip("systemd-timesyncd", "systemd-timesyncd is not running")
    for path in SYNC_FILES:
        info = host.stat(path)
        if info:
            age = int(time.time()) - info["mtime"]
            return verdict(TIMESYNCD_SYNCED, path, age >= STALE_SECONDS, {"age_seconds": age})
    return TIMESYNCD_SYNCED.fail("systemd-timesyncd", {"synchronised": "never"})


TZ = CHECKS.define("HG-TIME-003", "time zone (inventory)", "info", reads="/etc/timezone, /etc/localtime",
                   remediation="None needed (inventory).", references={"lynis": "TIME-3148"})


@EVALUATORS(TZ)
def check_tz(host):
    link = host.resolve("/etc/localtime")
    zone = (host.read("/etc/timezone", 256) or "").strip() or (link[1].split("zoneinfo/")[-1] if link else None)
    return TZ.passed("timezone", {"timezone": zone, "TZ": os.environ.get("TZ") if host.live else None})


CONFIG_WRITABLE = CHECKS.define("HG-TIME-004", "world-writable time configuration file", "high",
                                reads=", ".join(NTP_FILES), remediation="chmod o-w the file.",
                                references={"lynis": "TIME-3170"})


@EVALUATORS(CONFIG_WRITABLE)
def check_config_writable(host):
    writable = [p for p in NTP_FILES if host.is_file(p) and is_world_writable(host.stat(p))]
    return verdict(CONFIG_WRITABLE, "ntp configuration", bool(writable), {"world_writable": writable})


def audit(params):
    return run_evaluators(EVALUATORS, Host(params["root"]))
