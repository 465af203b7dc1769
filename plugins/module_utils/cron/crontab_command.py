# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a crontab job's command runs, with its ``%`` signs read as each daemon build reads them.

Debian cron 3.0pl1 (do_command.c child_process) and cronie (src/do_command.c) cut the command at
its first ``%`` not after a backslash: the part before it is the command (``$SHELL -c``), the
rest is the job's stdin, every other unescaped ``%`` a newline (cronie also drops the backslash
of ``\\%`` in the command; Debian cron leaves it to the shell, which drops it too). busybox
crond (miscutils/crond.c) does no such thing: the whole line is ``sh -c``'s command. So
``true % /tmp/x`` runs nothing from /tmp for the first two (stdin data), ``true %; /tmp/x``
runs /tmp/x only for busybox, and ``sh %/tmp/x%`` runs /tmp/x for the first two (sh reads its
script from stdin). Linear in the line, stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.linematch import reads_stdin_script

PERCENT_BUILDS = ("debian_cron", "cronie_debian", "cronie_rhel")
MAX_STDIN_LINES = 64        # stdin lines of one job walked as commands


def split_percent(command):
    """(command, stdin) of a crontab command as Debian cron and cronie split it: at the first
    ``%`` not after a backslash; stdin with its other unescaped ``%`` turned into newlines, or
    None when there is no such ``%``."""
    escaped = False
    for pos, ch in enumerate(command):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "%":
            return command[:pos], _stdin(command[pos + 1:])
    return command, None


def _stdin(data):
    out = []
    escaped = False
    for ch in data:
        if escaped:
            escaped = False
            out.append(ch if ch == "%" else "\\" + ch)
        elif ch == "\\":
            escaped = True
        else:
            out.append("\n" if ch == "%" else ch)
    if escaped:
        out.append("\\")
    return "".join(out)


def subjects(command, builds):
    """The command lines a crontab job runs for the judged ``builds``, for the command-position
    patterns: the part before the first ``%`` for Debian cron and cronie, and its stdin lines when
    that command is an interpreter reading its script from stdin; the whole command for busybox
    crond (or when no build cuts at ``%``)."""
    if "%" not in command:
        return [command]
    before, stdin = split_percent(command)
    cutting = any(b in PERCENT_BUILDS for b in builds)
    out = [before] if cutting else []
    if cutting and stdin is not None and reads_stdin_script(before):
        out.extend(line for line in stdin.split("\n", MAX_STDIN_LINES)[:MAX_STDIN_LINES] if line.strip())
    if not cutting or "busybox_crond" in builds:
        out.append(command)
    return out
