"""Unit tests for the baseline checks (module_utils/baseline.py and sshd.py) on fixture trees."""
import os
import sys

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.baseline import audit as baseline
from ansible_collections.hostguard.hardening.plugins.module_utils.baseline import sshd
from conftest import write  # noqa: E402


def by_subject(findings, prefix="HG-"):
    return dict((f["subject"], f) for f in findings if f["id"].startswith(prefix))


# ------------------------------------------------------------------ SSH-7408 grading

TABLE = dict((e.option, e) for e in sshd.expectations())


@pytest.mark.parametrize("option,value,expected", [
    ("AllowTcpForwarding", "no", "good"), ("AllowTcpForwarding", "local", "medium"),
    ("AllowTcpForwarding", "yes", "weak"), ("AllowTcpForwarding", "all", "weak"),
    ("ClientAliveCountMax", "2", "good"), ("ClientAliveCountMax", "3", "medium"),
    ("ClientAliveCountMax", "4", "medium"), ("ClientAliveCountMax", "5", "weak"),
    ("ClientAliveInterval", "0", "good"), ("ClientAliveInterval", "300", "good"),
    ("ClientAliveInterval", "600", "medium"), ("ClientAliveInterval", "900", "weak"),
    ("MaxAuthTries", "6", "medium"), ("MaxAuthTries", "3", "good"), ("MaxAuthTries", "7", "weak"),
    ("MaxSessions", "10", "weak"), ("MaxSessions", "8", "weak"), ("MaxSessions", "4", "medium"),
    ("LoginGraceTime", "120", "good"), ("LoginGraceTime", "121", "medium"),
    ("LogLevel", "VERBOSE", "good"), ("LogLevel", "INFO", "medium"), ("LogLevel", "QUIET", "weak"),
    ("PermitRootLogin", "without-password", "good"), ("PermitRootLogin", "no", "good"),
    ("PermitRootLogin", "forced-commands-only", "good"), ("PermitRootLogin", "yes", "weak"),
    ("FingerprintHash", "md5", "medium"), ("FingerprintHash", "sha256", "good"),
    ("Port", "22", "weak"), ("Port", "2222", "good"),
    ("Compression", "yes", "weak"), ("Compression", "no", "good"),
    ("MaxAuthTries", "abc", "unknown"), ("UseDNS", "", "not_found"),
])
def test_grade_follows_lynis_ssh_7408(option, value, expected):
    assert sshd.grade(value, TABLE[option]) == expected


def test_table_is_lynis_verbatim_and_overridable():
    assert TABLE["AllowTcpForwarding"].as_lynis() == "AllowTcpForwarding:NO,LOCAL,YES:="
    assert len(TABLE) == 21
    table = dict((e.option, e) for e in sshd.expectations({"MaxAuthTries": "4,6,10:<",
                                                           "Banner": "Banner:/ETC/ISSUE.NET,,NONE:="}))
    assert sshd.grade("4", table["MaxAuthTries"]) == "good"
    assert sshd.grade("none", table["Banner"]) == "weak"
    with pytest.raises(ValueError):
        sshd.expectations({"MaxAuthTries": "4,6:<"})
    with pytest.raises(ValueError):
        sshd.expectations({"MaxAuthTries": "4,6,8:~"})


def test_parse_time_and_line_splitting():
    assert sshd.parse_time("2m") == 120
    assert sshd.parse_time("1m30s") == 90
    assert sshd.parse_time("45") == 45
    assert sshd.parse_time("soon") is None
    assert sshd.split_config_line("  MaxAuthTries=4 # comment") == ("maxauthtries", ["4"])
    assert sshd.split_config_line('Banner "/etc/my banner"') == ("banner", ["/etc/my banner"])
    assert sshd.split_config_line("# PermitRootLogin yes") == (None, [])


def test_sshd_config_first_value_wins_include_and_match(tmp_path):
    write(tmp_path, "/etc/ssh/sshd_config", (
        "Include /etc/ssh/sshd_config.d/*.conf\n"
        "PermitRootLogin yes\n"
        "LoginGraceTime 2m\n"
        "Port 22\n"
        "Match User backup\n"
        "  MaxAuthTries 1\n"
        "  X11Forwarding yes\n"))
    write(tmp_path, "/etc/ssh/sshd_config.d/10-hg.conf",
          "PermitRootLogin no\nMaxAuthTries 3\nPort 2222\n")
    write(tmp_path, "/etc/ssh/sshd_config.d/20-other.conf",
          "MaxAuthTries 5\nMatch Address 10.0.0.0/8\n  PermitRootLogin yes\n")
    write(tmp_path, "/etc/ssh/sshd_config.d/ignored.txt", "MaxSessions 1\n")
    eff = sshd.effective_from_files(str(tmp_path))
    values = eff["values"]
    assert values["permitrootlogin"] == ["no"]          # drop-in read first, first wins
    assert values["maxauthtries"] == ["3"]              # 10-hg before 20-other (lexical)
    assert values["port"] == ["2222", "22"]             # Port accumulates
    assert values["logingracetime"] == ["120"]          # time normalised like sshd -T
    assert values["x11forwarding"] == ["no"]            # Match block ignored -> default
    assert values["maxsessions"] == ["10"]              # *.txt not included -> default
    assert eff["origin"]["permitrootlogin"] == "/etc/ssh/sshd_config.d/10-hg.conf:1"
    # a Match opened in an included file ends with it: PermitRootLogin after is global
    port = sshd.grade_option(sshd.expectations()[14], values)
    assert port["grade"] == "weak" and port["values"] == ["2222", "22"]


def test_include_relative_and_depth_limit(tmp_path):
    write(tmp_path, "/etc/ssh/sshd_config", "Include loop.conf\n")
    write(tmp_path, "/etc/ssh/loop.conf", "Include loop.conf\nMaxSessions 2\n")
    tree = sshd.parse_config_tree(str(tmp_path))
    assert tree["values"]["maxsessions"] == ["2"]
    assert any("deeper" in p for p in tree["problems"])


def test_ssh_findings_from_files(tmp_path):
    write(tmp_path, "/etc/ssh/sshd_config", "PermitRootLogin yes\nMaxAuthTries 6\nLogLevel VERBOSE\n")
    findings = baseline.ssh_findings({"root": str(tmp_path)})[0]
    subj = by_subject(findings, "HG-SSH")
    assert len(subj) == 21
    assert subj["PermitRootLogin"]["status"] == "fail"
    assert subj["PermitRootLogin"]["severity"] == "high"
    assert subj["PermitRootLogin"]["references"]["lynis"] == "SSH-7408"
    assert subj["MaxAuthTries"]["status"] == "fail" and subj["MaxAuthTries"]["severity"] == "low"
    assert subj["MaxAuthTries"]["evidence"]["grade"] == "medium"
    assert subj["LogLevel"]["status"] == "pass"
    assert subj["StrictModes"]["status"] == "pass"
    assert subj["StrictModes"]["evidence"].get("set_at") == "default"


def test_ssh_missing_config_is_skip(tmp_path):
    findings = baseline.ssh_findings({"root": str(tmp_path)})[0]
    assert set(f["status"] for f in findings) == {"skip"}


def test_ssh_config_hostile_files(tmp_path):
    os.makedirs(str(tmp_path / "etc/ssh/sshd_config.d"))
    os.mkfifo(str(tmp_path / "etc/ssh/sshd_config.d/fifo.conf"))
    os.symlink("/dev/zero", str(tmp_path / "etc/ssh/sshd_config.d/zero.conf"))
    write(tmp_path, "/etc/ssh/sshd_config.d/bad.conf", b"PermitRootLogin \xff\xfe\nMaxSessions 2\n")
    write(tmp_path, "/etc/ssh/sshd_config", "Include sshd_config.d/*.conf\n" + "#" * 10000 + "\n")
    eff = sshd.effective_from_files(str(tmp_path))
    assert eff["values"]["maxsessions"] == ["2"]
    assert eff["values"]["permitrootlogin"] == ["\\xff\\xfe"]
    assert any("fifo.conf" in p for p in eff["problems"])
    assert any("zero.conf" in p for p in eff["problems"])


# ------------------------------------------------------------------ login.defs / umask

def test_password_aging_rules():
    assert baseline.check_pass_max_days(None)[0] is False
    assert baseline.check_pass_max_days("99999")[0] is False
    assert baseline.check_pass_max_days("-1")[0] is False
    assert baseline.check_pass_max_days("365")[0] is True
    assert baseline.check_pass_max_days("400", limit=365)[0] is False
    assert baseline.check_pass_min_days("0")[0] is False
    assert baseline.check_pass_min_days("1")[0] is True
    values, dups = baseline.parse_login_defs(["PASS_MAX_DAYS 10", "  PASS_MAX_DAYS 90", "#UMASK 077"])
    assert values == {"PASS_MAX_DAYS": "90"} and dups == ["PASS_MAX_DAYS"]


@pytest.mark.parametrize("mask,strict", [("027", True), ("0077", True), ("037", True),
                                         ("022", False), ("002", False), ("bad", False)])
def test_umask_strictness(mask, strict):
    assert baseline.umask_is_strict(mask) is strict


def test_auth_findings(tmp_path):
    write(tmp_path, "/etc/login.defs", "PASS_MAX_DAYS 90\nPASS_MIN_DAYS 0\nUMASK 027\n")
    write(tmp_path, "/etc/profile", "if true; then umask 022; fi\n# umask 077\n")
    write(tmp_path, "/etc/profile.d/good.sh", "umask 027\n")
    write(tmp_path, "/etc/profile.d/notsourced.csh", "umask 002\n")
    f = dict((x["id"], x) for x in baseline.auth_findings({"root": str(tmp_path)}))
    assert f["HG-AUTH-001"]["status"] == "pass"
    assert f["HG-AUTH-002"]["status"] == "fail"
    assert f["HG-AUTH-003"]["status"] == "pass"
    assert f["HG-AUTH-004"]["status"] == "fail"
    assert [u["umask"] for u in f["HG-AUTH-004"]["evidence"]["umasks"]] == ["022", "027"]


def test_auth_missing_login_defs_and_no_umask(tmp_path):
    f = dict((x["id"], x) for x in baseline.auth_findings({"root": str(tmp_path)}))
    assert f["HG-AUTH-001"]["status"] == "skip"
    assert f["HG-AUTH-004"]["status"] == "skip"
    write(tmp_path, "/etc/login.defs", "PASS_MAX_DAYS 90\n")
    f = dict((x["id"], x) for x in baseline.auth_findings({"root": str(tmp_path)}))
    assert f["HG-AUTH-003"]["status"] == "fail"   # no UMASK: login falls back to 022


# ------------------------------------------------------------------ FILE-6310

def test_mounts_from_fstab_and_symlink(tmp_path):
    write(tmp_path, "/etc/fstab", "UUID=1 / ext4 defaults 0 1\nUUID=2 /home ext4 defaults 0 2\n"
                                  "/swap none swap sw 0 0\n")
    os.makedirs(str(tmp_path / "home"))
    os.makedirs(str(tmp_path / "srv/var"))
    os.symlink("/srv/var", str(tmp_path / "var"))
    f = by_subject(baseline.mount_findings({"root": str(tmp_path)}))
    assert f["/home"]["status"] == "pass" and f["/home"]["evidence"]["source"] == "/etc/fstab"
    assert f["/tmp"]["status"] == "skip"                 # no /tmp directory
    assert f["/var"]["status"] == "fail" and f["/var"]["evidence"]["symlink_to"] == "/srv/var"


def test_mounts_prefer_proc(tmp_path):
    write(tmp_path, "/proc/mounts", "tmpfs /tmp tmpfs rw 0 0\n/dev/x /my\\040home ext4 rw 0 0\n")
    for d in ("tmp", "my home", "var"):
        os.makedirs(str(tmp_path / d))
    f = by_subject(baseline.mount_findings({"root": str(tmp_path),
                                            "separate_mounts": ["/tmp", "/my home", "/var"]}))
    assert f["/tmp"]["status"] == "pass"
    assert f["/my home"]["status"] == "pass"
    assert f["/var"]["status"] == "fail"


# ------------------------------------------------------------------ USB-1000 / STRG-1846

def test_modprobe_blacklist_and_install(tmp_path):
    write(tmp_path, "/etc/modprobe.d/usb.conf", "install usb-storage /bin/true\n")
    write(tmp_path, "/etc/modprobe.d/fw.txt", "blacklist firewire-core\n")   # not *.conf
    f = by_subject(baseline.storage_findings({"root": str(tmp_path)}))
    assert f["usb-storage"]["status"] == "pass"
    assert f["firewire"]["status"] == "fail"
    write(tmp_path, "/usr/lib/modprobe.d/fw.conf", "blacklist firewire_ohci\n")
    write(tmp_path, "/etc/modprobe.d/usb.conf", "# install usb-storage /bin/true\n"
                                                "install usb_storage /sbin/modprobe --ignore-install usb_storage\n")
    f = by_subject(baseline.storage_findings({"root": str(tmp_path)}))
    assert f["usb-storage"]["status"] == "fail"
    assert f["firewire"]["status"] == "pass"


def test_modprobe_etc_hides_lib_file_of_same_name(tmp_path):
    write(tmp_path, "/usr/lib/modprobe.d/blk.conf", "blacklist usb-storage\n")
    write(tmp_path, "/etc/modprobe.d/blk.conf", "# emptied by the admin\n")
    f = by_subject(baseline.storage_findings({"root": str(tmp_path)}))
    assert f["usb-storage"]["status"] == "fail"


# ------------------------------------------------------------------ NAME-4406

@pytest.mark.parametrize("hosts,flagged", [
    ("127.0.0.1 localhost\n127.0.1.1 web1.example.com web1\n", False),
    ("127.0.0.1 localhost web1\n", True),
    ("::1 localhost ip6-localhost web1.example.com\n", True),
    ("127.0.0.1 web1\n", True),
    ("10.0.0.5 web1\n# 127.0.0.1 localhost web1\n", False),
    ("127.0.0.1 localhost web10\n", False),
])
def test_hostname_on_localhost_line(hosts, flagged):
    hits = baseline.hosts_lines_mapping_hostname(hosts.splitlines(), "web1")
    assert bool(hits) is flagged


def test_name_finding_reads_hostname_file(tmp_path):
    write(tmp_path, "/etc/hostname", "web1\n")
    write(tmp_path, "/etc/hosts", "::1 localhost web1\n")
    assert baseline.name_finding({"root": str(tmp_path)})["status"] == "fail"


# ------------------------------------------------------------------ MAIL-8818

def test_postfix_banner(tmp_path):
    assert baseline.mail_finding({"root": str(tmp_path)})["status"] == "skip"
    write(tmp_path, "/etc/postfix/main.cf", "myhostname = mx\n")
    f = baseline.mail_finding({"root": str(tmp_path)})
    assert f["status"] == "fail" and "software:postfix" in f["evidence"]["reveals"]
    write(tmp_path, "/etc/postfix/main.cf", "smtpd_banner = $myhostname ESMTP $mail_name\n"
                                            "  (Debian/GNU)\n")
    f = baseline.mail_finding({"root": str(tmp_path)})
    assert "os:debian" in f["evidence"]["reveals"]
    write(tmp_path, "/etc/postfix/main.cf", "smtpd_banner = ${myhostname} ESMTP\n")
    assert baseline.mail_finding({"root": str(tmp_path)})["status"] == "pass"


# ------------------------------------------------------------------ FIRE-4513 / 4590

IPT = """# Generated by iptables-save v1.8.9 (legacy) on x
*filter
:INPUT DROP [10:600]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
[120:9000] -A INPUT -i lo -j ACCEPT
[0:0] -A INPUT -p tcp --dport 23 -j ACCEPT
COMMIT
"""

NFT = ('{"nftables": [{"metainfo": {}}, {"table": {"family": "inet", "name": "f"}},'
       '{"chain": {"family": "inet", "table": "f", "name": "input", "hook": "input", "policy": "drop"}},'
       '{"rule": {"family": "inet", "table": "f", "chain": "input", "handle": 4,'
       ' "expr": [{"counter": {"packets": 0, "bytes": 0}}, {"accept": null}]}},'
       '{"rule": {"family": "inet", "table": "f", "chain": "input", "handle": 5, "expr": [{"drop": null}]}}]}')


def test_firewall_parsers_and_findings():
    ipt = baseline.parse_iptables_save(IPT)
    assert ipt["backend"] == "legacy" and len(ipt["rules"]) == 2
    assert ipt["policies"]["filter/INPUT"] == "DROP"
    nft = baseline.parse_nft_json(NFT)
    assert [r["packets"] for r in nft["rules"]] == [0, None]
    state = {"iptables": ipt, "ip6tables": None, "nft": nft, "errors": []}
    f = dict((x["id"], x) for x in baseline.firewall_findings({"root": "/"}, state))
    assert f["HG-FIRE-001"]["status"] == "fail"
    assert len(f["HG-FIRE-001"]["evidence"]["never_matched"]) == 2
    assert f["HG-FIRE-002"]["status"] == "pass"
    empty = {"iptables": baseline.parse_iptables_save(
        "# Generated by iptables-save v1.8.9 (nf_tables)\n*nat\n[0:0] -A POSTROUTING -j MASQUERADE\n"),
        "ip6tables": None, "nft": baseline.parse_nft_json('{"nftables": []}'), "errors": []}
    f = dict((x["id"], x) for x in baseline.firewall_findings({"root": "/"}, empty))
    assert f["HG-FIRE-002"]["status"] == "fail"
    assert baseline.parse_nft_json("not json") is None


def test_firewall_skipped_off_root(tmp_path):
    assert set(f["status"] for f in baseline.firewall_findings({"root": str(tmp_path)})) == {"skip"}


# ------------------------------------------------------------------ commands

def test_run_command_timeout_and_flood():
    res = baseline.run_command([sys.executable, "-c", "import time; time.sleep(60)"], timeout=0.5)
    assert res["rc"] is not None and res["error"].startswith("timed out")
    res = baseline.run_command([sys.executable, "-c", "import sys\nwhile 1: sys.stdout.write('x'*65536)"],
                               timeout=30, max_bytes=100000)
    assert "larger" in res["error"] and len(res["stdout"]) <= 100000
    assert baseline.run_command(["/nonexistent/hg"])["error"].startswith("cannot run")


def test_audit_on_empty_root_never_crashes(tmp_path):
    result = baseline.audit({"root": str(tmp_path)})
    assert result["findings"] and all(f["status"] != "error" for f in result["findings"])
    ids = set(f["id"] for f in result["findings"])
    assert {"HG-SSH-012", "HG-AUTH-001", "HG-FILE-001", "HG-STRG-001", "HG-NAME-001",
            "HG-MAIL-001", "HG-FIRE-002"} <= ids
