"""Platform refusals of the remediation roles (plugin_utils/platforms.py)."""
from ansible_collections.hostguard.hardening.plugins.plugin_utils import platforms

DEBIAN_SYSTEMD = [{"family": "Debian", "distributions": ["Debian"], "service_mgr": "systemd"}]
BOOKWORM = {"os_family": "Debian", "distribution": "Debian", "distribution_version": "12.8", "service_mgr": "systemd"}


def test_tested_platform_is_supported():
    assert platforms.check(BOOKWORM, DEBIAN_SYSTEMD, "redis_hardening") == {
        "supported": True, "platform": "Debian 12.8 (systemd)", "reason": ""}


def test_el_alpine_and_missing_facts_are_refused_with_the_reason():
    rocky = {"os_family": "RedHat", "distribution": "Rocky", "distribution_version": "9.4", "service_mgr": "systemd"}
    out = platforms.check(rocky, DEBIAN_SYSTEMD, "redis_hardening")
    assert not out["supported"] and "not tested on Rocky 9.4 (systemd)" in out["reason"]
    assert "tested: Debian (Debian)" in out["reason"] and "nothing was changed" in out["reason"]
    alpine = {"os_family": "Alpine", "distribution": "Alpine", "distribution_version": "3.20", "service_mgr": "openrc"}
    assert not platforms.check(alpine, DEBIAN_SYSTEMD)["supported"]
    assert "facts missing" in platforms.check({}, DEBIAN_SYSTEMD, "x")["reason"]


def test_debian_without_systemd_is_refused_for_a_systemd_role():
    out = platforms.check(dict(BOOKWORM, service_mgr="sysvinit"), DEBIAN_SYSTEMD, "oom_protection")
    assert not out["supported"] and "needs systemd" in out["reason"] and "sysvinit" in out["reason"]


def test_ubuntu_is_refused_unless_listed():
    ubuntu = dict(BOOKWORM, distribution="Ubuntu", distribution_version="24.04")
    assert not platforms.check(ubuntu, DEBIAN_SYSTEMD)["supported"]
    assert platforms.check(ubuntu, [{"family": "Debian", "service_mgr": "systemd"}])["supported"]


def test_the_service_manager_refusal_says_why_in_one_line():
    why = "procps applies /etc/sysctl.conf last without systemd-sysctl"
    entry = dict(DEBIAN_SYSTEMD[0], why=why)
    out = platforms.check(dict(BOOKWORM, service_mgr="openrc"), [entry], "sysctl_hardening")
    assert out["reason"] == ("sysctl_hardening needs systemd as the service manager (%s); "
                             "Debian 12.8 (openrc) has openrc" % why)
    assert "\n" not in out["reason"]
    assert platforms.check(BOOKWORM, [entry])["supported"]
