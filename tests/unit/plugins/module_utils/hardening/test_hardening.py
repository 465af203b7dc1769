from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.hardening import AREA


def st(root):
    return dict((f["id"], f["status"]) for f in AREA.run({"root": str(root)})["findings"])


def test_compilers_and_scanner(tmp_path):
    assert st(tmp_path)["HG-HRDN-003"] == "fail"
    write(tmp_path, "usr/bin/gcc", "", mode=0o755)
    assert st(tmp_path)["HG-HRDN-002"] == "fail"
    write(tmp_path, "usr/bin/gcc", "", mode=0o750)
    assert st(tmp_path)["HG-HRDN-002"] == "pass"
    write(tmp_path, "usr/bin/rkhunter", "", mode=0o755)
    assert st(tmp_path)["HG-HRDN-003"] == "pass"
