# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options (AnsibleModule argument_spec format, plain data, no `root`) and the legacy checks of area `cron`.

Checks added later are defined next to the code that evaluates them (daemon_checks.py)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import Check, CheckSet
from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import scan_options

AREA = "cron"

OPTIONS = dict(
    scan_options(max_entries=1000),
    max_depth=dict(type="int", default=4),
    extra_paths=dict(type="list", elements="path", default=[]),
    # Daemon builds to give verdicts for besides the installed ones (detected from the root);
    # "all" for every known build. See docs/cron.md.
    daemons=dict(type="list", elements="str", default=[],
                 choices=["all", "debian_cron", "cronie_debian", "cronie_rhel", "busybox_crond"]),
)

ATTACK_CRON = "T1053.003"            # MITRE ATT&CK: Scheduled Task/Job: Cron
ATTACK_RC = "T1037.004"              # MITRE ATT&CK: Boot or Logon Initialization Scripts: RC Scripts

_REFS_CRON = {"attack": ATTACK_CRON + ", " + ATTACK_RC, "lynis": "SCHD-7704"}

CHECKS = CheckSet.of("cron", "HG-CRON", (
    Check("HG-CRON-001", "Redis RDB dump in a cron or boot directory", "critical", AREA,
          "first bytes of each file (magic REDIS00 at offset 0)",
          "Quarantine the file (do not delete: keep it for forensics), then secure the Redis "
          "that wrote it (bind, protected-mode, requirepass/ACL, rename CONFIG)",
          {"attack": ATTACK_CRON, "lynis": "SCHD-7704"}, role="cron_hygiene"),
    Check("HG-CRON-002", "Binary or non-text content in a cron or boot file", "high", AREA,
          "first 8 KiB of each file",
          "Inspect and quarantine: cron tables and boot scripts are text",
          dict(_REFS_CRON), role="cron_hygiene"),
    Check("HG-CRON-003", "Spool file whose name is no user (foreign file, never runs)", "high", AREA,
          "spool directory names vs <root>/etc/passwd",
          "Cron never runs it (ORPHAN) but something wrote it there: find the writer "
          "(often an exposed Redis) and quarantine the file",
          {"attack": ATTACK_CRON}, role="cron_hygiene"),
    Check("HG-CRON-004", "Unexpected file that runs at boot from rc.d/init.d", "high", AREA,
          "names and heads of boot scripts",
          "rc.d/init.d run any name: verify the file belongs to a package "
          "(dpkg -S / rpm -qf) and quarantine it if not",
          {"attack": ATTACK_RC}, role="cron_hygiene"),
    Check("HG-CRON-005", "Oversized cron or boot file (or over-long line)", "medium", AREA,
          "lstat size; line lengths in the scanned head",
          "Cron tables and scripts are small: inspect the file; the audit scanned only its head",
          {"attack": ATTACK_CRON}, role="cron_hygiene"),
    Check("HG-CRON-006", "Non-regular entry (FIFO, socket, device) in a cron or boot directory",
          "high", AREA, "lstat type",
          "Remove the special file after checking what created it; readers of this "
          "directory can block or read endless data",
          {"attack": ATTACK_CRON}, role="cron_hygiene"),
    Check("HG-CRON-007", "Symlink escaping the audited tree or into /dev, /proc, /sys", "high", AREA,
          "readlink (never followed outside root)",
          "Replace the link by the real file or remove it",
          {"attack": ATTACK_CRON}, role="cron_hygiene"),
    Check("HG-CRON-008", "Broken symlink or symlink loop in a cron or boot directory", "low", AREA,
          "readlink chain inside root",
          "Remove the dangling link",
          {}, role="cron_hygiene"),
    Check("HG-CRON-009", "Cron entry rejected by an installed cron family (mode, owner, name)",
          "medium", AREA, "lstat mode/owner/nlink and file names vs each daemon's rules",
          "Fix the name, owner or mode so that the job runs, or remove the dead file",
          {"lynis": "SCHD-7704"}, role="cron_hygiene"),
    Check("HG-CRON-010", "Malicious command line in a cron or boot file", "critical", AREA,
          "lines of each file head, matched against named attack patterns",
          "Treat the host as compromised: quarantine the file, find the persistence source, "
          "rotate credentials",
          {"attack": ATTACK_CRON + ", " + ATTACK_RC}, role="cron_hygiene"),
    Check("HG-CRON-011", "Cron or boot path writable by non-root (group/world-writable or non-root owner)",
          "high", AREA, "lstat mode/owner of files and directories",
          "chown root:root and chmod go-w (spool files: owner user, mode 0600)",
          {"lynis": "SCHD-7704", "attack": ATTACK_CRON}, role="cron_hygiene"),
    Check("HG-CRON-012", "Unreadable cron or boot path", "medium", AREA,
          "open/opendir errors",
          "Run the audit as root, or check why root cannot read it (FUSE, NFS root_squash)",
          {}, role=None),
    Check("HG-CRON-013", "Cron or boot directory with more entries than max_entries", "medium", AREA,
          "directory listing (bounded)",
          "A cron directory with thousands of entries is abnormal: inspect it; raise "
          "max_entries to audit it fully",
          {"attack": ATTACK_CRON}, role="cron_hygiene"),
))
