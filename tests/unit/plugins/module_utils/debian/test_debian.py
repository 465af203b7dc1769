from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.debian import AREA


def st(root):
    return dict((f["id"], f["status"]) for f in AREA.run({"root": str(root)})["findings"])


def test_debian_tools(tmp_path):
    got = st(tmp_path)
    assert [got["HG-DEB-%03d" % n] for n in range(2, 7)] == ["fail"] * 5
    write(tmp_path, "usr/sbin/needrestart", "", mode=0o755)
    write(tmp_path, "usr/bin/apt-listchanges", "", mode=0o755)
    write(tmp_path, "etc/apt/apt.conf.d/20listchanges", "x")
    write(tmp_path, "lib/x86_64-linux-gnu/security/pam_tmpdir.so", "")
    got = st(tmp_path)
    assert got["HG-DEB-005"] == "pass" and got["HG-DEB-004"] == "pass" and got["HG-DEB-002"] == "pass"
