"""docs/checks.md is generated from the code and must be up to date; check IDs are sane."""
import importlib.util
import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = importlib.util.spec_from_file_location("gen_checks_doc",
                                              os.path.join(REPO, "scripts", "gen_checks_doc.py"))
gen = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(gen)


def test_checks_md_is_up_to_date():
    with open(os.path.join(REPO, "docs", "checks.md")) as handle:
        current = handle.read()
    assert current == gen.render(gen.collect()), "run scripts/gen_checks_doc.py"


def test_every_check_id_unique_and_well_formed():
    entries = gen.collect()               # raises SystemExit on a duplicate across modules
    ids = [check.id for _m, check in entries]
    assert len(ids) == len(set(ids))
    area_of = {}
    for module, check in entries:
        assert re.match(r"^HG-[A-Z]+-\d{3}$", check.id), check.id
        assert check.title and check.reads and check.remediation
        assert check.weight >= 0
        for key in check.references:
            assert key in ("lynis", "cis", "attack"), (check.id, key)
        if "lynis" in check.references:
            assert re.match(r"^[A-Z]+-\d{4}$", check.references["lynis"]), check.id
        area_of.setdefault(check.id.split("-")[1], set()).add(module)
    # one area prefix belongs to one module (no two modules minting HG-SSH-*)
    assert all(len(mods) == 1 for mods in area_of.values()), area_of


NEW_AREA = """
from ansible_collections.hostguard.hardening.plugins.module_utils.findings import Check
CHECKS = {c.id: c for c in (Check("HG-ZZZ-001", "a new area's check", "low", "zzz", "/etc/zzz",
                                  "fix zzz", {"lynis": "ZZZZ-1234"}, role="zzz_role"),)}
"""


def test_generator_picks_up_new_modules(tmp_path, monkeypatch):
    pkg = tmp_path / "hgfakepkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "zzz.py").write_text(NEW_AREA)
    (pkg / "nochecks.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    entries = gen.collect(str(pkg), "hgfakepkg")
    assert [(m, c.id) for m, c in entries] == [("zzz", "HG-ZZZ-001")]
    text = gen.render(entries)
    assert "| HG-ZZZ-001 | a new area's check | low |" in text
    assert "hostguard.hardening.zzz_role" in text and "ZZZZ-1234" in text
    (pkg / "dup.py").write_text(NEW_AREA)
    try:
        gen.collect(str(pkg), "hgfakepkg")
    except SystemExit as exc:
        assert "duplicate check id HG-ZZZ-001" in str(exc)
    else:
        raise AssertionError("duplicate IDs across modules must be refused")


def test_check_mode_detects_stale_file(tmp_path):
    stale = tmp_path / "checks.md"
    stale.write_text("old\n")
    assert gen.main(["--check", "--output", str(stale)]) == 1
    assert gen.main(["--output", str(stale)]) == 0
    assert gen.main(["--check", "--output", str(stale)]) == 0
