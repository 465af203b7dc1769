#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fstab_options
short_description: Add missing mount options to existing /etc/fstab entries, and optionally remount
description:
  - For each mount point of O(mounts) that has an entry in O(path), adds the options of that
    item the entry lacks (HG-FILE-010, Lynis FILE-6374); an opposite option (V(exec) for
    V(noexec), V(suid), V(dev)) is replaced where it stands. With O(swap), every swap line
    without an option containing V(sw) (and not just V(defaults)) gets V(sw) (HG-FILE-006,
    Lynis FILE-6336).
  - Only the option field of a matching line changes; comments, blank lines, spacing, order
    and the other entries stay byte for byte. Nothing to do leaves the file untouched.
  - The candidate is parsed back (every wanted option present, no line lost) and, when
    C(findmnt) exists, checked with C(findmnt --verify --tab-file); it is refused when findmnt
    counts more errors than in the current file. Then the old file is backed up next to it and
    the new one replaces it atomically with the same owner, mode and SELinux label.
  - Refusals are results, not failures (RV(refusals)) - O(path) is a symlink or unparsable, a
    wanted mount point is mounted without the options but has no entry (no line is ever
    invented), the candidate fails validation, a remount is denied.
  - With O(remount), a mount point that has an entry and whose running mount lacks some of the
    options is remounted with C(mount -o remount,<those options>).
version_added: "0.2.0"
author:
  - hostguard engineers (@hostguard)
options:
  path:
    description: The fstab file.
    type: path
    default: /etc/fstab
  mounts:
    description: The mount points and the options each must carry.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Mount point as fstab's second field spells it (after unescaping C(\040)).
        type: str
        required: true
      options:
        description: Options the entry must carry (for example V(nodev), V(nosuid), V(noexec)).
        type: list
        elements: str
        required: true
  swap:
    description: Give swap lines that HG-FILE-006 fails the option V(sw).
    type: bool
    default: true
  remount:
    description: Remount live mount points (that have an entry) lacking some of the options.
    type: bool
    default: false
  validate:
    description: Run C(findmnt --verify --tab-file) on the candidate when findmnt exists.
    type: bool
    default: true
  mount_table:
    description: The live mount table read to decide remounts and refusals.
    type: path
    default: /proc/self/mounts
attributes:
  check_mode:
    support: full
    description: Reports the changes, the diff and the remounts it would do; writes and remounts nothing.
  diff_mode:
    support: full
    description: The old and new fstab text.
notes:
  - Idempotent - a second run finds nothing to add and changes nothing.
  - Does not add an entry for a mount point that has none (C(/), C(/home), C(/dev/shm)...); that
    is a partitioning decision and is reported in RV(refusals) when the running mount fails the check.
"""

EXAMPLES = r"""
- name: nodev,nosuid,noexec on /tmp and /var/tmp, nodev,nosuid on /home; sw on swap lines
  hostguard.hardening.fstab_options:
    mounts:
      - {path: /tmp, options: [nodev, nosuid, noexec]}
      - {path: /var/tmp, options: [nodev, nosuid, noexec]}
      - {path: /home, options: [nodev, nosuid]}
  register: fstab

- name: Same, and apply the missing options to the running mounts
  hostguard.hardening.fstab_options:
    mounts:
      - {path: /dev/shm, options: [nodev, nosuid, noexec]}
    remount: true
"""

RETURN = r"""
changes:
  description: One item per changed line - line, device, mount_point, fstype, before, after, added.
  returned: always
  type: list
  elements: dict
absent:
  description: Mount points of O(mounts) without an entry in O(path).
  returned: always
  type: list
  elements: str
refusals:
  description: Why something was not done (empty when everything was done).
  returned: always
  type: list
  elements: str
backup_file:
  description: The copy of the old file (only when the file was replaced).
  returned: when changed and not in check mode
  type: str
remounted:
  description: Mount points remounted (in check mode - that would be), each with the options applied.
  returned: always
  type: list
  elements: dict
pending:
  description: Mount points whose running mount still lacks options (they apply at the next mount or boot).
  returned: always
  type: dict
findmnt:
  description: Errors findmnt --verify counted in the current file and the candidate (null without findmnt).
  returned: when a candidate was validated
  type: dict
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.hostguard.hardening.plugins.module_utils.remediation import fstab_edit


def _read(path):
    with open(path, "rb") as handle:
        return handle.read()


def _findmnt(module, findmnt, path):
    rc, out, err = module.run_command([findmnt, "--verify", "--tab-file", path])
    count = fstab_edit.findmnt_errors(to_text(out) + "\n" + to_text(err))
    if count is None:
        count = 0 if rc == 0 else 1
    return count, (to_text(out) + to_text(err)).strip()[-2000:]


def _write_candidate(path, text, check_mode):
    # next to the file for an atomic rename; in check mode in the temporary directory
    directory = None if check_mode else (os.path.dirname(path) or ".")
    fd, tmp = tempfile.mkstemp(prefix=".hostguard-fstab.", dir=directory)
    with os.fdopen(fd, "wb") as handle:
        handle.write(text.encode("utf-8", "surrogateescape"))
        handle.flush()
        os.fsync(handle.fileno())
    return tmp


def _live_lines(path):
    try:
        with open(path, "rb") as handle:
            return to_text(handle.read(), errors="surrogate_or_replace").splitlines()
    except (IOError, OSError):
        return []


def run(module):
    params = module.params
    path = params["path"]
    wanted = {}
    for item in params["mounts"]:
        wanted.setdefault(item["path"], [])
        wanted[item["path"]].extend(o for o in item["options"] if o not in wanted[item["path"]])
    result = {"changed": False, "changes": [], "absent": [], "refusals": [], "remounted": [], "pending": {}}

    if os.path.islink(path):
        result["refusals"].append("%s is a symlink; not rewritten (the target would be replaced by a file)" % path)
        return result
    try:
        data = _read(path) if os.path.exists(path) else None
        lines = fstab_edit.split_lines(data) if data is not None else []
        edits, changes, absent = fstab_edit.plan(lines, wanted, swap=params["swap"])
    except (IOError, OSError) as exc:
        result["refusals"].append("%s unreadable: %s" % (path, exc))
        return result
    except fstab_edit.FstabError as exc:
        result["refusals"].append("%s unparsable, not rewritten: %s" % (path, exc))
        return result
    result["changes"], result["absent"] = changes, absent

    live = fstab_edit.live_missing(_live_lines(params["mount_table"]), wanted)
    for point in absent:
        if point in live:
            result["refusals"].append(
                "%s is mounted without %s but has no %s entry; hostguard does not invent one"
                % (point, ",".join(live[point]), path))

    refused_points = set()
    if edits:
        old_text = "".join(lines)
        new_text = fstab_edit.apply(lines, edits)
        problems = fstab_edit.verify_candidate(new_text, wanted, swap=params["swap"])
        if len(fstab_edit.parse(new_text.splitlines(True))) != len(fstab_edit.parse(lines)):
            problems.append("the candidate has a different number of entries")
        findmnt = module.get_bin_path("findmnt") if params["validate"] else None
        tmp = None
        try:
            if not problems:
                tmp = _write_candidate(path, new_text, module.check_mode)
                if findmnt:
                    before = _findmnt(module, findmnt, path)[0]
                    after, output = _findmnt(module, findmnt, tmp)
                    result["findmnt"] = {"current": before, "candidate": after}
                    if after > before:
                        problems.append("findmnt --verify counts %d error(s) in the candidate, %d in %s: %s"
                                        % (after, before, path, output))
            if problems:
                result["refusals"].append("candidate %s refused: %s" % (path, "; ".join(problems)))
                refused_points = set(c["mount_point"] for c in result["changes"])
                result["changes"] = []
            else:
                result["changed"] = True
                result["diff"] = {"before": old_text, "after": new_text,
                                  "before_header": path, "after_header": path}
                if not module.check_mode:
                    result["backup_file"] = module.backup_local(path)
                    module.atomic_move(tmp, path)
                    tmp = None
        finally:
            if tmp and os.path.exists(tmp):
                os.unlink(tmp)

    # remount only what fstab now carries too (live and next boot agree)
    has_entry = set(wanted) - set(absent)
    for point, missing in sorted(live.items()):
        if point not in has_entry or point in refused_points:
            continue
        if not params["remount"]:
            result["pending"][point] = missing
            continue
        record = {"mount_point": point, "options": missing}
        if not module.check_mode:
            rc, out, err = module.run_command(["mount", "-o", "remount," + ",".join(missing), point])
            if rc != 0:
                result["refusals"].append("remount of %s with %s denied: %s"
                                          % (point, ",".join(missing), (to_text(err) or to_text(out)).strip()))
                result["pending"][point] = missing
                continue
        result["changed"] = True
        result["remounted"].append(record)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/fstab"),
            mounts=dict(type="list", elements="dict", default=[], options=dict(
                path=dict(type="str", required=True),
                options=dict(type="list", elements="str", required=True))),
            swap=dict(type="bool", default=True),
            remount=dict(type="bool", default=False),
            validate=dict(type="bool", default=True),
            mount_table=dict(type="path", default="/proc/self/mounts"),
        ),
        supports_check_mode=True,
    )
    module.exit_json(**run(module))


if __name__ == "__main__":
    main()
