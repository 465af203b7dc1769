"""Releases: changelogs/changelog.yaml (antsibull-changelog) is valid and CHANGELOG.md is generated from it."""
import os
import subprocess
import sys

import yaml

from conftest import REPO

BIN = os.path.dirname(sys.executable)


def test_changelog_yaml_lints_and_every_release_is_in_changelog_md():
    lint = subprocess.run([os.path.join(BIN, "antsibull-changelog"), "lint"], cwd=REPO,
                          capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    with open(os.path.join(REPO, "changelogs", "changelog.yaml")) as handle:
        releases = yaml.safe_load(handle)["releases"]
    with open(os.path.join(REPO, "galaxy.yml")) as handle:
        version = yaml.safe_load(handle)["version"]
    assert version in releases
    with open(os.path.join(REPO, "CHANGELOG.md")) as handle:
        text = handle.read()
    for release in releases:
        assert "v%s" % release.replace(".", "\\.") in text, release
