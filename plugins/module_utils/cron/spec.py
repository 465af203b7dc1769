# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options of area `cron` (AnsibleModule argument_spec format, plain data, no `root`)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

OPTIONS = dict(
    max_read_bytes=dict(type="int", default=1048576),
    max_file_size=dict(type="int", default=262144),
    max_line_bytes=dict(type="int", default=4096),
    max_entries=dict(type="int", default=1000),
    max_depth=dict(type="int", default=4),
    extra_paths=dict(type="list", elements="path", default=[]),
)
