# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The body of every per-area module: the area's spec is the module's argument_spec."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import summarize


def area_module_main(area):
    module = AnsibleModule(argument_spec=area.argument_spec(), supports_check_mode=True)
    params = dict(module.params)
    if area.check_params is not None:
        errors = area.check_params(params)
        if errors:
            module.fail_json(msg="area %s: %s" % (area.name, "; ".join(errors)))
    result = area.audit(params)
    module.exit_json(changed=False, summary=summarize(result["findings"]), **result)
