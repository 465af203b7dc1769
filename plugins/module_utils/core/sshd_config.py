# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sshd_config(5) read under ``root`` the way sshd reads it: shared by the areas that need the
effective server configuration (baseline's SSH-7408 grading, persistence's AuthorizedKeysFile and
StrictModes).

- "Unless noted otherwise, for each keyword, the first obtained value will be used."
  (``Port`` and a few others accumulate: ``MULTI_VALUE``.)
- "Include: ... each pathname may contain glob(7) wildcards that will be expanded and processed
  in lexical order. Files without absolute paths are assumed to be in /etc/ssh."
- "Match: ... the keywords on the following lines override those set in the global section ...
  until either another Match line or the end of the file." Global values only: lines inside a
  Match block are skipped (a Match opened in an included file ends with that file).
Bounded: include depth, file count and bytes per file are capped. Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths, safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core.budget import FairBudget

# Keywords that accumulate instead of "first value wins" (sshd_config(5): "Multiple options
# of this type are permitted"). Only the ones we read matter here.
MULTI_VALUE = frozenset(["port", "listenaddress", "hostkey", "include", "acceptenv",
                         "subsystem", "setenv"])
MAX_INCLUDE_DEPTH = 16          # OpenSSH's READCONF_MAX_DEPTH
MAX_CONFIG_FILES = 256
MAX_CONFIG_BYTES = 1024 * 1024
# Bytes read over the whole Include tree: a file included again and again (a self-Include, the
# same drop-in named by many Include lines) costs its size each time, so the tree is capped as a
# whole; what is cut is said in ``problems`` and ``cut``.
# Fair (core.budget): MIN_FILE_BYTES stay kept for each of the MAX_CONFIG_FILES files that may
# still come, so a huge early drop-in cannot push a later small one out unread (issue 17).
MAX_TREE_BYTES = 4 * 1024 * 1024
MIN_FILE_BYTES = 8 * 1024
MAX_INCLUDES_OF_ONE_FILE = 4
MAX_LISTED_NAMES = 16384        # directory entries looked at for one Include glob


def split_config_line(line):
    """Keyword and arguments of one sshd_config line (``Key value``, ``Key=value``, quotes,
    trailing ``#`` comments). Returns (keyword_lower, [args]) or (None, [])."""
    line = line.strip()
    if not line or line.startswith("#"):
        return None, []
    match = re.match(r"^([A-Za-z0-9]+)\s*(?:=\s*|\s+|$)(.*)$", line)
    if not match:
        return None, []
    keyword = match.group(1).lower()
    rest = match.group(2)
    args = []
    current = []
    quoted = False
    had_token = False
    for ch in rest:
        if ch == '"':
            quoted = not quoted
            had_token = True
            continue
        if not quoted and ch == "#":
            break
        if not quoted and ch in " \t":
            if current or had_token:
                args.append("".join(current))
                current = []
                had_token = False
            continue
        current.append(ch)
    if current or had_token:
        args.append("".join(current))
    return keyword, args


def list_include(root, pattern):
    """Expand one Include argument under ``root``: lexical order, regular files only.
    Returns (paths, problem or None); a NUL byte or an empty pattern is a problem, never a crash."""
    if not pattern or "\x00" in pattern:
        return [], "Include argument %r is not a usable path" % (pattern,)
    if not pattern.startswith("/"):
        pattern = "/etc/ssh/" + pattern
    parts = [p for p in pattern.split("/") if p]
    if not any(ch in pattern for ch in "*?["):
        return [pattern], None
    budget = [MAX_LISTED_NAMES]
    found = ["/"]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if not any(ch in part for ch in "*?["):   # glob(3): a literal part after a glob must exist
            found = [p for p in (f.rstrip("/") + "/" + part for f in found)
                     if not last or paths.resolve(root, p, follow=False).ok]
            continue
        found, truncated = _glob_component(root, found, part, budget)
        if truncated:
            return [], ("Include %s: more than %d directory entries to look at; not expanded"
                        % (pattern, MAX_LISTED_NAMES))
    names = sorted(found)          # sshd reads glob(3)'s result: the whole paths, sorted
    problem = None
    if len(names) > MAX_CONFIG_FILES:
        problem = ("Include %s matches %d files; only the first %d were read, not read: %s"
                   % (pattern, len(names), MAX_CONFIG_FILES, paths.sample_names(names[MAX_CONFIG_FILES:])))
    return names[:MAX_CONFIG_FILES], problem


def _glob_component(root, bases, part, budget):
    """(base/name for the names of each base directory matching ``part``, no dot files; True
    when the ``budget`` ([names left]) ran out). Links on the way resolved inside root."""
    out = []
    for base in bases:
        try:
            names, truncated, _res = paths.list_dir(root, base, budget[0])
        except (OSError, ValueError):
            continue
        budget[0] -= len(names)
        if truncated:
            return out, True
        out.extend(base.rstrip("/") + "/" + n for n in names if fnmatch.fnmatchcase(n, part) and not n.startswith("."))
    return out, False


def match_applies_to_all(args):
    """``Match all`` (alone) applies to every connection, so sshd applies its lines everywhere."""
    return len(args) == 1 and args[0].lower() == "all"


def parse_config_tree(root, path="/etc/ssh/sshd_config"):
    """Parse sshd_config and its Includes under ``root``: global values, first one wins.

    Returns a dict with ``values`` (keyword -> list of values; one item except for
    multi-value keywords), ``args`` (keyword -> every argument of the line that set it:
    ``AuthorizedKeysFile`` takes several), ``origin`` (keyword -> "path:line"), ``files`` (read, in order),
    ``problems`` (list of strings), ``cut`` (what was not read: Include cycles, repetitions,
    depth, byte budget, unreadable drop-ins; each a string), ``not_read`` (files sshd reads that
    were not read, or not fully), ``cut_at`` (None, or the number of values taken before the
    first part that sshd reads and we did not: a value set later, or a default, may be
    overridden by what was not read), ``order`` (keyword -> its value's rank), ``found``
    (main file readable) and ``unreadable`` (None, or why a main file that is there was not
    read: a FIFO, a directory, a device, a link loop or out of root).

    Match blocks: for a connection sshd re-reads the file with only the matching blocks active
    and their values override the global ones (servconf.c parse_server_match_config). Lines of a
    ``Match all`` block match every connection, so they override the global value of a keyword
    (first such line wins); other Match blocks are skipped (they apply to some connections only).
    """
    state = {"values": {}, "args": {}, "origin": {}, "files": [], "problems": [], "cut": [],
             "found": False, "unreadable": None, "bytes": 0, "not_read": [], "cut_at": None, "order": {}}
    rank = [0]
    match_all = {"values": {}, "args": {}, "origin": {}}
    stack = []
    seen_count = {}
    tree_budget = FairBudget(MAX_TREE_BYTES, MAX_CONFIG_BYTES, MAX_CONFIG_FILES, MIN_FILE_BYTES)

    def cut(message, lost=None):
        """``lost``: the file sshd reads (here or further) that was not read, or not fully."""
        state["cut"].append(message)
        state["problems"].append(message)
        if lost is not None:
            if lost not in state["not_read"]:
                state["not_read"].append(lost)
            if state["cut_at"] is None:
                state["cut_at"] = rank[0]

    def parse_file(vpath, depth, block, listed=False):
        if depth > MAX_INCLUDE_DEPTH:
            cut("Include nested deeper than %d at %s (sshd refuses this configuration)"
                % (MAX_INCLUDE_DEPTH, vpath))
            return
        if vpath in stack:
            cut("Include cycle: %s includes itself (via %s); sshd refuses this configuration"
                % (vpath, " -> ".join(stack[-3:])))
            return
        seen_count[vpath] = seen_count.get(vpath, 0) + 1
        if seen_count[vpath] > MAX_INCLUDES_OF_ONE_FILE:
            if seen_count[vpath] == MAX_INCLUDES_OF_ONE_FILE + 1:
                cut("%s included more than %d times; later inclusions not read"
                    % (vpath, MAX_INCLUDES_OF_ONE_FILE))
            return
        if tree_budget.granted >= MAX_CONFIG_FILES:   # attempts count: a FIFO is a file too
            cut("more than %d config files: %s not read" % (MAX_CONFIG_FILES, vpath), vpath)
            return
        if tree_budget.left <= 0:
            cut("configuration tree larger than %d bytes: %s not read" % (MAX_TREE_BYTES, vpath), vpath)
            return
        budget = tree_budget.grant()
        try:   # resolved inside root: a drop-in link is followed there, never on the host
            info, lines = safe_read.iter_lines_in_root(root, vpath, max_bytes=budget)
            size = info.get("size") or 0
        except (safe_read.SafeReadError, ValueError) as exc:
            reason = getattr(exc, "reason", "invalid")
            message = "%s: %s" % (vpath, getattr(exc, "message", str(exc)))
            if depth > 0 and reason != "missing":
                # a drop-in sshd would read (a FIFO, a device, a link out of root...): not read
                cut("%s: not read" % message, vpath)
            elif depth == 0 or reason != "missing" or listed:
                state["problems"].append(message)   # listed by a glob yet absent: a broken link
                if depth == 0 and reason != "missing":
                    state["unreadable"] = message   # there but not read: never "not found"
                elif depth == 0 and paths.resolve(root, vpath, follow=False).ok:
                    state["unreadable"] = "%s (a link whose target is not under root)" % message
            return
        state["bytes"] += min(size, budget)
        tree_budget.spend(min(size, budget))
        state["files"].append(vpath)
        if depth == 0:
            state["found"] = True
        stack.append(vpath)
        current = block
        for lineno, raw, was_cut in lines:
            if was_cut:
                state["problems"].append("%s:%d: line too long, cut" % (vpath, lineno))
            keyword, args = split_config_line(safe_read.decode_line(raw))
            if keyword is None:
                continue
            if keyword == "match":
                current = "all" if match_applies_to_all(args) else "other"
                continue
            if keyword == "include":
                for pattern in args:
                    included, problem = list_include(root, pattern)
                    if problem:   # what sshd reads there was not (all) read: never certain
                        cut(problem, "%s (Include %s)" % (vpath, pattern))
                    globbed = any(ch in pattern for ch in "*?[")
                    for inc in included:
                        parse_file(inc, depth + 1, current, globbed)
                continue
            if current == "other" or not args:
                continue
            target = match_all if current == "all" else state
            where = "%s:%d" % (vpath, lineno)
            if keyword in MULTI_VALUE:
                target["values"].setdefault(keyword, []).append(args[0])
                target["origin"].setdefault(keyword, where)
            elif keyword not in target["values"]:
                target["values"][keyword] = [args[0]]
                target["args"][keyword] = list(args)
                target["origin"][keyword] = where
                if target is state:
                    rank[0] += 1
                    state["order"][keyword] = rank[0]
        if size > budget:   # said after the head's values: they come before the unread tail
            cut("%s: only the first %d of %d bytes read (byte budget: %s)"
                % (vpath, budget, size, tree_budget.describe()), vpath)
        stack.pop()

    parse_file(path, 0, None)
    for keyword, values in match_all["values"].items():
        state["values"][keyword] = values
        state["origin"][keyword] = match_all["origin"][keyword] + " (Match all)"
        state["order"].pop(keyword, None)     # an unread part may hold an earlier Match all
        if keyword in match_all["args"]:
            state["args"][keyword] = match_all["args"][keyword]
    return state


def value_is_certain(tree, keyword):
    """False when part of what sshd reads was not read (``cut_at``) and ``keyword``'s value was
    taken after that part (or is a default, or comes from ``Match all``): the unread part may
    set it first. Such a value may be reported, never passed."""
    if tree.get("cut_at") is None:
        return True
    rank = (tree.get("order") or {}).get(keyword.lower())
    return rank is not None and rank <= tree["cut_at"]
