"""One source for the sysctl baseline: the role applies exactly what the audit grades."""
import os

import pytest
import yaml

from ansible_collections.hostguard.hardening.plugins.filter.sysctl_plan import sysctl_baseline
from ansible_collections.hostguard.hardening.plugins.module_utils.sysctl.audit import (
    default_baseline, evaluate_key)
from conftest import REPO


def role_defaults():
    with open(os.path.join(REPO, "roles", "sysctl_hardening", "defaults", "main.yml")) as handle:
        return yaml.safe_load(handle)


def test_role_applies_the_audit_baseline_minus_its_exclusions_and_every_value_passes_the_audit():
    d = role_defaults()
    applied = sysctl_baseline(d["sysctl_hardening_exclude"], d["sysctl_hardening_values"])
    base = default_baseline()
    assert set(applied) == set(base) - set(d["sysctl_hardening_exclude"])
    for key, value in applied.items():
        finding = evaluate_key(key, base[key], str(value), "ok", {"value": str(value), "file": "/etc/sysctl.d/999-hostguard.conf", "line": 1})
        assert finding["status"] == "pass", (key, value, finding)
    assert applied["vm.panic_on_oom"] == 0 and applied["kernel.panic"] == 10


def test_a_conditional_key_without_a_value_is_an_error_not_a_guess():
    with pytest.raises(ValueError, match="kernel.panic"):
        sysctl_baseline(role_defaults()["sysctl_hardening_exclude"], {})
