"""redis_audit through real Ansible (ad-hoc `ansible localhost -m ...`) against a live redis-server."""
import json
import os
import subprocess
import sys

import pytest

from redis_helpers import RedisInstance, free_port

pytestmark = pytest.mark.real

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASSWORD = "hg-redis-ansible-Pw-5b2e"


def test_ansible_adhoc_redis_audit(tmp_path):
    ansible = os.path.join(os.path.dirname(sys.executable), "ansible")
    assert os.path.exists(ansible), "ansible must be installed in the test venv"
    inst = RedisInstance(tmp_path / "hg-redis-ans", ["bind 127.0.0.1", "requirepass " + PASSWORD], free_port())
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".collections"),
               ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="json",
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_HOME=str(tmp_path / "ansible-home"))
    env["PATH"] = os.path.dirname(sys.executable) + ":" + env.get("PATH", "")
    try:
        inst.start()
        endpoint = "127.0.0.1:%d" % inst.port
        args = json.dumps({"endpoints": [endpoint], "password": PASSWORD, "timeout": 2})
        proc = subprocess.run([ansible, "localhost", "-m", "hostguard.hardening.redis_audit", "-a", args, "--check"],
                              cwd=REPO, env=env, capture_output=True, timeout=300, check=False)
        out = proc.stdout.decode()
        assert proc.returncode == 0, out[-3000:] + proc.stderr.decode()[-3000:]
        assert PASSWORD not in out and PASSWORD not in proc.stderr.decode()
        result = json.loads(out)["plays"][0]["tasks"][0]["hosts"]["localhost"]
        assert result["changed"] is False
        mine = [i for i in result["facts"]["instances"] if i["pid"] == inst.proc.pid][0]
        probe = [p for p in mine["probes"] if p["endpoint"] == endpoint][0]
        assert probe["auth"] == "ok" and probe["version"].startswith("7.")
        name = "redis-server pid %d" % inst.proc.pid
        f006 = [f for f in result["findings"] if f["id"] == "HG-REDIS-006" and f["subject"] == name][0]
        assert f006["status"] == "pass"
        assert result["summary"]["total"] == len(result["findings"])
    finally:
        inst.stop()
