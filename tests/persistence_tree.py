"""Fixture trees for the persistence area: unit tests, the real-systemd integration test and the
bench build their roots with these (one helper, no copies)."""
import base64
import hashlib
import os
import struct

from conftest import write

RDB_HEAD = b"REDIS0011\xfa\tredis-ver\x057.0.15\xfa\nredis-bits\xc0@\xfe\x00\xfb\x01\x00\x00\x04pwn1"


def key_blob(seed, keytype="ssh-ed25519"):
    """A well-formed public key blob (not a real key: 32 bytes derived from ``seed``)."""
    t = keytype.encode()
    material = hashlib.sha256(seed.encode()).digest()
    return struct.pack(">I", len(t)) + t + struct.pack(">I", len(material)) + material


def key_line(seed, comment="", options=""):
    blob = base64.b64encode(key_blob(seed)).decode()
    line = "ssh-ed25519 %s %s" % (blob, comment or seed)
    return (options + " " + line) if options else line


def fingerprint(seed):
    return "SHA256:" + base64.b64encode(hashlib.sha256(key_blob(seed)).digest()).decode().rstrip("=")


def rdb_with_key(seed):
    """What Redis' SAVE writes when the stored value is "\\n\\n<key>\\n\\n" (the known attack)."""
    return RDB_HEAD + b"\xc3\x40\x5c\n\n" + key_line(seed, "attacker@evil").encode() + b"\n\n\xff" + b"\x00" * 8


def mkdir(root, rel, mode=0o755):
    path = os.path.join(str(root), rel.lstrip("/"))
    os.makedirs(path, exist_ok=True)
    os.chmod(path, mode)
    return path


def symlink(root, rel, target):
    path = os.path.join(str(root), rel.lstrip("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.lexists(path):
        os.unlink(path)
    os.symlink(target, path)
    return path


def unit(root, rel, text, mode=0o644):
    return write(root, rel, text, mode=mode)


def service(execstart, wanted_by="multi-user.target", extra=""):
    install = "\n[Install]\nWantedBy=%s\n" % wanted_by if wanted_by else ""
    return "[Unit]\nDescription=test\n\n[Service]\nExecStart=%s\n%s%s" % (execstart, extra, install)


def timer(on_calendar="*:0/5", unit_name=None):
    extra = "Unit=%s\n" % unit_name if unit_name else ""
    return "[Unit]\nDescription=t\n\n[Timer]\nOnCalendar=%s\n%s\n[Install]\nWantedBy=timers.target\n" % (on_calendar, extra)


def enable(root, name, target="multi-user.target", base="/etc/systemd/system", unit_dir="/etc/systemd/system"):
    return symlink(root, "%s/%s.wants/%s" % (base, target, name), "%s/%s" % (unit_dir, name))


def dpkg_owns(root, package, files_, contents=None):
    """Register ``files_`` as owned by ``package`` in <root>/var/lib/dpkg/info; md5sums from
    ``contents`` ({path: bytes}) or from the files on disk."""
    contents = contents or {}
    write(root, "/var/lib/dpkg/info/%s.list" % package, "".join(p + "\n" for p in files_))
    sums = []
    for p in files_:
        data = contents.get(p)
        if data is None:
            host = os.path.join(str(root), p.lstrip("/"))
            if not os.path.isfile(host):
                continue
            with open(host, "rb") as handle:
                data = handle.read()
        sums.append("%s  %s\n" % (hashlib.md5(data).hexdigest(), p.lstrip("/")))
    write(root, "/var/lib/dpkg/info/%s.md5sums" % package, "".join(sums))


def base(root, users=(("root", 0, "/root"),)):
    lines = ["%s:x:%d:%d::%s:/bin/bash\n" % (n, uid, uid, home) for n, uid, home in users]
    write(root, "/etc/passwd", "".join(lines))
    for _n, _uid, home in users:
        mkdir(root, home, 0o700 if home == "/root" else 0o755)
    mkdir(root, "/var/lib/dpkg/info")
    return root
