# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turning a boolean rule outcome into a finding of a check."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


def pass_or_fail(check, subject, ok, detail, evidence=None):
    """``check.passed`` when ``ok``, else ``check.fail``; ``detail`` says why either way."""
    if ok:
        return check.passed(subject, evidence=evidence, detail=detail)
    return check.fail(subject, evidence=evidence, detail=detail)
