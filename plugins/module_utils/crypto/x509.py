# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Just enough X.509 DER to grade a certificate: notAfter, signature algorithm, RSA modulus
size, subject CN. Pure functions over bytes; a malformed certificate raises ValueError."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import calendar
import re

PEM_RE = re.compile(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.S)
MAX_CERTS_PER_FILE = 512
WEAK_SIGNATURES = {"1.2.840.113549.1.1.4": "md5WithRSAEncryption", "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
                   "1.2.840.10040.4.3": "dsa-with-sha1", "1.2.840.10045.4.1": "ecdsa-with-SHA1",
                   "1.2.840.113549.1.1.2": "md2WithRSAEncryption"}
RSA_OID = "1.2.840.113549.1.1.1"
CN_OID = "2.5.4.3"


def read_tlv(data, pos):
    """(tag, value start, value end) of the DER element at pos."""
    if pos + 2 > len(data):
        raise ValueError("truncated DER")
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise ValueError("bad DER length")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise ValueError("DER element overruns its container")
    return tag, pos, pos + length


def children(data, start, end):
    out = []
    pos = start
    while pos < end and len(out) < 64:
        tag, vstart, vend = read_tlv(data, pos)
        out.append((tag, vstart, vend))
        pos = vend
    return out


def oid(raw):
    if not raw:
        return ""
    parts = [raw[0] // 40, raw[0] % 40]
    value = 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


def parse_time(tag, raw):
    text = raw.decode("ascii", "replace").rstrip("Z")
    if tag == 0x17:      # UTCTime YYMMDDHHMM[SS]
        year = int(text[:2])
        year += 1900 if year >= 50 else 2000
        rest = text[2:]
    else:                # GeneralizedTime YYYYMMDDHHMM[SS]
        year = int(text[:4])
        rest = text[4:]
    month, day, hour, minute = int(rest[0:2]), int(rest[2:4]), int(rest[4:6]), int(rest[6:8])
    second = int(rest[8:10]) if len(rest) >= 10 else 0
    return calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))


def parse_certificate(der):
    """{"not_after": epoch, "signature": oid, "rsa_bits": int|None, "cn": str|None}."""
    tag, start, end = read_tlv(der, 0)
    cert = children(der, start, end)
    if tag != 0x30 or len(cert) < 3:
        raise ValueError("not a certificate")
    tbs = children(der, cert[0][1], cert[0][2])
    if tbs and tbs[0][0] == 0xA0:      # [0] version
        tbs = tbs[1:]
    # serial, signature, issuer, validity, subject, subjectPublicKeyInfo
    if len(tbs) < 6:
        raise ValueError("short tbsCertificate")
    sig_alg = children(der, cert[1][1], cert[1][2])
    signature = oid(der[sig_alg[0][1]:sig_alg[0][2]]) if sig_alg else ""
    validity = children(der, tbs[3][1], tbs[3][2])
    not_after = parse_time(validity[1][0], der[validity[1][1]:validity[1][2]])
    cn = None
    for rdn in children(der, tbs[4][1], tbs[4][2]):
        for attr in children(der, rdn[1], rdn[2]):
            parts = children(der, attr[1], attr[2])
            if len(parts) == 2 and oid(der[parts[0][1]:parts[0][2]]) == CN_OID:
                cn = der[parts[1][1]:parts[1][2]].decode("utf-8", "replace")
    spki = children(der, tbs[5][1], tbs[5][2])
    rsa_bits = None
    algo = children(der, spki[0][1], spki[0][2])
    if algo and oid(der[algo[0][1]:algo[0][2]]) == RSA_OID:
        bits = der[spki[1][1] + 1:spki[1][2]]          # BIT STRING: skip unused-bits byte
        key = children(bits, *read_tlv(bits, 0)[1:])
        modulus = bits[key[0][1]:key[0][2]].lstrip(b"\x00")
        rsa_bits = len(modulus) * 8 - (8 - modulus[0].bit_length()) if modulus else 0
    return {"not_after": not_after, "signature": signature, "rsa_bits": rsa_bits, "cn": cn}


def certificates_in(data, der_hint=False, limit=MAX_CERTS_PER_FILE):
    """DER blobs in a file: the first ``limit`` PEM blocks, or the file itself when it is DER."""
    blocks = [m.group(1) for _n, m in zip(range(limit), PEM_RE.finditer(data))]
    if blocks:
        out = []
        for block in blocks:
            try:
                out.append(base64.b64decode(b"".join(block.split())))
            except (ValueError, TypeError):
                continue
        return out
    if der_hint or data[:1] == b"\x30":
        return [data]
    return []
