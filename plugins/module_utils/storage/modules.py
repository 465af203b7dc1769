# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis USB-1000 / STRG-1846: usb-storage and FireWire drivers disabled or blacklisted."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.modprobe import loaded_modules, module_state
from ansible_collections.hostguard.hardening.plugins.module_utils.storage.spec import CHECKS

USB_STORAGE_MODULES = ("usb_storage",)
# Lynis STRG-1846 accepts ohci1394, firewire-ohci/firewire_ohci, firewire-core; we also
# accept firewire_sbp2 (the FireWire storage protocol driver itself).
FIREWIRE_MODULES = ("ohci1394", "firewire_ohci", "firewire_core", "firewire_sbp2")


@CHECKS.check("HG-STRG-001", "low", "usb-storage kernel module disabled or blacklisted", lynis="USB-1000", attack="T1052.001",
              reads="/etc/modprobe.d, /run/modprobe.d, /usr/local/lib/modprobe.d, /lib/modprobe.d, "
                    "/usr/lib/modprobe.d (*.conf), /etc/modprobe.conf",
              remediation="Add 'install usb-storage /bin/false' and 'blacklist usb-storage' to "
                          "/etc/modprobe.d/hostguard.conf, then update-initramfs -u")
@CHECKS.check("HG-STRG-002", "low", "FireWire modules disabled or blacklisted", lynis="STRG-1846", attack="T1200",
              reads="/etc/modprobe.d and the other modprobe.d directories (*.conf), /etc/modprobe.conf",
              remediation="Add 'install firewire-core /bin/false' and 'blacklist firewire-core' to "
                          "/etc/modprobe.d/hostguard.conf")
def storage_findings(usb_storage, firewire, options):
    root = options.get("root", "/")
    state = module_state(root)
    loaded = loaded_modules(root)
    out = []
    for check, subject, modules in ((usb_storage, "usb-storage", USB_STORAGE_MODULES),
                                    (firewire, "firewire", FIREWIRE_MODULES)):
        hits = {}
        for mod in modules:
            if mod in state["disabled"]:
                path, command = state["disabled"][mod]
                hits[mod] = "install %s (%s)" % (command, path)
            elif mod in state["blacklisted"]:
                hits[mod] = "blacklist (%s)" % state["blacklisted"][mod]
        ev = {"disabled_by": hits, "files_read": len(state["files"])}
        if state["problems"]:
            ev["problems"] = state["problems"]
        if loaded is not None:
            ev["loaded_now"] = sorted(m for m in modules if m in loaded)
        if hits:
            out.append(check.passed(subject, evidence=ev))
        else:
            out.append(check.fail(subject, evidence=ev,
                                  detail="none of %s is blacklisted or disabled" % ", ".join(modules)))
    return out
