# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis STRG-1920 (a running NFS daemon), STRG-1926 (/etc/exports lines) and STRG-1928 (an
empty /etc/exports while NFS runs), as include/tests_storage_nfs of Lynis 3.0.8 reads them:

- STRG-1920: ``ps ax | grep nfsd``, a substring of any process line: the ``[nfsd]`` kernel
  threads, ``rpc.nfsd``, ``nfsdcld``. We look at every process's name and command line.
- STRG-1926 (only with NFS running): the non-blank, non-``#`` lines of /etc/exports (logged).
- STRG-1928 (only with NFS running): a suggestion when /etc/exports exists but exports nothing
  (no file at all: no suggestion).
STRG-1902..1906 (rpcinfo) and 1930 (showmount) need those tools and are not implemented."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core import procfs
from ansible_collections.hostguard.hardening.plugins.module_utils.storage.spec import CHECKS

EXPORTS = "/etc/exports"
MAX_LISTED = 50


def nfs_processes(root):
    """(pid, name) of the processes whose ``ps ax`` line would contain ``nfsd``."""
    pids, _cut = procfs.list_pids(root)
    out = []
    for pid in pids:
        name = procfs.comm(root, pid) or ""
        argv = procfs.cmdline(root, pid, max_bytes=1024, max_args=8) or []
        if "nfsd" in name or "nfsd" in " ".join(argv):
            out.append((pid, name))
    return out


@CHECKS.info("HG-STRG-003", "NFS daemon running (inventory)", "STRG-1920", "processes (ps ax | grep nfsd)")
@CHECKS.info("HG-STRG-004", "NFS exports (inventory)", "STRG-1926", EXPORTS)
@CHECKS.check("HG-STRG-005", "low", "NFS runs with an /etc/exports that exports nothing", lynis="STRG-1928",
              reads="processes, " + EXPORTS,
              remediation="Stop and disable nfs-server when nothing is exported, or export what it is for")
def nfs_findings(running_check, exports_check, empty_check, host):
    procs = nfs_processes(host.root)
    out = [running_check.passed("nfsd", {"running": bool(procs), "processes": ["%d %s" % p for p in procs[:10]]})]
    if not procs:
        why = "no NFS daemon running (Lynis skips the test too)"
        return out + [exports_check.skip(EXPORTS, why), empty_check.skip(EXPORTS, why)]
    lines = host.lines(EXPORTS)
    exported = [line for line in lines or [] if line and not line.startswith("#")]
    out.append(exports_check.passed(EXPORTS, {"exists": lines is not None, "lines": exported[:MAX_LISTED]}))
    if lines is not None and not exported:
        out.append(empty_check.fail(EXPORTS, {"exported": 0}, "NFS runs but %s exports nothing" % EXPORTS))
    else:
        out.append(empty_check.passed(EXPORTS, {"exists": lines is not None, "exported": len(exported)}))
    return out
