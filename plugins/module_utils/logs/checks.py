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
    Evaluators, define_info, define_process_inventory, Host, run_evaluators, verdict)
from ansible_collections.hostguard.hardening.plugins.module_utils.logs.spec import CHECKS

EVALUATORS = Evaluators()
ROLE = "baseline_hardening"
LOG_DIRS = ("/var/log", "/var/adm")
MAX_FDS_PER_PROCESS = 1024
SYSLOG_NAMES = ("syslogd", "rsyslogd", "syslog-ng", "metalog", "systemd-journald", "systemd-journal",
                "busybox-syslogd")


def _info(check_id, title, lynis, reads):
    return define_info(CHECKS, check_id, title, lynis, reads)


def _running(host, *names):
    return bool(host.running(*names))


SYSLOG_RUNNING = CHECKS.define(
    "HG-LOGG-001", "no syslog daemon or journal is running", "medium", reads="/proc/*/comm",
    remediation="Run systemd-journald or rsyslog.", references={"lynis": "LOGG-2130"})


@EVALUATORS(SYSLOG_RUNNING)
def check_syslog_running(host):
    # Lynis: ps ax | egrep "syslogd|syslog-ng|metalog|systemd-journal" (a substring match)
    found = sorted(set(p["comm"] for p in host.processes()
                       if re.search(r"syslogd|syslog-ng|metalog|systemd-journal",
                                    " ".join(p["argv"]) or p["comm"])))
    return verdict(SYSLOG_RUNNING, "syslog", not found, {"running": found})


SYSLOG_NG = define_process_inventory(CHECKS, EVALUATORS, "HG-LOGG-002", "syslog-ng running", "LOGG-2132",
                                     "syslog-ng", ("syslog-ng",))


SYSLOG_NG_CONFIG = CHECKS.define(
    "HG-LOGG-003", "syslog-ng configuration does not pass syslog-ng -s", "medium",
    reads="syslog-ng -s (live host only)", remediation="Fix /etc/syslog-ng/syslog-ng.conf until syslog-ng -s passes.",
    references={"lynis": "LOGG-2134"})


@EVALUATORS(SYSLOG_NG_CONFIG)
def check_syslog_ng_config(host):
    binary = host.which("syslog-ng")
    if not binary or not _running(host, "syslog-ng"):
        return SYSLOG_NG_CONFIG.skip("syslog-ng", "syslog-ng is not installed and running (Lynis skips too)")
    if not host.live:
        return SYSLOG_NG_CONFIG.skip("syslog-ng", "syntax check needs the binary of the audited host (root is not /)")
    res = host.run([binary, "-s"])
    return verdict(SYSLOG_NG_CONFIG, "/etc/syslog-ng/syslog-ng.conf", res["rc"] != 0,
                   {"rc": res["rc"], "error": res["error"], "stderr": res["stderr"][-300:]})


JOURNALD = define_process_inventory(CHECKS, EVALUATORS, "HG-LOGG-004", "systemd-journald running", "LOGG-2136",
                                    "systemd-journald", ("systemd-journald", "systemd-journal"))


KLOGD = CHECKS.define(
    "HG-LOGG-005", "no kernel logger: neither klogd nor rsyslog/journald/metalog running", "medium",
    reads="/proc/*/comm", remediation="Run systemd-journald or rsyslog (imklog), or klogd.",
    references={"lynis": "LOGG-2138"})


@EVALUATORS(KLOGD)
def check_klogd(host):
    covered = _running(host, "rsyslogd", "systemd-journald", "systemd-journal", "metalog")
    klogd = _running(host, "klogd")
    return verdict(KLOGD, "klogd", not covered and not klogd, {"kernel_log_reader": covered, "klogd": klogd})


MINILOGD = CHECKS.define(
    "HG-LOGG-006", "minilogd is running", "medium", reads="/proc/*/comm",
    remediation="minilogd is a boot-time stub: stop it once the real syslog runs.",
    references={"lynis": "LOGG-2142"})


@EVALUATORS(MINILOGD)
def check_minilogd(host):
    return verdict(MINILOGD, "minilogd", _running(host, "minilogd"), {})


LOGROTATE = CHECKS.define(
    "HG-LOGG-007", "no log rotation configured (logrotate.conf / logrotate.d)", "low",
    reads="/etc/logrotate.conf, /etc/logrotate.d", remediation="apt-get install logrotate.",
    references={"lynis": "LOGG-2146"})


@EVALUATORS(LOGROTATE)
def check_logrotate(host):
    conf, ddir = host.is_file("/etc/logrotate.conf"), host.is_dir("/etc/logrotate.d")
    return verdict(LOGROTATE, "/etc/logrotate.conf", not (conf or ddir),
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


LOGROTATED_FILES = _info("HG-LOGG-008", "files named in the logrotate configuration (inventory)", "LOGG-2148",
                         "/etc/logrotate.conf, /etc/logrotate.d/*")


@EVALUATORS(LOGROTATED_FILES)
def check_logrotated_files(host):
    paths = logrotate_paths(host)
    exists = [p for p in paths if "*" not in p and host.exists(p)]
    return LOGROTATED_FILES.passed("/etc/logrotate.d", {"count": len(paths), "existing": exists})


LOGROTATE_DIRS = _info("HG-LOGG-009", "directories named in the logrotate configuration (inventory)", "LOGG-2150",
                       "/etc/logrotate.conf, /etc/logrotate.d/*")


@EVALUATORS(LOGROTATE_DIRS)
def check_logrotate_dirs(host):
    dirs = sorted(set(os.path.dirname(p) for p in logrotate_paths(host)))
    return LOGROTATE_DIRS.passed("/etc/logrotate.d", {"directories": [d for d in dirs if host.is_dir(d)],
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


REMOTE_LOGGING = CHECKS.define(
    "HG-LOGG-010", "no remote logging configured", "low",
    reads="/etc/rsyslog.conf, /etc/rsyslog.d/*, /etc/syslog-ng/syslog-ng.conf, /etc/syslog.conf",
    remediation="Forward logs to a log host (rsyslog: *.* @@loghost:514; or systemd-journal-upload).",
    references={"lynis": "LOGG-2154", "cis": "4.2.1.5", "attack": "T1070.002"})


@EVALUATORS(REMOTE_LOGGING)
def check_remote_logging(host):
    if not host.running(*SYSLOG_NAMES) and not any(
            re.search(r"syslogd|syslog-ng|metalog|systemd-journal", p["comm"]) for p in host.processes()):
        return REMOTE_LOGGING.skip("syslog", "no syslog daemon running (Lynis skips the test too)")
    enabled, hits = remote_logging(host)
    return verdict(REMOTE_LOGGING, "syslog", not enabled, {"remote_targets": hits})


LOG_PATHS = _info("HG-LOGG-011", "log directories present", "LOGG-2170", ", ".join(LOG_DIRS))


@EVALUATORS(LOG_PATHS)
def check_log_paths(host):
    return LOG_PATHS.passed("/var/log", {"directories": [d for d in LOG_DIRS if host.is_dir(d)]})


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


OPEN_LOGS = _info("HG-LOGG-012", "open log files (inventory)", "LOGG-2180", "/proc/*/fd")


@EVALUATORS(OPEN_LOGS)
def check_open_logs(host):
    logs = sorted(set(t for _c, t in open_files(host) if t.endswith("log")))
    return OPEN_LOGS.passed("/proc/*/fd", {"open_log_files": logs})


DELETED_IN_USE = CHECKS.define(
    "HG-LOGG-013", "deleted files still held open", "low", reads="/proc/*/fd",
    remediation="Find why the process keeps the deleted file (log rotated without reload, a dropped "
                "binary); restart or signal it.",
    references={"lynis": "LOGG-2190", "attack": "T1070.004"})


@EVALUATORS(DELETED_IN_USE)
def check_deleted_in_use(host):
    # Lynis: lsof +L1, minus mysqld, /dev/zero and aio; memfd:/shm segments are not files on disk
    deleted = sorted(set("%s(%s)" % (t[:-len(" (deleted)")], c) for c, t in open_files(host)
                         if t.endswith(" (deleted)") and c != "mysqld"
                         and not t.startswith(("/dev/zero", "/memfd:", "/[aio]", "/dev/shm/", "/SYSV"))))
    return verdict(DELETED_IN_USE, "/proc/*/fd", bool(deleted), {"deleted": deleted})


EMPTY_OPEN_LOGS = _info("HG-LOGG-014", "open log files that are empty (inventory)", "LOGG-2192", "/proc/*/fd")


@EVALUATORS(EMPTY_OPEN_LOGS)
def check_empty_open_logs(host):
    empty = []
    for comm, target in open_files(host):
        if target.endswith("log"):
            info = host.lstat(target)
            if info and info["type"] == "file" and info["size"] == 0:
                empty.append("%s,%s" % (comm, target))
    return EMPTY_OPEN_LOGS.passed("/proc/*/fd", {"empty": sorted(set(empty))})


METALOG = define_process_inventory(CHECKS, EVALUATORS, "HG-LOGG-015", "metalog running", "LOGG-2210",
                                   "metalog", ("metalog",))


RSYSLOG = define_process_inventory(CHECKS, EVALUATORS, "HG-LOGG-016", "rsyslog running", "LOGG-2230",
                                   "rsyslogd", ("rsyslogd",))


RFC3195 = define_process_inventory(CHECKS, EVALUATORS, "HG-LOGG-017", "RFC 3195 (reliable syslog) daemon running", "LOGG-2240",
                                   "rfc3195d", ("rfc3195d",))


JOURNAL_PERSISTENT = CHECKS.define(
    "HG-LOGG-018", "journald keeps logs in memory only (not persistent)", "medium",
    reads="/etc/systemd/journald.conf, journald.conf.d/*.conf, /var/log/journal",
    remediation="Storage=persistent in /etc/systemd/journald.conf.d/ (or create /var/log/journal with Storage=auto).",
    references={"cis": "4.2.2.3"}, role=ROLE)


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


@EVALUATORS(JOURNAL_PERSISTENT)
def check_journal_persistent(host):
    if not host.is_file("/lib/systemd/systemd-journald") and not host.is_file("/usr/lib/systemd/systemd-journald"):
        return JOURNAL_PERSISTENT.skip("journald", "systemd-journald is not installed")
    storage, source = journald_storage(host)
    persistent = storage == "persistent" or (storage == "auto" and host.is_dir("/var/log/journal"))
    return verdict(JOURNAL_PERSISTENT, "/etc/systemd/journald.conf", not persistent,
                   {"storage": storage, "set_in": source, "var_log_journal": host.is_dir("/var/log/journal")})


def audit(params):
    return run_evaluators(EVALUATORS, Host(params["root"]))
