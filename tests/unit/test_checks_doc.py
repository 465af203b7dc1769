"""docs/checks.md is generated from the code and must be up to date; check IDs are sane."""
import importlib.util
import os
import re

from conftest import REPO  # noqa: E402
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
    # one area prefix belongs to one module (no two modules minting HG-SSH-*), except the
    # OOM policy sysctls (HG-SYSCTL-004), which sysctl.py grades beside the other kernel keys.
    shared = {"OOM": {"oom", "sysctl"}}
    for prefix, mods in area_of.items():
        assert len(mods) == 1 or mods == shared.get(prefix), (prefix, mods)


def fake_area(name="zzz"):
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.area import Area
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import CheckSet
    checks = CheckSet(name, "HG-ZZZ")
    checks.define("HG-ZZZ-001", "a new area's check", "low", "/etc/zzz", "fix zzz",
                  {"lynis": "ZZZZ-1234"}, role="zzz_role")
    return Area(name=name, prefix="HG-ZZZ", title="z", options={}, checks=checks, audit=lambda p: {})


def test_generator_picks_up_new_areas():
    entries = gen.collect([fake_area()])
    assert [(m, c.id) for m, c in entries if c.id.startswith("HG-ZZZ")] == [("zzz", "HG-ZZZ-001")]
    text = gen.render(entries)
    assert "| HG-ZZZ-001 | a new area's check | low |" in text
    assert "hostguard.hardening.zzz_role" in text and "ZZZZ-1234" in text
    try:
        gen.collect([fake_area(), fake_area("yyy")])
    except SystemExit as exc:
        assert "duplicate check id HG-ZZZ-001" in str(exc)
    else:
        raise AssertionError("duplicate IDs across areas must be refused")


def test_check_mode_detects_stale_file(tmp_path):
    stale = tmp_path / "checks.md"
    stale.write_text("old\n")
    assert gen.main(["--check", "--output", str(stale)]) == 1
    assert gen.main(["--output", str(stale)]) == 0
    assert gen.main(["--check", "--output", str(stale)]) == 0
