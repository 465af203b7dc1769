# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CRYP: expired certificates (and weak ones in the system CA store), LUKS, encrypted swap,
kernel entropy, hardware and software RNGs, the MemoryOverwriteRequest bit (Lynis
include/tests_crypto). Certificates are parsed with the stdlib (crypto/x509.py), no openssl."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.crypto import x509
from ansible_collections.hostguard.hardening.plugins.module_utils.crypto.spec import CHECKS

# Lynis default.prf ssl-certificate-paths (and -to-ignore)
CERT_PATHS = ("/etc/apache2", "/etc/dovecot", "/etc/httpd", "/etc/letsencrypt", "/etc/pki", "/etc/postfix",
              "/etc/refind.d/keys", "/etc/ssl", "/opt/psa/var/certificates", "/usr/local/psa/var/certificates",
              "/usr/local/share/ca-certificates", "/usr/share/ca-certificates", "/usr/share/gnupg", "/var/www", "/srv/www")
IGNORE = ("/etc/letsencrypt/archive",)
# package-installed stores Lynis skips (FileInstalledByPackage): the CA bundle sources
PACKAGE_STORES = ("/usr/share/ca-certificates", "/usr/share/gnupg")
SYSTEM_STORES = ("/usr/share/ca-certificates", "/usr/local/share/ca-certificates")
MAX_FILES = 4096
MAX_CERT_FILE = 1024 * 1024
MAX_DEPTH = 6
MIN_RSA_BITS = 2048


def cert_files(host, roots, limit=MAX_FILES):
    """Regular files named like certificates (.cer .crt .der .pem, cert*) under roots,
    symlinks not followed (Lynis: find -type f), bounded in count and depth."""
    out = []
    stack = [(r, 0) for r in roots if host.lstat(r) and host.lstat(r)["type"] == "directory"]
    while stack and len(out) < limit:
        directory, depth = stack.pop()
        if directory.startswith(IGNORE):
            continue
        for name in host.listdir(directory, 4096):
            path = directory + "/" + name
            info = host.lstat(path)
            if not info:
                continue
            if info["type"] == "directory" and depth < MAX_DEPTH:
                stack.append((path, depth + 1))
            elif info["type"] == "file" and (name.endswith((".cer", ".crt", ".der", ".pem")) or name.startswith("cert")):
                out.append(path)
    return sorted(out)[:limit]


def grade(host, path, now, limit=x509.MAX_CERTS_PER_FILE):
    """[(cn, not_after, weak reasons)] of the certificates in a file; openssl x509 (Lynis)
    reads only the first certificate of a PEM file: so do we for CRYP-7902."""
    try:
        data = open_bytes(host, path)
    except (OSError, ValueError):
        return []
    out = []
    for der in x509.certificates_in(data, path.endswith((".cer", ".der")), limit):
        try:
            cert = x509.parse_certificate(der)
        except (ValueError, IndexError, TypeError):
            continue
        weak = []
        if cert["signature"] in x509.WEAK_SIGNATURES:
            weak.append(x509.WEAK_SIGNATURES[cert["signature"]])
        if cert["rsa_bits"] is not None and cert["rsa_bits"] < MIN_RSA_BITS:
            weak.append("rsa%d" % cert["rsa_bits"])
        out.append({"cn": cert["cn"], "expired": cert["not_after"] < now,
                    "not_after": time.strftime("%Y-%m-%d", time.gmtime(cert["not_after"])), "weak": weak})
    return out


def open_bytes(host, path):
    from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
    data, _info, _trunc = safe_read.read_in_root(host.root, path, MAX_CERT_FILE)   # links inside root only
    return data


@CHECKS.check("HG-CRYP-001", "medium", "expired certificate", lynis="CRYP-7902", reads=", ".join(CERT_PATHS) + " (files not installed by a package)",
              remediation="Renew or remove the certificate.")
def check_expired(check, host):
    now = time.time()
    expired, count = [], 0
    for path in cert_files(host, CERT_PATHS):
        if path.startswith(PACKAGE_STORES):
            continue
        certs = grade(host, path, now, limit=1)
        count += len(certs)
        expired += ["%s (%s, %s)" % (path, c["cn"], c["not_after"]) for c in certs if c["expired"]]
    return verdict(check, "certificates", bool(expired), {"checked": count, "expired": expired})


@CHECKS.check("HG-CRYP-002", "medium", "expired or weak CA certificate in the system trust store", cis="n/a", reads=", ".join(SYSTEM_STORES),
              remediation="Remove it (dpkg-reconfigure ca-certificates, update-ca-certificates).")
def check_store(check, host):
    now = time.time()
    bad, count = [], 0
    for path in cert_files(host, SYSTEM_STORES):
        for cert in grade(host, path, now):
            count += 1
            reasons = (["expired %s" % cert["not_after"]] if cert["expired"] else []) + cert["weak"]
            if reasons:
                bad.append("%s: %s" % (os.path.basename(path), ", ".join(reasons)))
    return verdict(check, "CA store", bool(bad), {"checked": count, "problems": bad})


@CHECKS.info("HG-CRYP-003", "LUKS encrypted block devices (inventory)", "CRYP-7930", "/etc/crypttab")
def check_luks(check, host):
    entries = [l.split()[0] for l in host.config_lines("/etc/crypttab") if "luks" in l and l.split()]
    return check.passed("/etc/crypttab", {"luks": entries})


@CHECKS.check("HG-CRYP-004", "low", "swap is not encrypted", lynis="CRYP-7931", reads="/proc/swaps, /etc/crypttab",
              remediation="Put swap on dm-crypt (cryptsetup, /etc/crypttab).")
def check_swap(check, host):
    swaps = [l.split()[0] for l in (host.lines("/proc/swaps") or [])[1:] if l.split()]
    if not swaps:
        return check.skip("/proc/swaps", "no swap in use")
    plain = [s for s in swaps if not s.startswith(("/dev/mapper/", "/dev/dm-"))]
    return verdict(check, "/proc/swaps", bool(plain), {"swap": swaps, "unencrypted": plain})


@CHECKS.check("HG-CRYP-005", "info", "kernel entropy pool low (<= 200 bits)", lynis="CRYP-8002", reads="/proc/sys/kernel/random/entropy_avail",
              remediation="None needed on kernels >= 5.18 (256 fixed).")
def check_entropy(check, host):
    text = (host.read("/proc/sys/kernel/random/entropy_avail", 64) or "").strip()
    # Lynis only logs the value (no suggestion): inventory
    return check.passed("entropy", {"entropy_avail": int(text) if text.isdigit() else None})


@CHECKS.info("HG-CRYP-006", "hardware RNG (inventory)", "CRYP-8004", "/sys/class/misc/hw_random/rng_current")
def check_hwrng(check, host):
    current = (host.read("/sys/class/misc/hw_random/rng_current", 256) or "").strip() or None
    return check.passed("hw_random", {"rng_current": current, "rngd": bool(host.running("rngd"))})


@CHECKS.info("HG-CRYP-007", "software RNG daemons (inventory)", "CRYP-8005", "/proc/*/cmdline")
def check_swrng(check, host):
    names = ("audio-entropyd", "haveged", "jitterentropy-rngd")
    found = sorted(set(n for p in host.processes() for n in names if n in " ".join(p["argv"])))
    return check.passed("rng daemons", {"running": found})


@CHECKS.info("HG-CRYP-008", "UEFI MemoryOverwriteRequest bit (inventory)", "CRYP-8006", "/sys/firmware/efi/efivars/MemoryOverwriteRequestControl-*")
def check_mor(check, host):
    path = "/sys/firmware/efi/efivars/MemoryOverwriteRequestControl-e20939be-32d4-41be-a150-897f85d49829"
    data = host.read(path, 64)
    return check.passed(path, {"set": None if data is None else (len(data) > 4 and data[4] == "\x01")})


def audit(params):
    return run_evaluators(CHECKS, Host(params["root"]))
