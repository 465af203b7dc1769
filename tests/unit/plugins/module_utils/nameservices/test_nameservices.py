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


