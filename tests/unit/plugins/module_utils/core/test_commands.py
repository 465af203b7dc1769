"""core.commands: time-boxed, output-capped commands; and the Lynis-category areas on an empty root."""
import sys

from ansible_collections.hostguard.hardening.plugins.module_utils.core import hostio as commands, runner
from ansible_collections.hostguard.hardening.plugins.module_utils.core.lynis_categories import (
    finding_category, lynis_areas, lynis_category)
from ansible_collections.hostguard.hardening.plugins.module_utils.core.registry import area_names


def test_run_command_timeout_and_flood():
    res = commands.run_command([sys.executable, "-c", "import time; time.sleep(60)"], timeout=0.5)
    assert res["rc"] is not None and res["error"].startswith("timed out")
    res = commands.run_command([sys.executable, "-c", "import sys\nwhile 1: sys.stdout.write('x'*65536)"],
                               timeout=30, max_bytes=100000)
    assert "larger" in res["error"] and len(res["stdout"]) <= 100000
    assert commands.run_command(["/nonexistent/hg"])["error"].startswith("cannot run")
    assert commands.run_command(["/bin/true\x00x"])["error"].startswith("cannot run")


def test_lynis_category_areas_on_an_empty_root_never_crash(tmp_path):
    names = lynis_areas(area_names())
    result = runner.audit_host(names, {"ssh": {"use_sshd_t": False}}, root=str(tmp_path))
    assert result["errors"] == []
    assert result["findings"] and all(f["status"] != "error" for f in result["findings"])
    ids = set(f["id"] for f in result["findings"])
    assert {"HG-SSH-012", "HG-AUTH-001", "HG-FILE-001", "HG-STRG-001", "HG-NAME-001",
            "HG-MAIL-001", "HG-FIRE-002"} <= ids


def test_lynis_category_of_ids_and_findings():
    assert lynis_category("SSH-7408") == "SSH" and lynis_category("HG-SSH-001") is None
    assert lynis_category("nonsense") is None and lynis_category(None) is None
    assert finding_category({"references": {"lynis": "AUTH-9286"}}) == "AUTH"
    assert finding_category({"references": {"lynis": "FILE-6374, FILE-6376"}}) == "FILE"
    assert finding_category({"references": {}}) is None
