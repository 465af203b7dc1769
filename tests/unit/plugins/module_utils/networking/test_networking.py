"""Area networking: /sys/class/net, /proc/sys and modprobe fixtures."""
from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.networking import AREA


def findings(root, check_id):
    return [f for f in AREA.run({"root": str(root)})["findings"] if f["id"] == check_id]


def test_empty_root(tmp_path):
    result = AREA.run({"root": str(tmp_path)})
    assert set(f["id"] for f in result["findings"]) == set(c.id for c in AREA.checks)
    assert not [f for f in result["findings"] if f["status"] == "error"]


def test_promiscuous_interface(tmp_path):
    write(tmp_path, "sys/class/net/eth0/flags", "0x1003\n")
    assert findings(tmp_path, "HG-NETW-009")[0]["status"] == "pass"
    write(tmp_path, "sys/class/net/eth0/flags", "0x1103\n")
    assert findings(tmp_path, "HG-NETW-009")[0]["evidence"]["promiscuous"] == ["eth0"]


def test_uncommon_protocols(tmp_path):
    write(tmp_path, "etc/modprobe.d/proto.conf", "install dccp /bin/true\ninstall sctp /bin/true\n")
    got = dict((f["subject"], f["status"]) for f in findings(tmp_path, "HG-NETW-013"))
    assert got == {"dccp": "pass", "sctp": "pass", "rds": "fail", "tipc": "fail"}


def test_hostname_invalid(tmp_path):
    write(tmp_path, "proc/sys/kernel/hostname", "bad_host\n")
    assert findings(tmp_path, "HG-NETW-001")[0]["status"] == "fail"


def test_ip_forward(tmp_path):
    write(tmp_path, "proc/sys/net/ipv4/ip_forward", "1\n")
    assert findings(tmp_path, "HG-NETW-014")[0]["status"] == "fail"


def test_nameservers_need_network(tmp_path):
    write(tmp_path, "etc/resolv.conf", "nameserver 192.0.2.1\n")
    assert findings(tmp_path, "HG-NETW-003")[0]["status"] == "skip"
