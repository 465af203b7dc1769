"""Area packages: dpkg status and apt lists fixtures."""
import hashlib

from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.packages import AREA
from ansible_collections.hostguard.hardening.plugins.module_utils.packages.debversion import compare

STATUS = """Package: openssl
Status: install ok installed
Version: 3.0.11-1~deb12u1
Architecture: amd64

Package: oldpkg
Status: deinstall ok config-files
Version: 1.0

Package: sudo
Status: install ok installed
Version: 1.9.13p3-1+deb12u1
"""


def status(result, check_id):
    return [f["status"] for f in result["findings"] if f["id"] == check_id]


def base(root):
    write(root, "var/lib/dpkg/status", STATUS)
    write(root, "usr/bin/dpkg", "", mode=0o755)
    write(root, "usr/bin/apt-get", "", mode=0o755)


def test_debversion():
    assert compare("1.0~rc1", "1.0") < 0
    assert compare("3.0.11-1~deb12u2", "3.0.11-1~deb12u1") > 0
    assert compare("1:0.1", "2.0") > 0
    assert compare("1.9.13p3-1+deb12u1", "1.9.13p3-1+deb12u1") == 0


def test_unpurged_and_security_updates(tmp_path):
    base(tmp_path)
    write(tmp_path, "var/lib/apt/lists/deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages",
          "Package: openssl\nVersion: 3.0.11-1~deb12u2\n\nPackage: notinstalled\nVersion: 9\n")
    result = AREA.run({"root": str(tmp_path), "integrity_packages": []})
    assert status(result, "HG-PKGS-002") == ["fail"]
    upd = [f for f in result["findings"] if f["id"] == "HG-PKGS-006"][0]
    assert upd["status"] == "fail" and upd["evidence"]["packages"] == ["openssl 3.0.11-1~deb12u1 -> 3.0.11-1~deb12u2"]


def test_security_repo_one_line_and_deb822(tmp_path):
    base(tmp_path)
    write(tmp_path, "etc/apt/sources.list", "deb http://deb.debian.org/debian bookworm main\n")
    (tmp_path / "etc/apt/sources.list.d").mkdir()
    assert status(AREA.run({"root": str(tmp_path), "integrity_packages": []}), "HG-PKGS-004") == ["fail"]
    write(tmp_path, "etc/apt/sources.list.d/debian.sources",
          "Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\n")
    assert status(AREA.run({"root": str(tmp_path), "integrity_packages": []}), "HG-PKGS-004") == ["pass"]


def test_unattended_upgrades(tmp_path):
    base(tmp_path)
    assert status(AREA.run({"root": str(tmp_path), "integrity_packages": []}), "HG-PKGS-010") == ["fail"]
    write(tmp_path, "usr/bin/unattended-upgrade", "", mode=0o755)
    assert status(AREA.run({"root": str(tmp_path), "integrity_packages": []}), "HG-PKGS-010") == ["pass"]


def test_integrity_detects_changed_file(tmp_path):
    base(tmp_path)
    write(tmp_path, "usr/bin/sudo", b"genuine")
    write(tmp_path, "var/lib/dpkg/info/sudo.md5sums", "%s  usr/bin/sudo\n" % hashlib.md5(b"genuine").hexdigest())
    result = AREA.run({"root": str(tmp_path), "integrity_packages": ["sudo"]})
    assert status(result, "HG-PKGS-011") == ["pass"]
    write(tmp_path, "usr/bin/sudo", b"trojaned")
    found = [f for f in AREA.run({"root": str(tmp_path), "integrity_packages": ["sudo"]})["findings"]
             if f["id"] == "HG-PKGS-011"][0]
    assert found["status"] == "fail" and found["evidence"]["changed"] == ["/usr/bin/sudo"]


def test_broken_package_state(tmp_path):
    base(tmp_path)
    write(tmp_path, "var/lib/dpkg/status", STATUS + "\nPackage: half\nStatus: install ok half-configured\nVersion: 1\n")
    assert status(AREA.run({"root": str(tmp_path), "integrity_packages": []}), "HG-PKGS-005") == ["fail"]
