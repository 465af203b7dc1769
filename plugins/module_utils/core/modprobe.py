# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""modprobe.d(5) under root: which files count, what they blacklist or disable; loaded modules.
Shared by the storage (USB-1000, STRG-1846) and file (FILE-6430) areas."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import is_live
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import list_dir, read_existing_files, read_text_lines

# modprobe.d(5): files *.conf in these directories; a file in an earlier directory hides a
# file of the same name in a later one (/etc first).
MODPROBE_DIRS = ("/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
                 "/lib/modprobe.d", "/usr/lib/modprobe.d")
USB_STORAGE_MODULES = ("usb_storage",)
# Lynis STRG-1846 accepts ohci1394, firewire-ohci/firewire_ohci, firewire-core; we also
# accept firewire_sbp2 (the FireWire storage protocol driver itself).
FIREWIRE_MODULES = ("ohci1394", "firewire_ohci", "firewire_core", "firewire_sbp2")
_DISABLING_COMMANDS = ("true", "false")


def modprobe_files(root):
    chosen = {}
    for directory in MODPROBE_DIRS:
        if directory == "/lib/modprobe.d" and os.path.realpath(safe_read.join_root(root, "/lib")) == \
                os.path.realpath(safe_read.join_root(root, "/usr/lib")):
            continue  # merged /usr: the same directory twice
        for name in list_dir(root, directory):
            if name.endswith(".conf") and name not in chosen:
                chosen[name] = directory + "/" + name
    files = [chosen[name] for name in sorted(chosen)]
    files.append("/etc/modprobe.conf")
    return files


def norm_module(name):
    return name.replace("-", "_")


def parse_modprobe(lines):
    """(blacklisted modules, {module: its install command} for install commands that are
    true/false) of one file; the first install line of a module wins, as in libkmod."""
    blacklisted, disabled = set(), {}
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = stripped.split()
        if fields[0] == "blacklist" and len(fields) >= 2:
            blacklisted.add(norm_module(fields[1]))
        elif fields[0] == "install" and len(fields) >= 3:
            command = os.path.basename(fields[2])
            if command in _DISABLING_COMMANDS and (len(fields) == 3 or fields[3].startswith("#")):
                disabled.setdefault(norm_module(fields[1]), fields[2])
    return blacklisted, disabled


def module_state(root):
    blacklisted, disabled, read, problems = {}, {}, [], []
    for path, lines in read_existing_files(root, modprobe_files(root), problems):
        read.append(path)
        bl, dis = parse_modprobe(lines)
        for mod in bl:
            blacklisted.setdefault(mod, path)
        for mod, command in dis.items():
            disabled.setdefault(mod, (path, command))
    return {"blacklisted": blacklisted, "disabled": disabled, "files": read, "problems": problems}


def loaded_modules(root):
    if not is_live(root):
        return None
    try:
        lines = read_text_lines("/", "/proc/modules", 1024 * 1024)
    except safe_read.SafeReadError:
        return None
    return set(line.split()[0] for line in lines if line.strip())
