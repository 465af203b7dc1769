# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sshd effective configuration (I/O: files under root, sshd -T).

Two sources for the effective configuration, in this order:

1. ``sshd -T`` (only when auditing the running system, ``root == "/"``, and an sshd binary
   exists). It prints every keyword sshd knows with its effective global value, defaults
   included. It needs readable host keys and can fail (no keys, bad config): then we fall
   back, and say so in the evidence.
2. Parsing ``sshd_config`` under ``root`` the way sshd does, as documented in sshd_config(5):
   - "Unless noted otherwise, for each keyword, the first obtained value will be used."
     (``Port`` and a few others accumulate.)
   - "Include: ... each pathname may contain glob(7) wildcards that will be expanded and
     processed in lexical order. Files without absolute paths are assumed to be in /etc/ssh.
     An Include directive may appear inside a Match block to perform conditional inclusion."
   - "Match: ... the keywords on the following lines override those set in the global
     section of the config file, until either another Match line or the end of the file."
     Global values are what we grade, so lines inside a Match block are ignored (a Match
     opened in an included file ends with that file, as in OpenSSH's servconf.c).
   Keywords never set get OpenSSH's compiled-in default (``OPENSSH_DEFAULTS``), so both
   sources grade the same values.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import (
    DEFAULT_COMMAND_TIMEOUT, failure_reason, find_executable, is_live, run_command)
from ansible_collections.hostguard.hardening.plugins.module_utils.core.sshd_config import (
    parse_config_tree, value_is_certain)
from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import read_text_lines
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh import crypto_policy
from ansible_collections.hostguard.hardening.plugins.module_utils.ssh.parse_sshd import (
    OPENSSH_DEFAULTS, dpkg_package_version, normalize_value, parse_openssh_version, parse_sshd_t)

DEFAULT_SSHD_CONFIG = "/etc/ssh/sshd_config"


def effective_from_files(root, path="/etc/ssh/sshd_config"):
    """Effective global values (keyword -> list of normalized strings) from the files."""
    tree = parse_config_tree(root, path)
    values = {}
    origin = {}
    for keyword, default in OPENSSH_DEFAULTS.items():
        if keyword in tree["values"]:
            values[keyword] = [normalize_value(keyword, v) for v in tree["values"][keyword]]
            origin[keyword] = tree["origin"][keyword]
        else:
            values[keyword] = [default]
            origin[keyword] = "default"
    for keyword, vals in tree["values"].items():
        if keyword not in values:
            values[keyword] = [normalize_value(keyword, v) for v in vals]
            origin[keyword] = tree["origin"][keyword]
    uncertain = sorted(k for k in values if not value_is_certain(tree, k))
    return {"values": values, "origin": origin, "files": tree["files"],
            "problems": tree["problems"], "cut": tree.get("cut", []), "found": tree["found"],
            "unreadable": tree.get("unreadable"),
            "not_read": tree.get("not_read", []), "uncertain": uncertain}


def ssh_effective(options):
    """The effective sshd values and where they came from (sshd -T, else files)."""
    root = options.get("root", "/")
    config = options.get("sshd_config") or DEFAULT_SSHD_CONFIG
    attempts = []
    # EL8: sshd.service passes the crypto policy on the command line ($CRYPTO_POLICY)
    policy = crypto_policy.unit_policy(root)
    if is_live(root) and options.get("use_sshd_t", True):
        binary = find_executable(root, ["sshd"])
        if binary:
            argv = [binary, "-T"]
            if config != DEFAULT_SSHD_CONFIG:
                argv += ["-f", config]
            argv += crypto_policy.sshd_t_arguments(policy)
            res = run_command(argv, options.get("command_timeout") or DEFAULT_COMMAND_TIMEOUT)
            if res["rc"] == 0 and res["stdout"].strip():
                values = parse_sshd_t(res["stdout"])
                return {"source": "sshd -T", "values": values, "origin": {}, "files": [],
                        "problems": [], "cut": [], "found": True, "attempts": attempts,
                        "sshd_test": {"rc": 0, "command": " ".join(argv)}, "crypto_policy": policy}
            attempts.append("sshd -T failed (rc=%s): %s" % (res["rc"], failure_reason(res)))
            sshd_test = {"rc": res["rc"], "command": " ".join(argv), "error": res["error"],
                         "stderr_tail": res["stderr"].strip().splitlines()[-5:]}
        else:
            sshd_test = None
    else:
        sshd_test = None
    eff = crypto_policy.apply_to(effective_from_files(root, config), policy)
    eff["crypto_policy"] = policy
    eff["source"] = "files"
    eff["attempts"] = attempts
    eff["sshd_test"] = sshd_test
    return eff


DPKG_STATUS = "/var/lib/dpkg/status"
MAX_DPKG_STATUS = 16 * 1024 * 1024


def openssh_version(options):
    """((major, minor) or None, where it came from): ``sshd -V`` on the live system (sshd prints
    its version, on stdout or in its usage text), else openssh-server in dpkg's status file."""
    root = options.get("root", "/")
    if is_live(root):
        binary = find_executable(root, ["sshd"])
        if binary:
            res = run_command([binary, "-V"], options.get("command_timeout") or DEFAULT_COMMAND_TIMEOUT, 65536)
            for text in (res["stdout"], res["stderr"]):
                for line in text.splitlines():
                    if "OpenSSH_" in line:
                        version = parse_openssh_version(line)
                        if version:
                            return version, "%s -V" % binary
    try:
        lines = read_text_lines(root, DPKG_STATUS, MAX_DPKG_STATUS)
    except safe_read.SafeReadError:
        return None, None
    version = parse_openssh_version(dpkg_package_version(lines, "openssh-server"))
    return (version, DPKG_STATUS) if version else (None, None)
