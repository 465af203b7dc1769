from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.mac import AREA


def st(root):
    return dict((f["id"], f["status"]) for f in AREA.run({"root": str(root)})["findings"])


def test_apparmor_states(tmp_path):
    assert st(tmp_path)["HG-MACF-002"] == "skip" and st(tmp_path)["HG-MACF-007"] == "fail"
    write(tmp_path, "usr/sbin/aa-status", "", mode=0o755)
    assert st(tmp_path)["HG-MACF-002"] == "fail"
    write(tmp_path, "sys/kernel/security/apparmor/profiles", "/usr/sbin/ntpd (enforce)\nlsb_release (complain)\n")
    got = st(tmp_path)
    assert got["HG-MACF-002"] == "pass" and got["HG-MACF-007"] == "pass"
