"""baseline_hardening's permissions plan: from one `stat -L -c '%f %n'` of the profile's paths,
the entries whose mode keeps a bit their symbolic `remove` clears (and only those)."""
import os
import stat
import subprocess

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.hostguard.hardening.plugins.filter import permissions_plan as plan

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
TABLE = [
    {"path": "/etc/crontab", "kind": "file", "remove": "u-xs,g-rwxs,o-rwxt"},
    {"path": "/etc/passwd", "kind": "file", "remove": "u-xs,g-wxs,o-wxt"},
    {"path": "/etc/cron.d", "kind": "directory", "remove": "u-s,g-rwxs,o-rwxt"},
    {"path": "/etc/missing", "kind": "file", "remove": "u-xs,g-rwxs,o-rwxt"},
    {"path": "/etc/a dir", "kind": "file", "remove": "u-xs,g-rwxs,o-rwxt"},
]


def line(mode, path):
    return "%x %s" % (mode, path)


def test_only_paths_with_a_bit_to_remove():
    out = plan.permissions_plan("\n".join([
        line(stat.S_IFREG | 0o644, "/etc/crontab"),     # g+r, o+r must go
        line(stat.S_IFREG | 0o644, "/etc/passwd"),      # 0644 is allowed
        line(stat.S_IFDIR | 0o700, "/etc/cron.d"),      # already strict
        line(stat.S_IFDIR | 0o755, "/etc/a dir"),       # a file entry that is a directory
    ]), TABLE)
    assert out == [dict(TABLE[0], mode="0644")]


def test_special_bits_and_types():
    out = plan.permissions_plan("\n".join([
        line(stat.S_IFREG | 0o4600, "/etc/crontab"),    # setuid on a 0600 file
        line(stat.S_IFREG | 0o1644, "/etc/passwd"),     # sticky
        line(stat.S_IFDIR | 0o1700, "/etc/cron.d"),     # sticky directory
        line(stat.S_IFREG | 0o600, "/etc/a dir"),       # a path with a space, strict
    ]), TABLE)
    assert [(e["path"], e["mode"]) for e in out] == [("/etc/crontab", "4600"), ("/etc/passwd", "1644"),
                                                     ("/etc/cron.d", "1700")]
    # a directory where a file is wanted, a fifo: never touched
    assert plan.permissions_plan(line(stat.S_IFDIR | 0o777, "/etc/crontab") + "\n"
                                 + line(stat.S_IFIFO | 0o666, "/etc/passwd"), TABLE) == []


def test_empty_and_garbage_output():
    assert plan.permissions_plan("", TABLE) == []
    assert plan.permissions_plan(None, TABLE) == []
    assert plan.permissions_plan("zz /etc/crontab\nnospace\n", TABLE) == []
    assert plan.permissions_plan(line(stat.S_IFREG | 0o666, "/etc/crontab"), []) == []


@pytest.mark.parametrize("bad", ["u+x", "g=r", "a-x", "u-q", "0644", ""])
def test_remove_must_only_remove(bad):
    with pytest.raises(AnsibleFilterError):
        plan.removed_bits(bad)


def test_removed_bits():
    assert plan.removed_bits("u-xs,g-rwxs,o-rwxt") == 0o7177
    assert plan.removed_bits("u-s,g-rwxs,o-rwxt") == 0o7077
    assert plan.removed_bits("go-w") == 0o022


def test_with_real_stat(tmp_path):
    # the role runs `stat -L -c '%f %n' -- PATHS`; a missing path only goes to stderr (rc 1)
    loose = tmp_path / "loose"
    loose.write_text("x")
    loose.chmod(0o664)
    strict = tmp_path / "strict"
    strict.write_text("x")
    strict.chmod(0o600)
    link = tmp_path / "link"
    link.symlink_to(loose)
    sub = tmp_path / "sub"
    sub.mkdir()
    sub.chmod(0o755)
    table = [{"path": str(p), "kind": k, "remove": "u-xs,g-rwxs,o-rwxt"}
             for p, k in ((loose, "file"), (strict, "file"), (link, "file"), (sub, "directory"),
                          (tmp_path / "gone", "file"))]
    proc = subprocess.run(["stat", "-L", "-c", "%f %n", "--"] + [t["path"] for t in table],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert proc.returncode == 1
    out = plan.permissions_plan(proc.stdout, table)
    assert [(e["path"], e["mode"]) for e in out] == [(str(loose), "0664"), (str(link), "0664"), (str(sub), "0755")]


def test_role_table_parses():
    with open(os.path.join(REPO, "roles", "baseline_hardening", "defaults", "main.yml")) as handle:
        table = yaml.safe_load(handle)["baseline_hardening_permissions_paths"]
    for entry in table:
        assert plan.removed_bits(entry["remove"]) & ~0o7777 == 0
    # every path wide open: each entry that exists with the right type is planned
    text = "\n".join(line((stat.S_IFDIR if e["kind"] == "directory" else stat.S_IFREG) | 0o7777, e["path"])
                     for e in table)
    assert [e["path"] for e in plan.permissions_plan(text, table)] == [e["path"] for e in table]
