"""Area ssh: SSH-7408 grading and the sshd_config parser on fixture trees."""
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.audit import ssh_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.core import sshd_config
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh import collect, lynis_table, parse_sshd
from conftest import write  # noqa: E402


def by_subject(findings, prefix="HG-"):
    return dict((f["subject"], f) for f in findings if f["id"].startswith(prefix))


# ------------------------------------------------------------------ SSH-7408 grading

TABLE = dict((e.option, e) for e in lynis_table.expectations())


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
    assert lynis_table.grade(value, TABLE[option]) == expected


def test_table_is_lynis_verbatim_and_overridable():
    assert TABLE["AllowTcpForwarding"].as_lynis() == "AllowTcpForwarding:NO,LOCAL,YES:="
    assert len(TABLE) == 21
    table = dict((e.option, e) for e in lynis_table.expectations({"MaxAuthTries": "4,6,10:<",
                                                                  "Banner": "Banner:/ETC/ISSUE.NET,,NONE:="}))
    assert lynis_table.grade("4", table["MaxAuthTries"]) == "good"
    assert lynis_table.grade("none", table["Banner"]) == "weak"
    with pytest.raises(ValueError):
        lynis_table.expectations({"MaxAuthTries": "4,6:<"})
    with pytest.raises(ValueError):
        lynis_table.expectations({"MaxAuthTries": "4,6,8:~"})


def test_parse_time_and_line_splitting():
    assert parse_sshd.parse_time("2m") == 120
    assert parse_sshd.parse_time("1m30s") == 90
    assert parse_sshd.parse_time("45") == 45
    assert parse_sshd.parse_time("soon") is None
    assert sshd_config.split_config_line("  MaxAuthTries=4 # comment") == ("maxauthtries", ["4"])
    assert sshd_config.split_config_line('Banner "/etc/my banner"') == ("banner", ["/etc/my banner"])
    assert sshd_config.split_config_line("# PermitRootLogin yes") == (None, [])


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
    eff = collect.effective_from_files(str(tmp_path))
    values = eff["values"]
    assert values["permitrootlogin"] == ["no"]          # drop-in read first, first wins
    assert values["maxauthtries"] == ["3"]              # 10-hg before 20-other (lexical)
    assert values["port"] == ["2222", "22"]             # Port accumulates
    assert values["logingracetime"] == ["120"]          # time normalised like sshd -T
    assert values["x11forwarding"] == ["no"]            # Match block ignored -> default
    assert values["maxsessions"] == ["10"]              # *.txt not included -> default
    assert eff["origin"]["permitrootlogin"] == "/etc/ssh/sshd_config.d/10-hg.conf:1"
    # a Match opened in an included file ends with it: PermitRootLogin after is global
    port = lynis_table.grade_option(lynis_table.expectations()[14], values)
    assert port["grade"] == "weak" and port["values"] == ["2222", "22"]


def test_include_relative_and_depth_limit(tmp_path):
    write(tmp_path, "/etc/ssh/sshd_config", "Include loop.conf\n")
    write(tmp_path, "/etc/ssh/loop.conf", "Include loop.conf\nMaxSessions 2\n")
    tree = sshd_config.parse_config_tree(str(tmp_path))
    assert tree["values"]["maxsessions"] == ["2"]
    assert any("cycle" in p for p in tree["cut"])
    write(tmp_path, "/etc/ssh/sshd_config", "Include d1.conf\n")
    for depth in range(1, 20):
        write(tmp_path, "/etc/ssh/d%d.conf" % depth, "Include d%d.conf\n" % (depth + 1))
    tree = sshd_config.parse_config_tree(str(tmp_path))
    assert any("deeper" in p for p in tree["problems"])


def test_ssh_findings_from_files(tmp_path):
    write(tmp_path, "/etc/ssh/sshd_config", "PermitRootLogin yes\nMaxAuthTries 6\nLogLevel VERBOSE\n")
    findings = ssh_findings({"root": str(tmp_path)})[0]
    subj = by_subject(findings, "HG-SSH")
    # 21 options + sshd_config (HG-SSH-022/023/025 share the subject) + sshd (HG-SSH-024/026/027)
    # + Ciphers/MACs/KexAlgorithms (HG-SSH-028)
    assert len(subj) == 24
    assert subj["Ciphers/MACs/KexAlgorithms"]["evidence"]["lists"]["Ciphers"]["source"] == "OpenSSH built-in default"
    assert subj["Compression"]["status"] == "skip" and "7.4" in subj["Compression"]["detail"]
    assert subj["PermitRootLogin"]["status"] == "fail"
    assert subj["PermitRootLogin"]["severity"] == "high"
    assert subj["PermitRootLogin"]["references"]["lynis"] == "SSH-7408"
    assert subj["MaxAuthTries"]["status"] == "fail" and subj["MaxAuthTries"]["severity"] == "low"
    assert subj["MaxAuthTries"]["evidence"]["grade"] == "medium"
    assert subj["LogLevel"]["status"] == "pass"
    assert subj["StrictModes"]["status"] == "pass"
    assert subj["StrictModes"]["evidence"].get("set_at") == "default"


def test_ssh_missing_config_is_skip(tmp_path):
    findings = ssh_findings({"root": str(tmp_path)})[0]
    # only the SSH-7402 inventory says something: no sshd running
    assert set(f["status"] for f in findings if f["id"] != "HG-SSH-024") == {"skip"}
    [running] = [f for f in findings if f["id"] == "HG-SSH-024"]
    assert running["status"] == "pass" and running["evidence"]["running"] is False


@pytest.mark.parametrize("kind", ["fifo", "directory", "loop", "dangling"])
def test_ssh_main_config_there_but_not_read_is_an_error_not_a_skip(tmp_path, kind):
    """A sshd_config replaced by a FIFO, a directory, a link loop or a link out of root was
    graded as "not found under root" (every option a skip): now each is an error naming why."""
    main = tmp_path / "etc/ssh/sshd_config"
    os.makedirs(str(main.parent))
    {"fifo": lambda: os.mkfifo(str(main)), "directory": lambda: os.mkdir(str(main)),
     "loop": lambda: os.symlink("sshd_config", str(main)),
     "dangling": lambda: os.symlink("/dev/zero", str(main))}[kind]()
    findings = ssh_findings({"root": str(tmp_path)})[0]
    subj = by_subject(findings, "HG-SSH")
    for subject in ("PermitRootLogin", "Ciphers/MACs/KexAlgorithms"):
        assert subj[subject]["status"] == "error", subj[subject]
        assert "sshd configuration not read: /etc/ssh/sshd_config" in subj[subject]["detail"]
    [tree_read] = [f for f in findings if f["id"] == "HG-SSH-023"]
    assert tree_read["status"] == "error" and "not read" in tree_read["detail"]


def test_include_globs_in_directories_and_unexpanded_includes_never_pass(tmp_path, monkeypatch):
    """sshd expands an Include with glob(3), directory parts too: ``Include /etc/ssh/*/evil.conf``
    was "not expanded" (a problem only) and PermitRootLogin passed on its default; an Include
    over a directory of more entries than the audit looks at was the same silent pass. The
    first is expanded now (inside root, dot files left out, whole paths in lexical order), the
    second is a cut: HG-SSH-023 fails and the options it may set are "not verified" errors."""
    tree_files = {"sshd_config": "Include /etc/ssh/*/evil.conf /etc/ssh/d*/*.conf", "b/evil.conf": "PermitRootLogin yes",
                  "a/other.conf": "PermitRootLogin no", ".h/evil.conf": "PermitRootLogin no",
                  "d2/20.conf": "MaxSessions 2", "d1/10.conf": "MaxAuthTries 3"}
    for rel, line in tree_files.items():
        write(tmp_path, "/etc/ssh/" + rel, line + "\n")
    tree = sshd_config.parse_config_tree(str(tmp_path))
    assert tree["files"] == ["/etc/ssh/sshd_config", "/etc/ssh/b/evil.conf", "/etc/ssh/d1/10.conf", "/etc/ssh/d2/20.conf"]
    assert tree["values"]["permitrootlogin"] == ["yes"] and tree["cut"] == []
    monkeypatch.setattr(sshd_config, "MAX_LISTED_NAMES", 10)   # the first Include looks at 6 names, the second at 12
    for index in range(4):
        write(tmp_path, "/etc/ssh/d1/%02d-filler.conf" % index, "\n")
    subj = by_subject(ssh_findings({"root": str(tmp_path)})[0], "HG-SSH")
    assert subj["PermitRootLogin"]["status"] == "fail"          # read before the cut: keeps its grade
    assert subj["PermitUserEnvironment"]["status"] == "error" and "not verified" in subj["PermitUserEnvironment"]["detail"]
    [tree_read] = [f for f in ssh_findings({"root": str(tmp_path)})[0] if f["id"] == "HG-SSH-023"]
    assert tree_read["status"] == "fail" and "not expanded" in tree_read["detail"]


def test_ssh_inventory_when_sshd_runs(tmp_path):
    from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.inventory import ssh_inventory_findings
    write(tmp_path, "/etc/ssh/sshd_config", "AllowGroups ssh-users\n")

    class Host(object):
        def running(self, name):
            return [{"pid": 42}]

        def is_file(self, path):
            return path == "/etc/ssh/sshd_config"
    eff = {"source": "sshd -T", "values": {"allowgroups": ["ssh-users"]}}
    f = dict((x["id"], x) for x in ssh_inventory_findings(Host(), eff, (9, 2)))
    assert f["HG-SSH-025"]["evidence"] == {"found": ["/etc/ssh/sshd_config"], "used": "/etc/ssh/sshd_config"}
    assert f["HG-SSH-026"]["evidence"]["version"] == "9.2"
    assert f["HG-SSH-027"]["evidence"]["limited"] is True and f["HG-SSH-027"]["status"] == "pass"
    assert f["HG-SSH-027"]["references"]["lynis"] == "SSH-7440"


def test_ssh_config_hostile_files(tmp_path):
    os.makedirs(str(tmp_path / "etc/ssh/sshd_config.d"))
    os.mkfifo(str(tmp_path / "etc/ssh/sshd_config.d/fifo.conf"))
    os.symlink("/dev/zero", str(tmp_path / "etc/ssh/sshd_config.d/zero.conf"))
    write(tmp_path, "/etc/ssh/sshd_config.d/bad.conf", b"PermitRootLogin \xff\xfe\nMaxSessions 2\n")
    write(tmp_path, "/etc/ssh/sshd_config", "Include sshd_config.d/*.conf\n" + "#" * 10000 + "\n")
    eff = collect.effective_from_files(str(tmp_path))
    assert eff["values"]["maxsessions"] == ["2"]
    assert eff["values"]["permitrootlogin"] == ["\\xff\\xfe"]
    assert any("fifo.conf" in p for p in eff["problems"])
    assert any("zero.conf" in p for p in eff["problems"])


# ------------------------------------------------------------------ issue 15/17 regressions

def test_match_all_applies_like_sshd(tmp_path):
    write(tmp_path, "/etc/ssh/sshd_config", "PermitRootLogin no\nMatch User bob\n  X11Forwarding yes\n"
          "Match all\n  PermitRootLogin yes\n  MaxSessions 3\n")
    tree = sshd_config.parse_config_tree(str(tmp_path))
    assert tree["values"]["permitrootlogin"] == ["yes"] and tree["values"]["maxsessions"] == ["3"]
    assert "x11forwarding" not in tree["values"]
    assert tree["origin"]["permitrootlogin"].endswith("(Match all)")
    f = by_subject(ssh_findings({"root": str(tmp_path)})[0])
    assert f["PermitRootLogin"]["status"] == "fail"


def test_self_include_of_a_large_file_is_cut_fast_and_said(tmp_path):
    body = "Include /etc/ssh/sshd_config\n" + ("# filler line to make the file large\n" * 30000)
    write(tmp_path, "/etc/ssh/sshd_config", body + "PermitRootLogin no\n")
    tree = sshd_config.parse_config_tree(str(tmp_path))
    assert len(tree["files"]) == 1 and tree["bytes"] <= sshd_config.MAX_TREE_BYTES
    assert any("cycle" in c for c in tree["cut"])
    findings, _facts = ssh_findings({"root": str(tmp_path)})
    by_id = dict((f["id"], f) for f in findings)
    assert by_id["HG-SSH-023"]["status"] == "fail" and by_id["HG-SSH-022"]["status"] == "fail"


def test_many_includes_of_one_file_and_the_tree_byte_budget(tmp_path):
    write(tmp_path, "/etc/ssh/big.conf", "# x\n" * (300 * 1024))          # 1.2 MiB
    write(tmp_path, "/etc/ssh/sshd_config", "Include " + " ".join(["big.conf"] * 200) + "\n"
          + "".join("Include b%d.conf\n" % i for i in range(8)))
    for i in range(8):
        write(tmp_path, "/etc/ssh/b%d.conf" % i, "# y\n" * (200 * 1024))   # 800 KiB each
    tree = sshd_config.parse_config_tree(str(tmp_path))
    assert tree["bytes"] <= sshd_config.MAX_TREE_BYTES
    assert tree["files"].count("/etc/ssh/big.conf") == sshd_config.MAX_INCLUDES_OF_ONE_FILE
    assert any("more than" in c for c in tree["cut"]) and any("budget" in c for c in tree["cut"])


def test_nul_in_an_include_path_is_a_problem_not_a_crash(tmp_path):
    write(tmp_path, "/etc/ssh/sshd_config", "Include /etc/ssh/a\x00b.conf\nInclude x\x00*.conf\nMaxSessions 2\n")
    tree = sshd_config.parse_config_tree(str(tmp_path))
    assert tree["values"]["maxsessions"] == ["2"]
    assert sum(1 for p in tree["problems"] if "not a usable path" in p) == 2
    assert ssh_findings({"root": str(tmp_path)})[0]


def test_parse_time_is_linear_and_exact():
    import time as _time
    assert parse_sshd.parse_time("1m30") is None and parse_sshd.parse_time("") is None
    assert parse_sshd.parse_time("1h1m1s") == 3661 and parse_sshd.parse_time("2w") == 1209600
    hostile = "1" * 200000 + "x"
    counted = []

    class Counting(str):
        def __iter__(self):
            for ch in str.__iter__(self):
                counted.append(1)
                yield ch
    assert parse_sshd.parse_time(Counting(hostile)) is None
    assert len(counted) <= len(hostile)          # one pass, whatever the input
    del _time


def test_openssh_version_parsing_and_compression_rule(tmp_path):
    from ansible_collections.hostguard.hardening.plugins.module_utils.ssh import options_7408
    assert parse_sshd.parse_openssh_version("OpenSSH_9.2, OpenSSL 3.0.20") == (9, 2)
    assert parse_sshd.parse_openssh_version("1:7.3p1-5") == (7, 3)
    assert parse_sshd.parse_openssh_version("garbage") is None
    status = ["Package: openssh-client", "Status: install ok installed", "Version: 1:1.0-1", "",
              "Package: openssh-server", "Status: install ok installed", "Version: 1:7.3p1-5", ""]
    assert parse_sshd.dpkg_package_version(status, "openssh-server") == "1:7.3p1-5"
    write(tmp_path, "/var/lib/dpkg/status", "\n".join(status) + "\n")
    write(tmp_path, "/etc/ssh/sshd_config", "Compression yes\n")
    f = by_subject(ssh_findings({"root": str(tmp_path)})[0])
    assert f["Compression"]["status"] == "fail"            # OpenSSH 7.3: still graded
    assert options_7408.compression_not_graded((9, 2)) and options_7408.compression_not_graded(None)
    assert options_7408.compression_not_graded((7, 3)) is None
    f = by_subject(ssh_findings({"root": str(tmp_path),
                                 "ssh_expectations": {"Compression": "NO,,YES:="}})[0])
    assert f["Compression"]["status"] == "fail"


def test_sshd_rejecting_its_config_is_its_own_finding():
    from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.config_validity import check_sshd_accepts
    import os as _os
    eff = {"cut": [], "sshd_test": {"rc": 255, "command": "sshd -T", "error": None,
                                    "stderr_tail": ["/etc/ssh/sshd_config: line 3: Bad configuration option: Foo",
                                                    "/etc/ssh/sshd_config: terminating, 1 bad configuration options"]}}
    f = check_sshd_accepts(eff, "/")
    if _os.geteuid() == 0:
        assert f["status"] == "fail" and "terminating" in f["detail"]
    else:
        assert f["status"] == "skip"
    ok = check_sshd_accepts({"cut": [], "sshd_test": {"rc": 0, "command": "sshd -T"}}, "/")
    assert ok["status"] == "pass"
    offline = check_sshd_accepts({"cut": [], "sshd_test": None}, "/mnt")
    assert offline["status"] == "skip"
