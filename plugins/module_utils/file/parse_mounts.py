# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""/proc/mounts and fstab(5) lines: pure parsers."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


def unescape_mount_field(text):
    """/proc/mounts and fstab escape blanks as octal (\\040)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), text)


def mount_points(lines, fstab=False):
    points = {}
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = stripped.split()
        if len(fields) < 3:
            continue
        mp = unescape_mount_field(fields[1])
        if fstab and (fields[2] == "swap" or mp == "none"):
            continue
        if len(mp) > 1:
            mp = mp.rstrip("/")
        points[mp] = {"device": fields[0], "fstype": fields[2]}
    return points


def mount_entries(lines):
    """[(device, mount point, fstype, [options])] of a mount table or fstab, in order, comments
    and short lines skipped (what ``mount`` prints and fstab(5) lists)."""
    out = []
    for line in lines:
        fields = line.split()
        if len(fields) < 3 or fields[0].startswith("#"):
            continue
        options = fields[3].split(",") if len(fields) > 3 else []
        out.append((unescape_mount_field(fields[0]), unescape_mount_field(fields[1]), fields[2], options))
    return out
