# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HG-FILE-017: every /etc/fstab line is one libmount can parse (no Lynis test).

libmount (and so mount -a, systemd-fstab-generator, findmnt --verify) needs at least the
source, the mount point and the file system type; a line with fewer fields is a "parse error
... ignored": the file system it was meant for is not mounted, and no error stops the boot."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.file.collect import read_fstab_lines
from ansible_collections.hostguard.hardening.plugins.module_utils.file.spec import CHECKS

MAX_PROBLEMS = 20


def unparsable_lines(lines):
    """[(line number, text)] of the lines libmount ignores as parse errors."""
    out = []
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and len(stripped.split()) < 3:
            out.append((number, stripped))
    return out


@CHECKS.check("HG-FILE-017", "medium", "/etc/fstab lines libmount can parse", reads="/etc/fstab",
              remediation="Complete or remove the named lines (fstab(5): source, mount point, type, options); "
                          "check with findmnt --verify")
def fstab_line_findings(check, root):
    lines = read_fstab_lines(root)
    if lines is None:
        return [check.skip("/etc/fstab", "no readable /etc/fstab")]
    bad = unparsable_lines(lines)
    ev = {"lines": len(lines), "unparsable": ["line %d: %s" % (n, t[:200]) for n, t in bad[:MAX_PROBLEMS]]}
    if bad:
        why = "%d line(s) libmount ignores as parse errors (fewer than 3 fields): line %s" % (
            len(bad), ", ".join(str(n) for n, _t in bad[:5]))
        return [check.fail("/etc/fstab", ev, why)]
    return [check.passed("/etc/fstab", ev)]
