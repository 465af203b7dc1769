"""Area firewall: Lynis FIRE-4502 (iptables in the kernel), FIRE-4524 (CSF), FIRE-4594 (APF)."""
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host
from ansible_collections.hostguard.hardening.plugins.module_utils.firewall import presence
from conftest import write  # noqa: E402


def by_id(findings):
    return dict((f["id"], f) for f in findings)


def test_iptables_module_as_lynis_regex_reads_it(tmp_path):
    write(tmp_path, "/proc/modules", "ip6_tables 36864 0 - Live 0x0\nnf_tables 1 0 - Live 0x0\n")
    f = by_id(presence.presence_findings(Host(str(tmp_path))))
    assert f["HG-FIRE-003"]["evidence"]["active"] is False      # ^ip*_tables never matches ip6_tables
    write(tmp_path, "/proc/modules", "ip_tables 36864 1 iptable_filter, Live 0x0\n")
    f = by_id(presence.presence_findings(Host(str(tmp_path))))
    assert f["HG-FIRE-003"]["evidence"] == {"active": True, "how": "module ip_tables loaded"}
    assert f["HG-FIRE-004"]["evidence"] == {"present": False} and f["HG-FIRE-005"]["evidence"] == {"present": False}


def test_csf_and_apf_settings(tmp_path):
    write(tmp_path, "/etc/csf/csf.conf", 'TESTING = "1"\nTCP_IN = "22"\n')
    write(tmp_path, "/etc/apf/conf.apf", 'DEVEL_MODE="0"\n')
    f = by_id(presence.presence_findings(Host(str(tmp_path))))
    assert f["HG-FIRE-004"]["evidence"] == {"present": True, "testing": "1", "disabled": False}
    assert f["HG-FIRE-005"]["evidence"] == {"present": True, "devel_mode": "0"}
    assert all(x["status"] == "pass" and x["severity"] == "info" for x in f.values())
