# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The body of every per-area module: the area's spec is the module's argument_spec."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import summarize
from ansible_collections.hostguard.hardening.plugins.module_utils.core.redact import (
    sanitize_finding, sanitize_value)


def area_module_main(area):
    module = AnsibleModule(argument_spec=area.argument_spec(), supports_check_mode=True)
    params = dict(module.params)
    if area.check_params is not None:
        errors = area.check_params(params)
        if errors:
            module.fail_json(msg="area %s: %s" % (area.name, "; ".join(errors)))
    result = sanitize_result(area.audit(params))
    module.exit_json(changed=False, summary=summarize(result["findings"]), **result)


def sanitize_result(result):
    """The redaction gate over an area's whole result (findings and every facts field)."""
    out = dict(result)
    out["findings"] = [sanitize_finding(item) for item in result.get("findings") or []]
    for key, value in result.items():
        if key not in ("findings", "seconds"):
            out[key] = sanitize_value(value)
    return out
