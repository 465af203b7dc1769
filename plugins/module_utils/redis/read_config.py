# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading a Redis config and its includes inside ``root``: bounded I/O, no verdicts."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import os
import posixpath

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths
from ansible_collections.hostguard.hardening.plugins.module_utils.core.budget import FairBudget
from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.redis.parse_config import SECRET_DIRECTIVES, ConfigSyntaxError, parse_user_rules, split_args


MAX_CONFIG_BYTES = 4 * 1024 * 1024      # redis.conf is ~107 KB; anything far bigger is hostile
MAX_CONFIG_LINE = 64 * 1024
MAX_INCLUDE_DEPTH = 8
MAX_FILES = 256
MAX_TOTAL_CONFIG_BYTES = 8 * 1024 * 1024   # all config files and includes of one config together
MAX_GLOB_ENTRIES = 4096                    # directory entries an include glob may look at
# kept for every file of the tree that may still come (MAX_FILES of them): a huge early include
# cannot push a later small one out unread (issue 17); 255 x 16 KiB leaves the first file its 4 MiB
MIN_FILE_BYTES = 16 * 1024


def parse_config(path, root="/", max_depth=MAX_INCLUDE_DEPTH, max_bytes=MAX_CONFIG_BYTES,
                 total_bytes=MAX_TOTAL_CONFIG_BYTES):
    """Read a Redis config and its includes. ``path`` is as seen by the audited system.

    Returns {"path", "directives": [(file, lineno, name, args)], "files": [{path, mode, uid,
    size, truncated, secret}], "problems": [{path, reason, detail}], "sentinel": bool}.
    Includes are processed inline where they appear (Redis: ``include`` is executed when
    its line is read, and the last value of a directive wins), globs expand sorted.
    Bounded (issue 17): every path is resolved inside ``root`` by core.paths (links too), a
    NUL in an include is refused, each file reads at most ``max_bytes`` and all together
    ``total_bytes`` under a fair budget (core.budget: MIN_FILE_BYTES stay kept for every file
    that may follow, so one huge include cannot hide a later one), a file already read is not
    read again (one 4 MiB file included 255 times: identity checked before reading), a glob
    looks at no more than MAX_GLOB_ENTRIES directory entries (self-symlinks doubling per
    level); each cut is a problem saying what was not read.
    """
    state = {"directives": [], "files": [], "problems": [], "sentinel": False, "seen": 0,
             "budget": FairBudget(total_bytes, max_bytes, MAX_FILES, MIN_FILE_BYTES), "read": {}}
    _parse_file(path, root, state, depth=0, stack=(), max_depth=max_depth, max_bytes=max_bytes)
    return {"path": path, "directives": state["directives"], "files": state["files"],
            "problems": state["problems"], "sentinel": state["sentinel"]}


def read_config_file(root, path, max_bytes):
    """(data, info, truncated, identity) of a config file resolved inside ``root``
    (safe_read.read_in_root). Raises safe_read.SafeReadError."""
    data, info, truncated = safe_read.read_in_root(root, path, max_bytes)
    return data, info, truncated, (info["dev"], info["inode"])


def _parse_file(path, root, state, depth, stack, max_depth, max_bytes):
    if path in stack:
        state["problems"].append({"path": path, "reason": "include_cycle",
                                  "detail": "include cycle: %s" % " -> ".join(stack + (path,))})
        return
    if depth > max_depth:
        state["problems"].append({"path": path, "reason": "include_depth",
                                  "detail": "include depth above %d" % max_depth})
        return
    if state["seen"] >= MAX_FILES:
        state["problems"].append({"path": path, "reason": "too_many_files",
                                  "detail": "more than %d config files" % MAX_FILES})
        return
    budget = state["budget"]
    if budget.left <= 0:
        state["problems"].append({"path": path, "reason": "byte_budget",
                                  "detail": "not read: the %d-byte budget of this config and its "
                                            "includes is spent" % budget.total})
        return
    state["seen"] += 1
    try:
        fd, info = safe_read.open_in_root(root, path)
    except safe_read.SafeReadError as exc:
        state["problems"].append({"path": path, "reason": exc.reason, "detail": exc.message})
        return
    try:
        ident = (info["dev"], info["inode"])
        if ident in state["read"]:
            state["problems"].append({"path": path, "reason": "repeated_include",
                                      "detail": "already read (as %s): included again, not re-read"
                                                % state["read"][ident]})
            return
        cap = budget.grant()
        data = _read_fd(fd, cap, path)
    except safe_read.SafeReadError as exc:
        state["problems"].append({"path": path, "reason": exc.reason, "detail": exc.message})
        return
    finally:
        os.close(fd)
    truncated = info["size"] > len(data)
    state["read"][ident] = path
    budget.spend(len(data))
    entry = {"path": path, "mode": info["mode"], "uid": info["uid"], "gid": info["gid"],
             "size": info["size"], "truncated": truncated, "secret": False, "included_by": stack[-1] if stack else None}
    state["files"].append(entry)
    if truncated:
        state["problems"].append({"path": path, "reason": "truncated",
                                  "detail": "not fully scanned: only the first %d of %d bytes were read "
                                            "(byte budget: %s)" % (len(data), info["size"], budget.describe())})
        # do not parse a half line at the cut
        cut = data.rfind(b"\n")
        data = data[:cut + 1] if cut >= 0 else b""
    for lineno, raw in enumerate(data.split(b"\n"), 1):
        if len(raw) > MAX_CONFIG_LINE:
            state["problems"].append({"path": path, "reason": "long_line",
                                      "detail": "line %d longer than %d bytes ignored" % (lineno, MAX_CONFIG_LINE)})
            continue
        line = safe_read.decode_line(raw).strip(" \t\r\n")
        if not line or line.startswith("#"):
            continue
        try:
            args = split_args(line)
        except ConfigSyntaxError as exc:
            state["problems"].append({"path": path, "reason": "syntax",
                                      "detail": "line %d: %s (Redis would refuse to start)" % (lineno, exc)})
            continue
        if not args:
            continue
        name = args[0].lower()
        if name == "sentinel":
            state["sentinel"] = True
        if name in SECRET_DIRECTIVES[:2] and len(args) > 1 and args[1] != "":
            entry["secret"] = True
        if name == "user" and any(a[:1] in (">", "#") for a in args[2:]):
            entry["secret"] = True
        if name == "include" and len(args) == 2:
            target = args[1]
            if "\x00" in target:
                state["problems"].append({"path": path, "reason": "invalid_path",
                                          "detail": "line %d: include path holds a NUL byte (not read)" % lineno})
                continue
            if not target.startswith("/"):
                # Redis resolves relative includes against its cwd; the config's dir is our best guess
                target = posixpath.join(posixpath.dirname(path), target)
            matches, cut = expand_glob(target, root)
            if cut:
                state["problems"].append({"path": path, "reason": "glob_cut",
                                          "detail": "line %d: include %s not fully expanded: %s"
                                                    % (lineno, args[1], cut)})
            for included in matches:
                _parse_file(included, root, state, depth + 1, stack + (path,), max_depth, max_bytes)
            continue
        state["directives"].append((path, lineno, name, args[1:]))


def _read_fd(fd, max_bytes, path):
    chunks = []
    remaining = max(0, int(max_bytes))
    try:
        while remaining > 0:
            chunk = os.read(fd, min(safe_read.CHUNK_BYTES, remaining))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise safe_read.SafeReadError(path, "io_error", os.strerror(exc.errno or 0) or str(exc))
    return b"".join(chunks)


_GLOB_CHARS = "*?["


def expand_glob(pattern, root="/", max_entries=MAX_GLOB_ENTRIES, max_matches=MAX_FILES):
    """(sorted matching paths, cut reason or None) of an absolute glob inside ``root``, as
    glob(3) would (``*`` does not match a leading dot; only paths that exist and match every
    component), component by component through core.paths (links resolved inside root),
    looking at no more than ``max_entries`` names. Only the last component is capped at
    ``max_matches``: the directories matched on the way are no matches (before, a cut on the
    way returned them, and "is a directory" errors stood for the files)."""
    if not any(ch in pattern for ch in _GLOB_CHARS):
        return [pattern], None
    parts = [p for p in pattern.split("/") if p]
    candidates = ["/"]
    budget = {"left": max_entries, "max": max_entries}
    globbed = False
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if not any(ch in part for ch in _GLOB_CHARS):
            candidates = [posixpath.join(base, part) for base in candidates]
            if globbed:    # glob(3) returns existing paths only
                candidates = [c for c in candidates if paths.resolve(root, c, follow=False).ok]
            continue
        globbed = True
        candidates, cut = _glob_level(root, candidates, part, budget, max_matches if last else max_entries)
        if cut:
            return (sorted(set(candidates))[:max_matches] if last else []), cut
    matches = sorted(set(candidates))
    if len(matches) > max_matches:
        return matches[:max_matches], "more than %d matches" % max_matches
    return matches, None


def _glob_level(root, bases, part, budget, cap):
    """(paths base/name for each name of each base matching ``part``, cut reason or None);
    ``budget`` ({left, max} names) is spent by every name looked at."""
    found = []
    for base in bases:
        try:
            names, truncated, _res = paths.list_dir(root, base, budget["left"] + 1)
        except (paths.PathRefused, OSError, ValueError):
            continue
        budget["left"] -= len(names)
        if truncated or budget["left"] < 0:
            return found, "more than %d directory entries looked at (a link loop?)" % budget["max"]
        for name in names:
            if name.startswith(".") and not part.startswith("."):
                continue
            if fnmatch.fnmatchcase(name, part):
                found.append(posixpath.join(base, name))
                if len(found) > cap:
                    return found, "more than %d matches" % cap
    return found, None


def parse_aclfile(path, root="/"):
    """Users of an aclfile (``user <name> <rules>`` lines) as secret-free summaries."""
    try:
        data, info, _trunc, _ident = read_config_file(root, path, MAX_CONFIG_BYTES)
    except safe_read.SafeReadError as exc:
        return None, {"path": path, "reason": exc.reason, "detail": exc.message}, set()
    users = {}
    secrets = set()
    for raw in data.split(b"\n"):
        try:
            args = split_args(safe_read.decode_line(raw).strip())
        except ConfigSyntaxError:
            continue
        if len(args) >= 2 and args[0].lower() == "user":
            users[args[1]] = parse_user_rules(args[1:])
            secrets.update(r[1:] for r in args[2:] if r[:1] in (">", "#", "<", "!") and len(r) > 1)
    return {"users": users, "mode": info["mode"], "path": path}, None, secrets
