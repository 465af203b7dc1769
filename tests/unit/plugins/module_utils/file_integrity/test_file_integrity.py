from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.file_integrity import AREA


def st(root, cid):
    return [f["status"] for f in AREA.run({"root": str(root)})["findings"] if f["id"] == cid]


def test_no_tool_then_aide(tmp_path):
    assert st(tmp_path, "HG-FINT-013") == ["fail"] and st(tmp_path, "HG-FINT-003") == ["skip"]
    write(tmp_path, "usr/bin/aide", "", mode=0o755)
    assert st(tmp_path, "HG-FINT-013") == ["pass"]
    assert st(tmp_path, "HG-FINT-003") == ["fail"]
    write(tmp_path, "etc/aide/aide.conf", "@@define DBDIR /var/lib/aide\ndatabase_in=file:@@{DBDIR}/aide.db\nNORMAL = sha512\n")
    assert st(tmp_path, "HG-FINT-003") == ["pass"] and st(tmp_path, "HG-FINT-004") == ["fail"]
    assert st(tmp_path, "HG-FINT-011") == ["pass"]
    write(tmp_path, "var/lib/aide/aide.db", "x")
    assert st(tmp_path, "HG-FINT-004") == ["pass"]
