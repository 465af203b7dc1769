# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One fair byte (or entry) budget shared by the files of an include tree or a drop-in
directory (issue 17: no evasion by budget).

First come, first served lets one hostile file early in the order spend the whole total and
push a later small file out unread. Here every file has its own cap (``per_file``) and a
total bounds the sum, but a grant never eats the *floor* kept for each file that may still
come (``expected`` of them: the known file count, or the tree's file cap). So, as long as each
file spends no more than it was granted, each of the first ``expected`` files gets at least
``floor`` units, whatever the files before it hold; what a file could not read is the
caller's to name. Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class FairBudget(object):
    """``grant()`` before reading a file, ``spend(n)`` with what it used (n <= the grant).

    ``floor`` defaults to the even share ``total // expected`` (never above ``per_file``)."""

    def __init__(self, total, per_file, expected, floor=None):
        self.total = int(total)
        self.per_file = int(per_file)
        self.expected = max(1, int(expected))
        even = self.total // self.expected
        self.floor = max(0, min(self.per_file, even if floor is None else int(floor), even))
        self.left = self.total
        self.granted = 0

    def reserved_after(self):
        """Units kept for the files that may come after the next one."""
        return self.floor * max(0, self.expected - self.granted - 1)

    def grant(self):
        """What the next file may use: its cap, less the floors of the files after it, never
        less than its own floor while the total lasts. Counts the file."""
        cap = min(self.per_file, self.left - self.reserved_after())
        cap = max(cap, min(self.floor, self.left), 0)
        self.granted += 1
        return cap

    def spend(self, used):
        self.left -= max(0, int(used))

    def describe(self, unit="bytes"):
        return ("per file %d %s, %d in all, at least %d kept for each of up to %d files"
                % (self.per_file, unit, self.total, self.floor, self.expected))
