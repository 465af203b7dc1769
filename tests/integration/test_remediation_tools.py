"""Real-component tests for the remediation helpers that run outside containers:

- the ``quarantine`` module through a real ``ansible-playbook`` run (check mode, diff,
  quarantine, idempotence, restore) on a fixture tree under tmp_path (``root`` option);
- ``roles/redis_hardening/files/redis-config-check`` against the real ``redis-server``:
  a valid config passes, invalid ones fail, and a password never appears in its output.

Nothing here touches the machine's own files, services or kernel settings.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VALIDATOR = os.path.join(REPO, "roles", "redis_hardening", "files", "redis-config-check")
BIN = os.path.dirname(sys.executable)


def _env():
    env = dict(os.environ)
    env["ANSIBLE_CONFIG"] = os.path.join(REPO, "ansible.cfg")
    env["ANSIBLE_COLLECTIONS_PATH"] = os.path.join(REPO, ".collections")
    env["ANSIBLE_STDOUT_CALLBACK"] = "json"
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    return env


def _play(tmp_path, tasks, extra=()):
    pb = tmp_path / "play.yml"
    pb.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    inv = tmp_path / "inv.yml"
    inv.write_text(json.dumps({"all": {"hosts": {"localhost": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}))
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", str(inv), str(pb)] + list(extra),
                          env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300, check=False)
    out = json.loads(proc.stdout.decode())
    results = [t["hosts"]["localhost"] for t in out["plays"][0]["tasks"]]
    return proc.returncode, results


def _sha(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


@pytest.mark.real
def test_quarantine_module_playbook_roundtrip(tmp_path):
    root = tmp_path / "root"
    spool = root / "var/spool/cron"
    spool.mkdir(parents=True)
    dump = spool / "dump.rdb"
    dump.write_bytes(b"REDIS0009" + os.urandom(300000))
    os.chmod(str(dump), 0o640)
    link = spool / "root"
    os.symlink("/etc/shadow", str(link))
    original = _sha(str(dump))
    batch = "/var/lib/hostguard/quarantine/T1"
    q = {"hostguard.hardening.quarantine": {"path": "/var/spool/cron/dump.rdb", "batch_dir": batch,
                                            "finding_ids": ["HG-CRON-001"], "root": str(root)}}
    rc, res = _play(tmp_path, [q], ["--check", "--diff"])
    assert rc == 0 and res[0]["changed"] is True and dump.exists()
    assert "moved to" in res[0]["diff"]["after"]
    rc, res = _play(tmp_path, [q, q])
    assert rc == 0
    assert res[0]["changed"] is True and res[1]["changed"] is False  # idempotent
    assert not dump.exists()
    kept = root / batch.lstrip("/") / "files/var/spool/cron/dump.rdb"
    assert _sha(str(kept)) == original
    manifest = json.loads((root / batch.lstrip("/") / "manifest.json").read_text())
    assert manifest["entries"][0]["sha256"] == original and manifest["entries"][0]["mode"] == "0640"
    # a symlink is refused (not followed) with a machine-readable reason
    bad = {"hostguard.hardening.quarantine": {"path": "/var/spool/cron/root", "batch_dir": batch,
                                              "root": str(root)}, "ignore_errors": True}
    rc, res = _play(tmp_path, [bad])
    assert res[0]["failed"] is True and res[0]["reason"] == "symlink" and os.path.islink(str(link))
    r = {"hostguard.hardening.quarantine": {"path": "/var/spool/cron/dump.rdb", "batch_dir": batch,
                                            "state": "restored", "root": str(root)}}
    rc, res = _play(tmp_path, [r, r])
    assert rc == 0 and res[0]["changed"] is True and res[1]["changed"] is False
    assert _sha(str(dump)) == original and (os.lstat(str(dump)).st_mode & 0o7777) == 0o640


@pytest.fixture
def conf_dir(tmp_path):
    assert shutil.which("redis-server"), "redis-server must be installed (apt-get install redis-server)"
    return tmp_path


def _check(*args):
    return subprocess.run([sys.executable, VALIDATOR] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=60, check=False)


@pytest.mark.real
def test_redis_validator_accepts_valid_and_replaces_included_file(conf_dir):
    secret = "s3cret-password-not-to-leak"
    users = conf_dir / "users.conf"
    users.write_text("user default on #%s ~* &* +@all -@dangerous\n" % hashlib.sha256(secret.encode()).hexdigest())
    main = conf_dir / "redis.conf"
    main.write_text("bind 127.0.0.1\nprotected-mode yes\ninclude %s\n" % users)
    cand = conf_dir / "users.new"
    cand.write_text(users.read_text())
    # the candidate replaces the include (no duplicate-user error)
    proc = _check(str(main), "%s=%s" % (users, cand))
    assert proc.returncode == 0, proc.stderr


@pytest.mark.real
def test_redis_validator_rejects_bad_values_without_leaking(conf_dir):
    secret = "s3cret-password-not-to-leak"
    main = conf_dir / "redis.conf"
    main.write_text("bind 127.0.0.1\n")
    for bad in ('requirepass "%s" extra\n' % secret, "enable-debug-command perhaps\n",
                "user default on >%s +@nosuchcategory\n" % secret):
        cand = conf_dir / "hg.conf"
        cand.write_text(bad)
        proc = _check(str(main), "%s=%s" % (conf_dir / "hg.conf", cand))
        assert proc.returncode == 1, bad
        out = proc.stdout.decode() + proc.stderr.decode()
        assert "refused the configuration" in out
        assert secret not in out
    assert not [n for n in os.listdir("/tmp") if n.startswith("hostguard-redis-check-") and
                os.stat(os.path.join("/tmp", n)).st_mtime > os.stat(str(main)).st_mtime]
