"""Packaging as a maintainer adopting the collection would check it (issue: ready to adopt).

The built tarball holds what users run and none of the development material; ansible-builder
turns it into an execution-environment context whose Python requirements are the collection's
run-time needs only; galaxy-importer imports it with no warning."""
import os
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

from conftest import REPO

BIN = os.path.dirname(sys.executable)
DEV_ONLY = ("bench/", "molecule/", "scripts/", "tests/fixtures/", "tests/integration/", "tests/unit/",
            "requirements-dev.txt", "Makefile", ".hypothesis/")
# galaxy-importer requires `repository`; the project has no public repository yet, so galaxy.yml
# leaves it out (docs/packaging.md) and this test builds a copy that names one.
TEST_REPOSITORY = "file:///srv/git/hostguard-hardening"


def copy_tree(dest):
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=REPO, capture_output=True, check=True).stdout.split(b"\0")
    for rel in files:
        rel = rel.decode()
        src = os.path.join(REPO, rel)
        if not rel or not os.path.isfile(src):
            continue
        os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
        shutil.copy2(src, os.path.join(dest, rel))


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    work = tmp_path_factory.mktemp("pkg")
    src = work / "src"
    copy_tree(str(src))
    with open(src / "galaxy.yml") as handle:
        galaxy = yaml.safe_load(handle)
    assert "repository" not in galaxy and "example.invalid" not in (src / "galaxy.yml").read_text()
    with open(src / "galaxy.yml", "a") as handle:
        handle.write("repository: %s\n" % TEST_REPOSITORY)
    out = work / "build"
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--force",
                    "--output-path", str(out), str(src)], check=True, capture_output=True)
    path = out / ("hostguard-hardening-%s.tar.gz" % galaxy["version"])
    assert path.is_file()
    return path


def test_tarball_holds_the_collection_and_no_development_material(tarball):
    with tarfile.open(str(tarball)) as tar:
        names = tar.getnames()
    for wanted in ("LICENSE", "README.md", "meta/runtime.yml", "meta/execution-environment.yml",
                   "meta/ee-requirements.txt", "plugins/modules/host_audit.py",
                   "plugins/module_utils/core/registry.py", "roles/audit/tasks/main.yml",
                   "schemas/host-report.schema.json", "playbooks/audit.yml"):
        assert wanted in names, wanted
    leaked = [n for n in names if n.startswith(DEV_ONLY) or "__pycache__" in n]
    assert leaked == []
    with open(os.path.join(REPO, "LICENSE")) as handle:
        assert "GNU GENERAL PUBLIC LICENSE" in handle.read(200)


def test_ansible_builder_context_needs_only_the_runtime_requirements(tarball, tmp_path):
    ee = tmp_path / "execution-environment.yml"
    ee.write_text(yaml.safe_dump({
        "version": 3,
        "images": {"base_image": {"name": "quay.io/centos/centos:stream9"}},
        "dependencies": {"galaxy": {"collections": [{"name": str(tarball), "type": "file"}]},
                         "python_interpreter": {"package_system": "python3.11",
                                                "python_path": "/usr/bin/python3.11"},
                         "ansible_core": {"package_pip": "ansible-core==2.19.14"},
                         "ansible_runner": {"package_pip": "ansible-runner"}}}))
    # ansible-builder needs the collection installed to introspect it: install the tarball.
    collections = tmp_path / "collections"
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--offline", "--force", "-p",
                    str(collections), str(tarball)], check=True, capture_output=True)
    context = tmp_path / "context"
    proc = subprocess.run([os.path.join(BIN, "ansible-builder"), "create", "-f", str(ee), "-c", str(context),
                           "--output-filename", "Containerfile"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (context / "Containerfile").is_file()
    introspect = subprocess.run([os.path.join(BIN, "ansible-builder"), "introspect", str(collections)],
                                capture_output=True, text=True, check=False)
    assert introspect.returncode == 0, introspect.stderr
    python = yaml.safe_load(introspect.stdout)["python"]
    assert python == ["jsonschema>=4.0  # from collection hostguard.hardening"], introspect.stdout + introspect.stderr
    text = yaml.safe_dump(python)
    assert "jsonschema" in text
    for dev in ("molecule", "pytest", "ansible-lint", "hypothesis", "galaxy-importer"):
        assert dev not in text, dev


def test_galaxy_importer_imports_the_tarball_without_a_warning(tarball, tmp_path):
    config = tmp_path / "galaxy-importer.cfg"
    config.write_text("[galaxy-importer]\nRUN_ANSIBLE_TEST = False\nRUN_ANSIBLE_LINT = True\n"
                      "RUN_FLAKE8 = False\nCHECK_REQUIRED_TAGS = False\n")
    env = dict(os.environ, GALAXY_IMPORTER_CONFIG=str(config), PATH=BIN + os.pathsep + os.environ["PATH"])
    proc = subprocess.run([sys.executable, "-m", "galaxy_importer.main", str(tarball)], env=env,
                          capture_output=True, text=True, cwd=str(tmp_path), check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    assert "Importer processing completed successfully" in output
    problems = [line for line in output.splitlines() if line.startswith(("WARNING", "ERROR"))]
    assert problems == []
