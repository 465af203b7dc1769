"""Issue 17: odd /proc entries and NUL bytes in paths are clear errors, never crashes."""
import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.core import procfs, safe_read
from procfixture import write


def test_superscript_two_in_proc_is_not_a_pid(tmp_path):
    root = str(tmp_path)
    for name in ("\u00b2", "\u0663", "12", "0x10", "7a", "00042"):
        write(root, "/proc/%s/comm" % name, "x\n")
    pids, truncated = procfs.list_pids(root)
    assert pids == [12, 42] and not truncated


@pytest.mark.parametrize("reader", [safe_read.lstat_info, safe_read.open_regular,
                                    lambda p: safe_read.read_head(p, 10),
                                    lambda p: list(safe_read.iter_lines(p))])
def test_nul_in_path_is_a_safe_read_error(reader, tmp_path):
    with pytest.raises(safe_read.SafeReadError) as exc:
        reader(str(tmp_path / "a") + "\x00/etc/shadow")
    assert exc.value.reason == "invalid_path"


def test_nul_in_symlink_resolution(tmp_path):
    out = safe_read.resolve_symlink(str(tmp_path), str(tmp_path) + "/x\x00y")
    assert out["status"] == "broken" and out["resolved"] is None
