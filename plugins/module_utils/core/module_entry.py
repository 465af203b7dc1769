# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The body of every per-area module: the area's spec is the module's argument_spec."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

# First: every module_utils file imported after this one is compiled once, not twice, from the
# AnsiballZ zip (core/zipload.py; a no-op outside a zip).
from ansible_collections.hostguard.hardening.plugins.module_utils.core import zipload

zipload.install()

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


def hide_secret_options(module, options, registry):
    """``options`` is a free dict ({area: {...}}), so AnsibleModule cannot know which values
    are no_log: add the values of every option an area spec marks ``no_log`` to the module's
    no_log values, which masks them in its whole output (invocation included, seen with -v)."""
    if not isinstance(options, dict):
        return
    for name, given in options.items():
        area = registry.get(name)
        if area is None or not isinstance(given, dict):
            continue
        for option, spec in area.options.items():
            value = given.get(option)
            if spec.get("no_log") and value not in (None, ""):
                module.no_log_values.add(str(value))


def aggregate_argument_spec():
    """The argument_spec of the modules that run several areas (host_audit, baseline_audit)."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.runner import DEFAULT_AREA_TIMEOUT
    return dict(
        areas=dict(type="list", elements="str", default=[]),
        root=dict(type="path", default="/"),
        area_timeout=dict(type="int", default=DEFAULT_AREA_TIMEOUT),
        options=dict(type="dict", default={}),
    )


def aggregate_module_main(registered, with_summary=False):
    """The body of a module running the areas ``registered`` (default when ``areas`` is empty)
    through core.runner, each area's options validated by its own spec first."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.registry import REGISTRY
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.runner import run_areas, validate_areas
    module = AnsibleModule(argument_spec=aggregate_argument_spec(), supports_check_mode=True)
    params = module.params
    if params["area_timeout"] < 0:
        module.fail_json(msg="area_timeout must be 0 (off) or a positive number of seconds")
    areas = params["areas"] or list(registered)
    hide_secret_options(module, params["options"] or {}, REGISTRY)
    area_params, errors = validate_areas(areas, params["options"] or {}, params["root"], REGISTRY)
    if errors:
        module.fail_json(msg="; ".join(errors))
    result = run_areas(area_params, root=params["root"], timeout=params["area_timeout"],
                       registry=REGISTRY)
    if with_summary:
        result["summary"] = summarize(result["findings"])
    module.exit_json(changed=False, root=params["root"], registered_areas=list(registered), **result)
