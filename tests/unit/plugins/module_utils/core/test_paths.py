"""core/paths.py: component-by-component resolution confined to root (issues 11 and 17)."""
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths


@pytest.fixture
def root(tmp_path):
    r = tmp_path / "root"
    (r / "etc/cron.d").mkdir(parents=True)
    (r / "var/tmp/real").mkdir(parents=True)
    (r / "var/tmp/real/job").write_text("* * * * * root true\n")
    (r / "etc/shadow").write_text("inside-root-shadow\n")
    return r


def test_absolute_link_resolves_inside_root_not_on_the_host(root):
    os.symlink("/etc/shadow", str(root / "etc/cron.d/evil"))
    res = paths.resolve(str(root), "/etc/cron.d/evil")
    assert res.ok and res.path == "/etc/shadow"
    fd, _res = paths.open_file(str(root), "/etc/cron.d/evil")
    try:
        assert os.read(fd, 100) == b"inside-root-shadow\n"
    finally:
        os.close(fd)


def test_absolute_directory_link_on_the_way_is_followed_inside_root(root):
    # /etc/cron.d/x -> /var/tmp/via/job, /var/tmp/via -> /var/tmp/real (absolute directory link)
    os.symlink("/var/tmp/real", str(root / "var/tmp/via"))
    os.symlink("/var/tmp/via/job", str(root / "etc/cron.d/x"))
    res = paths.resolve(str(root), "/etc/cron.d/x")
    assert res.ok and res.path == "/var/tmp/real/job"
    assert [text for _p, text in res.links] == ["/var/tmp/via/job", "/var/tmp/real"]


def test_host_directory_link_never_reaches_the_host(root, tmp_path):
    host = tmp_path / "hostdir"
    host.mkdir()
    (host / "secret").write_text("host secret\n")
    os.symlink(str(host), str(root / "etc/cron.d/hostlink"))
    res = paths.resolve(str(root), "/etc/cron.d/hostlink/secret")
    # The link text names a host path; inside root it does not exist.
    assert res.status == paths.MISSING
    with pytest.raises(paths.PathRefused):
        paths.open_file(str(root), "/etc/cron.d/hostlink/secret")


def test_dotdot_beyond_root_is_clamped_like_the_kernel(root):
    os.symlink("../../../../../../../../var/tmp/real/job", str(root / "etc/cron.d/up"))
    res = paths.resolve(str(root), "/etc/cron.d/up")
    assert res.ok and res.path == "/var/tmp/real/job" and res.clamped
    assert paths.resolve(str(root), "/../../etc/shadow").path == "/etc/shadow"


def test_loop_and_chain_limits(root):
    os.symlink("b", str(root / "etc/a"))
    os.symlink("a", str(root / "etc/b"))
    assert paths.resolve(str(root), "/etc/a").status == paths.LOOP
    # a chain of 41 links exceeds the kernel's 40
    for i in range(41):
        os.symlink("l%d" % (i + 1), str(root / ("var/l%d" % i)))
    (root / "var/l41").write_text("end")
    assert paths.resolve(str(root), "/var/l0").status == paths.LOOP
    assert paths.resolve(str(root), "/var/l1").ok


def test_self_link_chain_is_a_loop_and_long_walks_stop_at_the_component_limit(root):
    os.symlink(".", str(root / "var/self"))
    assert paths.resolve(str(root), "/var" + "/self" * 5000 + "/tmp").status == paths.LOOP
    assert paths.resolve(str(root), "/var" + "/tmp/.." * 3000).status == paths.TOO_DEEP


def test_follow_false_is_lstat_of_the_last_component_only(root):
    os.symlink("/var/tmp/real", str(root / "var/tmp/via"))
    os.symlink("/etc/shadow", str(root / "var/tmp/real/link"))
    res = paths.resolve(str(root), "/var/tmp/via/link", follow=False)
    assert res.ok and res.path == "/var/tmp/real/link"
    import stat
    assert stat.S_ISLNK(res.st.st_mode)
    with pytest.raises(paths.PathRefused) as exc:
        paths.open_file(str(root), "/var/tmp/via/link", follow=False)
    assert exc.value.resolved.status == paths.LOOP      # O_NOFOLLOW on a symlink: ELOOP


def test_broken_not_dir_and_nul(root):
    os.symlink("/nope", str(root / "etc/cron.d/broken"))
    assert paths.resolve(str(root), "/etc/cron.d/broken").status == paths.MISSING
    assert paths.resolve(str(root), "/etc/shadow/x").status == paths.NOT_DIR
    assert paths.resolve(str(root), "/etc/sha\0dow").status == paths.INVALID


def test_fifo_is_opened_nonblocking(root):
    os.mkfifo(str(root / "etc/cron.d/fifo"))
    fd, res = paths.open_file(str(root), "/etc/cron.d/fifo")
    os.close(fd)
    import stat
    assert stat.S_ISFIFO(res.st.st_mode)


def test_device_nodes_are_never_opened(root):
    """Opening a device runs its driver (/dev/watchdog arms, a tape rewinds, a serial line
    raises DTR), so a device node planted as a config file or drop-in (or a link to one) is
    refused before any open. Major 240 (local/experimental) has no driver here: opening it gives
    ENXIO, so the NOT_REGULAR refusal (and not an "error" from a failed open) shows that no
    open was tried. The second node is a /dev/null (1, 3) one, which would open fine."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read, sshd_config
    nodes = {"etc/ssh/sshd_config.d/00-dev.conf": os.makedev(240, 0), "etc/ssh/sshd_config.d/01-null.conf": os.makedev(1, 3)}
    (root / "etc/ssh/sshd_config.d").mkdir(parents=True)
    for rel, dev in nodes.items():
        os.mknod(str(root / rel), 0o20600, dev)
    os.symlink("/etc/ssh/sshd_config.d/00-dev.conf", str(root / "etc/cron.d/link"))
    (root / "etc/ssh/sshd_config").write_text("Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\n")
    for path in ["/" + rel for rel in nodes] + ["/etc/cron.d/link"]:
        with pytest.raises(paths.PathRefused) as refused:
            paths.open_file(str(root), path)
        assert refused.value.resolved.status == paths.NOT_REGULAR
        assert "char_device, not a regular file (not opened)" in refused.value.resolved.reason
        with pytest.raises(safe_read.SafeReadError) as unread:
            safe_read.read_in_root(str(root), path)
        assert unread.value.reason == paths.NOT_REGULAR
    tree = sshd_config.parse_config_tree(str(root))
    assert tree["not_read"] == ["/" + rel for rel in sorted(nodes)]


def test_list_dir_bounded(root):
    for i in range(10):
        (root / "etc/cron.d" / ("f%d" % i)).write_text("")
    names, truncated, res = paths.list_dir(str(root), "/etc/cron.d", limit=4)
    assert len(names) == 4 and truncated and res.ok


def test_root_slash_works_the_same(tmp_path):
    res = paths.resolve("/", str(tmp_path))
    assert res.ok and res.path == str(tmp_path)


@pytest.mark.parametrize("text,relative,reason", [
    ("vm/../../etc/passwd", True, "'..'"), ("/etc/shadow", True, "absolute"),
    ("a\0b", False, "NUL"), (b"x\0", False, "NUL"), ("x" * 5000, False, "PATH_MAX")])
def test_untrusted_names_from_content_are_refused(text, relative, reason):
    with pytest.raises(paths.UntrustedPath) as exc:
        paths.check_untrusted(text, relative=relative)
    assert reason in str(exc.value)
    assert paths.check_untrusted("vm/swappiness", relative=True) == "vm/swappiness"


def test_a_device_node_swapped_in_after_the_walk_is_not_opened(root, monkeypatch):
    """The walk stats a regular file; before the open, it is replaced by a device node (a race
    an attacker on the audited host can run). The final open pins the object with O_PATH and
    fstats it: refused as NOT_REGULAR, no open tried (major 240 has no driver: an open would
    fail with ENXIO, an "error")."""
    real_walk = paths._Walk.run

    def swap_after_walk(walk, path, follow):
        out = real_walk(walk, path, follow)
        os.remove(str(root / "etc/cron.d/job"))
        os.mknod(str(root / "etc/cron.d/job"), 0o20600, os.makedev(240, 0))
        return out
    (root / "etc/cron.d/job").write_text("* * * * * root true\n")
    monkeypatch.setattr(paths._Walk, "run", swap_after_walk)
    with pytest.raises(paths.PathRefused) as refused:
        paths.open_file(str(root), "/etc/cron.d/job")
    assert refused.value.resolved.status == paths.NOT_REGULAR


def test_the_pinned_open_keeps_the_plain_open_semantics(root):
    """Regular files, FIFOs and directories open as before; a final link with follow=False is
    refused as O_NOFOLLOW refused it."""
    fd, _res = paths.open_file(str(root), "/etc/shadow")
    assert os.read(fd, 100) == b"inside-root-shadow\n"
    os.close(fd)
    os.mkfifo(str(root / "etc/fifo"))
    os.close(paths.open_file(str(root), "/etc/fifo")[0])
    os.close(paths.open_dir(str(root), "/etc/cron.d")[0])
    os.symlink("/etc/shadow", str(root / "etc/link"))
    with pytest.raises(paths.PathRefused):
        paths.open_file(str(root), "/etc/link", follow=False)
    fd, _res = paths.open_file(str(root), "/etc/link")
    assert os.read(fd, 100) == b"inside-root-shadow\n"
    os.close(fd)
