# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis FILE-6430: kernel support for rarely needed file systems (cramfs freevxfs hfs hfsplus
jffs2 squashfs udf) loaded.

Lynis flags a file system whose module ``modprobe -n -v`` would insert and whose name starts a
line of ``lsmod``; ``modprobe -n`` prints nothing for a module already loaded, so Lynis only
flags through that prefix match (hfsplus loaded and hfs not). hostguard fails when one of them
is loaded (/proc/modules, exact name) and says whether modprobe.d disables it for the next boot
(docs/lynis-oracle.md). A kernel without loadable modules (no /proc/modules) passes.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.file.spec import CHECKS
from ansible_collections.hostguard.hardening.plugins.module_utils.core.modprobe import (
    loaded_modules, module_state)

RARE_FILESYSTEMS = ("cramfs", "freevxfs", "hfs", "hfsplus", "jffs2", "squashfs", "udf")


@CHECKS.check("HG-FILE-012", "low", "kernel modules of rarely needed file systems loaded", lynis="FILE-6430", cis="1.1.1",
              reads="/proc/modules, modprobe.d(5) files",
              remediation="Unload them and add 'install <fs> /bin/true' to /etc/modprobe.d/ (when the host needs none of them)",
              role="baseline_hardening")
def unused_fs_findings(check, root):
    loaded = loaded_modules(root)
    if loaded is None:
        return [check.passed("kernel modules", {"loaded": [], "modules_file": False},
                             "no /proc/modules: the kernel has no loadable modules (or root is not live)")]
    state = module_state(root)
    found = [fs for fs in RARE_FILESYSTEMS if fs in loaded]
    disabled = sorted(fs for fs in RARE_FILESYSTEMS if fs in state["disabled"] or fs in state["blacklisted"])
    ev = {"loaded": found, "disabled_in_modprobe_d": disabled}
    if found:
        return [check.fail("kernel modules", ev, "loaded: %s" % ", ".join(found))]
    return [check.passed("kernel modules", ev)]
