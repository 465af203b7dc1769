"""An Alpine (OpenRC, busybox) root for the boot-script tests, its file list from real packages.

Sources (read through the code search, not run):
- aports main/openrc/APKBUILD (openrc 0.35.5-r2, aports commit 00a4b6c3): ``make install`` of
  OpenRC's init.d (Linux list below, from OpenRC's init.d/ of that release), then
  ``rm -f $pkgdir/etc/runlevels/*/*`` ("we cannot have anything turned on by default"), Alpine's
  own hostname, hwdrivers, modules, modloop, networking, sysfsconf and firstboot scripts
  installed over them, ``network`` and ``keymaps`` removed, ``install -d /etc/local.d``.
  OpenRC installs /etc/local.d/README (local.d/Makefile).
- aports scripts/genapkovl-dhcp.sh (commit 45bc49ef): what an Alpine install enables, by
  ``rc_add NAME LEVEL`` = ``ln -sf /etc/init.d/NAME /etc/runlevels/LEVEL/NAME``.
- busybox's OpenRC scripts (aports main/busybox: crond.initd, syslog.initd; mdev from
  busybox-initscripts), crond started as ``crond -c /etc/crontabs``.
"""
import os

from conftest import write  # noqa: E402,F401

OPENRC_INITD = ("bootmisc devfs dmesg fsck hostname hwclock killprocs local localmount loopback "
                "modules mount-ro mtab netmount networking numlock osclock procfs root savecache "
                "staticroute swap swclock sysctl sysfs termencoding urandom "
                "hwdrivers modloop sysfsconf firstboot").split()
BUSYBOX_INITD = ("crond", "syslog", "mdev")
RC_ADD = (("devfs", "sysinit"), ("dmesg", "sysinit"), ("mdev", "sysinit"), ("hwdrivers", "sysinit"),
          ("modloop", "sysinit"), ("hwclock", "boot"), ("modules", "boot"), ("sysctl", "boot"),
          ("hostname", "boot"), ("bootmisc", "boot"), ("syslog", "boot"), ("mount-ro", "shutdown"),
          ("killprocs", "shutdown"), ("savecache", "shutdown"))
LEVELS = ("sysinit", "boot", "default", "shutdown", "nonetwork")


def rc_add(root, name, level):
    path = os.path.join(str(root), "etc/runlevels", level, name)
    if os.path.lexists(path):
        os.unlink(path)
    os.symlink("/etc/init.d/" + name, path)


def alpine_tree(root):
    """The Alpine layout: passwd/group, OpenRC's binaries and scripts, the install's runlevels."""
    write(root, "etc/passwd", "root:x:0:0:root:/root:/bin/ash\nalice:x:1000:1000::/home/alice:/bin/ash\n")
    write(root, "etc/group", "root:x:0:root\nalice:x:1000:\n")
    write(root, "etc/alpine-release", "3.20.3\n")
    write(root, "sbin/openrc", b"\x7fELF", mode=0o755)
    write(root, "sbin/rc-update", b"\x7fELF", mode=0o755)
    write(root, "bin/busybox", b"\x7fELF", mode=0o755)
    for name in OPENRC_INITD + list(BUSYBOX_INITD):
        write(root, "etc/init.d/" + name, "#!/sbin/openrc-run\ndescription=\"%s\"\n" % name, mode=0o755)
    for level in LEVELS:
        os.makedirs(os.path.join(str(root), "etc/runlevels", level), exist_ok=True)
    for name, level in RC_ADD:
        rc_add(root, name, level)
    write(root, "etc/local.d/README", "(OpenRC's local.d/README: what local.d is for)\n", mode=0o644)
    os.makedirs(os.path.join(str(root), "etc/crontabs"), exist_ok=True)
    write(root, "etc/crontabs/root", "*/15 * * * * run-parts /etc/periodic/15min\n", mode=0o600)
    return root
