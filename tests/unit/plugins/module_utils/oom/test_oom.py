import os

from ansible_collections.hostguard.hardening.plugins.module_utils.oom import audit as oom
from ansible_collections.hostguard.hardening.plugins.module_utils.core import systemd_units
from procfixture import add_process, write

SSH_UNIT = "[Unit]\nDescription=OpenBSD Secure Shell server\n[Service]\nExecStart=/usr/sbin/sshd -D\n"


def run(root, **opts):
    opts.setdefault("use_systemctl", "no")
    opts["root"] = str(root)
    return oom.audit(opts)


def find(findings, check_id, subject=None):
    return [f for f in findings if f["id"] == check_id and
            (subject is None or f["subject"] == subject)]


def test_parse_unit_oom_syntax():
    lines = list(enumerate([
        "[Unit]", "OOMScoreAdjust=5", "[Service]", "# OOMScoreAdjust=1", "OOMScoreAdjust = -100",
        "ExecStart=/bin/x \\", "  OOMScoreAdjust=7", "OOMScoreAdjust=", "OOMScoreAdjust=abc",
        "OOMScoreAdjust=-900"], 1))
    got = oom.parse_unit_oom(lines, "u")
    assert got == [(-100, "u:5"), (None, "u:8"), ("invalid:abc", "u:9"), (-900, "u:10")]


def test_unit_precedence_and_dropins(tmp_path):
    root = str(tmp_path)
    write(root, "/lib/systemd/system/ssh.service", SSH_UNIT + "OOMScoreAdjust=-100\n")
    write(root, "/usr/lib/systemd/system/ssh.service", SSH_UNIT + "OOMScoreAdjust=-200\n")
    write(root, "/lib/systemd/system/ssh.service.d/10-a.conf", "[Service]\nOOMScoreAdjust=-300\n")
    write(root, "/etc/systemd/system/ssh.service.d/20-b.conf", "[Service]\nOOMScoreAdjust=-400\n")
    # same drop-in basename: /etc wins over /lib
    write(root, "/lib/systemd/system/ssh.service.d/20-b.conf", "[Service]\nOOMScoreAdjust=1\n")
    write(root, "/run/systemd/system/service.d/05-all.conf", "[Service]\nOOMScoreAdjust=9\n")
    unit = systemd_units.find_unit(root, "ssh.service")
    assert unit["real"] == "/lib/systemd/system/ssh.service"  # /lib before /usr/lib
    assert unit["dropins"] == ["/run/systemd/system/service.d/05-all.conf",
                               "/lib/systemd/system/ssh.service.d/10-a.conf",
                               "/etc/systemd/system/ssh.service.d/20-b.conf"]
    value, where, errors = oom.configured_oom_adj(root, unit)
    assert (value, where, errors) == (-400, "/etc/systemd/system/ssh.service.d/20-b.conf:2", [])
    # an /etc unit file replaces the vendor file entirely
    write(root, "/etc/systemd/system/ssh.service", SSH_UNIT)
    unit = systemd_units.find_unit(root, "ssh.service")
    assert unit["real"] == "/etc/systemd/system/ssh.service"
    assert oom.configured_oom_adj(root, unit)[0] == -400


def test_alias_symlink_and_mask(tmp_path):
    root = str(tmp_path)
    write(root, "/lib/systemd/system/ssh.service", SSH_UNIT)
    os.makedirs(str(tmp_path / "etc/systemd/system"))
    os.symlink("/lib/systemd/system/ssh.service", str(tmp_path / "etc/systemd/system/sshd.service"))
    write(root, "/etc/systemd/system/ssh.service.d/oom.conf", "[Service]\nOOMScoreAdjust=-1000\n")
    unit = systemd_units.find_unit(root, "sshd.service")
    assert unit["aliases"] == ["sshd.service", "ssh.service"]
    assert oom.configured_oom_adj(root, unit)[0] == -1000
    os.symlink("/dev/null", str(tmp_path / "etc/systemd/system/redis.service"))
    assert systemd_units.find_unit(root, "redis.service")["masked"]
    assert systemd_units.find_unit(root, "nothing.service") is None


def test_sshd_not_protected_and_children_ignored(tmp_path):
    write(tmp_path, "/lib/systemd/system/ssh.service", SSH_UNIT)
    add_process(tmp_path, 500, "sshd", adj=0, unit="ssh.service")
    add_process(tmp_path, 900, "sshd", adj=0, ppid=500, unit="session-3.scope")
    res = run(tmp_path)
    f = find(res["findings"], "HG-OOM-001")
    assert len(f) == 1 and f[0]["status"] == "fail"
    assert [p["pid"] for p in f[0]["evidence"]["processes"]] == [500]
    assert find(res["findings"], "HG-OOM-002")[0]["status"] == "skip"  # nothing configured


def test_sshd_protected_passes(tmp_path):
    write(tmp_path, "/lib/systemd/system/ssh.service", SSH_UNIT + "OOMScoreAdjust=-600\n")
    add_process(tmp_path, 500, "sshd", adj=-600, unit="ssh.service")
    res = run(tmp_path)
    assert find(res["findings"], "HG-OOM-001")[0]["status"] == "pass"
    assert find(res["findings"], "HG-OOM-002")[0]["status"] == "pass"
    res = run(tmp_path, sshd_max_oom_score_adj=-700)
    assert find(res["findings"], "HG-OOM-001")[0]["status"] == "fail"


def test_configured_but_not_effective(tmp_path):
    """The container case: OOMScoreAdjust=-1000 configured, the process keeps 0."""
    write(tmp_path, "/lib/systemd/system/ssh.service", SSH_UNIT)
    write(tmp_path, "/etc/systemd/system/ssh.service.d/oom.conf",
          "[Service]\nOOMScoreAdjust=-1000\n")
    add_process(tmp_path, 500, "sshd", adj=0, unit="ssh.service")
    res = run(tmp_path)
    f = find(res["findings"], "HG-OOM-002")[0]
    assert f["status"] == "fail"
    assert f["detail"].startswith("configured but not effective")
    assert "CAP_SYS_RESOURCE" in f["detail"]
    assert f["evidence"]["configured"] == -1000
    assert f["evidence"]["configured_in"] == "/etc/systemd/system/ssh.service.d/oom.conf:2"
    assert f["evidence"]["effective"] == [{"pid": 500, "oom_score_adj": 0}]


def test_live_systemctl_values_used(tmp_path):
    add_process(tmp_path, 500, "sshd", adj=0)
    add_process(tmp_path, 501, "sshd", adj=0)
    live = oom.parse_systemctl_show(
        "Id=ssh.service\nOOMScoreAdjust=-1000\nMainPID=501\nLoadState=loaded\n\n"
        "Id=sshd.service\nOOMScoreAdjust=0\nMainPID=0\nLoadState=not-found\n")
    spec = oom.service_specs({})[0]
    procs = oom.collect_processes(str(tmp_path), 100)
    found, fact, mains = oom.audit_service(str(tmp_path), spec, procs, live, True)
    assert [p["pid"] for p in mains] == [501]
    f002 = [f for f in found if f["id"] == "HG-OOM-002"][0]
    assert f002["status"] == "fail" and f002["evidence"]["configured_in"] == \
        "systemctl show ssh.service"


def test_immune_processes_ranked_by_rss(tmp_path):
    add_process(tmp_path, 10, "systemd-udevd", rss_kib=4000, adj=-1000)
    add_process(tmp_path, 20, "hogger.py", rss_kib=900000, adj=-1000)
    add_process(tmp_path, 30, "keydb-server", rss_kib=50000, adj=-1000)
    add_process(tmp_path, 40, "victim.py", rss_kib=128, adj=1000)
    res = run(tmp_path, include_sshd=False)
    f = find(res["findings"], "HG-OOM-003")
    assert [x["subject"] for x in f] == ["hogger.py[20]", "keydb-server[30]"]
    assert [x["evidence"]["rank_by_rss"] for x in f] == [1, 2]
    assert f[0]["severity"] == "high" and f[1]["severity"] == "medium"
    imm = res["facts"]["immune_processes"]
    assert [(p["pid"], p["allowed"]) for p in imm] == [(20, False), (30, False), (10, True)]
    victims = res["facts"]["likely_victims"]
    assert victims[0]["pid"] == 40 and all(v["pid"] not in (10, 20, 30) for v in victims)
    res = run(tmp_path, include_sshd=False, immune_allow=["hogger.py", "keydb-server"])
    assert find(res["findings"], "HG-OOM-003")[0]["status"] == "pass"
    res = run(tmp_path, include_sshd=False, immune_allow=["hogger.py"], immune_allow_default=False)
    assert [x["subject"] for x in find(res["findings"], "HG-OOM-003")] == \
        ["keydb-server[30]", "systemd-udevd[10]"]


def test_top_victims_and_key_service_among_them(tmp_path):
    for pid in range(100, 115):
        add_process(tmp_path, pid, "worker%d" % pid, rss_kib=1000 * pid, adj=0)
    add_process(tmp_path, 200, "redis-server", rss_kib=500000, adj=0,
                unit="redis-server.service")
    res = run(tmp_path, include_sshd=False, services=["redis-server"], top_n=3)
    victims = res["facts"]["likely_victims"]
    assert [v["pid"] for v in victims] == [200, 114, 113]
    assert [v["rank"] for v in victims] == [1, 2, 3]
    f = find(res["findings"], "HG-OOM-004")
    assert f[0]["status"] == "fail" and f[0]["subject"] == "redis-server"
    assert find(res["findings"], "HG-OOM-005")[0]["evidence"]["victims"][0]["rss_kib"] == 500000
    res = run(tmp_path, include_sshd=False, services=[
        {"name": "redis", "unit": "redis-server.service", "max_oom_score_adj": -100}], top_n=3)
    assert find(res["findings"], "HG-OOM-001", "redis")[0]["status"] == "fail"


def test_service_specs():
    specs = oom.service_specs({"services": ["redis-server", "keydb.service", "sshd",
                                            {"process": "java"}]})
    assert [s["name"] for s in specs] == ["sshd", "redis-server", "keydb.service", "java"]
    assert specs[1]["units"] == ["redis-server.service"]
    assert specs[2]["processes"] == ["keydb"]


def test_not_running_and_empty_proc(tmp_path):
    os.makedirs(str(tmp_path / "proc"))
    res = run(tmp_path, services=["redis-server"])
    statuses = dict(((f["id"], f["subject"]), f["status"]) for f in res["findings"])
    assert statuses[("HG-OOM-001", "sshd")] == "skip"
    assert res["facts"]["likely_victims"] == []
