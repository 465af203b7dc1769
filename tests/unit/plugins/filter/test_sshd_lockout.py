"""Lock-out rules and sshd -T parsing of roles/ssh_hardening (plugins/filter/sshd_lockout.py)."""
from ansible_collections.hostguard.hardening.plugins.filter import sshd_lockout as s

SAFE = {"passwordauthentication": "no", "pubkeyauthentication": "yes",
        "permitrootlogin": "prohibit-password", "authorizedkeysfile": ".ssh/authorized_keys"}


def test_config_dump_joins_repeated_keywords():
    out = s.sshd_config_dump(["port 22", "allowusers alice", "allowusers bob", "noise"])
    assert out == {"port": "22", "allowusers": "alice bob"}


def test_want_lowercases_and_joins_lists():
    assert s.sshd_want({"AllowUsers": ["alice", "Bob"], "MaxAuthTries": 3}) == {
        "allowusers": "alice bob", "maxauthtries": "3"}


def test_not_effective_treats_without_password_as_prohibit_password():
    lines = ["permitrootlogin without-password", "maxauthtries 6"]
    out = s.sshd_not_effective(lines, {"permitrootlogin": "prohibit-password", "maxauthtries": "3"})
    assert out == [{"option": "maxauthtries", "wanted": "3", "effective": "6"}]


def test_keyfiles_expand_tokens_and_relative_paths():
    after = {"authorizedkeysfile": ".ssh/authorized_keys /etc/keys/%u none %h/k2"}
    assert s.sshd_keyfiles(after, "/root", "root") == [
        "/root/.ssh/authorized_keys", "/etc/keys/root", "/root/k2"]


def test_root_without_key_is_refused():
    reasons = s.sshd_lockout(SAFE, "root", 0, ["root"])
    assert any("no public key" in r for r in reasons)
    assert any("allows root only with a key" in r for r in reasons)


def test_root_with_key_passes():
    assert s.sshd_lockout(SAFE, "root", 1, ["root"]) == []


def test_keys_command_counts_as_a_key():
    after = dict(SAFE, authorizedkeyscommand="/usr/bin/fetch-keys %u")
    assert s.sshd_lockout(after, "root", 0, ["root"]) == []


def test_both_methods_off():
    after = dict(SAFE, pubkeyauthentication="no")
    assert "nobody could log in" in s.sshd_lockout(after, "alice", 1, [])[0]


def test_allow_and_deny_users_patterns():
    after = dict(SAFE, allowusers="alice bob@10.0.0.*")
    assert s.sshd_lockout(after, "bob", 1, []) == []
    assert "AllowUsers" in s.sshd_lockout(after, "root", 1, [])[0]
    assert "DenyUsers" in s.sshd_lockout(dict(SAFE, denyusers="r?ot"), "root", 1, [])[0]
    # a dot in a pattern is literal, not a regex wildcard
    assert s.sshd_lockout(dict(SAFE, allowusers="a.ice"), "alice", 1, [])


def test_allow_groups():
    after = dict(SAFE, allowgroups="wheel adm*")
    assert s.sshd_lockout(after, "alice", 1, ["users", "admins"]) == []
    assert "AllowGroups" in s.sshd_lockout(after, "alice", 1, ["users"])[0]


def test_permit_root_login_no_for_root():
    assert "PermitRootLogin no" in s.sshd_lockout(dict(SAFE, permitrootlogin="no"), "root", 1, [])[0]
