# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""USB: USB device authorisation defaults and USBGuard (Lynis include/tests_usb USB-2000,
USB-3000; USB-1000, usb-storage, belongs to the storage area, HG-STRG-001)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    Evaluators, Host, run_evaluators)
from ansible_collections.hostguard.hardening.plugins.module_utils.usb.spec import CHECKS

EVALUATORS = Evaluators()
DEVICES = "/sys/bus/usb/devices"

AUTHORIZED = CHECKS.define("HG-USB-001", "USB buses authorise new devices by default (inventory)", "info",
                           reads=DEVICES + "/usb*/authorized_default", remediation="None needed (inventory); see USBGuard.",
                           references={"lynis": "USB-2000"})


@EVALUATORS(AUTHORIZED)
def check_authorized(host):
    buses = {}
    for name in host.listdir(DEVICES):
        if name.startswith("usb"):
            value = (host.read("%s/%s/authorized_default" % (DEVICES, name), 16) or "").strip()
            buses[name] = value or None
    return AUTHORIZED.passed(DEVICES, {"authorized_default": buses})


USBGUARD = CHECKS.define("HG-USB-002", "USBGuard installed and its policy (inventory)", "info",
                         reads="usbguard-daemon, /etc/usbguard/usbguard-daemon.conf",
                         remediation="None needed (inventory).", references={"lynis": "USB-3000"})


@EVALUATORS(USBGUARD)
def check_usbguard(host):
    conf = {}
    for line in host.config_lines("/etc/usbguard/usbguard-daemon.conf"):
        key, _sep, value = line.partition("=")
        if key in ("RestoreControllerDeviceState", "PresentControllerPolicy", "PresentDevicePolicy",
                   "InsertedDevicePolicy", "ImplicitPolicyTarget"):
            conf[key] = value
    return USBGUARD.passed("usbguard", {"installed": bool(host.which("usbguard-daemon", "usbguard")), "policy": conf})


def audit(params):
    return run_evaluators(EVALUATORS, Host(params["root"]))
