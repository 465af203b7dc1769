"""Area nameservices: NAME-4406 on fixture trees."""
import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.nameservices.hosts import name_finding
from ansible_collections.hostguard.hardening.plugins.module_utils.nameservices.parse_hosts import hosts_lines_mapping_hostname
from conftest import write  # noqa: E402


# ------------------------------------------------------------------ NAME-4406

@pytest.mark.parametrize("hosts,flagged", [
    ("127.0.0.1 localhost\n127.0.1.1 web1.example.com web1\n", False),
    ("127.0.0.1 localhost web1\n", True),
    ("::1 localhost ip6-localhost web1.example.com\n", True),
    ("127.0.0.1 web1\n", True),
    ("10.0.0.5 web1\n# 127.0.0.1 localhost web1\n", False),
    ("127.0.0.1 localhost web10\n", False),
])
def test_hostname_on_localhost_line(hosts, flagged):
    hits = hosts_lines_mapping_hostname(hosts.splitlines(), "web1")
    assert bool(hits) is flagged


def test_name_finding_reads_hostname_file(tmp_path):
    write(tmp_path, "/etc/hostname", "web1\n")
    write(tmp_path, "/etc/hosts", "::1 localhost web1\n")
    assert name_finding({"root": str(tmp_path)})["status"] == "fail"


def test_duplicate_hosts_lines_and_entry_for_the_server(tmp_path):
    from ansible_collections.hostguard.hardening.plugins.module_utils.nameservices.hosts import hosts_file_findings
    write(tmp_path, "/etc/hostname", "web1.example.org\n")
    write(tmp_path, "/etc/hosts", "127.0.0.1 localhost\n127.0.0.1 localhost other\n::1 localhost web1\n# c d\n")
    f = dict((x["id"], x) for x in hosts_file_findings({"root": str(tmp_path)}))
    assert f["HG-NAME-002"]["evidence"]["duplicates"] == ["127.0.0.1 localhost"]
    assert f["HG-NAME-003"]["status"] == "fail"
    write(tmp_path, "/etc/hosts", "127.0.0.1 localhost\n10.0.0.5 WEB1.example.org web1\n")
    f = dict((x["id"], x) for x in hosts_file_findings({"root": str(tmp_path)}))
    assert f["HG-NAME-002"]["status"] == "pass" and f["HG-NAME-003"]["status"] == "pass"
