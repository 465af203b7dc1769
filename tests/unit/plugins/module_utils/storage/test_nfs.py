"""Area storage: Lynis STRG-1920/1926/1928 (NFS daemon, exports) on fixture /proc trees."""
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host
from ansible_collections.hostguard.hardening.plugins.module_utils.storage import nfs
from conftest import write  # noqa: E402


def by_id(findings):
    return dict((f["id"], f) for f in findings)


def proc(tmp_path, pid, comm, cmdline=b""):
    write(tmp_path, "/proc/%d/comm" % pid, comm + "\n")
    write(tmp_path, "/proc/%d/cmdline" % pid, cmdline)


def test_no_nfs_daemon_skips_the_exports_tests(tmp_path):
    proc(tmp_path, 1, "systemd", b"/sbin/init\x00")
    f = by_id(nfs.nfs_findings(Host(str(tmp_path))))
    assert f["HG-STRG-003"]["evidence"]["running"] is False
    assert f["HG-STRG-004"]["status"] == "skip" and f["HG-STRG-005"]["status"] == "skip"


def test_nfsd_kernel_thread_with_empty_exports_fails(tmp_path):
    proc(tmp_path, 1, "systemd", b"/sbin/init\x00")
    proc(tmp_path, 812, "nfsd")                                   # kernel thread: [nfsd]
    write(tmp_path, "/etc/exports", "# /srv/nfs4 gss/krb5i(rw,sync)\n\n")
    f = by_id(nfs.nfs_findings(Host(str(tmp_path))))
    assert f["HG-STRG-003"]["evidence"] == {"running": True, "processes": ["812 nfsd"]}
    assert f["HG-STRG-005"]["status"] == "fail" and f["HG-STRG-005"]["references"]["lynis"] == "STRG-1928"
    write(tmp_path, "/etc/exports", "/srv 192.0.2.0/24(ro)\n")
    f = by_id(nfs.nfs_findings(Host(str(tmp_path))))
    assert f["HG-STRG-004"]["evidence"]["lines"] == ["/srv 192.0.2.0/24(ro)"]
    assert f["HG-STRG-005"]["status"] == "pass"


def test_no_exports_file_is_no_suggestion(tmp_path):
    proc(tmp_path, 900, "rpc.mountd", b"/usr/sbin/rpc.mountd\x00--manage-gids\x00")
    proc(tmp_path, 901, "nfsdcld", b"/usr/sbin/nfsdcld\x00")
    f = by_id(nfs.nfs_findings(Host(str(tmp_path))))
    assert f["HG-STRG-005"]["status"] == "pass" and f["HG-STRG-005"]["evidence"]["exists"] is False
