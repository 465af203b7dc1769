"""HOME-9302 (home directory inventory) and HOME-9310 (history files that are not files)."""
import os

from ansible_collections.hostguard.hardening.plugins.module_utils.homedirs.homes import check_homes
from conftest import write  # noqa: E402


def by_id(findings):
    return dict((f["id"], f) for f in findings)


def test_history_links_in_user_homes_and_in_home(tmp_path):
    write(tmp_path, "/etc/passwd", "root:x:0:0::/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n"
                                   "ghost:x:1001:1001::/home/ghost:/bin/bash\n")
    write(tmp_path, "/root/.bash_history", "ls\n")
    os.makedirs(str(tmp_path / "home/alice"))
    os.symlink("/dev/null", str(tmp_path / "home/alice/.bash_history"))
    os.mkfifo(str(tmp_path / "home/.zsh_history"))        # the only place Lynis 3.0.8 looks
    f = by_id(check_homes(str(tmp_path)))
    assert f["HG-HOME-003"]["evidence"] == {"count": 2, "homes": ["/home/alice", "/root"]}
    assert f["HG-HOME-004"]["status"] == "fail"
    assert f["HG-HOME-004"]["evidence"]["not_regular"] == ["/home/.zsh_history (special)",
                                                           "/home/alice/.bash_history (symlink)"]


def test_regular_history_files_pass_and_missing_passwd_skips(tmp_path):
    assert by_id(check_homes(str(tmp_path)))["HG-HOME-004"]["status"] == "skip"
    write(tmp_path, "/etc/passwd", "root:x:0:0::/root:/bin/bash\n")
    write(tmp_path, "/root/.bash_history", "ls\n")
    f = by_id(check_homes(str(tmp_path)))
    assert f["HG-HOME-004"]["status"] == "pass" and f["HG-HOME-004"]["evidence"]["directories"] == 2
