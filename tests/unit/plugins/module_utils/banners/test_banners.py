from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.banners import AREA


def st(root):
    return dict((f["id"], f["status"]) for f in AREA.run({"root": str(root)})["findings"])


def test_legal_banner(tmp_path):
    assert st(tmp_path)["HG-BANN-002"] == "skip"
    write(tmp_path, "etc/issue", "Debian GNU/Linux 12 \\n \\l\n")
    assert st(tmp_path)["HG-BANN-002"] == "fail"
    write(tmp_path, "etc/issue", "Authorized access only. All activity is monitored and logged; "
                                 "unauthorized use is prohibited and subject to criminal prosecution.\n")
    assert st(tmp_path)["HG-BANN-002"] == "pass"
