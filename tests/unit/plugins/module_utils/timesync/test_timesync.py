import os
import time

from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.timesync import AREA


def st(root):
    return dict((f["id"], f["status"]) for f in AREA.run({"root": str(root)})["findings"])


def test_timesyncd(tmp_path):
    assert st(tmp_path)["HG-TIME-001"] == "fail"
    write(tmp_path, "proc/9/comm", "systemd-timesyn\n")
    write(tmp_path, "proc/9/cmdline", "/lib/systemd/systemd-timesyncd\0")
    got = st(tmp_path)
    assert got["HG-TIME-001"] == "pass" and got["HG-TIME-002"] == "fail"
    path = write(tmp_path, "run/systemd/timesync/synchronized", "")
    assert st(tmp_path)["HG-TIME-002"] == "pass"
    old = time.time() - 5000
    os.utime(path, (old, old))
    assert st(tmp_path)["HG-TIME-002"] == "fail"


def test_world_writable_config(tmp_path):
    write(tmp_path, "etc/systemd/timesyncd.conf", "[Time]\n", mode=0o666)
    assert st(tmp_path)["HG-TIME-004"] == "fail"
