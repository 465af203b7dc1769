# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side filter of roles/redis_hardening: runtime `dir`/`dbfilename` drift."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.plugin_utils.filters import filter_module


def redis_config_get(lines):
    """`redis-cli CONFIG GET pattern` prints name and value on alternate lines -> dict."""
    lines = list(lines or [])
    return dict(zip(lines[0::2], lines[1::2]))


def redis_runtime_drift(lines, data_dir, dbfilename):
    """{setting: running value} for dir/dbfilename that differ from the configured ones
    (seed 000: CONFIG SET dir /var/spool/cron lives on until a restart)."""
    running = redis_config_get(lines)
    wanted = {"dir": data_dir, "dbfilename": dbfilename}
    return dict((k, running[k]) for k in ("dir", "dbfilename") if k in running and running[k] != wanted[k])


FilterModule = filter_module(redis_runtime_drift)
