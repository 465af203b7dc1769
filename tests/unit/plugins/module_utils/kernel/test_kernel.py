from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.kernel import AREA


def st(root):
    return dict((f["id"], f["status"]) for f in AREA.run({"root": str(root)})["findings"])


def test_core_dumps(tmp_path):
    write(tmp_path, "etc/security/limits.conf", "# nothing\n")
    assert st(tmp_path)["HG-KRNL-009"] == "fail"
    write(tmp_path, "etc/security/limits.d/core.conf", "* hard core 0\n")
    assert st(tmp_path)["HG-KRNL-009"] == "pass"
    write(tmp_path, "etc/systemd/coredump.conf.d/x.conf", "[Coredump]\nStorage=external\nProcessSizeMax=2G\n")
    assert st(tmp_path)["HG-KRNL-009"] == "fail"


def test_vmlinuz_and_reboot(tmp_path):
    write(tmp_path, "usr/bin/apt-cache", "", mode=0o755)
    assert st(tmp_path)["HG-KRNL-008"] == "fail"
    write(tmp_path, "run/.containerenv", "")
    assert st(tmp_path)["HG-KRNL-008"] == "skip"
    write(tmp_path, "proc/sys/kernel/osrelease", "6.1.0-10-amd64\n")
    write(tmp_path, "boot/vmlinuz-6.1.0-10-amd64", "")
    assert st(tmp_path)["HG-KRNL-010"] == "pass"
    write(tmp_path, "boot/vmlinuz-6.1.0-13-amd64", "")
    assert st(tmp_path)["HG-KRNL-010"] == "fail"
