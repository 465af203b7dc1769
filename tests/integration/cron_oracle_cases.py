"""The case matrix of the real-daemon cron oracle (tests/integration/test_cron_oracle.py).

A case is one planted object (a crontab file, a link, a directory) in one location of a daemon
build: ``spool`` (the build's user-crontab directory: /var/spool/cron/crontabs for Debian cron,
Debian's cronie and busybox crond, /var/spool/cron for the RHEL layout of cronie) or ``crond``
(/etc/cron.d, read by Debian cron and cronie, not by busybox crond).

Every job line writes a marker ``/tmp/hgo/<case>.L<line>`` holding ``id -un``: what ran, and as
whom, is read back from the container after the daemons crossed two minute boundaries.

Content templates: ``{s}`` is the schedule ``* * * * *``, ``{job}`` the marker command of that
line. Spool lines are ``{s} {job}``; /etc/cron.d lines carry the user field (``{s} root {job}``).
Accounts: each spool case gets its own user (the file name is the user); ``account`` chooses how
that user is created (see ACCOUNT_SETUP).
"""
import base64

S = "* * * * *"
MARKER_DIR = "/tmp/hgo"
# Link targets: not on the container's /tmp tmpfs, so the host sees them through `podman mount`.
TARGET_DIR = "/var/tmp/hgo-t"
RDB_HEAD = b"REDIS0011\xfa\x09redis-ver\x067.0.15\xfa\x0aredis-bits\xc0@\xfe\x00\xfb\x01\x00\x00\x04k"

# How a case's user is created: its passwd shell and home, and its shadow(5) ageing fields
# (lstchg, max, inact, expire; "T" is today in days since the epoch, "" an empty field).
# Written straight into /etc/passwd, /etc/group and /etc/shadow (75 useradd runs cost minutes).
ACCOUNTS = {
    "normal": ("/bin/sh", True, ("T", "99999", "", "")),
    "nohome": ("/bin/sh", False, ("T", "99999", "", "")),
    "expired": ("/bin/sh", True, ("T", "99999", "", "1")),
    "pw_aged": ("/bin/sh", True, ("T-100", "10", "", "")),
    "must_change": ("/bin/sh", True, ("0", "99999", "", "")),
    "inactive": ("/bin/sh", True, ("T-200", "10", "5", "")),
    "nologin": ("/usr/sbin/nologin", True, ("T", "99999", "", "")),
}
ACCOUNT_SETUP = ACCOUNTS


class Case(object):
    """One planted object. ``kind``: file | symlink | hardlink | dir.

    name      file name in the location (default: the case's user for spool cases)
    owner     "user" (the case's user), "root", or "other" (another case-neutral user)
    mode      octal string
    lines     content templates (str) joined with "\\n" plus a final newline unless
              ``final_newline`` is False; ``raw`` (bytes) is prepended when given
    link      for symlinks: "target" (a regular file in TARGET_DIR), "broken", "absdir"
              (through an absolute directory symlink), "dotdot" (relative, more ../ than depth)
    link_owner  owner of the symlink itself (lchown)
    """

    def __init__(self, cid, where, lines=None, kind="file", name=None, owner="user", mode="0600",
                 account="normal", raw=None, final_newline=True, link=None, link_owner="root",
                 cmd_len=None, note="", files=None, honour=None):
        self.cid = cid
        self.where = where
        self.lines = list(lines) if lines is not None else (["{s} {job}"] if where == "spool" else ["{s} root {job}"])
        self.kind = kind
        self.name = name
        self.owner = owner
        self.mode = mode
        self.account = account
        self.raw = raw
        self.final_newline = final_newline
        self.link = link
        self.link_owner = link_owner
        self.cmd_len = cmd_len
        self.note = note
        # files: (path, content, mode) planted before the case ("{cid}" in path and content is
        # the case id); honour: (marker suffix, audit pattern, builds expected to honour the line)
        self.files = [(p.format(cid=cid), c.format(cid=cid), m) for p, c, m in (files or ())]
        self.honour = honour

    def __repr__(self):
        return "Case(%s)" % self.cid

    def content(self, user):
        out = []
        for number, template in enumerate(self.lines, start=1 + (self.raw or b"").count(b"\n")):
            job = "id -un > %s/%s.L%d" % (MARKER_DIR, self.cid, number)
            if self.cmd_len:
                # the command part (all after the schedule and user fields) is exactly cmd_len chars
                job = job + " #" + "x" * (self.cmd_len - len(job) - 2)
                assert len(job) == self.cmd_len
            out.append(template.format(s=S, job=job, user=user))
        text = "\n".join(out) + ("\n" if self.final_newline and out else "")
        return (self.raw or b"") + text.encode()


SPOOL = [
    Case("sp_ok", "spool"),
    Case("sp_root_0600", "spool", owner="root"),
    Case("sp_root_0644", "spool", owner="root", mode="0644"),
    Case("sp_user_0644", "spool", mode="0644"),
    Case("sp_user_0640", "spool", mode="0640"),
    Case("sp_user_0400", "spool", mode="0400"),
    Case("sp_user_0700", "spool", mode="0700"),
    Case("sp_user_0620", "spool", mode="0620"),
    Case("sp_user_0602", "spool", mode="0602"),
    Case("sp_user_4600", "spool", mode="4600"),
    Case("sp_user_0200", "spool", mode="0200"),
    Case("sp_root_0666", "spool", owner="root", mode="0666"),
    Case("sp_wrong_owner", "spool", owner="other"),
    Case("sp_orphan", "spool", name="nosuchuser", owner="root"),
    Case("sp_orphan_tmp", "spool", name="tmp.Xy12ab", owner="root"),
    Case("sp_dotname", "spool", name=".hgohidden", owner="root"),
    Case("sp_tilde", "spool", name="{user}~", owner="root"),
    Case("sp_symlink_user", "spool", kind="symlink", link="target"),
    Case("sp_symlink_root", "spool", kind="symlink", link="target", owner="root"),
    Case("sp_symlink_broken", "spool", kind="symlink", link="broken", owner="root"),
    Case("sp_symlink_absdir", "spool", kind="symlink", link="absdir", owner="root"),
    Case("sp_symlink_dotdot", "spool", kind="symlink", link="dotdot", owner="root"),
    Case("sp_hardlink_user", "spool", kind="hardlink"),
    Case("sp_hardlink_root", "spool", kind="hardlink", owner="root"),
    Case("sp_directory", "spool", kind="dir", owner="root", mode="0755"),
    Case("sp_bad_line2", "spool", owner="root", lines=["{s} {job}", "bad * * * * {job}"]),
    Case("sp_bad_line1", "spool", owner="root", lines=["61 * * * * {job}", "{s} {job}"]),
    Case("sp_no_newline", "spool", owner="root", lines=["{s} {job}", "{s} {job}"], final_newline=False),
    Case("sp_cmd_998", "spool", owner="root", cmd_len=998),
    Case("sp_cmd_999", "spool", owner="root", cmd_len=999),
    Case("sp_cmd_4000", "spool", owner="root", cmd_len=4000),
    Case("sp_env_line", "spool", owner="root", lines=["FOO=bar", "{s} {job}"]),
    Case("sp_star_junk", "spool", owner="root", lines=["*x * * * * {job}", "{s} {job}"],
         note="Debian skips junk after a range, cronie refuses it, busybox logs and keeps it"),
    Case("sp_rdb_root_0600", "spool", owner="root", raw=RDB_HEAD + b"\n",
         lines=["{s} {job}", ""], note="RDB dump with an embedded job"),
    Case("sp_rdb_user_0600", "spool", raw=RDB_HEAD + b"\n", lines=["{s} {job}", ""]),
    Case("sp_garbage_40k", "spool", owner="root",
         lines=["#" + "g" * 1000] * 40 + ["{s} {job}"], note="more than 32 KiB of comments"),
    Case("sp_many_lines", "spool", owner="root",
         lines=["V%d=1" % i for i in range(300)] + ["{s} {job}"], note="past busybox MAXLINES (256)"),
    Case("sp_expired", "spool", owner="root", account="expired"),
    Case("sp_pw_aged", "spool", owner="root", account="pw_aged"),
    Case("sp_must_change", "spool", owner="root", account="must_change"),
    Case("sp_inactive", "spool", owner="root", account="inactive"),
    Case("sp_nohome", "spool", owner="root", account="nohome"),
    Case("sp_nohome_env", "spool", owner="root", account="nohome", lines=["HOME=/tmp", "{s} {job}"]),
    Case("sp_nologin", "spool", owner="root", account="nologin"),
]

CROND = [
    Case("cd_ok", "crond", name="hgo-ok", owner="root", mode="0644"),
    Case("cd_0600", "crond", name="hgo-0600", owner="root", mode="0600"),
    Case("cd_0755", "crond", name="hgo-0755", owner="root", mode="0755"),
    Case("cd_0444", "crond", name="hgo-0444", owner="root", mode="0444"),
    Case("cd_0664", "crond", name="hgo-0664", owner="root", mode="0664"),
    Case("cd_0646", "crond", name="hgo-0646", owner="root", mode="0646"),
    Case("cd_owner_user", "crond", name="hgo-owner-user", owner="user", mode="0644"),
    Case("cd_dotname", "crond", name="hgo.dot", owner="root", mode="0644"),
    Case("cd_dump_rdb_name", "crond", name="dump.rdb", owner="root", mode="0644", raw=RDB_HEAD + b"\n",
         lines=["{s} root {job}", ""]),
    Case("cd_rdb", "crond", name="hgo-rdb", owner="root", mode="0644", raw=RDB_HEAD + b"\n",
         lines=["{s} root {job}", ""]),
    Case("cd_tilde", "crond", name="hgo-tilde~", owner="root", mode="0644"),
    Case("cd_dpkg_old", "crond", name="hgo-x.dpkg-old", owner="root", mode="0644"),
    Case("cd_rpmsave", "crond", name="hgo-x.rpmsave", owner="root", mode="0644"),
    Case("cd_hash", "crond", name="#hgo-hash", owner="root", mode="0644"),
    Case("cd_upper_underscore", "crond", name="HGO_Upper", owner="root", mode="0644"),
    Case("cd_symlink", "crond", kind="symlink", name="hgo-link", link="target", owner="root", mode="0644"),
    Case("cd_symlink_user_link", "crond", kind="symlink", name="hgo-link-user", link="target", owner="root",
         mode="0644", link_owner="user"),
    Case("cd_symlink_broken", "crond", kind="symlink", name="hgo-link-broken", link="broken"),
    Case("cd_symlink_absdir", "crond", kind="symlink", name="hgo-link-absdir", link="absdir", owner="root",
         mode="0644"),
    Case("cd_symlink_dotdot", "crond", kind="symlink", name="hgo-link-dotdot", link="dotdot", owner="root",
         mode="0644"),
    Case("cd_hardlink", "crond", kind="hardlink", name="hgo-hardlink", owner="root", mode="0644"),
    Case("cd_hardlink_shadow", "crond", kind="hardlink", name="hgo-shadow", link="/etc/shadow"),
    Case("cd_bad_username", "crond", name="hgo-bad-user", owner="root", mode="0644",
         lines=["{s} root {job}", "{s} nosuchuser {job}"]),
    Case("cd_bad_minute", "crond", name="hgo-bad-minute", owner="root", mode="0644",
         lines=["{s} root {job}", "x * * * * root {job}"]),
    Case("cd_no_newline", "crond", name="hgo-no-newline", owner="root", mode="0644",
         lines=["{s} root {job}", "{s} root {job}"], final_newline=False),
    Case("cd_cmd_999", "crond", name="hgo-cmd-999", owner="root", mode="0644", cmd_len=999),
    Case("cd_cmd_998", "crond", name="hgo-cmd-998", owner="root", mode="0644", cmd_len=998),
    Case("cd_star_junk", "crond", name="hgo-star-junk", owner="root", mode="0644",
         lines=["*x * * * * root {job}", "{s} root {job}"]),
    Case("cd_user_job", "crond", name="hgo-user-job", owner="root", mode="0644",
         lines=["{s} {user} {job}"]),
    Case("cd_expired_job", "crond", name="hgo-expired-job", owner="root", mode="0644", account="expired",
         lines=["{s} {user} {job}", "{s} root {job}"]),
    Case("cd_nohome_job", "crond", name="hgo-nohome-job", owner="root", mode="0644", account="nohome",
         lines=["{s} {user} {job}"]),
    Case("cd_directory", "crond", kind="dir", name="hgo-subdir", owner="root", mode="0755"),
]

# Crontab environment lines (HG-CRON-010 crontab_shell_untrusted / crontab_env_untrusted): does
# the daemon run the job with SHELL=, search PATH=, load LD_PRELOAD= as the crontab says? Each
# case's helper writes /tmp/hgo/<case>.<suffix> only when the daemon honoured the line:
#  - SHELL: a script that writes the marker, then execs /bin/sh with the daemon's arguments;
#  - PATH: a bare command found only in the crontab's PATH directory;
#  - LD_PRELOAD: glibc's libpcprofile.so copied to a temp dir (no compiler in the images); its
#    constructor creates $PCPROFILE_OUTPUT, set by the next line of the same crontab.
# Appended after the other cases so that their users (hgo<index>) stay what they were.
_SH_WRAPPER = ("/var/tmp/hgo-sh/{cid}/sh", "#!/bin/sh\nid -un > %s/{cid}.shell\nexec /bin/sh \"$@\"\n" % MARKER_DIR, "0755")
_PROBE = ("/var/tmp/hgo-bin/{cid}/hgoprobe", "#!/bin/sh\nid -un > %s/{cid}.path\n" % MARKER_DIR, "0755")
_PRELOAD = ("/var/tmp/hgo-lib/{cid}/x.so", "@/usr/lib/x86_64-linux-gnu/libpcprofile.so", "0644")
LOAD_ENV = ("debian_cron@bookworm", "debian_cron@trixie", "cronie_debian@trixie", "cronie_rhel@trixie")
ALL_BUILDS = LOAD_ENV + ("busybox_crond@bookworm",)


def _env_cases(where, prefix, job):
    return [
        Case(prefix + "env_shell", where, owner="root", mode="0600" if where == "spool" else "0644",
             name=None if where == "spool" else "hgo-env-shell",
             lines=["SHELL=/var/tmp/hgo-sh/%senv_shell/sh" % prefix, job], files=[_SH_WRAPPER],
             honour=("shell", "crontab_shell_untrusted", ALL_BUILDS)),
        Case(prefix + "env_path", where, owner="root", mode="0600" if where == "spool" else "0644",
             name=None if where == "spool" else "hgo-env-path",
             lines=["PATH=/var/tmp/hgo-bin/%senv_path:/usr/bin:/bin" % prefix, job + "; hgoprobe 2>/dev/null"],
             files=[_PROBE], honour=("path", "crontab_env_untrusted", LOAD_ENV)),
        Case(prefix + "env_ldpreload", where, owner="root", mode="0600" if where == "spool" else "0644",
             name=None if where == "spool" else "hgo-env-ldpreload",
             lines=["LD_PRELOAD=/var/tmp/hgo-lib/%senv_ldpreload/x.so" % prefix,
                    "PCPROFILE_OUTPUT=%s/%senv_ldpreload.ld" % (MARKER_DIR, prefix), job],
             files=[_PRELOAD], honour=("ld", "crontab_env_untrusted", LOAD_ENV)),
    ]


ENV = _env_cases("spool", "sp_", "{s} {job}") + _env_cases("crond", "cd_", "{s} root {job}")

CASES = SPOOL + CROND + ENV


def user_of(index):
    return "hgo%02d" % index


def plant_script(spool, crond, with_crond):
    """Shell (POSIX sh) that creates the accounts and plants every case for one daemon build."""
    out = ["set -e", "umask 022", "mkdir -p %s %s && chmod 1777 %s" % (MARKER_DIR, TARGET_DIR, MARKER_DIR),
           "T=$(( $(date +%s) / 86400 ))"]
    # All accounts first, appended in place (a hard link to /etc/shadow planted later keeps
    # pointing at the live file: tools like useradd replace it with a new inode).
    passwd, group, shadow, homes = ["hgoother:x:1999:1999::/nonexistent:/bin/sh"], ["hgoother:x:1999:"], \
        ["hgoother:!:$T:0:99999:7:::"], []
    for index, case in enumerate(CASES):
        user, uid = user_of(index), 2000 + index
        shell, home, (lstchg, smax, inact, expire) = ACCOUNTS[case.account]
        lstchg = lstchg.replace("T", "$T") if lstchg.startswith("T") else lstchg
        if "-" in lstchg:
            lstchg = "$((%s))" % lstchg
        passwd.append("%s:x:%d:%d::/home/%s:%s" % (user, uid, uid, user, shell))
        group.append("%s:x:%d:" % (user, uid))
        shadow.append("%s:!:%s:0:%s:7:%s:%s:" % (user, lstchg, smax, inact, expire))
        if home:
            homes.append("mkdir -p /home/%s && chown %d:%d /home/%s && chmod 0750 /home/%s"
                         % (user, uid, uid, user, user))
    out.append("cat >> /etc/passwd <<EOF\n%s\nEOF" % "\n".join(passwd))
    out.append("cat >> /etc/group <<EOF\n%s\nEOF" % "\n".join(group))
    out.append("cat >> /etc/shadow <<EOF\n%s\nEOF" % "\n".join(shadow))
    out.extend(homes)
    for index, case in enumerate(CASES):
        if case.where == "crond" and not with_crond:
            continue
        user = user_of(index)
        directory = spool if case.where == "spool" else crond
        name = (case.name or "{user}").replace("{user}", user)
        path = "%s/%s" % (directory, name)
        body = case.content(user)
        owner = {"user": user, "root": "root", "other": "hgoother"}[case.owner]
        b64 = base64.b64encode(body).decode()
        for fpath, fbody, fmode in case.files:
            out.append("mkdir -p '%s'" % fpath.rsplit("/", 1)[0])
            if fbody.startswith("@"):           # a copy of a file of the image
                out.append("cp '%s' '%s'" % (fbody[1:], fpath))
            else:
                out.append("printf %%s %s | base64 -d > '%s'" % (base64.b64encode(fbody.encode()).decode(), fpath))
            out.append("chmod %s '%s'" % (fmode, fpath))
        target = "%s/%s" % (TARGET_DIR, case.cid)
        if case.kind == "file":
            out.append("printf %%s %s | base64 -d > '%s'" % (b64, path))
            out.append("chown %s: '%s' && chmod %s '%s'" % (owner, path, case.mode, path))
        elif case.kind == "dir":
            out.append("mkdir '%s' && chown %s: '%s' && chmod %s '%s'" % (path, owner, path, case.mode, path))
        elif case.kind == "hardlink":
            if case.link:                       # a link to an existing system file
                out.append("ln '%s' '%s'" % (case.link, path))
            else:
                out.append("printf %%s %s | base64 -d > '%s'" % (b64, target))
                out.append("chown %s: '%s' && chmod %s '%s'" % (owner, target, case.mode, target))
                out.append("ln '%s' '%s'" % (target, path))
        elif case.kind == "symlink":
            if case.link != "broken":
                out.append("mkdir -p '%s.d' && printf %%s %s | base64 -d > '%s.d/f'" % (target, b64, target))
                out.append("chown %s: '%s.d/f' && chmod %s '%s.d/f'" % (owner, target, case.mode, target))
            if case.link == "target":
                out.append("ln -s '%s.d/f' '%s'" % (target, path))
            elif case.link == "broken":
                out.append("ln -s '%s.d/missing' '%s'" % (target, path))
            elif case.link == "absdir":
                # path -> TARGET/<cid>.via/f where TARGET/<cid>.via -> /var/tmp/hgo-t/<cid>.d (absolute)
                out.append("ln -s '%s.d' '%s.via'" % (target, target))
                out.append("ln -s '%s.via/f' '%s'" % (target, path))
            elif case.link == "dotdot":
                ups = "../" * (directory.count("/") + 6)
                out.append("ln -s '%s%s.d/f' '%s'" % (ups, target.lstrip("/"), path))
            out.append("chown -h %s: '%s'" % ({"user": user, "root": "root"}[case.link_owner], path))
    return "\n".join(out) + "\n"
