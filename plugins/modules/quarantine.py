#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: quarantine
short_description: Move a suspicious file into a quarantine directory, or restore it
description:
  - Moves one regular file into C(<batch_dir>/files/<original path>) and records original
    path, owner, group, mode, size, mtime, sha256 and finding IDs in C(<batch_dir>/manifest.json).
    Never deletes content; a cross-filesystem move is a copy, fsync and sha256 verification
    before the source is unlinked.
  - Symlinks, FIFOs, sockets, devices and directories are refused and never followed.
  - With O(state=restored) puts the file back byte-identical (sha256 verified) with its
    recorded owner, group, mode and mtime.
  - With O(state=lines_removed) (authorized_keys files) the file is kept and only lines are
    removed - keys whose fingerprint is in O(remove_fingerprints) and, with
    O(remove_unparsable), every line sshd cannot parse (a Redis dump's junk); the original is
    copied into the batch first (manifest C(method=lines_removed)), the new content replaces
    the file atomically with its owner, group and mode. O(state=restored) puts that backup back.
  - With O(runlevel_links) (OpenRC) and a path C(/etc/init.d/NAME) or C(/usr/local/etc/init.d/NAME),
    the C(/etc/runlevels/<level>/NAME) symlinks that enable it (C(rc-update add)) are moved into the
    same batch too, once NAME no longer resolves to any script (OpenRC resolves a runlevel entry by
    name, so a link left behind is a missing service at boot). Each is a manifest entry with
    C(type=symlink), C(link_target), C(runlevel) and C(enabled_script); O(state=restored) on the
    link's path puts it back. Entries named NAME that are not symlinks are reported, not moved.
  - SELinux - the file's label (C(security.selinux)) is recorded as C(selinux_context); the
    quarantined copy gets the quarantine directory's label (C(quarantine_context)), a restore puts
    the recorded label back, and a rewritten authorized_keys file keeps its label. Without SELinux
    nothing is recorded.
version_added: "0.1.0"
author:
  - hostguard engineers (@hostguard)
options:
  path:
    description: Absolute path of the file (as the target sees it).
    type: path
    required: true
  batch_dir:
    description: The quarantine batch directory, for example C(/var/lib/hostguard/quarantine/20261122T221000Z).
    type: path
    required: true
  state:
    description: >-
      V(quarantined) moves the file away; V(lines_removed) removes lines of an authorized_keys
      file (backup in the batch); V(restored) puts it back from O(batch_dir).
    type: str
    choices: [quarantined, restored, lines_removed]
    default: quarantined
  remove_fingerprints:
    description: With O(state=lines_removed), the C(SHA256:) fingerprints of the key lines to remove.
    type: list
    elements: str
    default: []
  remove_unparsable:
    description: With O(state=lines_removed), also remove every line sshd cannot parse.
    type: bool
    default: false
  protect:
    description: >-
      With O(state=lines_removed), the file is one sshd reads for the user Ansible is connected
      as: refuse (reason C(last_key)) when no valid key would be left in it nor in O(protect_key_files).
    type: bool
    default: false
  protect_key_files:
    description: The other authorized_keys files sshd reads for the connected user.
    type: list
    elements: path
    default: []
  finding_ids:
    description: Finding IDs that caused the quarantine, recorded in the manifest.
    type: list
    elements: str
    default: []
  runlevel_links:
    description: >-
      With O(state=quarantined), also quarantine the OpenRC runlevel symlinks of an init script
      (see the description). No effect on other paths or on a host without C(/etc/runlevels).
    type: bool
    default: false
  root:
    description: Treat this directory as C(/) (fixture trees in tests).
    type: path
    default: /
attributes:
  check_mode:
    support: full
    description: Reports what would move or be restored, and changes nothing.
  diff_mode:
    support: full
    description: Shows the path moved into or out of quarantine.
notes:
  - Idempotent - a path that no longer exists is reported unchanged (status V(absent)); a
    restore whose file is already back with the recorded sha256 is unchanged.
"""

EXAMPLES = r"""
- name: Quarantine a Redis dump planted in the cron spool
  hostguard.hardening.quarantine:
    path: /var/spool/cron/dump.rdb
    batch_dir: /var/lib/hostguard/quarantine/20261122T221000Z
    finding_ids: [HG-CRON-001]

- name: Remove a planted key (and a Redis dump's junk) from root's authorized_keys, keeping the file
  hostguard.hardening.quarantine:
    path: /root/.ssh/authorized_keys
    batch_dir: /var/lib/hostguard/quarantine/20261122T221000Z
    state: lines_removed
    remove_fingerprints: ["SHA256:Tq3Tz9mBu6fFQ0vK4c2Zr7bYl1xWnE8aP5sD3gH6jK0"]
    remove_unparsable: true
    protect: true
    protect_key_files: [/etc/ssh/authorized_keys/root]
    finding_ids: [HG-PERS-020]

- name: Put it back
  hostguard.hardening.quarantine:
    path: /var/spool/cron/dump.rdb
    batch_dir: /var/lib/hostguard/quarantine/20261122T221000Z
    state: restored
"""

RETURN = r"""
status:
  description: V(absent), V(quarantined), V(lines_removed), V(unchanged), V(restored) or V(already_restored).
  returned: always
  type: str
entry:
  description:
    - The manifest entry (original_path, quarantined_path, owner, group, uid, gid, mode, size, sha256, mtime,
      finding_ids, selinux_context, quarantine_context, quarantined_at, restored_at).
  returned: when a file was (or would be) moved
  type: dict
links:
  description:
    - With O(runlevel_links), the manifest entries of the runlevel symlinks (or would be) moved
      (original_path, quarantined_path, type, link_target, runlevel, enabled_script, owner, group, uid, gid,
      mtime, finding_ids, quarantined_at, method, restored_at).
  returned: when O(state=quarantined)
  type: list
  elements: dict
links_left:
  description: Entries named like the script in a runlevel directory that are not symlinks (not moved).
  returned: when O(state=quarantined)
  type: list
  elements: str
selinux_relabelled:
  description: After a restore, whether the recorded SELinux label was put back (null when there was none).
  returned: when O(state=restored) restored a moved file
  type: bool
manifest:
  description: Path of the batch manifest.
  returned: always
  type: str
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hostguard.hardening.plugins.module_utils.remediation.quarantine import (
    MANIFEST_NAME, QuarantineError, quarantine, quarantine_runlevel_links, read_manifest, restore_entry)
from ansible_collections.hostguard.hardening.plugins.module_utils.remediation.key_lines import (
    remove_key_lines, restore_key_file)
from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import join_root


def restore(p, check_mode):
    """Restore a moved file, or put back the backup of a lines_removed entry."""
    entries = [e for e in read_manifest(join_root(p["root"], p["batch_dir"]))["entries"]
               if e.get("original_path") == p["path"]]
    if entries and entries[-1].get("method") == "lines_removed":
        return restore_key_file(p["batch_dir"], entries[-1], root=p["root"], check_mode=check_mode)
    return restore_entry(p["batch_dir"], p["path"], root=p["root"], check_mode=check_mode)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            batch_dir=dict(type="path", required=True),
            state=dict(type="str", choices=["quarantined", "restored", "lines_removed"], default="quarantined"),
            finding_ids=dict(type="list", elements="str", default=[]),
            remove_fingerprints=dict(type="list", elements="str", default=[]),
            remove_unparsable=dict(type="bool", default=False),
            protect=dict(type="bool", default=False),
            protect_key_files=dict(type="list", elements="path", default=[], no_log=False),
            runlevel_links=dict(type="bool", default=False),
            root=dict(type="path", default="/"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    links = None
    try:
        if p["state"] == "quarantined":
            res = quarantine(p["path"], p["batch_dir"], p["finding_ids"], root=p["root"],
                             check_mode=module.check_mode)
            links = {"changed": False, "entries": [], "left": [], "msg": ""}
            if p["runlevel_links"]:
                links = quarantine_runlevel_links(p["path"], p["batch_dir"], p["finding_ids"], root=p["root"],
                                                  check_mode=module.check_mode)
        elif p["state"] == "lines_removed":
            res = remove_key_lines(p["path"], p["batch_dir"], p["remove_fingerprints"], p["remove_unparsable"],
                                   protect=p["protect"], protect_key_files=p["protect_key_files"],
                                   finding_ids=p["finding_ids"], root=p["root"], check_mode=module.check_mode)
        else:
            res = restore(p, module.check_mode)
    except QuarantineError as exc:
        module.fail_json(msg="refused: %s" % exc, reason=exc.reason, path=p["path"])
    except (OSError, IOError) as exc:
        module.fail_json(msg="%s: %s" % (p["path"], exc), reason="io_error", path=p["path"])
    result = dict(changed=res["changed"], status=res["status"], msg=res["msg"],
                  manifest=os.path.join(p["batch_dir"], MANIFEST_NAME))
    if links is not None:
        result.update(links=links["entries"], links_left=links["left"], changed=res["changed"] or links["changed"])
        if links["msg"]:
            result["msg"] += "; " + links["msg"]
    if res["entry"] is not None:
        result["entry"] = res["entry"]
    if "selinux_relabelled" in res:
        result["selinux_relabelled"] = res["selinux_relabelled"]
    if result["changed"] and module._diff:
        where = res["entry"]["quarantined_path"] if res["entry"] is not None else None
        if res["entry"] is None:
            before = after = ""
        elif res["entry"].get("type") == "symlink":
            before = "%s: absent (quarantined at %s)\n" % (p["path"], where)
            after = "%s: symlink -> %s\n" % (p["path"], res["entry"]["link_target"])
        elif p["state"] == "lines_removed":
            before = "%s: %d bytes (sha256 %s)\n" % (p["path"], res["entry"]["size"], res["entry"]["sha256"])
            after = "%s: lines %s removed (sha256 %s; backup %s)\n" % (
                p["path"], ",".join(str(r["line"]) for r in res["entry"]["removed"]), res["entry"]["sha256_after"], where)
        elif p["state"] == "quarantined":
            before = "%s: present (sha256 %s)\n" % (p["path"], res["entry"]["sha256"])
            after = "%s: absent (moved to %s)\n" % (p["path"], where)
        elif res["entry"].get("method") == "lines_removed":
            before = "%s: sha256 %s\n" % (p["path"], res["entry"]["sha256_after"])
            after = "%s: sha256 %s (backup put back)\n" % (p["path"], res["entry"]["sha256"])
        else:
            before = "%s: absent (quarantined at %s)\n" % (p["path"], where)
            after = "%s: present (sha256 %s, %s:%s %s)\n" % (
                p["path"], res["entry"]["sha256"], res["entry"]["owner"], res["entry"]["group"], res["entry"]["mode"])
        for link in (links or {}).get("entries", []):
            before += "%s: symlink -> %s (runlevel %s)\n" % (link["original_path"], link["link_target"], link["runlevel"])
            after += "%s: absent (moved to %s)\n" % (link["original_path"], link["quarantined_path"])
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
