# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis HOME-9302 (the home directories of /etc/passwd, inventory) and HOME-9310 (shell history
files that are not regular files: a ``.bash_history -> /dev/null`` link hides what was typed).

Lynis 3.0.8 runs ``find /home -maxdepth 1 -name ".*history" ! -type f``: on Linux HOMEDIRS is
``/home``, so it only sees history files directly in /home, never in /home/<user> or /root.
hostguard looks in /home and in every home directory of /etc/passwd (docs/lynis-oracle.md)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import stat

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths
from ansible_collections.hostguard.hardening.plugins.module_utils.homedirs.spec import CHECKS

MAX_HOMES = 2000
MAX_NAMES = 4096


def passwd_homes(lines):
    """Sorted distinct home fields of /etc/passwd (Lynis: $6 of lines whose name has no #)."""
    homes = set()
    for line in lines:
        fields = line.split(":")
        if len(fields) >= 6 and "#" not in fields[0] and fields[5].startswith("/"):
            homes.add(fields[5])
    return sorted(homes)


def existing_dirs(root, homes):
    out = []
    for home in homes[:MAX_HOMES]:
        if "\x00" in home:
            continue
        res = paths.resolve(root, home)
        if res.ok and res.st is not None and stat.S_ISDIR(res.st.st_mode):
            out.append(home)
    return out


def odd_history_files(root, directory):
    """["<path> (<type>)"] of the .*history names directly in ``directory`` that are not regular."""
    try:
        names, _cut, _res = paths.list_dir(root, directory, MAX_NAMES)
    except (OSError, paths.PathRefused):
        return []
    out = []
    for name in names:
        if not (name.startswith(".") and name.endswith("history")):
            continue
        path = directory.rstrip("/") + "/" + name
        res = paths.resolve(root, path, follow=False)
        if res.st is None or stat.S_ISREG(res.st.st_mode):
            continue
        kind = "symlink" if stat.S_ISLNK(res.st.st_mode) else "directory" if stat.S_ISDIR(res.st.st_mode) else "special"
        out.append("%s (%s)" % (path, kind))
    return out


@CHECKS.info("HG-HOME-003", "home directories of /etc/passwd that exist (inventory)", "HOME-9302", "/etc/passwd, each home (stat)")
@CHECKS.check("HG-HOME-004", "medium", "shell history files are regular files (not links, FIFOs, directories)", lynis="HOME-9310", attack="T1070.003",
              reads="/home and each home directory of /etc/passwd (names .*history, lstat)",
              remediation="Replace the link by a regular file owned by the user (rm ~/.bash_history; touch it; chmod 600) "
                          "and find out who made it")
def history_findings(home_list, history, root, passwd_lines):
    homes = existing_dirs(root, passwd_homes(passwd_lines))
    out = [home_list.passed("home directories", {"count": len(homes), "homes": homes})]
    looked = sorted(set(["/home"] + homes) - {"/"})
    odd = [item for directory in looked for item in odd_history_files(root, directory)]
    ev = {"directories": len(looked), "not_regular": odd}
    if odd:
        out.append(history.fail("history files", ev, "history files that are not regular files: %s" % ", ".join(odd)))
    else:
        out.append(history.passed("history files", ev))
    return out
