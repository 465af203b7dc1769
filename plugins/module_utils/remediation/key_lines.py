# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Remove lines from an authorized_keys file one by one, keeping the file (issue 13 item 6).

- The file is read through safe_read (regular file only, O_NOFOLLOW, at most ``MAX_BYTES``: a
  bigger file is refused, reason ``too_large``, not half-rewritten).
- Lines removed: valid keys whose fingerprint is listed, and (``remove_unparsable``) every line
  sshd cannot parse (a Redis dump's binary junk). Comments and blank lines stay.
- Never a lockout: when ``protect`` is set (the file is one sshd reads for the user Ansible is
  connected as) and no valid key would be left in this file nor in ``protect_key_files``, the
  removal is refused (reason ``last_key``) and nothing changes.
- The original bytes go to the quarantine batch first (``<batch>/files/<path>``, 0600, manifest
  entry ``method: lines_removed`` with the removed line numbers and fingerprints, sha256 before
  and after); then the new content is written to a temporary file in the same directory with the
  original owner, group and mode, fsynced and renamed over the file (atomic).
- ``restore_key_file`` puts the backup back when the file still has the content we wrote.
Stdlib only: runs on the target inside AnsiballZ.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core.authorized_keys import parse_key_line
from ansible_collections.hostguard.hardening.plugins.module_utils.remediation import selinux
from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import (
    SafeReadError, join_root, read_head, strip_root)
from ansible_collections.hostguard.hardening.plugins.module_utils.remediation.quarantine import (
    MANIFEST_VERSION, QuarantineError, _fsync_dir, _iso, _makedirs, quarantine_path, read_manifest,
    write_manifest)

MAX_BYTES = 16 * 1024 * 1024


def _read(real, path):
    try:
        data, info, truncated = read_head(real, MAX_BYTES + 1)
    except SafeReadError as exc:
        raise QuarantineError(path, exc.reason, exc.message)
    if truncated or len(data) > MAX_BYTES:
        raise QuarantineError(path, "too_large", "larger than %d bytes: not rewritten; quarantine it whole" % MAX_BYTES)
    return data, info


def valid_fingerprints(data):
    out = []
    for raw in data.split(b"\n"):
        parsed = parse_key_line(raw.decode("utf-8", "surrogateescape"))
        if parsed and parsed["valid"]:
            out.append(parsed["fingerprint"])
    return out


def plan_removal(data, fingerprints, remove_unparsable):
    """(kept lines, removed [{line, fingerprint|None}]) of a file's bytes."""
    kept, removed = [], []
    lines = data.split(b"\n")
    trailing = lines and lines[-1] == b""
    if trailing:
        lines = lines[:-1]
    wanted = set(fingerprints or [])
    for number, raw in enumerate(lines, 1):
        parsed = parse_key_line(raw.decode("utf-8", "surrogateescape"))
        if parsed is None:
            # blank or comment; a NUL-laden "comment" from a dump is junk all the same
            if remove_unparsable and (b"\x00" in raw or raw.startswith(b"REDIS")):
                removed.append({"line": number, "fingerprint": None})
            else:
                kept.append(raw)
        elif parsed["valid"] and parsed["fingerprint"] in wanted:
            removed.append({"line": number, "fingerprint": parsed["fingerprint"]})
        elif not parsed["valid"] and remove_unparsable:
            removed.append({"line": number, "fingerprint": None})
        else:
            kept.append(raw)
    return kept, removed


def _other_keys(root, paths):
    count = 0
    for path in paths or []:
        try:
            data, _info = _read(join_root(root, path), path)
        except QuarantineError:
            continue
        count += len(valid_fingerprints(data))
    return count


def _write_atomic(real, data, info):
    directory = os.path.dirname(real)
    tmp = os.path.join(directory, ".%s.hostguard.%d" % (os.path.basename(real), os.getpid()))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fchown(fd, info["uid"], info["gid"])
        os.fchmod(fd, int(info["mode"], 8))
        selinux.set_label(fd, selinux.label(real))      # the new inode keeps the old file's label
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    os.close(fd)
    os.rename(tmp, real)
    _fsync_dir(directory)


def _write_backup(dest, data):
    _makedirs(os.path.dirname(dest))
    if os.path.lexists(dest):
        dest = dest + ".%d" % int(time.time() * 1000)
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    return dest


def remove_key_lines(path, batch_dir, fingerprints=None, remove_unparsable=False, protect=False,
                     protect_key_files=None, finding_ids=None, root="/", check_mode=False, now=None):
    """Returns {"changed", "status" (unchanged|lines_removed), "entry", "msg"}; refusals raise
    QuarantineError (reasons: last_key, too_large, symlink, not_regular, missing, ...)."""
    if not path.startswith("/"):
        raise QuarantineError(path, "not_absolute", "path must be absolute")
    real = join_root(root, os.path.normpath(path))
    if not os.path.lexists(real):
        return {"changed": False, "status": "absent", "entry": None, "msg": "%s does not exist" % path}
    data, info = _read(real, path)
    kept, removed = plan_removal(data, fingerprints, remove_unparsable)
    if not removed:
        return {"changed": False, "status": "unchanged", "entry": None,
                "msg": "%s: no line to remove" % path}
    new = b"\n".join(kept) + (b"\n" if kept else b"")
    left_here = len(valid_fingerprints(new))
    others = [p for p in (protect_key_files or []) if p != path]
    if protect and left_here == 0 and _other_keys(root, others) == 0:
        raise QuarantineError(path, "last_key", "removing these lines would leave the connected user "
                                                "without any authorized key: refused (never a lockout)")
    batch_real = join_root(root, batch_dir)
    entry = {"original_path": path, "quarantined_path": strip_root(root, quarantine_path(batch_real, path)),
             "method": "lines_removed", "uid": info["uid"], "gid": info["gid"], "mode": info["mode"],
             "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
             "sha256_after": hashlib.sha256(new).hexdigest(), "removed": removed,
             "finding_ids": sorted(set(finding_ids or [])),
             "quarantined_at": _iso(now if now is not None else time.time()), "restored_at": None,
             "owner": None, "group": None, "mtime": None}
    if check_mode:
        return {"changed": True, "status": "lines_removed", "entry": entry,
                "msg": "would remove %d line(s) from %s" % (len(removed), path)}
    doc = read_manifest(batch_real)
    dest = _write_backup(quarantine_path(batch_real, path), data)
    entry["quarantined_path"] = strip_root(root, dest)
    _write_atomic(real, new, info)
    doc.setdefault("version", MANIFEST_VERSION)
    doc.setdefault("created", entry["quarantined_at"])
    doc["entries"].append(entry)
    write_manifest(batch_real, doc)
    return {"changed": True, "status": "lines_removed", "entry": entry,
            "msg": "removed %d line(s) from %s (backup %s)" % (len(removed), path, entry["quarantined_path"])}


def restore_key_file(batch_dir, entry, root="/", check_mode=False, now=None):
    """Put the backup of a ``lines_removed`` entry back over the file we rewrote."""
    path = entry["original_path"]
    real = join_root(root, path)
    backup, _binfo = _read(join_root(root, entry["quarantined_path"]), entry["quarantined_path"])
    if hashlib.sha256(backup).hexdigest() != entry["sha256"]:
        raise QuarantineError(path, "verify_failed", "backup sha256 differs from the manifest")
    current, info = _read(real, path) if os.path.lexists(real) else (None, None)
    digest = hashlib.sha256(current).hexdigest() if current is not None else None
    if digest == entry["sha256"]:
        return {"changed": False, "status": "already_restored", "entry": entry, "msg": "%s is already back" % path}
    if digest != entry["sha256_after"]:
        raise QuarantineError(path, "occupied", "the file changed since the lines were removed: not overwritten")
    if check_mode:
        return {"changed": True, "status": "restored", "entry": entry, "msg": "would restore %s" % path}
    _write_atomic(real, backup, {"uid": entry["uid"], "gid": entry["gid"], "mode": entry["mode"]})
    batch_real = join_root(root, batch_dir)
    doc = read_manifest(batch_real)
    for item in doc["entries"]:
        if item.get("original_path") == path and item.get("sha256_after") == entry["sha256_after"]:
            item["restored_at"] = _iso(now if now is not None else time.time())
    write_manifest(batch_real, doc)
    return {"changed": True, "status": "restored", "entry": entry, "msg": "restored %s" % path}
