# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sshd configuration as a whole: does sshd accept it, and was all of it read."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import is_live
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.spec import CHECKS


@CHECKS.check("HG-SSH-022", "high", "sshd accepts its own configuration (sshd -T)",
              reads="sshd -T (root=/, as root); offline: Include cycles and depth sshd refuses",
              remediation="Run sshd -t, fix the reported line (unknown keyword, bad value, missing host "
                          "key, Include loop); sshd will not start (or restart) with this configuration", role="ssh_hardening", weight=3)
def check_sshd_accepts(check, eff, root):
    """HG-SSH-022 from the ``sshd -T`` attempt (live) or the Include tree (offline)."""
    refusing = [c for c in eff.get("cut") or [] if "sshd refuses" in c]
    test = eff.get("sshd_test")
    if test is not None and test.get("rc") == 0:
        return check.passed("sshd_config", evidence={"command": test["command"]})
    if test is not None and not test.get("error"):
        if hasattr(os, "geteuid") and os.geteuid() != 0:
            return check.skip("sshd_config", "sshd -T failed, but not as root (host keys are "
                              "readable by root only)", evidence=test)
        return check.fail("sshd_config", evidence=test,
                          detail="sshd rejects its configuration: %s"
                          % ((test.get("stderr_tail") or ["rc=%s" % test.get("rc")])[-1]))
    if refusing:
        return check.fail("sshd_config", evidence={"problems": refusing},
                          detail=refusing[0])
    if test is not None:
        return check.error("sshd_config", "sshd -T did not finish: %s" % test.get("error"),
                           evidence=test)
    if not is_live(root):
        return check.skip("sshd_config", "sshd -T runs only on the live system (root=/); "
                          "no Include loop or depth sshd refuses was found")
    return check.skip("sshd_config", "no sshd binary, or use_sshd_t is off")


def config_not_found(check, subject, eff, evidence=None):
    """The finding of a check that has no sshd configuration to grade: a skip when there is
    none under root, an error when the main file is there but was not read (a FIFO, a
    directory, a device, a link loop or out of root): that must not read as "not found"."""
    if eff.get("unreadable"):
        return check.error(subject, "sshd configuration not read: %s" % eff["unreadable"], evidence=evidence)
    return check.skip(subject, "sshd configuration not found under root", evidence=evidence)


@CHECKS.check("HG-SSH-023", "medium",
              "sshd configuration read completely (no Include cut by cycle, repetition, "
              "depth or byte budget)", reads="/etc/ssh/sshd_config and its Includes under root",
              remediation="Remove the Include loop or the oversized/duplicated drop-ins; the values "
                          "graded for the cut part are unknown", weight=1)
def check_tree_read(check, eff):
    """HG-SSH-023: only when the files were parsed (sshd -T reads the tree itself)."""
    if eff.get("source") != "files":
        return check.skip("sshd_config", "values came from sshd -T, which reads the files itself")
    if not eff.get("found"):
        return config_not_found(check, "sshd_config", eff)
    cut = eff.get("cut") or []
    not_read = eff.get("not_read") or []
    ev = {"files": len(eff.get("files") or []), "cut": cut, "not_read": not_read}
    if cut:
        detail = "; ".join(cut[:3]) + ("; and %d more cut(s)" % (len(cut) - 3) if len(cut) > 3 else "")
        if not_read:
            detail += "; not read or not fully: %s" % ", ".join(not_read[:8]) + (
                " and %d more" % (len(not_read) - 8) if len(not_read) > 8 else "")
        return check.fail("sshd_config", evidence=ev, detail=detail)
    return check.passed("sshd_config", evidence=ev)
