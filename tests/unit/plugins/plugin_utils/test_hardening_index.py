"""The hardening index: Lynis AddHP arithmetic over findings of every area."""
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.audit import ssh_findings
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.spec import CHECKS as SSH_CHECKS
from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import Check
from ansible_collections.hostguard.hardening.plugins.plugin_utils.hardening_index import (
    catalogue_weights, hardening_index, hardening_points)

A = Check("HG-TEST-001", "a", "high", "test", "-", "-")            # weight 3
B = Check("HG-TEST-002", "b", "low", "test", "-", "-", weight=10)
W = {A.id: A.weight, B.id: B.weight}


def test_index_is_floor_of_earned_over_max():
    findings = [A.passed("x"), B.fail("y")]
    assert hardening_index(findings, W) == 100 * 3 // 13          # 23
    assert hardening_index([A.passed("x"), B.passed("y")], W) == 100
    assert hardening_index([A.fail("x"), B.fail("y")], W) == 0


def test_skip_and_error_do_not_count_and_empty_is_none():
    assert hardening_index([A.skip("x", "n/a"), B.error("y", "boom")], W) is None
    assert hardening_index([], W) is None
    assert hardening_index([A.passed("x"), B.skip("y", "n/a")], W) == 100


def test_partial_credit_like_lynis_addhp_1_3():
    medium = A.fail("x", evidence={"partial_credit": 1.0 / 3})
    points = hardening_points([medium, A.passed("z")], W)
    assert points["max_points"] == 6 and points["points"] == 4.0 and points["index"] == 66
    bogus = A.fail("x", evidence={"partial_credit": 7})
    assert hardening_index([bogus], W) == 0


def test_unknown_ids_fall_back_to_severity_weight():
    unknown = {"id": "HG-ZZZ-001", "severity": "critical", "status": "pass"}
    failing = {"id": "HG-ZZZ-002", "severity": "low", "status": "fail"}
    assert hardening_points([unknown, failing], {})["max_points"] == 6


def test_catalogue_weights_discovers_every_area():
    weights = catalogue_weights()
    for cid, check in SSH_CHECKS.items():
        assert weights[cid] == check.weight
    assert weights["HG-SSH-012"] == 3


def test_baseline_findings_on_a_fixture(tmp_path):
    (tmp_path / "etc/ssh").mkdir(parents=True)
    (tmp_path / "etc/ssh/sshd_config").write_text("PermitRootLogin no\n")
    ssh = ssh_findings({"root": str(tmp_path)})[0]
    points = hardening_points(ssh)
    # 20 graded options x 3 points (Compression is not graded for current OpenSSH, HG-SSH-022 is
    # skip offline) + HG-SSH-023 (tree read completely, 1 point); OpenSSH defaults give partial credits
    assert points["max_points"] == 61
    # (inventory checks, severity info, such as HG-SSH-024 "sshd running", carry no points)
    # (HG-SSH-028, the Ciphers/MACs/KEX lists, is no Lynis item: weight 0, no points)
    good = sum(f["weight"] if "weight" in f else (3 if f["id"] != "HG-SSH-023" else 1)
               for f in ssh if f["status"] == "pass" and f["severity"] != "info" and f["id"] != "HG-SSH-028")
    medium = sum(1 for f in ssh if f["evidence"].get("grade") == "medium")
    assert points["points"] == round(good + medium, 2)
