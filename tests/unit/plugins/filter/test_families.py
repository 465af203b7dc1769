"""hostguard_family_split: the settings of the selected check families, one dict per family."""
from hypothesis import given, strategies as st

from ansible_collections.hostguard.hardening.plugins.filter import families

SSH = {"forwarding": ["AllowAgentForwarding", "AllowTcpForwarding", "X11*"],
       "authentication": ["PasswordAuthentication", "Allow*"]}


def test_first_family_wins_and_matching_ignores_case():
    assert families.family_of("allowtcpforwarding", SSH) == "forwarding"     # not Allow* of authentication
    assert families.family_of("AllowUsers", SSH) == "authentication"
    assert families.family_of("X11DisplayOffset", SSH) == "forwarding"
    assert families.family_of("Banner", SSH) == "other"


def test_unselected_families_are_left_out_and_other_is_kept():
    settings = {"AllowTcpForwarding": "no", "PasswordAuthentication": "no", "Banner": "/etc/issue.net"}
    out = families.family_split(settings, SSH, ["authentication"])
    assert out == {"authentication": {"PasswordAuthentication": "no"}, "other": {"Banner": "/etc/issue.net"}}
    assert families.family_split(settings, SSH) == {
        "forwarding": {"AllowTcpForwarding": "no"}, "authentication": {"PasswordAuthentication": "no"},
        "other": {"Banner": "/etc/issue.net"}}
    assert families.family_split({}, SSH, []) == {}


KEYS = st.dictionaries(st.sampled_from(["net.a", "net.b", "fs.x", "kernel.y", "vm.panic_on_oom", "kernel.panic", "zzz"]),
                       st.integers(0, 3))
SYSCTL = {"oom": ["vm.panic_on_oom", "kernel.panic"], "kernel": ["kernel.*"], "network": ["net.*"], "filesystem": ["fs.*"]}


@given(KEYS, st.lists(st.sampled_from(sorted(SYSCTL)), unique=True))
def test_split_is_a_partition_of_the_selected_keys(settings, selected):
    out = families.family_split(settings, SYSCTL, selected)
    assert set(out) <= set(selected) | {"other"}
    seen = [k for group in out.values() for k in group]
    assert len(seen) == len(set(seen))                                   # no key in two families
    for key, value in settings.items():
        name = families.family_of(key, SYSCTL)
        if name in selected or name == "other":
            assert out[name][key] == value
        else:
            assert all(key not in group for group in out.values())
    assert all(out.values())                                             # no empty family (no empty file)
