# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Streaming: byte chunks in, candidate lines out to a records.Parser.

Candidate lines are found with a few ``bytes.find`` calls over whole chunks (no per-line Python
work on the noise), so memory stays O(chunk + max_line + max_incidents * top_tasks) whatever the
log size. Every line is seen as its first ``max_line`` bytes (the head) and is a candidate when the
parser follows a record or an anchor lies inside that head, wherever the chunk boundaries fall:
the result does not depend on the read size (tests feed 1, 7, 100 and 1 MiB byte chunks).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.records import Parser

CHUNK_BYTES = 1024 * 1024

# Substrings, one of which every line that starts or ends a record contains; searched over whole
# chunks with bytes.find. Each one is a pass over the data, so there are two, picked for speed
# (bytes.find skips on the needle's last byte: b"ocess" runs twice as fast as b"process").
#   b"oom":   invoked oom-killer, oom-kill:, oom_reaper:, table headers (oom_adj/oom_score_adj),
#             the earlyoom / systemd-oomd syslog tags (so "Killed <cgroup> due to", "cgroups for
#             killing"), ",oom_memcg=" / ",global_oom" pr_cont pieces, panic_on_oom, and the
#             oom frames of a stack (which start following a record cut from its trigger)
#   b"ocess": Kill process / Killed process / kill process (all versions), OpenVZ "OOM killed
#             process", earlyoom's kill lines of every version, even untagged ("sending SIGTERM to
#             process", "killing process", "Killing process '..'"), "no killable processes"
# Lines inside a record (stack, "Task in .. killed as a result of limit of ..", "memory: usage",
# table rows, candidate dumps) are read because the parser follows the record (Parser.follow).
ANCHORS = (b"oom", b"ocess")
# Bytes of a line kept before the part past its head, so an anchor across the cut is seen.
ANCHOR_OVERLAP = max(len(a) for a in ANCHORS) - 1


def has_anchor(head):
    for anchor in ANCHORS:
        if anchor in head:
            return True
    return False


def has_anchor_in(buf, start, end):
    """An anchor lies wholly inside buf[start:end] (no copy)."""
    for anchor in ANCHORS:
        if buf.find(anchor, max(0, start), end) >= 0:
            return True
    return False


class Scanner(object):
    """Feeds a Parser from byte chunks."""

    def __init__(self, parser, max_line=4096):
        self.parser = parser
        self.max_line = max(64, int(max_line))
        self.carry = b""          # the start of a line the previous chunk did not finish
        self.carry_cut = False    # ... already longer than max_line (carry holds its head only)
        self.bytes = 0
        self.cut_lines = 0
        # lines longer than max_line whose anchor lies only past the head: never parsed, so
        # counted (a NUL-padded log after a crash glues the next line to the padding; issue 17)
        self.hidden_lines = 0
        self.carry_hidden = False  # the carried line's part past its head holds an anchor
        self.carry_tail = b""      # the last ANCHOR_OVERLAP bytes of the carried line
        self.prev = b""           # the head of the last complete line seen (for wrapped lines)

    def feed(self, data):
        if not data:
            return
        self.bytes += len(data)
        pos = 0
        if self.carry or self.carry_cut:
            nl = data.find(b"\n")
            if nl < 0:
                self._extend_carry(data)
                return
            self._extend_carry(data[:nl])
            line = self._take_carry()
            self._one(*line)
            self.prev = line[0]
            pos = nl + 1
        end = data.rfind(b"\n", pos)
        if end < 0:
            self._extend_carry(data[pos:])
            return
        self._scan(data, pos, end)
        if end >= pos:                  # the last complete line, the "line before" of the next one
            last = data.rfind(b"\n", pos, end) + 1
            self.prev = data[max(last, pos):min(end, max(last, pos) + self.max_line)]
        if end + 1 < len(data):
            self._extend_carry(data[end + 1:])

    def _extend_carry(self, piece):
        if self.carry_cut:
            self._past_head(piece)
            return
        room = self.max_line - len(self.carry)
        if len(piece) > room:
            self.carry += piece[:room]
            self.carry_cut = True
            self.carry_tail = self.carry[-ANCHOR_OVERLAP:]
            self._past_head(piece[room:])
        else:
            self.carry += piece

    def _past_head(self, piece):
        """Look for an anchor in a part of the carried line past its head (linear: each byte once)."""
        if not self.carry_hidden:
            self.carry_hidden = has_anchor(piece) or has_anchor(self.carry_tail + piece[:ANCHOR_OVERLAP])
        self.carry_tail = (self.carry_tail + piece[-ANCHOR_OVERLAP:])[-ANCHOR_OVERLAP:]

    def _take_carry(self):
        """(head, cut, prev, hidden) of the carried line; the carry is emptied."""
        out = (self.carry, self.carry_cut, self.prev, self.carry_hidden)
        self.carry, self.carry_cut, self.carry_hidden, self.carry_tail = b"", False, False, b""
        return out

    def _one(self, head, cut, prev=b"", hidden=False):
        """One line (its head) whatever chunk it came from: the only place lines are passed on.
        ``prev`` is the line before it: a line that opens with "killed process " is the second
        half of a Virtuozzo kill that syslog wrapped, and its first half (which holds no anchor)
        is passed first. ``hidden``: the line's part past its head holds an anchor."""
        if self.parser.follow or has_anchor(head):
            if cut:
                self.cut_lines += 1
            if head.startswith(b"killed process ") and prev and not self.parser.follow and not has_anchor(prev):
                self.parser.line(prev)
            self.parser.line(head)
        elif hidden:
            self.hidden_lines += 1

    def _scan(self, buf, pos, end):
        """The complete lines of buf[pos:end+1] (buf[end] is a newline)."""
        parser = self.parser
        find = buf.find
        nexts = {}
        first = pos
        rows_fast = getattr(parser, "rows_fast", None)
        while pos <= end:
            if parser.follow:
                if rows_fast is not None and parser.fast_rows is not None:
                    pos = rows_fast(buf, pos, end + 1, self.max_line)
                    if pos > end:
                        return
                nl = find(b"\n", pos, end + 1)
                self._line_at(buf, pos, nl, first)
                pos = nl + 1
                continue
            hit = -1
            for anchor in ANCHORS:
                at = nexts.get(anchor, -2)
                if at == -1:
                    continue
                if at < pos:
                    at = find(anchor, pos, end)
                    nexts[anchor] = at
                    if at < 0:
                        continue
                if hit < 0 or at < hit:
                    hit = at
            if hit < 0:
                return
            start = buf.rfind(b"\n", pos, hit) + 1
            if start < pos:
                start = pos
            nl = find(b"\n", hit, end + 1)
            self._line_at(buf, start, nl, first)
            pos = nl + 1

    def _line_at(self, buf, start, nl, first):
        prev = b""
        if buf.startswith(b"killed process ", start):     # rare: find the line before it
            if start > first:
                p0 = buf.rfind(b"\n", first, start - 1) + 1
                p0 = max(p0, first)
                prev = buf[p0:min(start - 1, p0 + self.max_line)]
            else:
                prev = self.prev
        if nl - start > self.max_line:
            head_end = start + self.max_line
            self._one(buf[start:head_end], True, prev, has_anchor_in(buf, head_end - ANCHOR_OVERLAP, nl))
        else:
            self._one(buf[start:nl], False, prev)

    def finish(self):
        if self.carry or self.carry_cut:
            self._one(*self._take_carry())    # a last line without newline (truncated log)
        self.parser.finish()


def parse_bytes(data, **kwargs):
    """Convenience for tests: parse a whole bytes/str log, return the Parser."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    max_line = kwargs.pop("max_line", 4096)
    chunk = kwargs.pop("chunk", CHUNK_BYTES)
    parser = Parser(**kwargs)
    scanner = Scanner(parser, max_line)
    for i in range(0, len(data), chunk):
        scanner.feed(data[i:i + chunk])
    scanner.finish()
    return parser
