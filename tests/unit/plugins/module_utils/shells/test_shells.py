from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.shells import AREA


def st(root):
    return dict((f["id"], f["status"]) for f in AREA.run({"root": str(root)})["findings"])


def test_tmout_and_umask(tmp_path):
    write(tmp_path, "etc/profile", "umask 022\n")
    got = st(tmp_path)
    assert got["HG-SHLL-002"] == "fail" and got["HG-SHLL-003"] == "fail"
    write(tmp_path, "etc/profile", "umask 027\n")
    write(tmp_path, "etc/profile.d/tmout.sh", "readonly TMOUT=900\nexport TMOUT\n")
    got = st(tmp_path)
    assert got["HG-SHLL-002"] == "pass" and got["HG-SHLL-003"] == "pass"
