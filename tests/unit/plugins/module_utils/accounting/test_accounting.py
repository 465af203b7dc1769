from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.accounting import AREA


def st(root):
    return dict((f["id"], f["status"]) for f in AREA.run({"root": str(root)})["findings"])


def test_accounting(tmp_path):
    got = st(tmp_path)
    assert got["HG-ACCT-001"] == "fail" and got["HG-ACCT-002"] == "fail" and got["HG-ACCT-003"] == "fail"
    write(tmp_path, "var/log/account/pacct", "")
    write(tmp_path, "etc/default/sysstat", 'ENABLED="true"\n')
    got = st(tmp_path)
    assert got["HG-ACCT-001"] == "pass" and got["HG-ACCT-002"] == "pass"


def test_auditd_rules(tmp_path):
    write(tmp_path, "proc/5/comm", "auditd\n")
    write(tmp_path, "proc/5/cmdline", "/sbin/auditd\0")
    write(tmp_path, "sbin/auditctl", "", mode=0o755)
    write(tmp_path, "etc/audit/rules.d/audit.rules", "-D\n-b 8192\n")
    assert st(tmp_path)["HG-ACCT-004"] == "fail"
    write(tmp_path, "etc/audit/rules.d/audit.rules", "-w /etc/passwd -p wa -k identity\n")
    assert st(tmp_path)["HG-ACCT-004"] == "pass"
