# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""authorized_keys lines as sshd(8) reads them (AUTHORIZED_KEYS FILE FORMAT), shared by the
persistence audit and the key-removal remediation.

A line is ``[options] keytype base64 [comment]``; options are comma-separated, double quotes
protect commas and spaces. sshd skips lines it cannot parse, which is why a Redis dump written
as authorized_keys works: the key stored in Redis sits on a line of its own between binary
junk. Fingerprints are OpenSSH's ``SHA256:`` form (base64 of the sha256 of the key blob, no
padding); a key itself never leaves this module. Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import hashlib
import struct

KEY_TYPES = frozenset([
    "ssh-rsa", "ssh-dss", "ssh-ed25519", "ssh-ed448", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521", "sk-ecdsa-sha2-nistp256@openssh.com", "sk-ssh-ed25519@openssh.com",
    "ssh-rsa-cert-v01@openssh.com", "ssh-dss-cert-v01@openssh.com", "ssh-ed25519-cert-v01@openssh.com",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    "ecdsa-sha2-nistp521-cert-v01@openssh.com", "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "sk-ssh-ed25519-cert-v01@openssh.com"])
MAX_BLOB = 16384


def split_options(text):
    """(options string, rest) of a line that does not start with a key type: the options end
    at the first whitespace outside double quotes."""
    quoted = False
    for index, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch in " \t" and not quoted:
            return text[:index], text[index:].lstrip()
    return text, ""


def parse_options(options):
    """[(name lower, value or None)] of a comma-separated option string."""
    out = []
    current, quoted = [], False
    for ch in options + ",":
        if ch == '"':
            quoted = not quoted
            current.append(ch)
        elif ch == "," and not quoted:
            item = "".join(current)
            current = []
            if not item:
                continue
            name, sep, value = item.partition("=")
            if sep and len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            out.append((name.strip().lower(), value if sep else None))
        else:
            current.append(ch)
    return out


def fingerprint(blob):
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")


def _blob(keytype, data):
    """The decoded key blob if ``data`` is valid base64 whose first string is ``keytype``."""
    if len(data) > MAX_BLOB * 2:
        return None
    try:
        blob = base64.b64decode(data.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    if len(blob) < 4:
        return None
    (size,) = struct.unpack(">I", blob[:4])
    if blob[4:4 + size].decode("ascii", "replace") != keytype:
        return None
    return blob


def parse_key_line(text):
    """None for a blank or comment line; else a dict: valid (sshd would use it), keytype,
    fingerprint, options [(name, value)], comment (bounded). Never the key material."""
    line = text.strip()
    if not line or line.startswith("#"):
        return None
    options = ""
    words = line.split(None, 1)
    if words[0] not in KEY_TYPES:
        options, line = split_options(line)
        words = line.split(None, 1)
    if not words or words[0] not in KEY_TYPES or len(words) < 2:
        return {"valid": False}
    keytype = words[0]
    parts = words[1].split(None, 1)
    blob = _blob(keytype, parts[0])
    if blob is None:
        return {"valid": False}
    return {"valid": True, "keytype": keytype, "fingerprint": fingerprint(blob),
            "options": parse_options(options) if options else [],
            "comment": (parts[1][:80] if len(parts) > 1 else "")}
