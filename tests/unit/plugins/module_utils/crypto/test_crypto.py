import base64
import os
import shutil
import subprocess

import pytest

from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.crypto import AREA, x509


def make_cert(tmp_path, days, bits=2048):
    if not shutil.which("openssl"):
        pytest.fail("openssl is needed to make fixture certificates")
    key, crt = str(tmp_path / "k.pem"), str(tmp_path / "c.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:%d" % bits, "-nodes", "-keyout", key, "-out", crt,
                    "-days", str(days), "-subj", "/CN=hg.test"], check=True, capture_output=True)
    return open(crt, "rb").read()


def test_parse_and_expiry(tmp_path):
    pem = make_cert(tmp_path, 30)
    der = x509.certificates_in(pem)[0]
    cert = x509.parse_certificate(der)
    assert cert["cn"] == "hg.test" and cert["rsa_bits"] == 2048
    root = tmp_path / "root"
    write(root, "etc/ssl/private/site.pem", pem)
    got = dict((f["id"], f["status"]) for f in AREA.run({"root": str(root)})["findings"])
    assert got["HG-CRYP-001"] == "pass"


def test_expired_certificate(tmp_path):
    pem = make_cert(tmp_path, 1)
    der = x509.certificates_in(pem)[0]
    cert = x509.parse_certificate(der)
    root = tmp_path / "root"
    write(root, "etc/ssl/site.crt", pem)
    # an already-expired certificate: shift 'now' by grading with a later clock
    from ansible_collections.hostguard.hardening.plugins.module_utils.crypto import checks
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import Host
    graded = checks.grade(Host(str(root)), "/etc/ssl/site.crt", cert["not_after"] + 10)
    assert graded[0]["expired"] is True


def test_weak_ca_in_store(tmp_path):
    pem = make_cert(tmp_path, 30, bits=1024)
    root = tmp_path / "root"
    write(root, "usr/local/share/ca-certificates/weak.crt", pem)
    got = [f for f in AREA.run({"root": str(root)})["findings"] if f["id"] == "HG-CRYP-002"][0]
    assert got["status"] == "fail" and "rsa1024" in got["evidence"]["problems"][0]


def test_garbage_certificate_is_ignored(tmp_path):
    write(tmp_path, "etc/ssl/bad.pem", b"-----BEGIN CERTIFICATE-----\n" + base64.b64encode(os.urandom(64)) +
          b"\n-----END CERTIFICATE-----\n")
    got = dict((f["id"], f["status"]) for f in AREA.run({"root": str(tmp_path)})["findings"])
    assert got["HG-CRYP-001"] == "pass"
