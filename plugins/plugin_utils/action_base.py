# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared front of hostguard's action plugins: ``ARGS`` validated by Ansible's
validate_argument_spec before the plugin's own code runs."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase


class ValidatedAction(ActionBase):
    """Subclasses set ``ARGS`` (an argument_spec) and implement ``run_validated``; a plugin
    that never touches the host also sets ``_requires_connection = False``."""
    TRANSFERS_FILES = False
    ARGS = {}

    def run(self, tmp=None, task_vars=None):
        result = super(ValidatedAction, self).run(tmp, task_vars)
        _validation, args = self.validate_argument_spec(argument_spec=self.ARGS)
        return self.run_validated(result, args, task_vars or {})

    def run_validated(self, result, args, task_vars):
        """``result``: what ActionBase.run started; ``args``: validated, defaults filled."""
        raise NotImplementedError
