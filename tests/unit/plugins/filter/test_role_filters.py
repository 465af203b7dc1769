"""The pure filters behind roles/sysctl_hardening, oom_protection, redis_hardening, cron_hygiene."""
import base64

from ansible_collections.hostguard.hardening.plugins.filter import (cron_plan, redis_runtime,
                                                                    sysctl_plan, systemd_show)


def test_sysctl_drift_and_unsupported():
    lines = ["vm.panic_on_oom = 1", "net.ipv4.tcp_syncookies = 1", "kernel.x = a\tb"]
    out = sysctl_plan.sysctl_drift(lines, {"vm.panic_on_oom": 0, "net/ipv4/tcp_syncookies": 1,
                                           "kernel.x": "a b", "kernel.missing": 1})
    assert out == {"drift": {"vm.panic_on_oom": {"running": "1", "wanted": "0"}},
                   "unsupported": ["kernel.missing"]}


def test_sysctl_not_live():
    drift = {"vm.panic_on_oom": {"running": "1", "wanted": "0"}, "kernel.sysrq": {"running": "1", "wanted": "0"}}
    assert sysctl_plan.sysctl_not_live(["vm.panic_on_oom = 0", "kernel.sysrq = 1"], drift) == ["kernel.sysrq"]


def test_sysctl_overridden_by_a_later_file():
    cat = ("# /etc/sysctl.d/999-hostguard.conf\nkernel.sysrq = 0\nvm.panic_on_oom=0\n\n"
           "# /etc/sysctl.d/zz-evil.conf\n; comment\n-kernel/sysrq = 1\n")
    out = sysctl_plan.sysctl_overridden(cat, {"kernel.sysrq": 0, "vm.panic_on_oom": 0},
                                        "/etc/sysctl.d/999-hostguard.conf")
    assert out == [{"key": "kernel.sysrq", "wanted": "0", "winner": "/etc/sysctl.d/zz-evil.conf", "value": "1"}]


def test_sysctl_overridden_with_one_file_per_family():
    cat = ("# /etc/sysctl.d/999-hostguard-kernel.conf\nkernel.sysrq = 0\n"
           "# /etc/sysctl.d/999-hostguard-oom.conf\nvm.panic_on_oom = 0\n"
           "# /etc/sysctl.d/999-hostguard.conf\nkernel.sysrq = 1\n")      # 0.1's file sorts last and wins
    ours = ["/etc/sysctl.d/999-hostguard-kernel.conf", "/etc/sysctl.d/999-hostguard-oom.conf"]
    out = sysctl_plan.sysctl_overridden(cat, {"kernel.sysrq": 0, "vm.panic_on_oom": 0}, ours)
    assert out == [{"key": "kernel.sysrq", "wanted": "0", "winner": "/etc/sysctl.d/999-hostguard.conf", "value": "1"}]


def test_unit_names():
    assert systemd_show.unit_names([{"unit": "cron"}, {"unit": "ssh.socket"}]) == [
        {"unit": "cron.service"}, {"unit": "ssh.socket"}]


def test_systemctl_show_blocks_in_argument_order():
    out = systemd_show.systemctl_show("Id=a.service\nLoadState=loaded\n\nId=b.service\nLoadState=not-found\n",
                                      ["a.service", "b.service"])
    assert out["b.service"]["LoadState"] == "not-found"
    assert out["a.service"] == {"Id": "a.service", "LoadState": "loaded"}


def test_oom_report_statuses():
    state = {"ssh.service": {"MainPID": "10", "OOMScoreAdjust": "-900"},
             "cron.service": {"MainPID": "0", "OOMScoreAdjust": "-500"},
             "redis.service": {"MainPID": "11", "OOMScoreAdjust": "0"}}
    enc = base64.b64encode(b"0\n").decode()
    results = [{"item": {"unit": "ssh.service", "oom_score_adjust": -900}, "content": enc},
               {"item": {"unit": "cron.service", "oom_score_adjust": -500}, "skipped": True},
               {"item": {"unit": "redis.service", "oom_score_adjust": 300}, "content": enc},
               {"item": {"unit": "x.service", "memory_max": "1G"}}]
    out = dict((r["unit"], r["status"]) for r in systemd_show.oom_report(results, state))
    assert out == {"ssh.service": "configured-not-effective", "cron.service": "not-running",
                   "redis.service": "not-loaded", "x.service": "not-configured"}


def test_redis_runtime_drift():
    lines = ["dbfilename", "dump.rdb", "dir", "/var/spool/cron"]
    assert redis_runtime.redis_runtime_drift(lines, "/var/lib/redis", "dump.rdb") == {"dir": "/var/spool/cron"}
    assert redis_runtime.redis_runtime_drift(lines[:3], "/var/spool/cron", "x") == {"dbfilename": "dump.rdb"}


def test_cron_plan_moves_in_scope_and_leaves_protected_for_a_human():
    findings = [
        {"id": "HG-CRON-001", "status": "fail", "subject": "/var/spool/cron/dump.rdb", "title": "rdb"},
        {"id": "HG-CRON-010", "status": "fail", "subject": "/var/spool/cron/dump.rdb", "title": "line"},
        {"id": "HG-CRON-010", "status": "fail", "subject": "/etc/crontab", "title": "line"},
        {"id": "HG-CRON-010", "status": "fail", "subject": "/opt/x", "title": "line"},
        {"id": "HG-CRON-010", "status": "pass", "subject": "/etc/cron.d/ok", "title": "line"},
        {"id": "HG-CRON-004", "status": "fail", "subject": "/etc/init.d/pkg", "title": "boot"},
        {"id": "HG-CRON-010", "status": "fail", "subject": "/var/spool/cronx/y", "title": "line"},
    ]
    out = cron_plan.cron_quarantine_plan(findings, ["HG-CRON-001", "HG-CRON-010"],
                                         ["/var/spool/cron", "/etc/cron.d"], ["/etc/crontab"],
                                         [{"path": "/etc/cron.d/evil"}])
    assert out["move"] == {"/var/spool/cron/dump.rdb": ["HG-CRON-001", "HG-CRON-010"],
                           "/etc/cron.d/evil": ["MANUAL"]}
    assert [m["path"] for m in out["manual"]] == ["/etc/crontab", "/opt/x", "/var/spool/cronx/y"]
