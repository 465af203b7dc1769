"""The RHEL family's crypto policy as sshd gets it: EL9 by Include, EL8 by $CRYPTO_POLICY on the
sshd.service command line. The effective Ciphers/MACs/KexAlgorithms and where they came from.

File contents are the real ones (read through the code search, not run):
- EL8 back-end (one CRYPTO_POLICY line): fedora-crypto-policies tests/outputs/DEFAULT-opensshserver.txt
  (frozencemetery/fedora-crypto-policies, commit dcee9fb1), the generator's expected DEFAULT output;
  OLD_DEFAULT is the earlier DEFAULT-openssh-server.txt (commit 2618a6cb), which still allowed 3des-cbc.
- EL9 back-end (sshd_config lines): tests/outputs/FIPS:OSPP-opensshserver.txt
  (codacy-open-source-projects-scans/fedora-crypto-policies, commit 1a801177).
- EL8 sshd.service ([Service] part) and /etc/sysconfig/sshd: as `systemctl cat sshd.service` prints
  them on Rocky/CentOS 8 (EnvironmentFile=-/etc/crypto-policies/back-ends/opensshserver.config,
  EnvironmentFile=-/etc/sysconfig/sshd, ExecStart=/usr/sbin/sshd -D $OPTIONS $CRYPTO_POLICY), the
  opt-out comment of openssh's sysconfig file.
- EL9 50-redhat.conf: "Include /etc/crypto-policies/back-ends/opensshserver.config" (openssh 8.7 RPM).
"""
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh import crypto_policy
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.audit import ssh_findings
from conftest import write

EL8_DEFAULT = (
    "CRYPTO_POLICY='-oCiphers=aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes256-ctr,aes256-cbc,"
    "aes128-gcm@openssh.com,aes128-ctr,aes128-cbc -oMACs=hmac-sha2-256-etm@openssh.com,hmac-sha1-etm@openssh.com,"
    "umac-128-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha1,umac-128@openssh.com,"
    "hmac-sha2-512 -oGSSAPIKexAlgorithms=gss-gex-sha1-,gss-group14-sha1- -oKexAlgorithms=curve25519-sha256,"
    "curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
    "diffie-hellman-group-exchange-sha256,diffie-hellman-group14-sha256,diffie-hellman-group16-sha512,"
    "diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha1,diffie-hellman-group14-sha1 "
    "-oHostKeyAlgorithms=rsa-sha2-256,rsa-sha2-256-cert-v01@openssh.com,ecdsa-sha2-nistp256,"
    "ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384,ecdsa-sha2-nistp384-cert-v01@openssh.com,"
    "rsa-sha2-512,rsa-sha2-512-cert-v01@openssh.com,ecdsa-sha2-nistp521,ecdsa-sha2-nistp521-cert-v01@openssh.com,"
    "ssh-ed25519,ssh-ed25519-cert-v01@openssh.com,ssh-rsa,ssh-rsa-cert-v01@openssh.com "
    "-oPubkeyAcceptedKeyTypes=rsa-sha2-256,rsa-sha2-256-cert-v01@openssh.com,ecdsa-sha2-nistp256,"
    "ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384,ecdsa-sha2-nistp384-cert-v01@openssh.com,"
    "rsa-sha2-512,rsa-sha2-512-cert-v01@openssh.com,ecdsa-sha2-nistp521,ecdsa-sha2-nistp521-cert-v01@openssh.com,"
    "ssh-ed25519,ssh-ed25519-cert-v01@openssh.com,ssh-rsa,ssh-rsa-cert-v01@openssh.com'")
OLD_DEFAULT = (
    "CRYPTO_POLICY='-oCiphers=aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes256-ctr,aes256-cbc,"
    "aes128-gcm@openssh.com,aes128-ctr,aes128-cbc,3des-cbc -oMACs=umac-128-etm@openssh.com,"
    "hmac-sha1-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,umac-128@openssh.com,"
    "hmac-sha1,hmac-sha2-256,hmac-sha2-512 -oGSSAPIKexAlgorithms=gss-gex-sha1-,gss-group14-sha1- "
    "-oKexAlgorithms=curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
    "diffie-hellman-group-exchange-sha256,diffie-hellman-group-exchange-sha1,diffie-hellman-group14-sha1'")
EL9_OSPP = (
    "Ciphers aes256-gcm@openssh.com,aes256-ctr,aes128-gcm@openssh.com,aes128-ctr\n"
    "MACs hmac-sha2-256,hmac-sha2-512\n"
    "GSSAPIKeyExchange no\n"
    "KexAlgorithms ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group14-sha256,"
    "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512\n"
    "HostKeyAlgorithms ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-256,rsa-sha2-512\n"
    "PubkeyAcceptedAlgorithms ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-256,rsa-sha2-512\n"
    "HostbasedAcceptedAlgorithms ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-256,"
    "rsa-sha2-512\n"
    "CASignatureAlgorithms ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-256,rsa-sha2-512\n"
    "RequiredRSASize 2048\n")
EL8_UNIT = """[Unit]
Description=OpenSSH server daemon
Documentation=man:sshd(8) man:sshd_config(5)
After=network.target sshd-keygen.target
Wants=sshd-keygen.target

[Service]
Type=notify
EnvironmentFile=-/etc/crypto-policies/back-ends/opensshserver.config
EnvironmentFile=-/etc/sysconfig/sshd
ExecStart=/usr/sbin/sshd -D $OPTIONS $CRYPTO_POLICY
ExecReload=/bin/kill -HUP $MAINPID
KillMode=process
Restart=on-failure
RestartSec=42s

[Install]
WantedBy=multi-user.target
"""
EL8_SYSCONFIG = """# Configuration file for the sshd service.

SSH_USE_STRONG_RNG=0
# SSH_USE_STRONG_RNG=1

# System-wide crypto policy:
# To opt-out, uncomment the following line
# CRYPTO_POLICY=
"""
EL8_SSHD_CONFIG = "SyslogFacility AUTHPRIV\nPermitRootLogin yes\nCiphers aes128-ctr\nUsePAM yes\n"
BACKEND = "etc/crypto-policies/back-ends/opensshserver.config"


def algorithms(root):
    findings, facts = ssh_findings({"root": str(root), "use_sshd_t": False})
    found = [f for f in findings if f["id"] == "HG-SSH-028"]
    assert len(found) == 1
    return found[0], facts


def el8(root, backend=EL8_DEFAULT, sysconfig=EL8_SYSCONFIG):
    write(root, "etc/ssh/sshd_config", EL8_SSHD_CONFIG)
    write(root, "usr/lib/systemd/system/sshd.service", EL8_UNIT)
    write(root, BACKEND, backend + "\n")
    write(root, "etc/sysconfig/sshd", sysconfig)


def test_el8_policy_comes_from_the_unit_command_line_and_beats_sshd_config(tmp_path):
    el8(tmp_path)
    finding, facts = algorithms(tmp_path)
    lists = finding["evidence"]["lists"]
    # sshd_config says "Ciphers aes128-ctr", but -oCiphers on the command line comes first
    assert lists["Ciphers"]["algorithms"][:2] == ["aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com"]
    assert "aes128-ctr" in lists["Ciphers"]["algorithms"] and len(lists["Ciphers"]["algorithms"]) == 7
    assert lists["MACs"]["algorithms"][-1] == "hmac-sha2-512"
    assert lists["KexAlgorithms"]["algorithms"][0] == "curve25519-sha256"
    for label in ("Ciphers", "MACs", "KexAlgorithms"):
        source = lists[label]["source"]
        assert source.startswith("/usr/lib/systemd/system/sshd.service ExecStart $CRYPTO_POLICY"), source
        assert "/etc/crypto-policies/back-ends/opensshserver.config" in source
    assert finding["status"] == "pass"              # DEFAULT has no algorithm OpenSSH dropped
    assert facts["crypto_policy"]["applies"] is True


def test_el8_weak_policy_fails_and_names_its_file(tmp_path):
    el8(tmp_path, backend=OLD_DEFAULT)
    finding, _facts = algorithms(tmp_path)
    assert finding["status"] == "fail"
    assert finding["evidence"]["weak"] == {"Ciphers": ["3des-cbc"]}
    assert "opensshserver.config" in finding["detail"]


def test_el8_opt_out_in_sysconfig_leaves_sshd_config(tmp_path):
    el8(tmp_path, sysconfig=EL8_SYSCONFIG.replace("# CRYPTO_POLICY=", "CRYPTO_POLICY="))
    finding, facts = algorithms(tmp_path)
    lists = finding["evidence"]["lists"]
    assert lists["Ciphers"] == {"source": "/etc/ssh/sshd_config:3", "algorithms": ["aes128-ctr"]}
    assert lists["MACs"] == {"source": "OpenSSH built-in default", "algorithms": None}
    assert facts["crypto_policy"]["applies"] is False
    assert "opt-out" in facts["crypto_policy"]["reason"] and "/etc/sysconfig/sshd" in facts["crypto_policy"]["reason"]


def test_el8_unit_override_in_etc_without_the_policy(tmp_path):
    el8(tmp_path)
    write(tmp_path, "etc/systemd/system/sshd.service", EL8_UNIT.replace(" $CRYPTO_POLICY", ""))
    policy = crypto_policy.unit_policy(str(tmp_path))
    assert policy["applies"] is False and policy["unit"] == "/etc/systemd/system/sshd.service"
    finding, _facts = algorithms(tmp_path)
    assert finding["evidence"]["lists"]["Ciphers"]["source"] == "/etc/ssh/sshd_config:3"


def test_el9_policy_comes_from_the_include(tmp_path):
    write(tmp_path, "etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\n")
    write(tmp_path, "etc/ssh/sshd_config.d/50-redhat.conf",
          "Include /etc/crypto-policies/back-ends/opensshserver.config\n\nSyslogFacility AUTHPRIV\n")
    write(tmp_path, BACKEND, EL9_OSPP)
    write(tmp_path, "usr/lib/systemd/system/sshd.service",
          EL8_UNIT.replace("EnvironmentFile=-/etc/crypto-policies/back-ends/opensshserver.config\n", "")
          .replace(" $CRYPTO_POLICY", ""))
    finding, facts = algorithms(tmp_path)
    lists = finding["evidence"]["lists"]
    assert lists["Ciphers"] == {"source": "/etc/crypto-policies/back-ends/opensshserver.config:1",
                                "algorithms": ["aes256-gcm@openssh.com", "aes256-ctr", "aes128-gcm@openssh.com",
                                               "aes128-ctr"]}
    assert lists["MACs"]["source"] == "/etc/crypto-policies/back-ends/opensshserver.config:2"
    assert lists["KexAlgorithms"]["source"] == "/etc/crypto-policies/back-ends/opensshserver.config:4"
    assert finding["status"] == "pass"
    assert facts["crypto_policy"]["applies"] is False


def test_el9_drop_in_before_the_policy_wins(tmp_path):
    write(tmp_path, "etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\n")
    write(tmp_path, "etc/ssh/sshd_config.d/40-legacy.conf", "Ciphers aes128-ctr,3des-cbc\n")
    write(tmp_path, "etc/ssh/sshd_config.d/50-redhat.conf", "Include /etc/crypto-policies/back-ends/opensshserver.config\n")
    write(tmp_path, BACKEND, EL9_OSPP)
    finding, _facts = algorithms(tmp_path)
    assert finding["status"] == "fail"
    assert finding["evidence"]["lists"]["Ciphers"]["source"] == "/etc/ssh/sshd_config.d/40-legacy.conf:1"
    assert finding["evidence"]["lists"]["MACs"]["source"].startswith("/etc/crypto-policies/")


def test_o_option_forms_and_sshd_t_arguments():
    assert crypto_policy.parse_o_options("-oCiphers=a,b -o MACs=c -oCiphers=z -x") == {"ciphers": "a,b", "macs": "c"}
    policy = {"applies": True, "options": {"macs": "c", "ciphers": "a"}}
    assert crypto_policy.sshd_t_arguments(policy) == ["-ociphers=a", "-omacs=c"]
    assert crypto_policy.parse_environment_file(["# CRYPTO_POLICY=x", "A='1 2'", "A=3"]) == {"A": "3"}


# --- sshd.service as systemd loads it (core/systemd_units.find_unit): drop-ins, resets, /etc vs /usr/lib.
# The drop-ins are what `systemctl edit sshd` writes (/etc/systemd/system/sshd.service.d/override.conf)
# or a package/runtime one (/usr/lib/..., /run/...): [Service] assignments applied after the unit file.
WEAK_POLICY = "CRYPTO_POLICY='-oCiphers=aes128-ctr,3des-cbc -oMACs=hmac-sha2-256,hmac-md5'\n"


def dropin(root, text, name="override.conf", directory="etc/systemd/system/sshd.service.d"):
    write(root, "%s/%s" % (directory, name), "[Service]\n" + text)


def test_dropin_environment_file_after_the_backend_sets_the_policy(tmp_path):
    el8(tmp_path)
    write(tmp_path, "etc/sysconfig/sshd-legacy", WEAK_POLICY)
    dropin(tmp_path, "EnvironmentFile=/etc/sysconfig/sshd-legacy\n")
    finding, facts = algorithms(tmp_path)
    policy = facts["crypto_policy"]
    assert policy["applies"] is True and policy["set_in"] == "/etc/sysconfig/sshd-legacy"
    assert policy["not_read"] == []            # the drop-in is interpreted, not merely listed
    assert finding["status"] == "fail"
    assert finding["evidence"]["weak"] == {"Ciphers": ["3des-cbc"], "MACs": ["hmac-md5"]}
    assert finding["evidence"]["lists"]["Ciphers"]["source"] == (
        "/usr/lib/systemd/system/sshd.service ExecStart $CRYPTO_POLICY (set in /etc/sysconfig/sshd-legacy)")


def test_dropin_that_resets_environment_files_drops_the_policy(tmp_path):
    el8(tmp_path)
    # "EnvironmentFile=" (empty) empties the list: neither the back-end nor /etc/sysconfig/sshd is read
    dropin(tmp_path, "EnvironmentFile=\nEnvironmentFile=-/etc/sysconfig/sshd\n")
    finding, facts = algorithms(tmp_path)
    policy = facts["crypto_policy"]
    assert policy["applies"] is False
    assert policy["reason"] == "no EnvironmentFile of /usr/lib/systemd/system/sshd.service sets CRYPTO_POLICY"
    assert finding["evidence"]["lists"]["Ciphers"] == {"source": "/etc/ssh/sshd_config:3", "algorithms": ["aes128-ctr"]}


def test_dropin_that_resets_execstart_without_the_policy(tmp_path):
    el8(tmp_path, backend=OLD_DEFAULT)
    dropin(tmp_path, "ExecStart=\nExecStart=/usr/sbin/sshd -D $OPTIONS\n", directory="run/systemd/system/sshd.service.d")
    finding, facts = algorithms(tmp_path)
    assert facts["crypto_policy"]["applies"] is False
    assert facts["crypto_policy"]["reason"] == "/usr/lib/systemd/system/sshd.service ExecStart does not pass $CRYPTO_POLICY"
    assert finding["status"] == "pass"        # the 3des-cbc back-end is no longer on the command line
    assert finding["evidence"]["lists"]["Ciphers"]["source"] == "/etc/ssh/sshd_config:3"


def test_dropin_execstart_that_passes_the_policy_is_named(tmp_path):
    el8(tmp_path)
    write(tmp_path, "usr/lib/systemd/system/sshd.service", EL8_UNIT.replace(" $CRYPTO_POLICY", ""))
    dropin(tmp_path, "ExecStart=\nExecStart=/usr/sbin/sshd -D $CRYPTO_POLICY\n", name="10-policy.conf")
    policy = crypto_policy.unit_policy(str(tmp_path))
    assert policy["applies"] is True
    assert policy["unit"] == ("/usr/lib/systemd/system/sshd.service "
                              "(ExecStart in /etc/systemd/system/sshd.service.d/10-policy.conf)")


def test_environment_directive_in_dropin_and_files_override_it(tmp_path):
    el8(tmp_path, sysconfig="# nothing\n")
    # Environment= sets it, but the environment files are read after Environment= (systemd.exec(5))
    dropin(tmp_path, 'Environment="CRYPTO_POLICY=-oCiphers=3des-cbc"\n')
    policy = crypto_policy.unit_policy(str(tmp_path))
    assert policy["set_in"] == "/etc/crypto-policies/back-ends/opensshserver.config"
    assert policy["options"]["ciphers"].startswith("aes256-gcm@openssh.com")
    # ... so "Environment=CRYPTO_POLICY=" is no opt-out while the back-end file is read
    dropin(tmp_path, "Environment=CRYPTO_POLICY=\n")
    assert crypto_policy.unit_policy(str(tmp_path))["applies"] is True
    # with the back-end file gone (EnvironmentFile=- is optional), Environment= is what sshd gets
    (tmp_path / BACKEND).unlink()
    dropin(tmp_path, 'Environment="CRYPTO_POLICY=-oCiphers=3des-cbc -oMACs=hmac-sha2-256"\n')
    policy = crypto_policy.unit_policy(str(tmp_path))
    assert policy["options"] == {"ciphers": "3des-cbc", "macs": "hmac-sha2-256"}
    assert policy["set_in"] == "/etc/systemd/system/sshd.service.d/override.conf:2 Environment="
    finding, _facts = algorithms(tmp_path)
    assert finding["evidence"]["weak"] == {"Ciphers": ["3des-cbc"]}


def test_unit_in_etc_replaces_the_one_in_usr_lib_but_usr_lib_dropins_still_apply(tmp_path):
    el8(tmp_path)
    write(tmp_path, "etc/systemd/system/sshd.service", EL8_UNIT)
    write(tmp_path, "etc/sysconfig/sshd-legacy", WEAK_POLICY)
    dropin(tmp_path, "EnvironmentFile=/etc/sysconfig/sshd-legacy\n", name="50-vendor.conf",
           directory="usr/lib/systemd/system/sshd.service.d")
    policy = crypto_policy.unit_policy(str(tmp_path))
    assert policy["unit"] == "/etc/systemd/system/sshd.service"
    assert policy["set_in"] == "/etc/sysconfig/sshd-legacy" and "3des-cbc" in policy["options"]["ciphers"]
    # a drop-in of the same name in /etc hides the /usr/lib one (systemd.unit(5))
    dropin(tmp_path, "# emptied by the admin\n", name="50-vendor.conf")
    policy = crypto_policy.unit_policy(str(tmp_path))
    assert policy["set_in"] == "/etc/crypto-policies/back-ends/opensshserver.config"
    assert "3des-cbc" not in policy["options"]["ciphers"]


def test_masked_unit_and_service_wide_dropin(tmp_path):
    el8(tmp_path)
    write(tmp_path, "etc/sysconfig/sshd-legacy", WEAK_POLICY)
    # service.d/ applies to every service unit, sshd.service included
    dropin(tmp_path, "EnvironmentFile=-/etc/sysconfig/sshd-legacy\n", name="90-all.conf",
           directory="etc/systemd/system/service.d")
    assert crypto_policy.unit_policy(str(tmp_path))["set_in"] == "/etc/sysconfig/sshd-legacy"
    (tmp_path / "etc/systemd/system/sshd.service").symlink_to("/dev/null")
    policy = crypto_policy.unit_policy(str(tmp_path))
    assert policy["applies"] is False
    assert policy["reason"] == "/etc/systemd/system/sshd.service is masked (systemd does not start it)"


def test_merged_usr_lib_link_names_the_usr_lib_file(tmp_path):
    el8(tmp_path)
    (tmp_path / "lib").symlink_to("usr/lib")
    assert crypto_policy.unit_policy(str(tmp_path))["unit"] == "/usr/lib/systemd/system/sshd.service"


def test_environment_directive_forms():
    assert crypto_policy.parse_environment_directive('A=1 "B=2 3" C') == {"A": "1", "B": "2 3"}
    assert crypto_policy.parse_environment_directive('"unbalanced') == {}
