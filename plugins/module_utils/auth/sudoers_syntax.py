# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HG-AUTH-026: the sudoers files sudo reads hold no line it cannot parse (no Lynis test).

Not a sudoers grammar: a bounded, line-level test for what a truncated or half-edited file
shows (what ``visudo -c`` would reject): an unbalanced parenthesis or quote, a user
specification or alias without ``=``, a ``\\`` continuation at the end of the file. On such a
line sudo 1.9 either refuses to run ("no valid sudoers sources found") or, with error recovery,
drops the rule: either way not what the admin wrote. Read: the sudoers file and every regular
file of ``<sudoers>.d`` that sudo includes (names without ``.`` or a trailing ``~``)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import read_text_lines
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.pam_syntax import join_continued
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.spec import CHECKS

MAX_PROBLEMS = 20
_DIRECTIVE = re.compile(r"^[#@]include(dir)?\s")
_ALIAS = re.compile(r"^(User|Runas|Host|Cmnd|Cmd)_Alias\s")
_UID_TOKEN = re.compile(r"^#-?[0-9]")


def strip_comment(raw):
    """The line without its comment: ``#`` starts one unless it is a directive (#include) or a
    UID (``#1000``) at the start of a token."""
    text = raw.strip()
    if _DIRECTIVE.match(text):
        return text
    out = []
    for pos, char in enumerate(text):
        if char == "#" and (pos == 0 or text[pos - 1] in " \t,(=:!") and not _UID_TOKEN.match(text[pos:]):
            break
        out.append(char)
    return "".join(out).strip()


def line_problem(text, continued_at_eof):
    if continued_at_eof:
        return "a '\\' continuation at the end of the file"
    if _DIRECTIVE.match(text):
        return None
    if text.count('"') % 2:
        return "an unbalanced quote"
    if text.startswith("Defaults"):
        return None
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth:
        return "unbalanced parentheses"
    if "=" not in text:
        return "an alias without '='" if _ALIAS.match(text) else "a user specification without '='"
    if text.rstrip().endswith((",", ":", "=")):
        return "a specification that ends in %r" % text.rstrip()[-1]
    return None


def dropin_included(name):
    """sudo's #includedir skips names ending in ~ or containing a dot."""
    return not name.endswith("~") and "." not in name


@CHECKS.check("HG-AUTH-026", "high", "sudoers files hold no line sudo cannot parse",
              reads="/etc/sudoers, /etc/sudoers.d (the files sudo includes)",
              remediation="Edit with visudo (it refuses to save a file sudo cannot parse); check with visudo -c",
              cis="5.3")
def sudoers_line_findings(check, root, files):
    """``files``: [(path, stat)] of the sudoers file and its drop-ins (sudoers.sudoers_files)."""
    if not files:
        return [check.skip("sudoers", "no sudoers file (sudo is not configured)")]
    problems, unreadable = [], []
    for path, _st in files:
        try:
            lines = read_text_lines(root, path, whole=True)   # sudo parses it whole
        except safe_read.SafeReadError as exc:
            unreadable.append("%s: %s" % (path, exc.message))
            continue
        for number, text, at_eof in join_continued(lines, strip_comment):
            why = line_problem(text, at_eof)
            if why:
                problems.append("%s:%d: %s" % (path, number, why))
    ev = {"files": [p for p, _st in files], "problems": problems[:MAX_PROBLEMS],
          "unreadable": unreadable[:MAX_PROBLEMS]}
    if problems or unreadable:
        return [check.fail("sudoers", ev, "sudo cannot parse: %s" % "; ".join((problems + unreadable)[:3]))]
    return [check.passed("sudoers", ev, "%d sudoers file(s), no unparsable line" % len(files))]
