"""Area mail: Lynis MAIL-8802/8814/8838/8860/8880 inventories and MAIL-8817 (postconf warnings)."""
from ansible_collections.hostguard.hardening.plugins.module_utils.mail import daemons


class FakeHost(object):
    def __init__(self, procs, postconf_out="", binaries=("postfix", "postconf")):
        self.procs, self.out, self.binaries, self.ran = procs, postconf_out, binaries, []

    def processes(self):
        return self.procs

    def running(self, *names):
        return [p for p in self.procs if p["comm"] in names]

    def which(self, name):
        return "/usr/sbin/" + name if name in self.binaries else None

    def run(self, argv):
        self.ran.append(argv)
        return {"rc": 0, "stdout": self.out, "stderr": "", "error": None}


MASTER = {"pid": 77, "comm": "master", "argv": ["/usr/lib/postfix/sbin/master", "-w"]}


def by_id(findings):
    return dict((f["id"], f) for f in findings)


def test_postfix_master_found_by_its_ps_line():
    f = by_id(daemons.daemon_findings(FakeHost([MASTER, {"pid": 5, "comm": "master", "argv": ["/usr/bin/master"]}])))
    assert f["HG-MAIL-003"]["evidence"] == {"pids": [77]} and f["HG-MAIL-002"]["evidence"] == {"pids": []}
    assert all(x["severity"] == "info" and x["status"] == "pass" for x in f.values())


def test_postconf_warning_is_a_suggestion_only_with_postfix_running():
    assert daemons.postconf_warning_finding(FakeHost([]))["status"] == "skip"
    host = FakeHost([MASTER], "alias_database = hash:/etc/aliases\n/usr/sbin/postconf: warning: /etc/postfix/main.cf,"
                              " line 12: overriding earlier entry: inet_protocols=all\n")
    f = daemons.postconf_warning_finding(host)
    assert host.ran == [["/usr/sbin/postconf"]]
    assert f["status"] == "fail" and "overriding earlier entry" in f["detail"] and f["references"]["lynis"] == "MAIL-8817"
    assert daemons.postconf_warning_finding(FakeHost([MASTER], "mail_name = Postfix\n"))["status"] == "pass"
    assert daemons.postconf_warning_finding(FakeHost([MASTER], binaries=("postconf",)))["status"] == "skip"
