"""Realistic synthetic host reports for the report tests, built with the findings model.

Checks here mirror the areas' catalogue shape (IDs, severities, references); they are test
fixtures, not the catalogue. ``make_report(host, seed)`` gives a deterministic report.
"""
import datetime
import random

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import (
    Check, REPORT_SCHEMA_VERSION, sort_findings, summarize, worst_severity)

CHECKS = [
    Check("HG-CRON-001", "Cron spool file is not named after a user", "high", "cron", ["/var/spool/cron"],
          "Quarantine the file", {"lynis": "SCHD-7704", "attack": "T1053.003"}, role="cron_quarantine"),
    Check("HG-CRON-002", "Redis RDB dump in a cron directory", "critical", "cron", ["/var/spool/cron"],
          "Quarantine the dump and secure Redis", {"attack": "T1053.003"}, role="cron_quarantine"),
    Check("HG-CRON-003", "World-writable cron file", "high", "cron", ["/etc/cron.d"], "chmod 0644",
          {"cis": "5.1.2"}),
    Check("HG-REDIS-001", "Redis listens without authentication", "critical", "redis", ["redis.conf"],
          "Set requirepass or ACL", {"cis": "n/a", "attack": "T1190"}, role="redis_harden"),
    Check("HG-REDIS-002", "Redis dir points into cron or .ssh", "critical", "redis", ["CONFIG GET dir"],
          "Fix dir and enable protected config", {"attack": "T1053.003"}, role="redis_harden"),
    Check("HG-REDIS-003", "Redis protected-mode disabled", "medium", "redis", ["redis.conf"], "protected-mode yes"),
    Check("HG-SYSCTL-001", "vm.panic_on_oom is not 0", "medium", "sysctl", ["/proc/sys/vm"],
          "Set vm.panic_on_oom=0", {"lynis": "KRNL-6000"}, role="oom_policy"),
    Check("HG-OOM-001", "sshd is not protected from the OOM killer", "medium", "oom", ["/proc/*/oom_score_adj"],
          "OOMScoreAdjust=-1000 for sshd", {}, role="oom_policy"),
    Check("HG-OOM-002", "Process immune to the OOM killer", "high", "oom", ["/proc/*/oom_score_adj"],
          "Remove oom_score_adj -1000"),
    Check("HG-OOMLOG-001", "OOM kills in the kernel log", "high", "oomlog", ["dmesg"], "Find the culprit"),
    Check("HG-SSH-001", "SSH root login allowed", "medium", "ssh", ["sshd_config"], "PermitRootLogin no",
          {"lynis": "SSH-7408"}),
    Check("HG-AUTH-001", "Password aging not set", "low", "auth", ["/etc/login.defs"], "Set PASS_MAX_DAYS",
          {"lynis": "AUTH-9286"}),
    Check("HG-NAME-001", "Only one name server", "info", "nameservices", ["/etc/resolv.conf"], "Add a resolver",
          {"lynis": "NAME-4406"}),
]
BY_ID = dict((c.id, c) for c in CHECKS)


def hardening_index(findings):
    weights = dict((c.id, c.weight) for c in CHECKS)
    got = sum(weights.get(f["id"], 1) for f in findings if f["status"] == "pass")
    total = sum(weights.get(f["id"], 1) for f in findings if f["status"] in ("pass", "fail"))
    return int(round(100.0 * got / total)) if total else None


def build(host, findings, facts=None, errors=None, when=None):
    when = when or datetime.datetime(2026, 11, 22, 10, 0, 0, tzinfo=datetime.timezone.utc)
    findings = sort_findings(findings)
    summary = summarize(findings)
    summary["worst_severity"] = worst_severity(findings)
    summary["hardening_index"] = hardening_index(findings)
    return {"schema_version": REPORT_SCHEMA_VERSION, "host": host,
            "generated_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "hostguard_version": "0.1.0",
            "areas": ["cron", "redis", "sysctl", "oom", "oomlog", "ssh", "auth", "nameservices"],
            "summary": summary, "findings": findings, "facts": facts or {"oomlog": {"incidents": []}},
            "timings": {"cron": 0.012, "redis": 0.2, "sysctl": 0.003, "oom": 0.05, "oomlog": 0.4,
                        "ssh": 0.02, "auth": 0.001, "nameservices": 0.001},
            "errors": errors or []}


def incidents(rng, n):
    base = datetime.datetime(2026, 11, 20, 3, 0, 0, tzinfo=datetime.timezone.utc)
    out = []
    for i in range(n):
        when = base + datetime.timedelta(minutes=rng.randint(0, 3000))
        name = rng.choice(["python3", "java", "hids-agent", "redis-server", "sshd"])
        out.append({"time": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "trigger": "kworker/0:1",
                    "victim": {"pid": rng.randint(100, 60000), "name": name, "anon_rss_kb": rng.randint(1000, 900000)},
                    "verdict": "victim of %s (oom_score_adj -1000)" % rng.choice(["java", "redis-server"])})
    return sorted(out, key=lambda i: i["time"])


def make_report(host, seed=0, fail_rate=0.4, n_incidents=None):
    """A deterministic, realistic report; higher ``fail_rate`` = worse host."""
    rng = random.Random("%s/%s" % (host, seed))
    findings = []
    for check in CHECKS:
        roll = rng.random()
        subject = {"cron": "/var/spool/cron/%s" % rng.choice(["dump.rdb", "root", "backup"]),
                   "redis": "127.0.0.1:6379"}.get(check.area, check.reads[0])
        if roll < fail_rate:
            findings.append(check.fail(subject, {"size": rng.randint(10, 600 << 20), "owner": "redis",
                                                 "would_run": False, "why": "file name is not a user"}))
        elif roll < fail_rate + 0.05:
            findings.append(check.error(subject, "permission denied"))
        elif roll < fail_rate + 0.1:
            findings.append(check.skip(subject, "not installed"))
        else:
            findings.append(check.passed(subject))
    n = rng.randint(0, 6) if n_incidents is None else n_incidents
    return build(host, findings, {"oomlog": {"incidents": incidents(rng, n)}})


XSS = "<script>alert(1)</script>"


def hostile_report(host="evil.example"):
    """A report whose host-controlled strings try to inject markup everywhere."""
    img = '"><img src=x onerror=alert(2)>'
    findings = [
        BY_ID["HG-CRON-001"].fail("/var/spool/cron/" + XSS + "\x00\x1b", {"file": XSS, "line": img, XSS: "key",
                                                                          "ctl": "a\x00b\x1b[31m\ud800"}),
        BY_ID["HG-REDIS-002"].fail("127.0.0.1:6379", {"dir": "/var/spool/cron/" + XSS, "dbfilename": img}),
        BY_ID["HG-SSH-001"].skip(XSS, XSS),
        BY_ID["HG-AUTH-001"].error(img, "boom " + XSS),
        BY_ID["HG-NAME-001"].passed("</style><script>alert(3)</script>"),
    ]
    facts = {"oomlog": {"incidents": [
        {"time": "2026-11-21T01:02:03Z", "trigger": XSS,
         "victim": {"pid": 1, "name": XSS, "anon_rss_kb": 5000}, "verdict": img}]}}
    return build(host, findings, facts, errors=[XSS])
