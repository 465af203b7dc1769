# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options of area `oomlog` (AnsibleModule argument_spec format, plain data, no `root`)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.collect import SOURCES
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.timestamps import parse_duration, parse_since

OPTIONS = dict(
    source=dict(type="str", default="auto", choices=list(SOURCES)),
    path=dict(type="path"),
    since=dict(type="str"),
    max_incidents=dict(type="int", default=20),
    max_line_bytes=dict(type="int", default=4096),
    max_read_bytes=dict(type="int", default=8 * 1024 ** 3),
    timeout=dict(type="float", default=30),
    loop_window=dict(type="str", default="1h"),
    loop_min_kills=dict(type="int", default=3),
    storm_window=dict(type="str", default="60s"),
    storm_min_kills=dict(type="int", default=5),
    top_tasks=dict(type="int", default=10),
    page_kb=dict(type="int", default=4),
    critical_services=dict(type="list", elements="str"),
    # the OOM flight recorder's ring (roles/oom_recorder); "" disables it
    recorder_dir=dict(type="str", default="/var/lib/hostguard/oom-recorder"),
)

POSITIVE = ("max_incidents", "max_line_bytes", "top_tasks", "page_kb", "loop_min_kills",
            "storm_min_kills")


def check_params(params):
    errors = ["%s must be >= 1" % key for key in POSITIVE
              if params.get(key) is not None and params[key] < 1]
    try:
        parse_since(params.get("since"))
        parse_duration(params.get("loop_window"))
        parse_duration(params.get("storm_window"))
    except ValueError as exc:
        errors.append(str(exc))
    return errors
