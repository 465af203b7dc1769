# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""LOGG: syslog daemons, journald, kernel logger, log rotation, remote logging, deleted files
in use (Lynis include/tests_logging), plus journald persistent storage.

A check fails exactly when Lynis 3.0.8 writes a suggestion/warning for its test, unless
docs/lynis-oracle.md (section "logs") says why we differ.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core import procfs
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostfacts import (
    define_process_inventory, Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.logs.spec import CHECKS

ROLE = "baseline_hardening"
LOG_DIRS = ("/var/log", "/var/adm")
MAX_FDS_PER_PROCESS = 1024
SYSLOG_NAMES = ("syslogd", "rsyslogd", "syslog-ng", "metalog", "systemd-journald", "systemd-journal",
                "busybox-syslogd")


def _running(host, *names):
    return bool(host.running(*names))


@CHECKS.check("HG-LOGG-001", "medium", "no syslog daemon or journal is running", lynis="LOGG-2130", reads="/proc/*/comm",
              remediation="Run systemd-journald or rsyslog.")
def check_syslog_running(check, host):
    # Lynis: ps ax | egrep "syslogd|syslog-ng|metalog|systemd-journal" (a substring match)
    found = sorted(set(p["comm"] for p in host.processes()
                       if re.search(r"syslogd|syslog-ng|metalog|systemd-journal",
                                    " ".join(p["argv"]) or p["comm"])))
    return verdict(check, "syslog", not found, {"running": found})


SYSLOG_NG = define_process_inventory(CHECKS, "HG-LOGG-002", "syslog-ng running", "LOGG-2132",
                                     "syslog-ng", ("syslog-ng",))


@CHECKS.check("HG-LOGG-003", "medium", "syslog-ng configuration does not pass syslog-ng -s", lynis="LOGG-2134", reads="syslog-ng -s (live host only)",
              remediation="Fix /etc/syslog-ng/syslog-ng.conf until syslog-ng -s passes.")
def check_syslog_ng_config(check, host):
    binary = host.which("syslog-ng")
    if not binary or not _running(host, "syslog-ng"):
        return check.skip("syslog-ng", "syslog-ng is not installed and running (Lynis skips too)")
    if not host.live:
        return check.skip("syslog-ng", "syntax check needs the binary of the audited host (root is not /)")
    res = host.run([binary, "-s"])
    return verdict(check, "/etc/syslog-ng/syslog-ng.conf", res["rc"] != 0,
                   {"rc": res["rc"], "error": res["error"], "stderr": res["stderr"][-300:]})


JOURNALD = define_process_inventory(CHECKS, "HG-LOGG-004", "systemd-journald running", "LOGG-2136",
                                    "systemd-journald", ("systemd-journald", "systemd-journal"))


@CHECKS.check("HG-LOGG-005", "medium", "no kernel logger: neither klogd nor rsyslog/journald/metalog running", lynis="LOGG-2138",
              reads="/proc/*/comm", remediation="Run systemd-journald or rsyslog (imklog), or klogd.")
def check_klogd(check, host):
    covered = _running(host, "rsyslogd", "systemd-journald", "systemd-journal", "metalog")
    klogd = _running(host, "klogd")
    return verdict(check, "klogd", not covered and not klogd, {"kernel_log_reader": covered, "klogd": klogd})


@CHECKS.check("HG-LOGG-006", "medium", "minilogd is running", lynis="LOGG-2142", reads="/proc/*/comm",
              remediation="minilogd is a boot-time stub: stop it once the real syslog runs.")
def check_minilogd(check, host):
    return verdict(check, "minilogd", _running(host, "minilogd"), {})


@CHECKS.check("HG-LOGG-007", "low", "no log rotation configured (logrotate.conf / logrotate.d)", lynis="LOGG-2146",
              reads="/etc/logrotate.conf, /etc/logrotate.d", remediation="apt-get install logrotate.")
def check_logrotate(check, host):
    conf, ddir = host.is_file("/etc/logrotate.conf"), host.is_dir("/etc/logrotate.d")
    return verdict(check, "/etc/logrotate.conf", not (conf or ddir),
                   {"logrotate.conf": conf, "logrotate.d": ddir})


def logrotate_paths(host):
    """Log file paths named by logrotate.conf and logrotate.d/* (first words of stanza heads)."""
    files = ["/etc/logrotate.conf"] + host.glob_files("/etc/logrotate.d")
    out = []
    for path in files:
        for line in host.config_lines(path):
            if line.startswith("/") or line.startswith('"/'):
                for word in line.rstrip("{").split():
                    word = word.strip('"')
                    if word.startswith("/"):
                        out.append(word)
    return out[:512]


@CHECKS.info("HG-LOGG-008", "files named in the logrotate configuration (inventory)", "LOGG-2148", "/etc/logrotate.conf, /etc/logrotate.d/*")
def check_logrotated_files(check, host):
    paths = logrotate_paths(host)
    exists = [p for p in paths if "*" not in p and host.exists(p)]
    return check.passed("/etc/logrotate.d", {"count": len(paths), "existing": exists})


@CHECKS.info("HG-LOGG-009", "directories named in the logrotate configuration (inventory)", "LOGG-2150", "/etc/logrotate.conf, /etc/logrotate.d/*")
def check_logrotate_dirs(check, host):
    dirs = sorted(set(os.path.dirname(p) for p in logrotate_paths(host)))
    return check.passed("/etc/logrotate.d", {"directories": [d for d in dirs if host.is_dir(d)],
                                             "missing": [d for d in dirs if not host.is_dir(d)]})


_RSYSLOG_REMOTE = re.compile(r"@@?[a-zA-Z0-9\-]+")
_OMFWD = re.compile(r"""(?i)\btype\s*=\s*["']?omfwd""")


def remote_logging(host):
    """(enabled, evidence lines): Lynis LOGG-2154 for rsyslog and syslog(-ng) configs, plus
    rsyslog's RainerScript ``action(type="omfwd" ...)`` that Lynis does not recognise."""
    hits = []
    rsyslog_files = ["/etc/rsyslog.conf"] + host.glob_files("/etc/rsyslog.d")
    if _running(host, "rsyslogd"):
        for path in rsyslog_files:
            for line in host.lines(path) or []:
                if "#" in line:        # Lynis: grep -v "#" drops any line holding a '#'
                    continue
                if _RSYSLOG_REMOTE.search(line) or _OMFWD.search(line):
                    hits.append("%s: %s" % (path, line.strip()[:120]))
    conf = "/etc/syslog-ng/syslog-ng.conf" if _running(host, "syslog-ng") else "/etc/syslog.conf"
    for line in host.lines(conf) or []:
        if line.startswith("#"):
            continue
        if re.search(r"@[a-zA-Z0-9]|destination\s.+(udp|tcp).+\sport", line) and not re.search(r"[a-zA-Z0-9]@", line):
            hits.append("%s: %s" % (conf, line.strip()[:120]))
    return bool(hits), hits


@CHECKS.check("HG-LOGG-010", "low", "no remote logging configured", lynis="LOGG-2154", cis="4.2.1.5", attack="T1070.002",
              reads="/etc/rsyslog.conf, /etc/rsyslog.d/*, /etc/syslog-ng/syslog-ng.conf, /etc/syslog.conf",
              remediation="Forward logs to a log host (rsyslog: *.* @@loghost:514; or systemd-journal-upload).")
def check_remote_logging(check, host):
    if not host.running(*SYSLOG_NAMES) and not any(
            re.search(r"syslogd|syslog-ng|metalog|systemd-journal", p["comm"]) for p in host.processes()):
        return check.skip("syslog", "no syslog daemon running (Lynis skips the test too)")
    enabled, hits = remote_logging(host)
    return verdict(check, "syslog", not enabled, {"remote_targets": hits})


@CHECKS.info("HG-LOGG-011", "log directories present", "LOGG-2170", ", ".join(LOG_DIRS))
def check_log_paths(check, host):
    return check.passed("/var/log", {"directories": [d for d in LOG_DIRS if host.is_dir(d)]})


def open_files(host, limit_pids=4096):
    """[(comm, target)] of regular files held open by processes (from /proc/<pid>/fd links)."""
    if "open_files" in host.cache:
        return host.cache["open_files"]
    out = host.cache["open_files"] = []
    for proc in host.processes()[:limit_pids]:
        fd_dir = procfs.proc_path(host.root, proc["pid"], "fd")
        try:
            fds = os.listdir(fd_dir)[:MAX_FDS_PER_PROCESS]
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if target.startswith("/"):
                out.append((proc["comm"], target))
    return out


@CHECKS.info("HG-LOGG-012", "open log files (inventory)", "LOGG-2180", "/proc/*/fd")
def check_open_logs(check, host):
    logs = sorted(set(t for _c, t in open_files(host) if t.endswith("log")))
    return check.passed("/proc/*/fd", {"open_log_files": logs})


@CHECKS.check("HG-LOGG-013", "low", "deleted files still held open", lynis="LOGG-2190", attack="T1070.004", reads="/proc/*/fd",
              remediation="Find why the process keeps the deleted file (log rotated without reload, a dropped "
                          "binary); restart or signal it.")
def check_deleted_in_use(check, host):
    # Lynis: lsof +L1, minus mysqld, /dev/zero and aio; memfd:/shm segments are not files on disk
    deleted = sorted(set("%s(%s)" % (t[:-len(" (deleted)")], c) for c, t in open_files(host)
                         if t.endswith(" (deleted)") and c != "mysqld"
                         and not t.startswith(("/dev/zero", "/memfd:", "/[aio]", "/dev/shm/", "/SYSV"))))
    return verdict(check, "/proc/*/fd", bool(deleted), {"deleted": deleted})


@CHECKS.info("HG-LOGG-014", "open log files that are empty (inventory)", "LOGG-2192", "/proc/*/fd")
def check_empty_open_logs(check, host):
    empty = []
    for comm, target in open_files(host):
        if target.endswith("log"):
            info = host.lstat(target)
            if info and info["type"] == "file" and info["size"] == 0:
                empty.append("%s,%s" % (comm, target))
    return check.passed("/proc/*/fd", {"empty": sorted(set(empty))})


METALOG = define_process_inventory(CHECKS, "HG-LOGG-015", "metalog running", "LOGG-2210",
                                   "metalog", ("metalog",))


RSYSLOG = define_process_inventory(CHECKS, "HG-LOGG-016", "rsyslog running", "LOGG-2230",
                                   "rsyslogd", ("rsyslogd",))


RFC3195 = define_process_inventory(CHECKS, "HG-LOGG-017", "RFC 3195 (reliable syslog) daemon running", "LOGG-2240",
                                   "rfc3195d", ("rfc3195d",))


def journald_storage(host):
    files = ["/usr/lib/systemd/journald.conf.d/" + n for n in host.listdir("/usr/lib/systemd/journald.conf.d")
             if n.endswith(".conf")]
    files = ["/etc/systemd/journald.conf"] + sorted(
        files + ["/etc/systemd/journald.conf.d/" + n for n in host.listdir("/etc/systemd/journald.conf.d")
                 if n.endswith(".conf")] + ["/run/systemd/journald.conf.d/" + n
                                            for n in host.listdir("/run/systemd/journald.conf.d") if n.endswith(".conf")],
        key=os.path.basename)
    storage, source = "auto", None
    for path in files:
        section = None
        for line in host.config_lines(path):
            if line.startswith("["):
                section = line.strip("[]")
            elif section == "Journal" and line.split("=", 1)[0].strip() == "Storage":
                storage, source = line.split("=", 1)[1].strip().lower(), path
    return storage, source


@CHECKS.check("HG-LOGG-018", "medium", "journald keeps logs in memory only (not persistent)", cis="4.2.2.3",
              reads="/etc/systemd/journald.conf, journald.conf.d/*.conf, /var/log/journal",
              remediation="Storage=persistent in /etc/systemd/journald.conf.d/ (or create /var/log/journal with Storage=auto).", role=ROLE)
def check_journal_persistent(check, host):
    if not host.is_file("/lib/systemd/systemd-journald") and not host.is_file("/usr/lib/systemd/systemd-journald"):
        return check.skip("journald", "systemd-journald is not installed")
    storage, source = journald_storage(host)
    persistent = storage == "persistent" or (storage == "auto" and host.is_dir("/var/log/journal"))
    return verdict(check, "/etc/systemd/journald.conf", not persistent,
                   {"storage": storage, "set_in": source, "var_log_journal": host.is_dir("/var/log/journal")})


def audit(params):
    return run_evaluators(CHECKS, Host(params["root"]))
