"""Roles orchestrate, modules compute: no Jinja loops in role tasks (docs/architecture.md).

Logic that a role used to spell in Jinja (parsing ``sshd -T``, systemd-sysctl precedence,
plans) lives in modules, module_utils or filter plugins with unit tests; file content that
needs a loop is a template under the role's templates/."""
import glob
import os
import re

from conftest import REPO

LOOP = re.compile(r"{%-?\s*for\b")


def test_no_jinja_for_loop_in_any_role_task_file():
    offenders = []
    for path in sorted(glob.glob(os.path.join(REPO, "roles", "*", "tasks", "*.yml"))):
        with open(path) as handle:
            for number, line in enumerate(handle, 1):
                if LOOP.search(line):
                    offenders.append("%s:%d" % (os.path.relpath(path, REPO), number))
    assert offenders == []


def test_the_check_sees_a_loop(tmp_path):
    assert LOOP.search("      {% for proto in x %}") and LOOP.search("{%- for a in b -%}")
    assert not LOOP.search("{{ items | map('x') }}")
