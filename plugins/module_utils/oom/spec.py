# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options of area `oom` (AnsibleModule argument_spec format, plain data, no `root`)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

OPTIONS = dict(
    services=dict(type="list", elements="raw", default=[]),
    include_sshd=dict(type="bool", default=True),
    sshd_max_oom_score_adj=dict(type="int", default=-500),
    immune_allow=dict(type="list", elements="str", default=[]),
    immune_allow_default=dict(type="bool", default=True),
    immune_hog_rss_mib=dict(type="int", default=256),
    top_n=dict(type="int", default=10),
    use_systemctl=dict(type="str", default="auto", choices=["auto", "yes", "no"]),
    systemctl_timeout=dict(type="float", default=5.0),
    max_pids=dict(type="int", default=32768),
)


def check_params(params):
    """``services`` entries are unit names or {name, units, processes, max_oom_score_adj} dicts."""
    return ["services: each entry must be a string or a dict, got %r" % (item,)
            for item in params.get("services") or [] if not isinstance(item, (str, dict))]
