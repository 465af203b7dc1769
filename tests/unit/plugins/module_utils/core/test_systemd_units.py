import os

from ansible_collections.hostguard.hardening.plugins.module_utils.core import accounts
from ansible_collections.hostguard.hardening.plugins.module_utils.core import systemd_units
from procfixture import write


def test_section_assignments_continuation_comments_and_sections():
    lines = list(enumerate(["[Unit]", "Description=x", "[Service]", "# c", "; c",
                            "ExecStart=/usr/bin/redis-server \\", "  /etc/redis/redis.conf",
                            "User=", "noequals", "[Install]", "WantedBy=multi-user.target"], 1))
    assert systemd_units.section_assignments(lines) == [
        # the backslash becomes a space (systemd.syntax(7)); the space before it stays
        (6, "ExecStart", "/usr/bin/redis-server  /etc/redis/redis.conf"), (8, "User", "")]


def test_find_units_patterns_alias_mask_and_dropins(tmp_path):
    write(tmp_path, "/lib/systemd/system/redis-server.service", "[Service]\nUser=redis\n")
    write(tmp_path, "/lib/systemd/system/valkey.service", "[Service]\n")
    write(tmp_path, "/lib/systemd/system/cron.service", "[Service]\n")
    os.makedirs(str(tmp_path / "etc/systemd/system"))
    os.symlink("/lib/systemd/system/redis-server.service", str(tmp_path / "etc/systemd/system/redis.service"))
    os.symlink("/dev/null", str(tmp_path / "etc/systemd/system/valkey.service"))
    write(tmp_path, "/etc/systemd/system/redis-server.service.d/b.conf", "[Service]\n")
    write(tmp_path, "/run/systemd/system/redis-server.service.d/a.conf", "[Service]\n")
    write(tmp_path, "/etc/systemd/system/service.d/c.conf", "[Service]\n")
    os.symlink("/dev/null", str(tmp_path / "etc/systemd/system/redis-server.service.d/z.conf"))
    units = systemd_units.find_units(str(tmp_path), ("redis*.service", "valkey*.service"))
    assert sorted(units) == ["redis-server.service", "valkey.service"]
    assert units["valkey.service"]["masked"]
    assert systemd_units.unit_files(units["redis-server.service"]) == [
        "/lib/systemd/system/redis-server.service",
        "/run/systemd/system/redis-server.service.d/a.conf",
        "/etc/systemd/system/redis-server.service.d/b.conf",
        "/etc/systemd/system/service.d/c.conf"]
    assert systemd_units.resolve_config_file(str(tmp_path), "/etc/systemd/system/valkey.service") == (None, True)


def test_passwd_names(tmp_path):
    write(tmp_path, "/etc/passwd", "root:x:0:0::/root:/bin/sh\nbad\nx:x:zz:0::/:/bin/sh\n"
                                   "redis:x:105:107::/var/lib/redis:/usr/sbin/nologin\nalias:x:105:1::/:/bin/sh\n")
    assert accounts.passwd_names(str(tmp_path)) == {0: "root", 105: "redis"}
    assert accounts.passwd_names(str(tmp_path / "nowhere")) == {}


def test_drop_ins_past_the_cap_are_named_not_dropped_silently(tmp_path):
    """Issue 17: 130 drop-ins; the ones past MAX_DROPINS (zz-evil.conf among them) are said."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.core import systemd_units as su
    from ansible_collections.hostguard.hardening.plugins.module_utils.oom.audit import configured_oom_adj
    root = str(tmp_path)
    write(root, "/etc/systemd/system/x.service", "[Service]\nExecStart=/bin/true\n")
    for index in range(su.MAX_DROPINS + 1):
        write(root, "/etc/systemd/system/x.service.d/%03d.conf" % index, "[Service]\nNice=1\n")
    write(root, "/etc/systemd/system/x.service.d/zz-evil.conf", "[Service]\nOOMScoreAdjust=-1000\n")
    unit = su.find_unit(root, "x.service")
    assert len(unit["dropins"]) == su.MAX_DROPINS
    assert "/etc/systemd/system/x.service.d/zz-evil.conf" in unit["dropins_not_read"]
    assert unit["dropins_not_read_count"] == 2
    _value, _where, errors = configured_oom_adj(root, unit)
    assert any(e["file"].endswith("zz-evil.conf") and "not read" in e["reason"] for e in errors)
