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
    description: V(quarantined) moves the file away; V(restored) puts it back from O(batch_dir).
    type: str
    choices: [quarantined, restored]
    default: quarantined
  finding_ids:
    description: Finding IDs that caused the quarantine, recorded in the manifest.
    type: list
    elements: str
    default: []
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

- name: Put it back
  hostguard.hardening.quarantine:
    path: /var/spool/cron/dump.rdb
    batch_dir: /var/lib/hostguard/quarantine/20261122T221000Z
    state: restored
"""

RETURN = r"""
status:
  description: V(absent), V(quarantined), V(restored) or V(already_restored).
  returned: always
  type: str
entry:
  description: The manifest entry (original_path, quarantined_path, owner, group, uid, gid, mode, size, sha256, mtime, finding_ids, quarantined_at, restored_at).
  returned: when a file was (or would be) moved
  type: dict
manifest:
  description: Path of the batch manifest.
  returned: always
  type: str
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hostguard.hardening.plugins.module_utils.remediation.quarantine import (
    MANIFEST_NAME, QuarantineError, quarantine, restore_entry)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            batch_dir=dict(type="path", required=True),
            state=dict(type="str", choices=["quarantined", "restored"], default="quarantined"),
            finding_ids=dict(type="list", elements="str", default=[]),
            root=dict(type="path", default="/"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    try:
        if p["state"] == "quarantined":
            res = quarantine(p["path"], p["batch_dir"], p["finding_ids"], root=p["root"],
                             check_mode=module.check_mode)
        else:
            res = restore_entry(p["batch_dir"], p["path"], root=p["root"], check_mode=module.check_mode)
    except QuarantineError as exc:
        module.fail_json(msg="refused: %s" % exc, reason=exc.reason, path=p["path"])
    except (OSError, IOError) as exc:
        module.fail_json(msg="%s: %s" % (p["path"], exc), reason="io_error", path=p["path"])
    result = dict(changed=res["changed"], status=res["status"], msg=res["msg"],
                  manifest=os.path.join(p["batch_dir"], MANIFEST_NAME))
    if res["entry"] is not None:
        result["entry"] = res["entry"]
    if res["changed"] and module._diff:
        where = res["entry"]["quarantined_path"]
        if p["state"] == "quarantined":
            before = "%s: present (sha256 %s)\n" % (p["path"], res["entry"]["sha256"])
            after = "%s: absent (moved to %s)\n" % (p["path"], where)
        else:
            before = "%s: absent (quarantined at %s)\n" % (p["path"], where)
            after = "%s: present (sha256 %s, %s:%s %s)\n" % (
                p["path"], res["entry"]["sha256"], res["entry"]["owner"], res["entry"]["group"], res["entry"]["mode"])
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
