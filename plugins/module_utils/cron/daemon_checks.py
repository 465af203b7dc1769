# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Findings from the per-daemon-build verdicts (issue 11) and the walk limits (issue 17)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.cron.spec import CHECKS

ATTACK_CRON = "T1053.003"
# Refusals a crontab's owner would want to know about (the file seems meant to run).
DROPPED_CODES = ("SYNTAX_ERROR", "NO_FINAL_NEWLINE", "GARBAGE", "TOO_LONG", "TOO_MANY_ENVS",
                 "TOO_MANY_ENTRIES", "ACCOUNT_REFUSED", "INSECURE_MODE", "BAD_FILE_MODE",
                 "WRONG_FILE_OWNER", "WRONG_SYMLINK_OWNER", "HARD_LINKS", "CANT_OPEN", "NOT_ROOT_OWNED",
                 "BLOCKS_DAEMON")


def runners(verdicts):
    return sorted(name for name, v in verdicts.items() if v.get("would_run"))


def never_ran(verdicts):
    """'never ran, because …' sentence from the refusing builds."""
    parts = ["%s%s: %s" % (name, "" if v.get("installed") else " (not installed)", v["reason"])
             for name, v in sorted(verdicts.items())]
    return "never ran, because " + "; ".join(parts)


def annotate_rdb_and_foreign(findings, per_path):
    """HG-CRON-001 and HG-CRON-003 say which daemon build runs the file, or why none does."""
    for finding in findings:
        if finding.get("status") != "fail" or finding["id"] not in ("HG-CRON-001", "HG-CRON-003"):
            continue
        verdicts = per_path.get(finding["subject"])
        if not verdicts:
            continue
        ran = runners(verdicts)
        installed_ran = [n for n in ran if verdicts[n].get("installed")]
        finding["evidence"]["daemons"] = dict(
            (n, {"would_run": v["would_run"], "code": v["code"], "installed": v.get("installed"),
                 "jobs": len(v.get("jobs") or [])}) for n, v in verdicts.items())
        finding["evidence"]["run_by"] = ran
        if finding["id"] == "HG-CRON-001":
            if installed_ran:
                finding["severity"] = "critical"
                jobs = verdicts[installed_ran[0]]["jobs"]
                finding["detail"] = ("RUNS: %s loads this dump and runs %d embedded job(s) (first: line %d as %s)"
                                     % (", ".join(installed_ran), len(jobs), jobs[0]["line"], jobs[0]["user"]))
            elif ran:
                installed = dict((n, v) for n, v in verdicts.items() if v.get("installed"))
                finding["detail"] = "would run under %s (not installed here); %s" % (
                    ", ".join(ran), never_ran(installed or verdicts))
            else:
                # Still critical: something (an exposed Redis) wrote a dump into a cron directory.
                finding["detail"] = "a foreign file that " + never_ran(verdicts)
        elif not ran:
            finding["detail"] = never_ran(verdicts)


@CHECKS.check("HG-CRON-014", "medium", "Crontab an installed cron daemon refuses or drops (whole file or its jobs)", lynis="SCHD-7704",
              attack=ATTACK_CRON,
              reads="per daemon build: file rules, content rules (whole-file vs per-line), PAM account expiry "
                    "from <root>/etc/shadow ageing fields, home directories",
              remediation="Fix what the daemon names (mode, owner, the bad line, the final newline, the "
                          "account) so that the jobs run, or remove the dead file", role="cron_hygiene")
def check_daemon_verdicts(check, per_path):
    out = []
    for path in sorted(per_path):
        for name, v in sorted(per_path[path].items()):
            if not v.get("installed") or v.get("would_run"):
                continue
            if v["code"] in DROPPED_CODES:
                out.append(check.fail(path, {"daemon": name, "code": v["code"], "reason": v["reason"],
                                             "log": v.get("log"), "dropped": v.get("dropped")[:5]},
                                      "%s: %s" % (name, v["reason"])))
    return out


@CHECKS.check("HG-CRON-015", "high", "Hard link (link count > 1) in a cron location", attack=ATTACK_CRON,
              reads="lstat link count of every cron entry",
              remediation="A crontab has one name: find the other names of the inode (find / -samefile) and "
                          "replace the entry by a copy or remove it; a link to /etc/shadow or another "
                          "system file is an attack", role="cron_hygiene")
def check_hard_links(check, files):
    out = []
    for rec in files:
        if rec.get("type") == "file" and (rec.get("nlink") or 1) > 1:
            out.append(check.fail(rec["path"], {"nlink": rec["nlink"], "owner": rec.get("owner"),
                                                "mode": rec.get("mode")},
                                  "this file has %d names; its content hash is withheld" % rec["nlink"]))
    return out


@CHECKS.check("HG-CRON-016", "medium", "Boot directory tree deeper than max_depth (not fully walked)", attack="T1037.004",
              reads="directory tree of /etc/rc.d, /etc/init.d",
              remediation="Boot script trees are shallow: inspect the deep directories; raise max_depth to "
                          "audit them", role="cron_hygiene")
def check_walk_cut(check, cut, max_depth):
    if not cut:
        return []
    return [check.fail(path, {"max_depth": max_depth}, "not entered: deeper than max_depth=%d; "
                       "files below it were not audited" % max_depth) for path in cut[:50]]
