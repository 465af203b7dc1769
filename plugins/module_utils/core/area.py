# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The area descriptor: the one object every consumer of an area reads.

An area is one package ``plugins/module_utils/<name>/`` whose ``__init__.py`` declares::

    AREA = Area(name="cron", prefix="HG-CRON", title="cron and rc.d",
                options=OPTIONS, checks=CHECKS, audit=audit)

- ``options``: the area's option spec in AnsibleModule ``argument_spec`` format, plain data,
  without ``root`` (every area takes ``root``; :meth:`Area.argument_spec` adds it). The area's
  own module uses :meth:`argument_spec` as its spec; ``host_audit`` validates each area's dict
  with :meth:`validate` (same validator, same coercion, same defaults) before any area runs.
- ``checks``: the area's :class:`CheckSet` (every ID starts with ``prefix``).
- ``audit(params)``: ``params`` already validated (defaults filled, types coerced); returns
  ``area_result(findings, facts)``.
- ``check_params(params)``: optional, returns a list of error strings for constraints the
  argument_spec format cannot express (a positive timeout, a parseable duration).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

ROOT_OPTION = {"type": "path", "default": "/"}


class OptionError(ValueError):
    """An area was given options its spec refuses."""


class Area(object):
    def __init__(self, name, prefix, title, options, checks, audit, check_params=None):
        if "root" in options:
            raise ValueError("area %s: 'root' is common to every area, do not declare it" % name)
        self.name, self.prefix, self.title = name, prefix, title
        self.options, self.checks = options, checks
        self.audit, self.check_params = audit, check_params
        for check in checks:
            if prefix and not check.id.startswith(prefix + "-"):
                raise ValueError("area %s: check %s lacks prefix %s" % (name, check.id, prefix))

    def argument_spec(self):
        """The AnsibleModule argument_spec of this area's module: ``root`` + the options."""
        spec = {"root": dict(ROOT_OPTION)}
        spec.update(copy.deepcopy(self.options))
        return spec

    def validate(self, options, root=None):
        """(params, errors): ``options`` checked and normalised as AnsibleModule would."""
        # Imported here: the validator is ansible-core's, present wherever a module runs,
        # and this keeps the descriptor importable by tools that only read the catalogue.
        from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
        given = dict(options or {})
        if root is not None:
            given["root"] = root
        result = ArgumentSpecValidator(self.argument_spec()).validate(given)
        errors = [str(err) for err in result.errors]
        params = dict(result.validated_parameters)
        if not errors and self.check_params is not None:
            errors = list(self.check_params(params) or [])
        return params, errors

    def run(self, options=None, root=None):
        """Validate then audit; raises :class:`OptionError` naming the area and option."""
        params, errors = self.validate(options, root=root)
        if errors:
            raise OptionError("area %s: %s" % (self.name, "; ".join(errors)))
        return self.audit(params)

    def catalogue(self):
        return [check.catalogue_entry() for check in self.checks]
