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
- OpenRC (``quarantine_runlevel_links``): once an /etc/init.d script is quarantined, the
  ``/etc/runlevels/<level>/NAME`` symlinks ``rc-update add`` made for it would dangle (OpenRC
  resolves a runlevel entry BY NAME and reports a missing service at boot). When NAME no longer
  resolves to any script, those symlinks are moved into the same batch (manifest entries with
  ``type: symlink``, ``link_target``, ``runlevel`` and ``enabled_script``); ``restore_entry`` puts
  them back. Only symlinks are moved; any other entry named NAME in a runlevel is reported.
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
from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths
from ansible_collections.hostguard.hardening.plugins.module_utils.cron.openrc import INIT_DIRS, RUNLEVELS

MANIFEST_NAME = "manifest.json"
FILES_DIR = "files"
MANIFEST_VERSION = 1
CHUNK = 1024 * 1024
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_RUNLEVELS = 256


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
    if entry.get("type") == "symlink":
        return _restore_link(batch_real, doc, entry, root, check_mode, now)
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


def _runlevel_dirs(root):
    """Top-level OpenRC runlevel directories (lstat: real directories only), at most
    MAX_RUNLEVELS. A stacked runlevel is a symlink to another top-level level, so its links are
    found there."""
    try:
        names, _truncated, _res = paths.list_dir(root, RUNLEVELS, MAX_RUNLEVELS, follow=False)
    except (paths.PathRefused, OSError):
        return []
    top = join_root(root, RUNLEVELS)
    out = []
    for name in names:
        if name.startswith("."):
            continue
        try:
            if stat.S_ISDIR(os.lstat(os.path.join(top, name)).st_mode):
                out.append(name)
        except OSError:
            continue
    return out


def _still_resolves(root, script_path, name):
    """Whether OpenRC would still find a script for NAME once ``script_path`` is gone
    (rc_service_resolve: /etc/init.d/NAME, then /usr/local/etc/init.d/NAME)."""
    for directory in INIT_DIRS:
        other = directory + "/" + name
        if other == script_path:
            continue
        if paths.resolve(root, other, follow=True).ok:
            return True
    return False


def quarantine_runlevel_links(script_path, batch_dir, finding_ids=None, root="/", check_mode=False, now=None):
    """Quarantine the OpenRC runlevel links of a quarantined init script.

    ``script_path`` is /etc/init.d/NAME or /usr/local/etc/init.d/NAME (anything else: nothing to
    do). Each ``/etc/runlevels/<level>/NAME`` symlink is moved into the batch, unless NAME still
    resolves to another script (then the links enable that one and stay). Returns
    {"changed", "entries", "left", "msg"}; ``left`` lists entries named NAME that are not
    symlinks (not moved, reported).
    """
    out = {"changed": False, "entries": [], "left": [], "msg": ""}
    name = os.path.basename(script_path)
    if os.path.dirname(script_path) not in INIT_DIRS or not name or name.startswith("."):
        return out
    levels = _runlevel_dirs(root)
    if not levels:
        return out
    if _still_resolves(root, script_path, name):
        out["msg"] = "%s still resolves to another script: runlevel links kept" % name
        return out
    batch_real = join_root(root, batch_dir)
    stamp = _iso(now if now is not None else time.time())
    found = []
    for level in levels:
        link = "%s/%s/%s" % (RUNLEVELS, level, name)
        real = join_root(root, link)
        try:
            st = os.lstat(real)
        except OSError:
            continue
        if not stat.S_ISLNK(st.st_mode):
            out["left"].append("%s: not a symlink (%s), left for a human" % (link, _type_name(st.st_mode)))
            continue
        target = os.readlink(real)
        found.append((link, real, st, target, level))
    if not found:
        return out
    entries = []
    for link, real, st, target, level in found:
        entries.append({
            "original_path": link,
            "quarantined_path": strip_root(root, quarantine_path(batch_real, link)),
            "type": "symlink",
            "link_target": target,
            "runlevel": level,
            "enabled_script": script_path,
            "owner": _name_of_uid(st.st_uid),
            "group": _name_of_gid(st.st_gid),
            "uid": st.st_uid,
            "gid": st.st_gid,
            "mode": None,
            "size": len(target),
            "sha256": None,
            "mtime": st.st_mtime,
            "finding_ids": sorted(set(finding_ids or [])),
            "selinux_context": None,
            "quarantined_at": stamp,
            "method": "check_mode" if check_mode else None,
            "restored_at": None,
        })
    out["changed"] = True
    out["entries"] = entries
    verb = "would move" if check_mode else "moved"
    out["msg"] = "%s runlevel link(s) %s to %s" % (verb, ", ".join(e["original_path"] for e in entries),
                                                   os.path.join(batch_dir, FILES_DIR))
    if check_mode:
        return out
    doc = read_manifest(batch_real)
    for entry, (link, real, st, target, _level) in zip(entries, found):
        entry["method"] = _move_link(real, join_root(root, entry["quarantined_path"]), st, target)
        doc.setdefault("version", MANIFEST_VERSION)
        doc.setdefault("created", entry["quarantined_at"])
        doc["entries"].append(entry)
        write_manifest(batch_real, doc)
    return out


def _type_name(mode):
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISREG(mode):
        return "regular file"
    return "special file"


def _move_link(src, dest, st, target):
    """Move the symlink ``src`` itself (never followed) to ``dest``: rename, or recreate + unlink."""
    _makedirs(os.path.dirname(dest))
    if os.path.lexists(dest):
        raise QuarantineError(dest, "exists", "destination already exists")
    if os.lstat(os.path.dirname(dest)).st_dev == st.st_dev:
        os.rename(src, dest)
        after = os.lstat(dest)
        if after.st_ino != st.st_ino or not stat.S_ISLNK(after.st_mode):
            raise QuarantineError(src, "changed", "link was replaced during the move (now at %s)" % dest)
        method = "rename"
    else:
        os.symlink(target, dest)
        if os.geteuid() == 0:
            os.lchown(dest, st.st_uid, st.st_gid)
        now = os.lstat(src)
        if now.st_ino != st.st_ino or not stat.S_ISLNK(now.st_mode) or os.readlink(src) != target:
            raise QuarantineError(src, "changed", "link changed during the move; copy kept at %s, source untouched" % dest)
        os.unlink(src)
        method = "copy"
    _fsync_dir(os.path.dirname(dest))
    _fsync_dir(os.path.dirname(src))
    return method


def _restore_link(batch_real, doc, entry, root, check_mode, now):
    """Put a quarantined runlevel symlink back with its target and owner."""
    original = entry["original_path"]
    real = join_root(root, original)
    qreal = join_root(root, entry["quarantined_path"])
    target = entry["link_target"]
    if os.path.lexists(real):
        if os.path.islink(real) and os.readlink(real) == target and not os.path.lexists(qreal):
            return {"changed": False, "status": "already_restored", "entry": entry,
                    "msg": "%s is already back (-> %s)" % (original, target)}
        raise QuarantineError(original, "occupied", "something else now exists at the original path")
    parent = os.path.dirname(real)
    if not os.path.isdir(parent) or os.path.islink(parent):
        raise QuarantineError(original, "no_parent", "parent directory %s is missing" % os.path.dirname(original))
    if not os.path.islink(qreal):
        raise QuarantineError(entry["quarantined_path"], "missing", "the quarantined link is gone")
    if os.readlink(qreal) != target:
        raise QuarantineError(entry["quarantined_path"], "verify_failed",
                              "quarantined link points to %s, manifest says %s" % (os.readlink(qreal), target))
    if check_mode:
        return {"changed": True, "status": "restored", "entry": entry,
                "msg": "would restore link %s -> %s" % (original, target)}
    if os.lstat(parent).st_dev == os.lstat(qreal).st_dev:
        os.rename(qreal, real)
    else:
        os.symlink(target, real)
        os.unlink(qreal)
    if os.geteuid() == 0:
        os.lchown(real, int(entry["uid"]), int(entry["gid"]))
    if os.readlink(real) != target:
        raise QuarantineError(original, "verify_failed", "restored link does not point to %s" % target)
    _fsync_dir(parent)
    entry["restored_at"] = _iso(now if now is not None else time.time())
    write_manifest(batch_real, doc)
    return {"changed": True, "status": "restored", "entry": entry,
            "msg": "restored link %s -> %s" % (original, target)}
