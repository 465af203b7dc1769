# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""USB: USB device authorisation defaults and USBGuard (Lynis include/tests_usb USB-2000,
USB-3000; USB-1000, usb-storage, belongs to the storage area, HG-STRG-001)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    Host, run_evaluators)
from ansible_collections.hostguard.hardening.plugins.module_utils.usb.spec import CHECKS

DEVICES = "/sys/bus/usb/devices"


@CHECKS.check("HG-USB-001", "info", "USB buses authorise new devices by default (inventory)", lynis="USB-2000",
              reads=DEVICES + "/usb*/authorized_default", remediation="None needed (inventory); see USBGuard.")
def check_authorized(check, host):
    buses = {}
    for name in host.listdir(DEVICES):
        if name.startswith("usb"):
            value = (host.read("%s/%s/authorized_default" % (DEVICES, name), 16) or "").strip()
            buses[name] = value or None
    return check.passed(DEVICES, {"authorized_default": buses})


@CHECKS.info("HG-USB-002", "USBGuard installed and its policy (inventory)", "USB-3000", "usbguard-daemon, /etc/usbguard/usbguard-daemon.conf")
def check_usbguard(check, host):
    conf = {}
    for line in host.config_lines("/etc/usbguard/usbguard-daemon.conf"):
        key, _sep, value = line.partition("=")
        if key in ("RestoreControllerDeviceState", "PresentControllerPolicy", "PresentDevicePolicy",
                   "InsertedDevicePolicy", "ImplicitPolicyTarget"):
            conf[key] = value
    return check.passed("usbguard", {"installed": bool(host.which("usbguard-daemon", "usbguard")), "policy": conf})


def audit(params):
    return run_evaluators(CHECKS, Host(params["root"]))
