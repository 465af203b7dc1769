# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis FILE-6410: a locate binary without its database (``updatedb`` never ran). Lynis runs
the test only when ``locate`` is installed and knows mlocate/slocate/findutils databases;
plocate's database (Debian 12's default locate) is accepted here too (docs/lynis-oracle.md)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.file.spec import CHECKS

LOCATE_DBS = ("/var/lib/mlocate/mlocate.db", "/var/lib/locate/locatedb", "/var/lib/locatedb",
              "/var/lib/slocate/slocate.db", "/var/cache/locate/locatedb", "/var/db/locate.database",
              "/var/lib/plocate/plocate.db")


@CHECKS.check("HG-FILE-014", "low", "locate is installed but its database is missing", lynis="FILE-6410", reads=", ".join(LOCATE_DBS),
              remediation="Run updatedb (its timer/cron job creates the database daily)")
def locate_findings(check, host):
    binary = host.which("locate")
    if not binary:
        return [check.skip("locate", "no locate binary (Lynis skips FILE-6410 too)")]
    found = [db for db in LOCATE_DBS if host.is_file(db)]
    ev = {"binary": binary, "databases": found}
    if found:
        return [check.passed("locate", ev)]
    return [check.fail("locate", ev, "no locate database: run updatedb")]
