# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Quarantine and restore suspicious files without ever deleting them.

Used by the ``cron_hygiene`` role (seed 000: a 600 MB Redis dump planted in
/var/spool/cron). Rules:

- ``lstat`` first; only regular files are moved. Symlinks, FIFOs, sockets, devices and
  directories are refused (reason ``symlink`` / ``not_regular``), never followed.
- The source is opened ``O_NOFOLLOW|O_NONBLOCK`` and ``fstat``-checked against the lstat
  (same race guard as safe_read.open_regular) before it is hashed.
- Same filesystem: ``rename`` (atomic), then the inode is checked to be the one hashed.
  Other filesystem: copy into an ``O_EXCL`` file, ``fsync``, re-hash the copy, compare
  sha256, check the source is still the same inode, and only then unlink the source.
- The quarantined copy is made ``0600`` root-owned (a planted setuid binary is defused);
  the original owner, group, mode and mtime are recorded in the manifest and put back by
  ``restore_entry``, which yields byte-identical content (sha256 verified).
- ``manifest.json`` in the batch directory is rewritten atomically (tmp + fsync + rename).
- SELinux (remediation/selinux.py): the original label is recorded (``selinux_context``), the
  quarantined copy takes the quarantine directory's label, restore puts the original back.
Stdlib only: runs on the target inside AnsiballZ.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import grp
import hashlib
import json
import os
import pwd
import stat
import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import (
    PathError, SafeReadError, open_regular, lstat_info, join_root, strip_root)
from ansible_collections.hostguard.hardening.plugins.module_utils.remediation import selinux

MANIFEST_NAME = "manifest.json"
FILES_DIR = "files"
MANIFEST_VERSION = 1
CHUNK = 1024 * 1024
MAX_MANIFEST_BYTES = 16 * 1024 * 1024


class QuarantineError(PathError):
    """A refusal or failure; ``reason`` is machine-readable."""


def _name_of_uid(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except (KeyError, OverflowError):
        return None


def _name_of_gid(gid):
    try:
        return grp.getgrgid(gid).gr_name
    except (KeyError, OverflowError):
        return None


def sha256_fd(fd):
    """sha256 hex and byte count of an open descriptor, streamed in chunks."""
    digest = hashlib.sha256()
    size = 0
    os.lseek(fd, 0, os.SEEK_SET)
    while True:
        chunk = os.read(fd, CHUNK)
        if not chunk:
            break
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _open_source(path):
    try:
        return open_regular(path)
    except SafeReadError as exc:
        raise QuarantineError(path, exc.reason, exc.message)


def quarantine_path(batch_dir, original):
    """Where ``original`` (absolute) is kept inside a batch directory."""
    return os.path.join(batch_dir, FILES_DIR, original.lstrip("/"))


def _makedirs(path, mode=0o700):
    if not os.path.isdir(path):
        os.makedirs(path, mode)


def _fsync_dir(path):
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _copy_verified(src_fd, dest, expect_sha):
    """Copy an open descriptor into a new file ``dest`` (O_EXCL), fsync, verify sha256."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    out = os.open(dest, flags, 0o600)
    try:
        os.lseek(src_fd, 0, os.SEEK_SET)
        while True:
            chunk = os.read(src_fd, CHUNK)
            if not chunk:
                break
            view = memoryview(chunk)
            while view:
                written = os.write(out, view)
                view = view[written:]
        os.fsync(out)
    finally:
        os.close(out)
    check_fd = os.open(dest, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        got, _size = sha256_fd(check_fd)
    finally:
        os.close(check_fd)
    if got != expect_sha:
        # Keep the bad copy out of the way but never touch the source.
        raise QuarantineError(dest, "verify_failed", "copy sha256 %s differs from source %s" % (got, expect_sha))


def _move(src, dest, src_fd, info, sha):
    """Move ``src`` to ``dest`` (rename, or verified copy + unlink). Returns the method."""
    _makedirs(os.path.dirname(dest))
    if os.path.lexists(dest):
        raise QuarantineError(dest, "exists", "destination already exists")
    dest_dev = os.lstat(os.path.dirname(dest)).st_dev
    if dest_dev == info["dev"]:
        os.rename(src, dest)
        after = os.lstat(dest)
        if after.st_ino != info["inode"]:
            raise QuarantineError(src, "changed", "file was replaced during the move (now at %s)" % dest)
        _fsync_dir(os.path.dirname(dest))
        _fsync_dir(os.path.dirname(src))
        return "rename"
    _copy_verified(src_fd, dest, sha)
    now = os.lstat(src)
    if now.st_ino != info["inode"] or now.st_dev != info["dev"] or not stat.S_ISREG(now.st_mode):
        raise QuarantineError(src, "changed", "source changed during copy; copy kept at %s, source untouched" % dest)
    os.unlink(src)
    _fsync_dir(os.path.dirname(src))
    return "copy"


def read_manifest(batch_dir):
    path = os.path.join(batch_dir, MANIFEST_NAME)
    try:
        st = os.lstat(path)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return {"version": MANIFEST_VERSION, "entries": []}
        raise
    if not stat.S_ISREG(st.st_mode):
        raise QuarantineError(path, "not_regular", "manifest is not a regular file")
    if st.st_size > MAX_MANIFEST_BYTES:
        raise QuarantineError(path, "too_large", "manifest larger than %d bytes" % MAX_MANIFEST_BYTES)
    fd, _info = _open_source(path)
    try:
        data = b""
        while True:
            chunk = os.read(fd, CHUNK)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    try:
        doc = json.loads(data.decode("utf-8"))
    except ValueError as exc:
        raise QuarantineError(path, "bad_manifest", "not valid JSON: %s" % exc)
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        raise QuarantineError(path, "bad_manifest", "no entries list")
    return doc


def write_manifest(batch_dir, doc):
    _makedirs(batch_dir)
    path = os.path.join(batch_dir, MANIFEST_NAME)
    tmp = path + ".tmp.%d" % os.getpid()
    data = json.dumps(doc, indent=2, sort_keys=True).encode("utf-8") + b"\n"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(tmp, path)
    _fsync_dir(batch_dir)


def _iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def quarantine(path, batch_dir, finding_ids=None, root="/", check_mode=False, now=None):
    """Quarantine one file. Returns {"changed", "status", "entry", "msg"}.

    ``path`` is as the audited system sees it; ``root`` lets tests use a fixture tree.
    status: ``absent`` (nothing there: already handled), ``quarantined`` (or would be, in
    check mode). Refusals raise QuarantineError.
    """
    if not path.startswith("/"):
        raise QuarantineError(path, "not_absolute", "path must be absolute")
    real = join_root(root, os.path.normpath(path))
    batch_real = join_root(root, batch_dir)
    if real == batch_real.rstrip("/") or real.startswith(batch_real.rstrip("/") + "/"):
        raise QuarantineError(path, "inside_quarantine", "path is inside the quarantine directory")
    try:
        lstat_info(real)
    except SafeReadError as exc:
        if exc.reason == "missing":
            return {"changed": False, "status": "absent", "entry": None,
                    "msg": "%s does not exist (already quarantined or removed)" % path}
        raise QuarantineError(path, exc.reason, exc.message)
    fd, info = _open_source(real)
    try:
        sha, size = sha256_fd(fd)
        dest = quarantine_path(batch_real, path)
        st = os.fstat(fd)
        entry = {
            "original_path": path,
            "quarantined_path": strip_root(root, dest),
            "owner": _name_of_uid(info["uid"]),
            "group": _name_of_gid(info["gid"]),
            "uid": info["uid"],
            "gid": info["gid"],
            "mode": info["mode"],
            "size": size,
            "sha256": sha,
            "mtime": st.st_mtime,
            "finding_ids": sorted(set(finding_ids or [])),
            "selinux_context": selinux.label(fd),
            "quarantined_at": _iso(now if now is not None else time.time()),
            "method": None,
            "restored_at": None,
        }
        if check_mode:
            entry["method"] = "check_mode"
            return {"changed": True, "status": "quarantined", "entry": entry,
                    "msg": "would move %s to %s" % (path, entry["quarantined_path"])}
        doc = read_manifest(batch_real)
        entry["method"] = _move(real, dest, fd, info, sha)
    finally:
        os.close(fd)
    # Defuse the quarantined copy: root-owned, no exec, no setuid; originals are in the entry.
    if os.geteuid() == 0:
        os.chown(dest, 0, 0)
    os.chmod(dest, 0o600)
    if entry["selinux_context"]:
        # rename kept the original label: give the copy the quarantine directory's label
        entry["quarantine_context"] = selinux.label(os.path.dirname(dest))
        if entry["quarantine_context"] and selinux.set_label(dest, entry["quarantine_context"]) is False:
            entry["quarantine_context"] = selinux.label(dest)
    doc.setdefault("version", MANIFEST_VERSION)
    doc.setdefault("created", entry["quarantined_at"])
    doc["entries"].append(entry)
    write_manifest(batch_real, doc)
    return {"changed": True, "status": "quarantined", "entry": entry,
            "msg": "moved %s to %s" % (path, entry["quarantined_path"])}


def _file_sha(real):
    fd, _info = _open_source(real)
    try:
        return sha256_fd(fd)[0]
    finally:
        os.close(fd)


def restore_entry(batch_dir, original_path, root="/", check_mode=False, now=None):
    """Put a quarantined file back byte-identical, with owner, group, mode and mtime.

    Returns {"changed", "status", "entry", "msg"}; status ``restored`` or
    ``already_restored``. Refuses (QuarantineError) when the original path is occupied by
    something else, the parent directory is gone, or the quarantined copy's sha256 no
    longer matches the manifest.
    """
    batch_real = join_root(root, batch_dir)
    doc = read_manifest(batch_real)
    matches = [e for e in doc["entries"] if e.get("original_path") == original_path]
    if not matches:
        raise QuarantineError(original_path, "not_in_manifest", "no manifest entry in %s" % batch_dir)
    entry = matches[-1]
    real = join_root(root, original_path)
    qreal = join_root(root, entry["quarantined_path"])
    if os.path.lexists(real):
        try:
            present_sha = _file_sha(real)
        except QuarantineError:
            present_sha = None
        if present_sha == entry["sha256"] and not os.path.lexists(qreal):
            return {"changed": False, "status": "already_restored", "entry": entry,
                    "msg": "%s is already back (sha256 matches)" % original_path}
        raise QuarantineError(original_path, "occupied", "something else now exists at the original path")
    parent = os.path.dirname(real)
    if not os.path.isdir(parent) or os.path.islink(parent):
        raise QuarantineError(original_path, "no_parent", "parent directory %s is missing" % os.path.dirname(original_path))
    fd, info = _open_source(qreal)
    try:
        sha, _size = sha256_fd(fd)
        if sha != entry["sha256"]:
            raise QuarantineError(entry["quarantined_path"], "verify_failed",
                                  "quarantined copy sha256 %s differs from manifest %s" % (sha, entry["sha256"]))
        if check_mode:
            return {"changed": True, "status": "restored", "entry": entry,
                    "msg": "would restore %s from %s" % (original_path, entry["quarantined_path"])}
        if os.lstat(parent).st_dev == info["dev"]:
            os.rename(qreal, real)
        else:
            _copy_verified(fd, real, sha)
            os.unlink(qreal)
    finally:
        os.close(fd)
    os.lchown(real, int(entry["uid"]), int(entry["gid"]))
    os.chmod(real, int(entry["mode"], 8))
    mtime = entry.get("mtime")
    if mtime is not None:
        os.utime(real, (mtime, mtime))
    relabel = selinux.set_label(real, entry.get("selinux_context"))
    if _file_sha(real) != entry["sha256"]:
        raise QuarantineError(original_path, "verify_failed", "restored file sha256 differs from manifest")
    _fsync_dir(parent)
    entry["restored_at"] = _iso(now if now is not None else time.time())
    write_manifest(batch_real, doc)
    msg = "restored %s" % original_path
    if relabel is False:
        msg += ("; its SELinux label %s could not be set back (now %s): run restorecon %s"
                % (entry["selinux_context"], selinux.label(real), original_path))
    return {"changed": True, "status": "restored", "entry": entry, "msg": msg,
            "selinux_relabelled": relabel}
