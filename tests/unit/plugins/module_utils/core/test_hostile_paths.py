"""Issue 17: odd /proc entries and NUL bytes in paths are clear errors, never crashes."""
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.core import procfs, safe_read
from procfixture import write


def test_superscript_two_in_proc_is_not_a_pid(tmp_path):
    root = str(tmp_path)
    for name in ("\u00b2", "\u0663", "12", "0x10", "7a", "00042"):
        write(root, "/proc/%s/comm" % name, "x\n")
    pids, truncated = procfs.list_pids(root)
    assert pids == [12, 42] and not truncated


@pytest.mark.parametrize("reader", [safe_read.lstat_info, safe_read.open_regular,
                                    lambda p: safe_read.read_head(p, 10),
                                    lambda p: list(safe_read.iter_lines(p))])
def test_nul_in_path_is_a_safe_read_error(reader, tmp_path):
    with pytest.raises(safe_read.SafeReadError) as exc:
        reader(str(tmp_path / "a") + "\x00/etc/shadow")
    assert exc.value.reason == "invalid_path"


def test_nul_in_symlink_resolution(tmp_path):
    out = safe_read.resolve_symlink(str(tmp_path), str(tmp_path) + "/x\x00y")
    assert out["status"] == "broken" and out["resolved"] is None


def test_directory_links_are_listed_inside_root(tmp_path):
    """sysctl.d and a unit's drop-in directory as absolute links to a host directory: the host
    directory is never listed (its names never reach the audit); issue 17."""
    import json
    from ansible_collections.hostguard.hardening.plugins.module_utils.core import systemd_units
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.registry import REGISTRY
    host = tmp_path / "host"
    write(str(host), "/sysctl.d/77-host-only.conf", "kernel.sysrq = 1\n")
    write(str(host), "/x.service.d/77-host-only.conf", "[Service]\nExecStart=/tmp/host\n")
    root = tmp_path / "root"
    write(str(root), "/etc/systemd/system/x.service", "[Service]\nExecStart=/bin/true\n")
    os.symlink(str(host / "sysctl.d"), str(root / "etc" / "sysctl.d"))
    os.symlink(str(host / "x.service.d"), str(root / "etc/systemd/system/x.service.d"))
    result = REGISTRY["sysctl"].run({"root": str(root)})
    assert "77-host-only" not in json.dumps(result)
    unit = systemd_units.find_unit(str(root), "x.service")
    assert unit["dropins"] == []


def test_baseline_host_reads_nothing_through_a_directory_link_out_of_root(tmp_path):
    """Issue 17: <root>/etc/d -> a host directory; Host.read/stat/listdir and hostio resolve it
    inside root (there: missing), never the host's file."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.core import hostio
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host
    host_dir = tmp_path / "host"
    write(str(host_dir), "/login.defs", "HOST-ONLY-MARKER\n")
    root = tmp_path / "root"
    write(str(root), "/etc/d2/inside.conf", "INSIDE\n")
    os.symlink(str(host_dir), str(root / "etc" / "d"))
    os.symlink("/etc/d2", str(root / "etc" / "d3"))           # a link inside root still works
    host = Host(str(root))
    assert host.read("/etc/d/login.defs") is None and host.stat("/etc/d/login.defs") is None
    assert host.listdir("/etc/d") == []
    assert host.read("/etc/d3/inside.conf") == "INSIDE\n" and host.listdir("/etc/d3") == ["inside.conf"]
    with pytest.raises(safe_read.SafeReadError):
        hostio.read_text_lines(str(root), "/etc/d/login.defs")
    assert hostio.read_text_lines(str(root), "/etc/d3/inside.conf") == ["INSIDE"]
    assert hostio.list_dir(str(root), "/etc/d/") == []


def test_host_lstat_packages_certs_and_md5_never_go_through_a_link_out_of_root(tmp_path):
    """Issue 17, the rest of Host: ``lstat``, the dpkg status (``packages``), the certificate
    read of crypto and the md5 read of packages joined root and the path and let the host's
    kernel follow the links on the way, so ``<root>/var/lib -> <host>/var/lib`` audited the
    host's package list and ``<root>/etc/ssl -> <host>/etc/ssl`` its certificates."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host
    from ansible_collections.hostguard.hardening.plugins.module_utils.crypto.checks import open_bytes
    from ansible_collections.hostguard.hardening.plugins.module_utils.packages.checks import verify_md5sums
    host_dir = tmp_path / "host"
    write(str(host_dir), "/lib/dpkg/status", "Package: host-only\nStatus: install ok installed\nVersion: 1\n\n")
    write(str(host_dir), "/sbin/sshd", "HOST-ONLY-BINARY\n")
    write(str(host_dir), "/ssl/certs/host.pem", "HOST-ONLY-CERT\n")
    root = tmp_path / "root"
    (root / "var").mkdir(parents=True)
    (root / "etc").mkdir()
    os.symlink(str(host_dir / "lib"), str(root / "var" / "lib"))
    os.symlink(str(host_dir / "ssl"), str(root / "etc" / "ssl"))
    write(str(root), "/usr/lib/x/inside.pem", "INSIDE-CERT\n")
    write(str(root), "/srv/dpkg/info/openssh-server.md5sums", "0" * 32 + "  usr/sbin/sshd\n")
    os.symlink(str(host_dir / "sbin"), str(root / "usr" / "sbin"))
    os.symlink("/usr/lib/x", str(root / "usr" / "y"))            # a link inside root still works
    host = Host(str(root))
    assert host.lstat("/var/lib/dpkg/status") is None and host.lstat("/etc/ssl/certs/host.pem") is None
    assert host.lstat("/usr/y/inside.pem")["type"] == "file" and host.lstat("/usr/y")["type"] == "symlink"
    assert host.packages() == {}
    with pytest.raises(safe_read.SafeReadError):
        open_bytes(host, "/etc/ssl/certs/host.pem")
    assert open_bytes(host, "/usr/y/inside.pem") == b"INSIDE-CERT\n"
    # the md5sums list usr/sbin/sshd, and <root>/usr/sbin is a link to the host's directory
    (root / "var" / "lib").unlink()
    os.symlink("/srv", str(root / "var" / "lib"))                 # inside root: followed
    assert verify_md5sums(Host(str(root)), "openssh-server", 1 << 20) == (0, [], 0)


def test_accounts_and_package_lists_are_read_inside_root(tmp_path):
    """``<root>/etc -> <host>/etc``: core.accounts read the host's passwd (its users named the
    image's files and processes); persistence's package-list stream opened the path joined to
    root, i.e. the host's list, though it had resolved (and sized) the image's one."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.core import accounts
    from ansible_collections.hostguard.hardening.plugins.module_utils.persistence import packages
    host_dir = tmp_path / "host"
    write(str(host_dir), "/etc/passwd", "hostonly:x:0:0::/root:/bin/sh\n")
    write(str(host_dir), "/lib/dpkg/info/x.list", "/host/only\n")
    root = tmp_path / "root"
    write(str(root), str(host_dir) + "/lib/dpkg/info/x.list", "/image/own\n")
    (root / "var").mkdir()
    os.symlink(str(host_dir / "etc"), str(root / "etc"))
    os.symlink(str(host_dir / "lib"), str(root / "var" / "lib"))
    assert accounts.load_id_map(str(root), "/etc/passwd")[:2] == ({}, {})
    assert accounts.load_users(str(root))[0] == []
    budget = {"left": 1 << 20, "exhausted": False, "errors": 0}
    assert list(packages._stream(str(root), "/var/lib/dpkg/info/x.list", budget)) == [b"/image/own"]


def test_find_executable_resolves_directory_links_inside_root(tmp_path):
    """``/usr/sbin`` as an absolute link to a host directory holding ``sshd``: the host binary is
    not the audited system's; ``/sbin -> usr/sbin`` inside root still finds the root's own."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.core import hostio
    host = tmp_path / "host"
    root = tmp_path / "root"
    write(str(host), "/sbin/sshd", "#!/bin/sh\n")
    os.chmod(str(host / "sbin" / "sshd"), 0o755)
    (root / "usr").mkdir(parents=True)
    os.symlink(str(host / "sbin"), str(root / "usr" / "sbin"))
    assert hostio.find_executable(str(root), ["sshd"], dirs=("/usr/sbin",)) is None
    write(str(root), "/usr/lib/own/sshd", "#!/bin/sh\n")
    os.chmod(str(root / "usr" / "lib" / "own" / "sshd"), 0o755)
    os.symlink("usr/lib/own", str(root / "sbin"))
    assert hostio.find_executable(str(root), ["sshd"], dirs=("/usr/sbin", "/sbin")) == "/sbin/sshd"
    os.chmod(str(root / "usr" / "lib" / "own" / "sshd"), 0o644)
    assert hostio.find_executable(str(root), ["sshd"], dirs=("/sbin",)) is None


def test_directories_that_are_links_inside_root_are_read_like_the_system_reads_them(tmp_path):
    """``/etc/profile.d``, ``/etc/modprobe.d`` and ``/etc/pam.d`` as links to other directories
    of the image: the shell, modprobe and libpam follow them; the audit listed nothing there
    (hostio.list_dir and HG-AUTH-025 did not follow the last link), so ``umask 000`` in
    profile.d was not seen and pam.d was 'no /etc/pam.d directory'."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.auth.pam_syntax import pam_line_findings
    from ansible_collections.hostguard.hardening.plugins.module_utils.auth.profile_umask import profile_umask_finding
    from ansible_collections.hostguard.hardening.plugins.module_utils.core import modprobe
    root = tmp_path / "root"
    write(str(root), "/usr/share/image/profile.d/zz.sh", "umask 000\n")
    write(str(root), "/usr/lib/image/modprobe.d/usb.conf", "install usb-storage /bin/true\n")
    write(str(root), "/usr/lib/image/pam.d/login", "auth bogus pam_unix.so\n")
    (root / "etc").mkdir()
    os.symlink("/usr/share/image/profile.d", str(root / "etc" / "profile.d"))
    os.symlink("../usr/lib/image/modprobe.d", str(root / "etc" / "modprobe.d"))
    os.symlink("/usr/lib/image/pam.d", str(root / "etc" / "pam.d"))
    umask = profile_umask_finding(str(root))
    assert umask["status"] == "fail" and umask["evidence"]["umasks"][0]["file"] == "/etc/profile.d/zz.sh"
    assert modprobe.module_state(str(root))["disabled"] == {"usb_storage": ("/etc/modprobe.d/usb.conf", "/bin/true")}
    [pam] = pam_line_findings(str(root))
    assert pam["status"] == "fail" and pam["evidence"]["files"] == 1


def test_a_baseline_check_never_passes_on_a_file_host_read_cut(tmp_path):
    """Host.read stops at 1 MiB; a journald drop-in with 2 MiB of comment before
    ``Storage=volatile`` graded HG-LOGG-018 a pass (journald reads it whole). A check that read
    a cut file now gives "not verified: <path>: only the first N of M bytes read" instead of a
    pass, and names the cut on its other findings; a head read of /proc or /sys is no cut."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host, run_evaluators
    from ansible_collections.hostguard.hardening.plugins.module_utils.logs.spec import CHECKS
    write(str(tmp_path), "/lib/systemd/systemd-journald", "#!/bin/sh\n")
    (tmp_path / "var/log/journal").mkdir(parents=True)
    write(str(tmp_path), "/etc/systemd/journald.conf.d/zz.conf", "#" + "x" * (2 << 20) + "\n[Journal]\nStorage=volatile\n")
    write(str(tmp_path), "/sys/fs/selinux/enforce", "1" * 100)
    [journal] = [f for f in run_evaluators(CHECKS, Host(str(tmp_path)))["findings"] if f["id"] == "HG-LOGG-018"]
    assert journal["status"] == "error"
    assert journal["detail"].startswith("not verified: /etc/systemd/journald.conf.d/zz.conf: only the first 1048576 of")
    assert journal["evidence"]["not_fully_read"] and journal["evidence"]["storage"] == "auto"
    host = Host(str(tmp_path))
    assert host.read("/sys/fs/selinux/enforce", 16) == "1" * 16 and host.cut == []


def test_a_profile_script_past_the_read_cap_is_never_a_pass_or_a_skip(tmp_path):
    """hostio.read_existing_files read 256 KiB of each profile script and said nothing of the
    rest: 300 KiB of comment before ``umask 000`` in profile.d gave the strict /etc/profile
    umask a pass (or, with none set, a skip). The cut is a problem and HG-AUTH-004 an error."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.auth.profile_umask import profile_umask_finding
    write(str(tmp_path), "/etc/profile", "umask 027\n")
    write(str(tmp_path), "/etc/profile.d/00-pad.sh", "#" + "x" * (300 << 10) + "\numask 000\n")
    finding = profile_umask_finding(str(tmp_path))
    assert finding["status"] == "error" and "00-pad.sh: only the first 262144 of" in finding["detail"]
    assert any("00-pad.sh: only the first" in p for p in finding["evidence"]["problems"])
    os.remove(str(tmp_path / "etc/profile"))
    assert profile_umask_finding(str(tmp_path))["status"] == "error"


def test_a_pam_file_past_the_read_cap_is_unreadable_not_a_pass(tmp_path):
    """libpam reads a pam.d file whole; HG-AUTH-025 read 256 KiB and passed on them, so a line
    libpam cannot use after 300 KiB of comment was never graded. It is an unreadable file now."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.auth.pam_syntax import pam_line_findings
    write(str(tmp_path), "/etc/pam.d/login", "#" + "x" * (300 << 10) + "\nauth bogus pam_unix.so\n")
    [pam] = pam_line_findings(str(tmp_path))
    assert pam["status"] == "fail" and pam["evidence"]["files"] == 1
    assert pam["evidence"]["unreadable"] == ["/etc/pam.d/login: only the first 262144 of %d bytes read" % (300 * 1024 + 25)]


def test_passwd_login_defs_and_sudoers_past_the_read_cap_are_not_verified(tmp_path, monkeypatch):
    """The uid-0 check read 4 MiB of /etc/passwd, login.defs and sudoers 256 KiB, and graded the
    head as the file: a second uid-0 account, a PASS_MAX_DAYS (the last one wins) or a line sudo
    cannot parse after the cut passed. Each is now an error (sudoers: unreadable, a fail)."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.auth import accounts as auth_accounts
    from ansible_collections.hostguard.hardening.plugins.module_utils.auth.audit import audit
    monkeypatch.setattr(auth_accounts, "MAX_ACCOUNT_FILE", 4096)    # the same cut, a small file
    write(str(tmp_path), "/etc/passwd", "root:x:0:0::/root:/bin/sh\n"
          + "".join("u%d:x:%d:%d::/:/bin/false\n" % (i, 1000 + i, 1000 + i) for i in range(300)) + "evil:x:0:0::/:/bin/sh\n")
    write(str(tmp_path), "/etc/login.defs", "PASS_MAX_DAYS 90\n#" + "x" * (300 << 10) + "\nPASS_MAX_DAYS 99999\n")
    write(str(tmp_path), "/etc/sudoers", "root ALL=(ALL) ALL\n#" + "x" * (300 << 10) + "\nthis is not sudoers\n")
    findings = audit({"root": str(tmp_path)})["findings"]
    by_id = {}
    for finding in findings:
        by_id.setdefault(finding["id"], []).append(finding)
    for check_id in ("HG-AUTH-001", "HG-AUTH-002", "HG-AUTH-003", "HG-AUTH-015", "HG-AUTH-005", "HG-AUTH-006"):
        [finding] = by_id[check_id]
        assert finding["status"] == "error" and "not verified (the unread tail" in finding["detail"], finding
    [sudo] = by_id["HG-AUTH-026"]
    assert sudo["status"] == "fail" and "not verified" in sudo["evidence"]["unreadable"][0]
