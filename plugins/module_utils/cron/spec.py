# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options (AnsibleModule argument_spec format, plain data, no `root`) and the check set of area `cron`.

Each check is defined next to the code that evaluates it (audit.py, daemon_checks.py)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import CheckSet
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

# The checks are declared where they are evaluated: the walk's in audit.py (above the method
# that emits them), the per-file verdicts in audit.py's judges, the daemon builds' in daemon_checks.py.
CHECKS = CheckSet("cron", "HG-CRON")
