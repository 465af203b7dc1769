# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HG-AUTH-025: every line of /etc/pam.d is one libpam can use (no Lynis test).

libpam (pam_handlers.c, _pam_parse_conf_file) reads ``type control module [args]`` per line,
``\\`` joining lines and ``#`` starting a comment. A line with an unknown type becomes a
must-fail handler for *every* type of that service, one with a bad control flag or no module a
must-fail handler of its type, and a module that cannot be loaded a faulty one: logins through
that stack fail. A ``-type`` line whose module is missing is skipped silently (by design).
/etc/pam.conf is not read when /etc/pam.d exists (libpam), so it is not checked here."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import stat

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import read_existing_files
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.pam import PAM_DIRS
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.spec import CHECKS

PAM_D = "/etc/pam.d"
MAX_FILES = 256
MAX_PROBLEMS = 20
TYPES = ("auth", "account", "password", "session")
CONTROLS = ("required", "requisite", "sufficient", "optional", "include", "substack")
# where Debian/Ubuntu/EL/SUSE install modules (besides Lynis's PAM_FILE_LOCATIONS)
MODULE_DIRS = PAM_DIRS + ("/usr/lib/x86_64-linux-gnu/security", "/usr/lib64/security",
                          "/lib/aarch64-linux-gnu/security", "/usr/lib/i386-linux-gnu/security")
_BRACKET = re.compile(r"^\[[^\]]*\]$")


def join_continued(lines, strip):
    """(first line number, text, continued at the end of the file) of the logical lines:
    ``strip`` drops a line's comment, a trailing ``\\`` joins the next line (libpam, sudo)."""
    out, buf, start = [], "", None
    for number, raw in enumerate(lines, 1):
        text = strip(raw)
        if start is None:
            start = number
        if text.endswith("\\"):
            buf += text[:-1] + " "
            continue
        buf += text
        if buf.strip():
            out.append((start, buf.strip(), False))
        buf, start = "", None
    if buf.strip():
        out.append((start, buf.strip(), True))
    return out


def logical_lines(lines):
    """(first line number, text) of a PAM file: ``#`` comments dropped, continuations joined."""
    return [(n, text) for n, text, _eof in join_continued(lines, lambda raw: raw.split("#", 1)[0].rstrip())]


def split_fields(text):
    """Tokens, a ``[...]`` control (which may hold blanks) kept as one."""
    fields = text.split()
    if len(fields) > 1 and fields[1].startswith("[") and not fields[1].endswith("]"):
        for end in range(2, len(fields)):
            if fields[end].endswith("]"):
                return [fields[0], " ".join(fields[1:end + 1])] + fields[end + 1:]
        return fields[:1] + [" ".join(fields[1:])]
    return fields


def line_problem(fields, module_exists, service_exists):
    """Why libpam cannot use this line, or None."""
    if fields[0].startswith("@include"):
        if len(fields) < 2:
            return "@include without a file name"
        return None if service_exists(fields[1]) else "@include %s: no such file in %s" % (fields[1], PAM_D)
    kind = fields[0].lstrip("-").lower()
    if kind not in TYPES:
        return "unknown module type %r: every stack of this service fails" % fields[0]
    if len(fields) < 2:
        return "no control flag: the %s stack fails" % kind
    control = fields[1]
    if control.lower() not in CONTROLS and not _BRACKET.match(control):
        return "bad control flag %r: the %s stack fails" % (control, kind)
    if len(fields) < 3:
        return "no module: the %s stack fails" % kind
    if control.lower() in ("include", "substack"):
        return None if service_exists(fields[2]) else "%s %s: no such file in %s" % (control, fields[2], PAM_D)
    if fields[0].startswith("-"):
        return None      # a missing module is skipped silently (pam.d(5))
    exists = module_exists(fields[2])
    if exists is False:
        return "module %s not found: the %s stack fails" % (fields[2], kind)
    return None


def _regular(root, path):
    res = paths.resolve(root, path)
    return res.ok and res.st is not None and stat.S_ISREG(res.st.st_mode)


def module_finder(root):
    """name -> True/False, or None when no module directory holds pam_unix.so (we do not know
    where modules live on this host and say nothing)."""
    dirs = [d for d in MODULE_DIRS if _regular(root, d + "/pam_unix.so")]

    def exists(name):
        if "/" in name:
            return _regular(root, name)
        if not dirs:
            return None
        return any(_regular(root, d + "/" + name) for d in dirs)
    return exists, dirs


@CHECKS.check("HG-AUTH-025", "high", "PAM configuration lines libpam can use (known type and control, module present)",
              reads="/etc/pam.d/*, the PAM module directories",
              remediation="Fix or remove the named lines (pam.d(5): type control module [arguments]); "
                          "install the missing module or prefix the type with '-' if it is optional",
              cis="5.3")
def pam_line_findings(check, root):
    try:
        names, cut, _res = paths.list_dir(root, PAM_D, MAX_FILES)   # a linked pam.d too, inside root (libpam follows it)
    except (OSError, ValueError, paths.PathRefused):
        return [check.skip(PAM_D, "no %s directory" % PAM_D)]
    module_exists, dirs = module_finder(root)
    present = set(names)

    def service_exists(name):
        return name in present or _regular(root, PAM_D + "/" + name)

    problems, unreadable, checked = [], [], 0
    # a refused file and one past the read cap (libpam reads it whole) are both "unreadable"
    for path, lines in read_existing_files(root, [PAM_D + "/" + name for name in names], unreadable):
        checked += 1
        for number, text in logical_lines(lines):
            why = line_problem(split_fields(text), module_exists, service_exists)
            if why:
                problems.append("%s:%d: %s" % (path, number, why))
    ev = {"files": checked, "module_dirs": dirs, "problems": problems[:MAX_PROBLEMS],
          "unreadable": unreadable[:MAX_PROBLEMS]}
    if cut:
        ev["cut"] = "more than %d files: only the first %d read" % (MAX_FILES, MAX_FILES)
    if problems or unreadable:
        return [check.fail(PAM_D, ev, "%d PAM line(s) libpam cannot use%s: %s" % (
            len(problems), " and %d unreadable file(s)" % len(unreadable) if unreadable else "",
            "; ".join((problems + unreadable)[:3])))]
    return [check.passed(PAM_D, ev, "%d PAM files, every line usable" % checked)]
