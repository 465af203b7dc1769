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
import os
import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read

# Keywords that accumulate instead of "first value wins" (sshd_config(5): "Multiple options
# of this type are permitted"). Only the ones we read matter here.
MULTI_VALUE = frozenset(["port", "listenaddress", "hostkey", "include", "acceptenv",
                         "subsystem", "setenv"])
MAX_INCLUDE_DEPTH = 16          # OpenSSH's READCONF_MAX_DEPTH
MAX_CONFIG_FILES = 256
MAX_CONFIG_BYTES = 1024 * 1024


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
    """Expand one Include argument under ``root``: lexical order, regular files only."""
    if not pattern.startswith("/"):
        pattern = "/etc/ssh/" + pattern
    directory, base = os.path.split(pattern)
    real_dir = safe_read.join_root(root, directory)
    if any(ch in directory for ch in "*?["):
        return [], "glob in a directory part is not expanded: %s" % pattern
    if not any(ch in base for ch in "*?["):
        return [directory.rstrip("/") + "/" + base], None
    try:
        names = os.listdir(real_dir)
    except OSError:
        return [], None
    names = sorted(n for n in names if fnmatch.fnmatchcase(n, base) and not n.startswith("."))
    return [directory.rstrip("/") + "/" + n for n in names[:MAX_CONFIG_FILES]], None


def parse_config_tree(root, path="/etc/ssh/sshd_config"):
    """Parse sshd_config and its Includes under ``root``: global values, first one wins.

    Returns a dict with ``values`` (keyword -> list of values; one item except for
    multi-value keywords), ``args`` (keyword -> every argument of the line that set it:
    ``AuthorizedKeysFile`` takes several), ``origin`` (keyword -> "path:line"), ``files`` (read, in order),
    ``problems`` (list of strings) and ``found`` (main file readable).
    """
    state = {"values": {}, "args": {}, "origin": {}, "files": [], "problems": [], "found": False}

    def parse_file(vpath, depth, in_match):
        if depth > MAX_INCLUDE_DEPTH:
            state["problems"].append("Include nested deeper than %d at %s" % (MAX_INCLUDE_DEPTH, vpath))
            return
        if len(state["files"]) >= MAX_CONFIG_FILES:
            state["problems"].append("more than %d config files, rest ignored" % MAX_CONFIG_FILES)
            return
        real = safe_read.join_root(root, vpath)
        try:
            lines = list(safe_read.iter_lines(real, max_bytes=MAX_CONFIG_BYTES))
        except safe_read.SafeReadError as exc:
            if depth == 0 or exc.reason != "missing":
                state["problems"].append("%s: %s" % (vpath, exc.message))
            return
        state["files"].append(vpath)
        if depth == 0:
            state["found"] = True
        matching = in_match
        for lineno, raw, cut in lines:
            if cut:
                state["problems"].append("%s:%d: line too long, cut" % (vpath, lineno))
            keyword, args = split_config_line(safe_read.decode_line(raw))
            if keyword is None:
                continue
            if keyword == "match":
                matching = True
                continue
            if keyword == "include":
                for pattern in args:
                    paths, problem = list_include(root, pattern)
                    if problem:
                        state["problems"].append(problem)
                    for inc in paths:
                        parse_file(inc, depth + 1, matching)
                continue
            if matching or not args:
                continue
            where = "%s:%d" % (vpath, lineno)
            if keyword in MULTI_VALUE:
                state["values"].setdefault(keyword, []).append(args[0])
                state["origin"].setdefault(keyword, where)
            elif keyword not in state["values"]:
                state["values"][keyword] = [args[0]]
                state["args"][keyword] = list(args)
                state["origin"][keyword] = where

    parse_file(path, 0, False)
    return state
