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


def test_all_section_assignments_is_section_assignments_for_every_section_in_one_pass():
    lines = list(enumerate(["X=before any section", "[Service]", "A=1", "[Unit]", "B=2 \\", "[Service]",
                            "[Service]", "C=3", "[Install]", "WantedBy=x"], 1))
    every = systemd_units.all_section_assignments(lines)
    # a repeated section header continues the same section; a continued line swallows the next
    assert every == {"Service": [(3, "A", "1"), (8, "C", "3")], "Unit": [(5, "B", "2  [Service]")],
                     "Install": [(10, "WantedBy", "x")]}
    for section in ("Service", "Unit", "Install", "Socket"):
        assert systemd_units.section_assignments(lines, section) == every.get(section, [])


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


def test_unit_and_dropins_behind_a_directory_link_are_read_inside_root(tmp_path):
    """<root>/etc/systemd/system -> /x/system (absolute): the unit was found and read through the
    host's kernel, i.e. the host's /x/system/a.service (ExecStart=/bin/true) stood for the
    image's (ExecStart=/tmp/.x/run); a masking link to /dev/null inside root still masks."""
    outside = tmp_path / "outside"
    write(str(outside), "system/a.service", "[Service]\nExecStart=/bin/true\n")
    write(str(outside), "system/a.service.d/10.conf", "[Service]\nUser=host\n")
    root = tmp_path / "root"
    write(str(root), str(outside) + "/system/a.service", "[Service]\nExecStart=/tmp/.x/run\n")
    write(str(root), str(outside) + "/system/a.service.d/10.conf", "[Service]\nUser=image\n")
    os.makedirs(str(root / "etc" / "systemd"))
    os.symlink(str(outside / "system"), str(root / "etc" / "systemd" / "system"))
    unit = systemd_units.find_unit(str(root), "a.service")
    assert unit["real"] == str(outside) + "/system/a.service" and not unit["masked"]
    assert systemd_units.read_lines(str(root), unit["real"]) == [(1, "[Service]"), (2, "ExecStart=/tmp/.x/run")]
    assert systemd_units.read_lines(str(root), "/etc/systemd/system/a.service")[1] == (2, "ExecStart=/tmp/.x/run")
    [dropin] = unit["dropins"]
    assert systemd_units.read_lines(str(root), dropin)[1] == (2, "User=image")
    os.symlink("/dev/null", str(root) + str(outside) + "/system/b.service")
    assert systemd_units.find_unit(str(root), "b.service")["masked"] is True
