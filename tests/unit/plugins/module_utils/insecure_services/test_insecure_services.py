from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.insecure_services import AREA


def test_packages(tmp_path):
    write(tmp_path, "var/lib/dpkg/status", "Package: telnetd\nStatus: install ok installed\nVersion: 1\n\n"
                                           "Package: tftp-hpa\nStatus: deinstall ok config-files\nVersion: 1\n")
    got = dict((f["id"], f["status"]) for f in AREA.run({"root": str(tmp_path)})["findings"])
    assert got["HG-INSE-011"] == "fail" and got["HG-INSE-014"] == "pass" and got["HG-INSE-009"] == "pass"


def test_inetd_config_when_not_running(tmp_path):
    write(tmp_path, "etc/inetd.conf", "telnet stream tcp nowait root /usr/sbin/in.telnetd\n")
    got = dict((f["id"], f["status"]) for f in AREA.run({"root": str(tmp_path)})["findings"])
    assert got["HG-INSE-003"] == "fail"
