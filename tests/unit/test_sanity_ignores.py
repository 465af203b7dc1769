"""No ansible-test ignore file: galaxy-importer warns about any ignore file with statements, and
every shebang is one ansible-test's `shebang` test accepts (tests/sanity/README.md)."""
import glob
import os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# ansible-test's standard (non-module) shebangs; modules (plugins/modules) use #!/usr/bin/python.
STANDARD = {b"#!/bin/bash -eu", b"#!/bin/bash -eux", b"#!/bin/sh", b"#!/usr/bin/env bash",
            b"#!/usr/bin/env fish", b"#!/usr/bin/env pwsh", b"#!/usr/bin/env python",
            b"#!/usr/bin/make -f"}
TREES = ("bench", "docs", "meta", "molecule", "playbooks", "plugins", "roles", "schemas", "scripts", "tests")


def test_no_sanity_ignore_file_has_an_entry():
    for path in glob.glob(os.path.join(REPO, "tests", "sanity", "ignore-*.txt")):
        with open(path) as handle:
            entries = [line for line in handle if line.strip()]
        assert not entries, "fix these instead of ignoring them (%s): %s" % (path, entries)


def _files():
    for tree in TREES:
        for root, dirs, files in os.walk(os.path.join(REPO, tree)):
            dirs[:] = [d for d in dirs if d not in ("__pycache__", "output")]
            for name in files:
                yield os.path.join(root, name)


def test_every_shebang_is_one_ansible_test_accepts():
    bad = []
    for path in _files():
        rel = os.path.relpath(path, REPO)
        with open(path, "rb") as handle:
            first = handle.readline().strip()
        executable = os.stat(path).st_mode & 0o111
        if not first.startswith(b"#!"):
            if executable:
                bad.append("%s: executable without a shebang" % rel)
            continue
        module = rel.startswith("plugins/modules/")
        if module and first != b"#!/usr/bin/python":
            bad.append("%s: module shebang %r" % (rel, first))
        elif not module and first not in STANDARD:
            bad.append("%s: shebang %r" % (rel, first))
    assert not bad, bad


def test_installed_programs_get_the_system_interpreter_back():
    """The roles rewrite the `env python` shebang of the programs they install."""
    for task, program in (("roles/oom_recorder/tasks/present.yml", "hostguard-oom-recorder"),
                          ("roles/redis_hardening/tasks/validator.yml", "redis-config-check")):
        with open(os.path.join(REPO, task)) as handle:
            text = handle.read()
        assert "lookup('ansible.builtin.file', '%s', rstrip=false)" % program in text, task
        assert "regex_replace('^#!.*', '#!" in text, task
