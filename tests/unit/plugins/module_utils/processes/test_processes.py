from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.processes import AREA


def test_zombie_and_iowait(tmp_path):
    for pid, state in ((10, "S"), (11, "Z"), (12, "D")):
        write(tmp_path, "proc/%d/comm" % pid, "p%d\n" % pid)
        write(tmp_path, "proc/%d/cmdline" % pid, "/bin/p\0")
        write(tmp_path, "proc/%d/stat" % pid, "%d (p) with) paren) %s 1 1\n" % (pid, state))
    got = dict((f["id"], f) for f in AREA.run({"root": str(tmp_path)})["findings"])
    assert got["HG-PROC-002"]["evidence"]["zombies"] == ["11(p11)"]
    assert got["HG-PROC-003"]["evidence"]["waiting"] == ["12(p12)"]
