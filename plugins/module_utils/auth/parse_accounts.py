# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""passwd(5), group(5) and shadow(5) lines as the Lynis AUTH tests read them (pure)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


def colon_rows(lines, min_fields):
    """Non-comment, non-empty lines split on ':' with at least ``min_fields`` fields."""
    rows = []
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\n").split(":")
        if len(fields) >= min_fields:
            rows.append(fields)
    return rows


def extra_uid_zero(passwd_rows):
    """AUTH-9204: accounts other than root with uid 0 (Lynis skips NIS ``+::0:0:::`` lines)."""
    return [f[0] for f in passwd_rows if f[2] == "0" and f[0] != "root" and not f[0].startswith("+")]


def shadow_status(field):
    """``passwd --status`` for one shadow password field: L (locked: ! or *), NP (empty), P."""
    if field.startswith(("!", "*")):
        return "L"
    if field == "":
        return "NP"
    return "P"


def poor_hash(field):
    """AUTH-9229 (Lynis ParsePasswordEntry): the weak method of one password field, or None."""
    method = "%d:%s" % (len(field), field)
    if field in ("*", "x", "") or "!" in field or "LOCK" in field:
        return None
    if field.startswith(("$5$", "$6$")):
        rounds = None
        if "rounds=" in field:
            digits = field.split("rounds=", 1)[1].split("$", 1)[0]
            rounds = int(digits) if digits.isdigit() else None
        if rounds is None:
            return "sha256crypt/sha512crypt(default=5000rounds)"
        return "sha256crypt/sha512crypt(<5000rounds)" if rounds < 5000 else None
    if field.startswith(("$y$", "$gy$", "$2b$", "$7$")):
        return None
    for prefix, name in (("_", "bsdicrypt"), ("$1$", "md5crypt"), ("$3$", "NT"),
                         ("$md5", "SunMD5"), ("$sha1", "sha1crypt")):
        if field.startswith(prefix):
            return name
    if len(field) in (13, 178):
        return "bigcrypt/descrypt"
    return "unknown:%s" % method.split(":", 1)[0]


def hashing_rounds(values):
    """AUTH-9230: the rounds login.defs configures (Lynis: the smaller of MIN/MAX when both are
    set, else the one set), 0 when none is."""
    def num(key):
        text = values.get(key)
        return int(text) if text is not None and text.isdigit() else None
    low, high = num("SHA_CRYPT_MIN_ROUNDS"), num("SHA_CRYPT_MAX_ROUNDS")
    if low is not None and high is not None:
        return min(low, high)
    return low if low is not None else (high if high is not None else 0)
