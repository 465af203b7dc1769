# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Streaming: byte chunks in, candidate lines out to a records.Parser.

Candidate lines are found with a few ``bytes.find`` calls over whole chunks (no per-line Python
work on the noise), so memory stays O(chunk + max_line + max_incidents * top_tasks) whatever the
log size. Every line is seen as its first ``max_line`` bytes (the head) and is a candidate when the
parser follows a record or an anchor lies inside that head, wherever the chunk boundaries fall:
the result does not depend on the read size (tests feed 1, 7, 100 and 1 MiB byte chunks).

Look-back: a few records print their first lines without an anchor (the in-kernel Android
lowmemorykiller's "Killing '..' (pid), adj N," and "to free .. on behalf of", a memcg record pasted
from its "Task in .." line, a Virtuozzo kill that syslog wrapped). When a passed line asks for them
(``Parser.wants_back`` set to a count), the scanner hands the parser the heads of up to that many
lines before it that were not passed (``Parser.back``), from the chunk in hand or, across a chunk
boundary, from the heads it keeps of the last ``BACK_LINES`` unpassed lines of the previous data.
Lines without an anchor cost nothing more: the kept heads are taken once per chunk.
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
# The in-kernel Android lowmemorykiller's lines that name a task hold neither, in any version, with
# or without its "lowmemorykiller: " prefix: the one-line kill "send sigkill to %d (%s), adj %d, size
# %d", the debug "select .. adj .., size .., to kill" lines, the "Killing '%s' (%d), adj %hd," head.
# All hold b"adj". A third pass costs 0.26-0.31 s/GiB here like any 3-5 byte needle (b"owmem" the
# same, and it misses the unprefixed forms; b"sigkill" 0.58, b"o kill" 0.65 s/GiB), a third of the
# whole scan, so it runs over the first LMK_FIRST_BYTES of the data (<= 20 ms) and past them only
# once the parser has read a lowmemorykiller line (Parser.lmk_seen): a log of that driver keeps it,
# a server's kern.log of gigabytes pays it on its first 64 MiB. Decided per line start, so the
# result does not depend on the read size.
LMK_ANCHORS = (b"adj",)
LMK_FIRST_BYTES = 64 * 1024 * 1024
ALL_ANCHORS = ANCHORS + LMK_ANCHORS
# Bytes of a line kept before the part past its head, so an anchor across the cut is seen.
ANCHOR_OVERLAP = max(len(a) for a in ALL_ANCHORS) - 1
BACK_LINES = 16     # the most lines a passed line may ask for (Parser.wants_back)


def has_anchor(head, anchors=ANCHORS):
    for anchor in anchors:
        if anchor in head:
            return True
    return False


def has_anchor_in(buf, start, end, anchors=ANCHORS):
    """An anchor lies wholly inside buf[start:end] (no copy)."""
    for anchor in anchors:
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
        self.carry_hidden_lmk = False  # ... a LMK_ANCHORS one
        self.carry_tail = b""      # the last ANCHOR_OVERLAP bytes of the carried line
        self.carry_start = 0       # the offset in the data where the carried line starts
        self.lmk_first_bytes = LMK_FIRST_BYTES
        self._base = 0            # the offset in the data of the chunk in hand
        self.back = []            # heads of the last complete lines not passed (oldest first, <= BACK_LINES)

    def feed(self, data):
        if not data:
            return
        base = self._base = self.bytes
        self.bytes += len(data)
        pos = 0
        if self.carry or self.carry_cut:
            nl = data.find(b"\n")
            if nl < 0:
                self._extend_carry(data, base)
                return
            self._extend_carry(data[:nl], base)
            self._carried(*self._take_carry())
            pos = nl + 1
        end = data.rfind(b"\n", pos)
        if end < 0:
            self._extend_carry(data[pos:], base + pos)
            return
        mark = self._scan(data, pos, end)
        self.back = self._before(data, mark, end + 1, pos, BACK_LINES)    # for the next chunk
        if end + 1 < len(data):
            self._extend_carry(data[end + 1:], base + end + 1)

    def _anchors(self, at):
        """The anchors of a line that starts at offset ``at`` of the data (LMK_ANCHORS: above)."""
        if at < self.lmk_first_bytes or getattr(self.parser, "lmk_seen", False):
            return ALL_ANCHORS
        return ANCHORS

    def _extend_carry(self, piece, at):
        if not self.carry and not self.carry_cut:
            self.carry_start = at
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
        if not self.carry_hidden_lmk:
            self.carry_hidden_lmk = has_anchor(piece, LMK_ANCHORS) or \
                has_anchor(self.carry_tail + piece[:ANCHOR_OVERLAP], LMK_ANCHORS)
        self.carry_tail = (self.carry_tail + piece[-ANCHOR_OVERLAP:])[-ANCHOR_OVERLAP:]

    def _take_carry(self):
        """(head, cut, hidden, hidden_lmk, start) of the carried line; the carry is emptied."""
        out = (self.carry, self.carry_cut, self.carry_hidden, self.carry_hidden_lmk, self.carry_start)
        self.carry, self.carry_cut, self.carry_hidden, self.carry_tail = b"", False, False, b""
        self.carry_hidden_lmk = False
        return out

    def _one(self, head, cut, hidden=False, anchors=ANCHORS):
        """One line (its head) whatever chunk it came from: the only place lines are passed on.
        True when it was passed (the parser follows a record or one of ``anchors`` lies in the
        head). ``hidden``: the line's part past its head holds one."""
        if self.parser.follow or has_anchor(head, anchors):
            if cut:
                self.cut_lines += 1
            self.parser.line(head)
            return True
        if hidden:
            self.hidden_lines += 1
        return False

    def _carried(self, head, cut, hidden=False, hidden_lmk=False, start=0):
        """A line that a chunk boundary cut, once complete (or the last line, without newline)."""
        anchors = self._anchors(start)
        if self._one(head, cut, hidden or (hidden_lmk and anchors is ALL_ANCHORS), anchors):
            if self.parser.wants_back:
                want = self.parser.wants_back
                self.parser.back(self.back[max(0, len(self.back) - want):])
            self.back = []
        else:
            self.back.append(head)
            del self.back[:-BACK_LINES]

    def _before(self, buf, mark, start, first, want):
        """The heads of up to ``want`` lines before the line at ``start`` that were not passed
        (those of buf[mark:start], then, when nothing of buf was passed, the kept ones), oldest first."""
        out = []
        stop = start - 1                    # the newline that ends the line before
        while len(out) < want and stop >= mark:
            s0 = max(buf.rfind(b"\n", mark, stop) + 1, mark)
            out.append(buf[s0:min(stop, s0 + self.max_line)])
            stop = s0 - 1
        if len(out) < want and mark == first and self.back:
            out.extend(reversed(self.back[max(0, len(self.back) - want + len(out)):]))
        out.reverse()
        return out

    def _scan(self, buf, pos, end):
        """The complete lines of buf[pos:end+1] (buf[end] is a newline); returns where the lines
        after the last one passed begin."""
        parser = self.parser
        find = buf.find
        nexts = {}
        base = self._base
        first = mark = pos
        rows_fast = getattr(parser, "rows_fast", None)
        while pos <= end:
            if parser.follow:
                if rows_fast is not None and parser.fast_rows is not None:
                    pos = mark = rows_fast(buf, pos, end + 1, self.max_line)
                    if pos > end:
                        return mark
                nl = find(b"\n", pos, end + 1)
                if self._line_at(buf, pos, nl, first, mark):
                    mark = nl + 1
                pos = nl + 1
                continue
            hit = -1
            for anchor in self._anchors(base + pos):
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
                return mark
            start = buf.rfind(b"\n", pos, hit) + 1
            if start < pos:
                start = pos
            nl = find(b"\n", hit, end + 1)
            if self._line_at(buf, start, nl, first, mark):
                mark = nl + 1
            pos = nl + 1
        return mark

    def _line_at(self, buf, start, nl, first, mark):
        anchors = self._anchors(self._base + start)
        if nl - start > self.max_line:
            head_end = start + self.max_line
            passed = self._one(buf[start:head_end], True, has_anchor_in(buf, head_end - ANCHOR_OVERLAP, nl, anchors), anchors)
        else:
            passed = self._one(buf[start:nl], False, False, anchors)
        if passed and self.parser.wants_back:
            self.parser.back(self._before(buf, mark, start, first, self.parser.wants_back))
        return passed

    def finish(self):
        if self.carry or self.carry_cut:
            self._carried(*self._take_carry())    # a last line without newline (truncated log)
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
