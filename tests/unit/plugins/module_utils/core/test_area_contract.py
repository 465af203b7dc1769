"""The area contract (docs/architecture.md): one descriptor and one option spec per area."""
import ast
import json
import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.hostguard.hardening.plugins.module_utils.core import registry, runner
from ansible_collections.hostguard.hardening.plugins.module_utils.core.area import OptionError
from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import sort_findings

from conftest import REPO  # noqa: E402
MODULE_UTILS = os.path.join(REPO, "plugins", "module_utils")
MODULES = os.path.join(REPO, "plugins", "modules")
PKG = "ansible_collections.hostguard.hardening.plugins"
# The module that wraps each area (areas reached only through host_audit have none).
AREA_MODULE = {"cron": "cron_audit", "sysctl": "sysctl_audit", "oom": "oom_audit",
               "oomlog": "oom_events", "redis": "redis_audit", "persistence": "persistence_audit"}
SPEC_KEYS = ("type", "elements", "default", "choices", "required")  # no_log is not documented


def documented_options(module):
    with open(os.path.join(MODULES, module + ".py")) as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "DOCUMENTATION":
            return yaml.safe_load(node.value.value)["options"]
    raise AssertionError("%s has no DOCUMENTATION" % module)


def normalised(spec):
    out = {}
    for name, opt in spec.items():
        item = dict((k, opt[k]) for k in SPEC_KEYS if k in opt and opt[k] not in (None, False))
        item.setdefault("type", "str")
        if item.get("default") in ([], {}):
            item["default"] = item["default"]
        out[name] = item
    return out


@pytest.mark.parametrize("area", sorted(AREA_MODULE))
def test_module_documentation_equals_the_area_spec(area):
    spec = registry.REGISTRY[area].argument_spec()
    docs = documented_options(AREA_MODULE[area])
    assert normalised(docs) == normalised(spec)


def test_every_registered_area_has_a_unique_name_and_prefix():
    names = [a.name for a in registry.AREAS]
    assert len(names) == len(set(names))
    prefixes = [a.prefix for a in registry.AREAS]
    assert len(prefixes) == len(set(prefixes))
    for area in registry.AREAS:
        assert area.prefix and area.prefix.startswith("HG"), area.name
        for check in area.checks:
            # one prefix per area: "HG-CRON" owns HG-CRON-NNN and nothing else
            assert check.id.rsplit("-", 1)[0] == area.prefix, (area.name, check.id)


def test_role_argument_specs_are_generated_from_the_area_specs():
    gen = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "gen_role_specs.py"), "--check"],
                         capture_output=True, text=True, check=False)
    assert gen.returncode == 0, gen.stdout + gen.stderr
    with open(os.path.join(REPO, "roles", "audit", "meta", "argument_specs.yml")) as handle:
        spec = yaml.safe_load(handle)["argument_specs"]["main"]["options"]["hostguard_area_options"]
    assert sorted(spec["options"]) == sorted(registry.REGISTRY)
    for name, area in registry.REGISTRY.items():
        role = spec["options"][name]["options"]
        assert sorted(role) == sorted(area.options)
        for opt, value in area.options.items():
            assert role[opt]["type"] == value["type"], (name, opt)


def imports_of(path):
    with open(path) as handle:
        tree = ast.parse(handle.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def test_areas_never_import_each_other_and_target_code_never_imports_controller_code():
    areas = set(registry.REGISTRY)
    for dirpath, _dirs, files in os.walk(MODULE_UTILS):
        rel = os.path.relpath(dirpath, MODULE_UTILS).split(os.sep)[0]
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(dirpath, name)
            for module, _names in imports_of(path):
                assert not module.startswith(PKG + ".plugin_utils"), path
                if not module.startswith(PKG + ".module_utils."):
                    continue
                other = module[len(PKG + ".module_utils."):].split(".")[0]
                if rel in areas:
                    assert other in (rel, "core"), "%s imports area %s" % (path, other)
                elif rel == "core" and name != "registry.py":
                    assert other == "core", "%s (core) imports area %s" % (path, other)


def test_host_audit_rejects_bad_options_naming_area_and_option():
    cases = [({"cron": {"max_read_bytes": "64k"}}, "cron", "max_read_bytes"),
             ({"oom": {"services": [1]}}, "oom", "services"),
             ({"redis": {"no_such": 1}}, "redis", "no_such"),
             ({"nosuch": {}}, "nosuch", "unknown area")]
    for options, area, needle in cases:
        _params, errors = runner.validate_areas(list(registry.REGISTRY), options, "/", registry.REGISTRY)
        assert errors, options
        text = "; ".join(errors)
        assert area in text and needle in text, text


def test_redis_accepts_its_own_module_options():
    params, errors = runner.validate_areas(["redis"], {"redis": {"probe": False, "timeout": 2}}, "/",
                                           registry.REGISTRY)
    assert errors == []
    assert params["redis"]["probe"] is False and params["redis"]["timeout"] == 2.0
    _p, errors = runner.validate_areas(["redis"], {"redis": {"protected-mode": "no"}}, "/",
                                       registry.REGISTRY)
    assert errors and "protected-mode" in errors[0]


def test_report_pass_no_is_false_through_host_audit_and_the_module(tmp_path):
    (tmp_path / "etc").mkdir()
    out = runner.audit_host(["sysctl"], {"sysctl": {"report_pass": "no"}}, root=str(tmp_path))
    assert not [f for f in out["findings"] if f["status"] == "pass"]
    direct = registry.REGISTRY["sysctl"].run({"report_pass": "no"}, root=str(tmp_path))
    assert not [f for f in direct["findings"] if f["status"] == "pass"]
    with pytest.raises(OptionError):
        registry.REGISTRY["sysctl"].run({"report_pass": "maybe"}, root=str(tmp_path))


def sample_value(spec):
    """A non-default value of the option's type (what a user might pass)."""
    kind = spec.get("type", "str")
    if spec.get("no_log"):
        return "sample-secret-value"   # masked in module output: must not collide with paths
    if spec.get("choices"):
        others = [c for c in spec["choices"] if c != spec.get("default")]
        return [others[0]] if kind == "list" else others[0]
    return {"int": 7, "float": 1.5, "bool": not spec.get("default", False), "dict": {},
            "list": [], "path": "/nonexistent", "raw": "x", "str": "x"}[kind]


def run_module(module, args):
    """Run a module file the way AnsiballZ does (args on stdin), return its JSON result."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    proc = subprocess.run([sys.executable, os.path.join(MODULES, module + ".py")],
                          input=json.dumps({"ANSIBLE_MODULE_ARGS": args}), capture_output=True,
                          text=True, env=env, cwd=REPO, check=False)
    return json.loads(proc.stdout)


VOLATILE = ("seconds", "timings", "elapsed", "invocation", "bytes_read", "generated_at")


def stable(value):
    if isinstance(value, dict):
        return dict((k, stable(v)) for k, v in value.items() if k not in VOLATILE)
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


# Options that make an area read the live host (processes, sockets, systemctl): fixed to the
# offline value so both runs see the same fixture tree.
OFFLINE = {"redis": {"probe": False, "proc": "/nonexistent"}, "oom": {"use_systemctl": "no"},
           "oomlog": {"source": "file", "path": "/nonexistent"}, "ssh": {"use_sshd_t": False}}


@pytest.mark.parametrize("area", sorted(AREA_MODULE))
def test_every_option_gives_the_same_result_through_host_audit_and_the_area_module(area, tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    spec = registry.REGISTRY[area].options
    for name in sorted(spec):
        options = dict(OFFLINE.get(area, {}))
        options.setdefault(name, sample_value(spec[name]))
        direct = run_module(AREA_MODULE[area], dict(options, root=str(tmp_path)))
        agg = run_module("host_audit", {"areas": [area], "root": str(tmp_path),
                                        "options": {area: options}})
        if direct.get("failed") or agg.get("failed"):
            assert direct.get("failed") and agg.get("failed"), (name, direct.get("msg"), agg.get("msg"))
            continue
        assert stable(sort_findings(direct["findings"])) == stable(agg["findings"]), name
        facts = dict(agg["facts"][area])
        assert stable(dict((k, direct[k]) for k in facts if k in direct)) == stable(
            dict((k, facts[k]) for k in facts if k in direct)), name


def test_baseline_audit_documents_its_spec_and_defaults_to_the_lynis_category_areas():
    from ansible_collections.hostguard.hardening.plugins.modules import baseline_audit
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.lynis_categories import (
        CATEGORY_AREAS, lynis_areas)
    assert normalised(documented_options("baseline_audit")) == normalised(baseline_audit.ARGUMENT_SPEC)
    names = lynis_areas(registry.area_names())
    for name in ("ssh", "auth", "file", "storage", "nameservices", "mail", "firewall"):
        assert name in names
    assert set(names) <= set(CATEGORY_AREAS) and "cron" not in names


def test_baseline_audit_equals_host_audit_on_the_same_areas_and_options(tmp_path):
    write_etc = tmp_path / "etc" / "ssh"
    write_etc.mkdir(parents=True)
    (write_etc / "sshd_config").write_text("PermitRootLogin yes\nMaxAuthTries 9\n")
    (tmp_path / "etc" / "login.defs").write_text("PASS_MAX_DAYS 90\nUMASK 022\n")
    options = {"ssh": {"use_sshd_t": False, "ssh_expectations": {"MaxAuthTries": "3,4,6:<"}},
               "auth": {"pass_max_days_limit": 60}}
    names = [n for n in registry.area_names() if n in ("ssh", "auth", "file", "storage", "nameservices", "mail")]
    direct = run_module("baseline_audit", {"areas": names, "root": str(tmp_path), "options": options})
    agg = run_module("host_audit", {"areas": names, "root": str(tmp_path), "options": options})
    assert direct["areas"] == names and direct["errors"] == []
    assert stable(direct["findings"]) == stable(agg["findings"])
    by_id = dict((f["id"], f) for f in direct["findings"])
    assert by_id["HG-SSH-012"]["status"] == "fail" and by_id["HG-AUTH-001"]["status"] == "fail"
    bad = run_module("baseline_audit", {"options": {"ssh": {"nosuch": 1}}})
    assert bad.get("failed") and "ssh" in bad["msg"] and "nosuch" in bad["msg"]


def test_role_spec_choices_are_the_area_choices_with_their_types():
    with open(os.path.join(REPO, "roles", "audit", "meta", "argument_specs.yml")) as handle:
        spec = yaml.safe_load(handle)["argument_specs"]["main"]["options"]["hostguard_area_options"]
    for name, area in registry.REGISTRY.items():
        for opt, value in area.options.items():
            if "choices" in value:
                assert spec["options"][name]["options"][opt]["choices"] == value["choices"], (name, opt)
