"""Area nameservices: Lynis NAME-4016/4018/4020/4028 and the daemon inventories (issue 15)."""
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host
from ansible_collections.hostguard.hardening.plugins.module_utils.nameservices import resolver
from conftest import write  # noqa: E402


def by_id(findings):
    return dict((f["id"], f) for f in findings)


def test_resolv_conf_as_lynis_reads_it(tmp_path):
    f = by_id(resolver.resolv_findings(Host(str(tmp_path))))
    assert f["HG-NAME-005"]["status"] == "skip" and f["HG-NAME-004"]["evidence"] == {"exists": False}
    write(tmp_path, "/etc/resolv.conf", "domain example.org\nsearch a.example b.example\noptions rotate timeout:1\n"
                                        "nameserver 192.0.2.53\n")
    f = by_id(resolver.resolv_findings(Host(str(tmp_path))))
    assert f["HG-NAME-004"]["evidence"] == {"domain": ["example.org"]}
    assert f["HG-NAME-005"]["status"] == "pass" and f["HG-NAME-005"]["evidence"]["search_lines"] == 1
    assert f["HG-NAME-006"]["evidence"] == {"options": ["rotate"]}     # awk $2: the first option only
    write(tmp_path, "/etc/resolv.conf", "search a.example\nsearch b.example\n")
    f = by_id(resolver.resolv_findings(Host(str(tmp_path))))
    assert f["HG-NAME-005"]["status"] == "fail" and f["HG-NAME-005"]["references"]["lynis"] == "NAME-4018"


def test_domain_name_from_resolv_conf_then_fqdn(tmp_path):
    write(tmp_path, "/etc/hostname", "web1\n")
    f = resolver.domain_name_finding(Host(str(tmp_path)))
    assert f["status"] == "fail" and f["evidence"]["source"] == "FQDN 'web1'"
    write(tmp_path, "/etc/hostname", "web1.example.org\n")
    f = resolver.domain_name_finding(Host(str(tmp_path)))
    assert f["status"] == "pass" and f["evidence"]["domain"] == "example"      # Lynis: awk -F. $2
    write(tmp_path, "/etc/resolv.conf", "domain corp.example\n")
    f = resolver.domain_name_finding(Host(str(tmp_path)))
    assert f["evidence"] == {"domain": "corp.example", "source": "/etc/resolv.conf"}


def test_daemon_inventories(tmp_path):
    f = by_id(resolver.daemon_findings(Host(str(tmp_path))))
    assert sorted(f) == ["HG-NAME-008", "HG-NAME-009", "HG-NAME-010", "HG-NAME-011", "HG-NAME-012"]
    assert all(x["status"] == "pass" and x["severity"] == "info" and not x["evidence"]["running"] for x in f.values())
    assert f["HG-NAME-012"]["references"]["lynis"] == "NAME-4304"
