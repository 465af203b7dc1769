from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.tooling import AREA


def st(root, cid):
    return [f["status"] for f in AREA.run({"root": str(root)})["findings"] if f["id"] == cid]


def test_automation_and_fail2ban(tmp_path):
    assert st(tmp_path, "HG-TOOL-001") == ["fail"]
    (tmp_path / "etc/ansible").mkdir(parents=True)
    assert st(tmp_path, "HG-TOOL-001") == ["pass"]
    for name in ("fail2ban-server", "fail2ban-client"):
        write(tmp_path, "usr/bin/" + name, "", mode=0o755)
    write(tmp_path, "etc/fail2ban/jail.conf", "[DEFAULT]\nenabled = false\n[sshd]\nport = ssh\n")
    assert st(tmp_path, "HG-TOOL-003") == ["fail"]
    write(tmp_path, "etc/fail2ban/jail.d/sshd.local", "[sshd]\nenabled = true\n")
    assert st(tmp_path, "HG-TOOL-003") == ["pass"]
