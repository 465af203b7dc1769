"""rpm package ownership and checksums from rpmdb.sqlite (stdlib sqlite3, read-only, immutable):
a real header written by rpm 4.18 (tests/fixtures/rpm), hostile databases and headers, and the
formats that are not read (reported, never a silent skip)."""
import os
import sqlite3

from hypothesis import given, settings, strategies as st

from ansible_collections.hostguard.hardening.plugins.module_utils.persistence import AREA, rpmdb

from conftest import write
import persistence_tree as pt
import rpm_header

SERVICE = b"[Service]\nExecStart=/usr/bin/hgrpm-tool\n"     # what hgrpm.spec writes


def run(root, **options):
    return AREA.run(dict(options, root=str(root), sections=["systemd"]))


def by_id(result, check_id):
    return [f for f in result["findings"] if f["id"] == check_id]


def unit_fact(result, name):
    return [u for u in result["facts"]["systemd"]["units"] if u["name"] == name and u["scope"] == "system"][0]


def rpm_root(tmp_path, dbdir="/var/lib/rpm"):
    root = pt.base(tmp_path)
    os.rmdir(os.path.join(str(root), "var/lib/dpkg/info"))      # an rpm host: no dpkg
    rpm_header.rpmdb(root, [rpm_header.fixture_header()], dbdir)
    write(root, "/usr/lib/systemd/system/hgrpm.service", SERVICE.decode())
    return root


def test_real_rpm_header_lists_its_files_with_sha256_digests():
    name, files, algo = rpmdb.header_files(rpm_header.fixture_header())
    assert name == "hgrpm" and algo == "sha256"
    by_path = dict((p, (d, f)) for p, d, f in files)
    assert sorted(by_path) == [b"/etc/hgrpm.conf", b"/usr/bin/hgrpm-tool", b"/usr/lib/systemd/system/hgrpm.service"]
    assert by_path[b"/usr/lib/systemd/system/hgrpm.service"][0] == __import__("hashlib").sha256(SERVICE).hexdigest()
    assert by_path[b"/etc/hgrpm.conf"][1] & rpmdb.RPMFILE_CONFIG
    assert not by_path[b"/usr/bin/hgrpm-tool"][1] & rpmdb.RPMFILE_CONFIG


def test_rpm_owned_unit_is_owned_and_unmodified_and_an_unowned_one_is_flagged(tmp_path):
    root = rpm_root(tmp_path)
    pt.unit(root, "/usr/lib/systemd/system/planted.service", pt.service("/usr/bin/true"))
    out = run(root)
    assert unit_fact(out, "hgrpm.service")["package"] == "hgrpm"
    assert out["facts"]["packages"]["complete"] is True and out["facts"]["packages"]["rpm"] is True
    assert [f["subject"] for f in by_id(out, "HG-PERS-003")] == ["/usr/lib/systemd/system/planted.service"]
    assert not by_id(out, "HG-PERS-044") and not by_id(out, "HG-PERS-046")


def test_modified_rpm_file_differs_from_its_sha256(tmp_path):
    root = rpm_root(tmp_path)
    write(root, "/usr/lib/systemd/system/hgrpm.service", SERVICE.decode() + "ExecStartPre=/dev/shm/x\n")
    (hit,) = by_id(run(root), "HG-PERS-044")
    assert hit["subject"] == "/usr/lib/systemd/system/hgrpm.service" and hit["evidence"]["package"] == "hgrpm"


def test_sysimage_database_through_the_var_lib_rpm_link_is_read_once(tmp_path):
    root = rpm_root(tmp_path, dbdir="/usr/lib/sysimage/rpm")
    pt.symlink(root, "/var/lib/rpm", "../../usr/lib/sysimage/rpm")
    out = run(root)
    assert unit_fact(out, "hgrpm.service")["package"] == "hgrpm"
    assert [d["path"] for d in out["facts"]["packages"]["rpm_databases"]] == ["/usr/lib/sysimage/rpm/rpmdb.sqlite"]


def test_the_audit_writes_nothing_next_to_a_wal_mode_database(tmp_path):
    root = rpm_root(tmp_path)
    db = os.path.join(str(root), "var/lib/rpm/rpmdb.sqlite")
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    conn.close()
    before = sorted((n, os.stat(os.path.join(os.path.dirname(db), n)).st_mtime_ns) for n in os.listdir(os.path.dirname(db)))
    out = run(root)
    assert unit_fact(out, "hgrpm.service")["package"] == "hgrpm"
    after = sorted((n, os.stat(os.path.join(os.path.dirname(db), n)).st_mtime_ns) for n in os.listdir(os.path.dirname(db)))
    assert after == before == [("rpmdb.sqlite", before[0][1])]


def test_unreplayed_wal_is_reported_and_ownership_is_incomplete(tmp_path):
    root = rpm_root(tmp_path)
    db = os.path.join(str(root), "var/lib/rpm/rpmdb.sqlite")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("INSERT INTO Packages (blob) VALUES (?)", (rpm_header.header("late", [("/usr/bin/late", b"x", 0)]),))
    conn.commit()                       # in the -wal only while this connection stays open
    try:
        pt.unit(root, "/usr/lib/systemd/system/planted.service", pt.service("/usr/bin/true"))
        out = run(root)
    finally:
        conn.close()
    (err,) = by_id(out, "HG-PERS-046")
    assert err["status"] == "error" and "write-ahead log" in err["evidence"]["note"]
    assert out["facts"]["packages"]["complete"] is False
    assert not by_id(out, "HG-PERS-003")            # unknown, not "unowned"


def test_berkeleydb_packages_is_said_not_read(tmp_path):
    root = pt.base(tmp_path)
    os.rmdir(os.path.join(str(root), "var/lib/dpkg/info"))
    write(root, "/var/lib/rpm/Packages", "\x00\x06\x15\x61" + "x" * 100)
    pt.unit(root, "/usr/lib/systemd/system/planted.service", pt.service("/usr/bin/true"))
    out = run(root)
    (err,) = by_id(out, "HG-PERS-046")
    assert err["status"] == "error" and err["evidence"]["format"] == "bdb"
    assert "BerkeleyDB" in err["evidence"]["note"] and "not read" in err["evidence"]["note"]
    assert out["facts"]["packages"]["complete"] is False and not by_id(out, "HG-PERS-003")


def test_corrupt_database_fifo_and_bad_headers_are_errors_not_crashes(tmp_path):
    root = pt.base(tmp_path)
    write(root, "/var/lib/rpm/rpmdb.sqlite", "this is not sqlite\n" * 100)
    (err,) = by_id(run(root), "HG-PERS-046")
    assert "not readable" in err["evidence"]["note"]
    os.unlink(os.path.join(str(root), "var/lib/rpm/rpmdb.sqlite"))
    os.mkfifo(os.path.join(str(root), "var/lib/rpm/rpmdb.sqlite"))
    (err,) = by_id(run(root), "HG-PERS-046")        # returns: a FIFO is never opened
    assert "fifo" in err["evidence"]["note"]
    os.unlink(os.path.join(str(root), "var/lib/rpm/rpmdb.sqlite"))
    good = rpm_header.fixture_header()
    rpm_header.rpmdb(root, [good[:40], b"\xff" * 8 + good[8:], good])
    write(root, "/usr/lib/systemd/system/hgrpm.service", SERVICE.decode())
    out = run(root)
    (err,) = by_id(out, "HG-PERS-046")
    assert err["evidence"]["bad_headers"] == 2
    assert unit_fact(out, "hgrpm.service")["package"] == "hgrpm"     # the good header still counts


def test_database_larger_than_the_budget_is_not_read(tmp_path):
    root = rpm_root(tmp_path)
    out = run(root, max_package_db_bytes=1000)
    assert out["facts"]["packages"]["complete"] is False
    assert "max_package_db_bytes" in by_id(out, "HG-PERS-046")[0]["evidence"]["note"]


def test_dpkg_and_rpm_on_one_host_each_owns_its_files(tmp_path):
    root = rpm_root(tmp_path)
    os.makedirs(os.path.join(str(root), "var/lib/dpkg/info"))
    pt.unit(root, "/usr/lib/systemd/system/deb.service", pt.service("/usr/bin/true"))
    pt.dpkg_owns(root, "debpkg", ["/usr/lib/systemd/system/deb.service"])
    out = run(root)
    assert unit_fact(out, "deb.service")["package"] == "debpkg"
    assert unit_fact(out, "hgrpm.service")["package"] == "hgrpm"


def test_config_files_are_not_compared(tmp_path):
    root = rpm_root(tmp_path)
    blob = rpm_header.header("cfg", [("/etc/systemd/system/cfg.service", b"orig", rpmdb.RPMFILE_CONFIG)])
    rpm_header.rpmdb(root, [blob])
    pt.unit(root, "/etc/systemd/system/cfg.service", pt.service("/usr/bin/true"))
    out = run(root)
    assert unit_fact(out, "cfg.service")["package"] == "cfg" and not by_id(out, "HG-PERS-044")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_header_parser_only_raises_header_error(data):
    blob = rpm_header.header("p", [("/usr/bin/a", b"a", 0)])
    for candidate in (data, blob[:8] + data, blob[:len(blob) // 2] + data):
        try:
            rpmdb.header_files(candidate)
        except rpmdb.HeaderError:
            pass
