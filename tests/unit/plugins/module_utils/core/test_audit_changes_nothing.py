"""Audit modules never change the host (issue 17): a manifest of a realistic root (content
hash, mode, owner, mtime, xattrs, link text, file type) is taken before and after every area of
the registry runs on it, one by one and all together through the aggregate runner; it must be
equal. The root holds seed 000, hostile entries, Redis/sysctl/ssh/systemd configs and a fixture
/proc. (The systemd-container run for `/` is tests/integration/test_audit_changes_nothing.py.)"""
import hashlib
import os
import stat

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.core.registry import AREAS, REGISTRY
from ansible_collections.hostguard.hardening.plugins.module_utils.core.runner import audit_host
from cron_tree import hostile_tree, seed_000
from procfixture import add_process, write


def manifest(root):
    """{relative path: (type, mode, uid, gid, mtime_ns, size, sha256 or link text, xattrs)}."""
    out = {}
    for base, dirs, files in os.walk(root):
        dirs.sort()
        for name in dirs + sorted(files):
            path = os.path.join(base, name)
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode):
                digest = hashlib.sha256()
                if st.st_blocks * 512 >= min(st.st_size, 1 << 20):   # not a sparse giant
                    with open(path, "rb") as handle:
                        for chunk in iter(lambda: handle.read(1 << 16), b""):
                            digest.update(chunk)
                content = digest.hexdigest()
            elif stat.S_ISLNK(st.st_mode):
                content = os.readlink(path)
            else:
                content = None
            try:
                xattrs = tuple(sorted((k, os.getxattr(path, k, follow_symlinks=False))
                                      for k in os.listxattr(path, follow_symlinks=False)))
            except OSError:
                xattrs = ("unsupported",)
            out[os.path.relpath(path, root)] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode),
                                                st.st_uid, st.st_gid, st.st_mtime_ns, st.st_size,
                                                content, xattrs)
    return out


@pytest.fixture(scope="module")
def realistic_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("changes-nothing"))
    seed_000(root)
    hostile_tree(root, entries=20)
    write(root, "/etc/redis/redis.conf", "bind 0.0.0.0\nprotected-mode no\nrequirepass s3cret\n"
          "include /etc/redis/*.inc\ndir /var/spool/cron\n", mode=0o644)
    write(root, "/etc/redis/a.inc", "include /etc/redis/a.inc\n")
    write(root, "/etc/sysctl.d/99-x.conf", "kernel.sysrq = 1\n.etc.shadow = 1\n")
    write(root, "/etc/ssh/sshd_config", "PermitRootLogin yes\nInclude /etc/ssh/sshd_config\n")
    write(root, "/etc/systemd/system/redis-server.service",
          "[Service]\nExecStart=/usr/bin/redis-server /etc/redis/redis.conf\nEnvironment=TOKEN=x\n")
    write(root, "/proc/sys/kernel/sysrq", "0\n")
    write(root, "/proc/meminfo", "MemTotal: 1000000 kB\nMemAvailable: 10000 kB\n")
    add_process(root, 100, "redis-server", cmdline=["/usr/bin/redis-server", "*:6379"])
    add_process(root, 101, "java", rss_kib=500000, cmdline=["java", "--password=x"])
    write(root, "/var/log/kern.log", "Out of memory: Killed process 101 (java) total-vm:1kB\n")
    try:
        os.setxattr(os.path.join(root, "etc/crontab"), "user.hostguard", b"keep")
    except OSError:
        pass
    return root


@pytest.mark.parametrize("area", [a.name for a in AREAS])
def test_each_area_changes_nothing(realistic_root, area):
    before = manifest(realistic_root)
    options = {}
    if area == "oom":
        options = {"use_systemctl": "no"}
    REGISTRY[area].run(dict(options, root=realistic_root))
    after = manifest(realistic_root)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    assert changed == [], changed


def test_all_areas_together_change_nothing(realistic_root):
    before = manifest(realistic_root)
    audit_host(root=realistic_root, options={"oom": {"use_systemctl": "no"}})
    assert manifest(realistic_root) == before


def test_manifest_sees_a_change(realistic_root, tmp_path):
    """The check can fail: a touched mtime and a chmod show in the manifest."""
    root = str(tmp_path)
    path = write(root, "/etc/x", "1\n")
    before = manifest(root)
    os.utime(path, ns=(1, 1))
    assert manifest(root) != before
