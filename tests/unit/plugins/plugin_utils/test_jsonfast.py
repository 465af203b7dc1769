# -*- coding: utf-8 -*-
"""jsonfast.dumps is json.dumps(indent=N[, sort_keys]) byte for byte: same text, or the same
exception, for every value json accepts or refuses."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import enum
import json

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.hostguard.hardening.plugins.plugin_utils import jsonfast

SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
           | st.text())
KEYS = st.text() | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none()
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5) | st.tuples(inner, inner)
                      | st.dictionaries(KEYS, inner, max_size=5), max_leaves=40)


def outcome(function, *args, **kwargs):
    try:
        return "ok", function(*args, **kwargs)
    except Exception as exc:  # the same exception type and message as json's
        return type(exc).__name__, str(exc)


@settings(max_examples=400, deadline=None)
@given(VALUES, st.sampled_from([0, 1, 2, 4]), st.booleans())
def test_same_text_as_json(value, indent, sort_keys):
    assert outcome(jsonfast.dumps, value, indent, sort_keys=sort_keys) == \
        outcome(json.dumps, value, indent=indent, sort_keys=sort_keys)


class Level(enum.IntEnum):
    HIGH = 3


class Tagged(str):
    pass


def _cycle():
    items = [1]
    items.append(items)
    return items


@pytest.mark.parametrize("value", [
    float("nan"), [float("inf"), -float("inf")], {1: 2, 2.5: 3, False: 1, None: [], "x": {}},
    "\u00e9\u2028\x1b", {Tagged("k"): Tagged("v")}, {Level.HIGH: Level.HIGH}, [[], {}, ()],
    _cycle(), {(1,): 2}, {"a": object()}, {1: 1, "a": 2}, {"a": {"b": [1, {"c": None}]}},
])
@pytest.mark.parametrize("sort_keys", [False, True])
def test_edge_values(value, sort_keys):
    assert outcome(jsonfast.dumps, value, 2, sort_keys=sort_keys) == \
        outcome(json.dumps, value, indent=2, sort_keys=sort_keys)


def test_a_report_shaped_value():
    finding = {"id": "HG-CRON-001", "severity": "high", "status": "fail", "evidence": {"lines": ["a", "b"],
               "size": 12, "ratio": 0.5, "owner": None, "ok": False}, "references": []}
    report = {"findings": [finding] * 50, "facts": {"cron": {"daemons": {}, "n": 3}}, "timings": {"total": 1.25}}
    for indent, sort_keys in ((2, False), (1, True)):
        assert jsonfast.dumps(report, indent, sort_keys=sort_keys) == json.dumps(report, indent=indent,
                                                                                 sort_keys=sort_keys)
