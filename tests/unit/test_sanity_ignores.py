"""The ansible-test ignore file stays minimal: shebang entries of non-plugin programs only."""
import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IGNORE = os.path.join(REPO, "tests", "sanity", "ignore-2.19.txt")
ALLOWED_PATH = re.compile(r"^(scripts/[^/]+\.py|bench/[^/]+\.py|tests/fixtures/[^ ]+\.py|roles/[^/]+/files/[^/ ]+)$")


def entries():
    with open(IGNORE) as handle:
        return [line.rstrip("\n") for line in handle if line.strip()]


def test_only_shebang_entries_of_dev_scripts_and_target_programs():
    bad = []
    for line in entries():
        path, _sep, test = line.partition(" ")
        if test != "shebang" or not ALLOWED_PATH.match(path):
            bad.append(line)
    assert not bad, "fix these instead of ignoring them: %s" % bad


def test_each_entry_names_a_file_whose_shebang_is_not_the_module_one():
    for line in entries():
        path = os.path.join(REPO, line.split(" ")[0])
        with open(path, "rb") as handle:
            first = handle.readline().strip()
        assert first.startswith(b"#!") and first != b"#!/usr/bin/python", line
