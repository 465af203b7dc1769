"""core.budget.FairBudget (issue 17, no evasion by budget): whatever the files before it spend
(each at most its grant), each of the first ``expected`` files gets at least the floor, and the
sum never exceeds the total. Counted in units, never timed."""
from hypothesis import given, settings, strategies as st

from ansible_collections.hostguard.hardening.plugins.module_utils.core.budget import FairBudget


def test_floor_defaults_to_the_even_share_capped_by_the_per_file_cap():
    assert FairBudget(1000, 300, 10).floor == 100
    assert FairBudget(1000, 50, 10).floor == 50
    assert FairBudget(1000, 300, 10, floor=20).floor == 20
    assert FairBudget(1000, 300, 4, floor=400).floor == 250


def test_a_greedy_first_file_leaves_every_later_file_its_floor():
    budget = FairBudget(8 << 20, 4 << 20, 256, 16 << 10)
    grants = []
    for _index in range(256):
        grant = budget.grant()
        grants.append(grant)
        budget.spend(grant)            # every file as big as it is allowed to be
    assert grants[0] == 4 << 20
    assert min(grants) >= 16 << 10
    assert budget.left >= 0 and sum(grants) <= 8 << 20


@settings(max_examples=200, deadline=None)
@given(total=st.integers(0, 1 << 20), per_file=st.integers(0, 1 << 18), expected=st.integers(1, 64),
       spends=st.lists(st.floats(0, 1), min_size=1, max_size=80))
def test_property_floor_for_every_expected_file_and_total_bound(total, per_file, expected, spends):
    budget = FairBudget(total, per_file, expected)
    used = 0
    for index, fraction in enumerate(spends):
        grant = budget.grant()
        assert 0 <= grant <= max(per_file, 0)
        if index < expected:
            assert grant >= budget.floor
        spent = int(grant * fraction)
        used += spent
        budget.spend(spent)
        assert used <= total and budget.left == total - used
