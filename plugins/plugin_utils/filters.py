# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``FilterModule`` class every filter plugin of the collection exposes."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

PREFIX = "hostguard_"


def filter_module(*functions):
    """A ``FilterModule`` class offering each function as the filter ``hostguard_<name>``
    (a function already named ``hostguard_...`` keeps its name); Ansible's loader asks the
    plugin file for ``FilterModule`` and calls ``filters()``."""
    table = dict((f.__name__ if f.__name__.startswith(PREFIX) else PREFIX + f.__name__, f)
                 for f in functions)

    class FilterModule(object):
        def filters(self):
            return dict(table)

    return FilterModule
