# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis MAIL-8802 (Exim), MAIL-8814 (Postfix: a ``ps ax`` line holding both ``master`` and
``postfix``), MAIL-8838 (Dovecot), MAIL-8860 (Qmail), MAIL-8880 (Sendmail): inventories of
running mail daemons (Lynis logs them), and MAIL-8817: with Postfix running, a suggestion when
``postconf`` prints a ``warning:`` (run on the live system only, as Lynis runs it)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.mail.spec import CHECKS

MAX_LINES = 10


def postfix_masters(host):
    return [p["pid"] for p in host.processes() if "master" in " ".join(p["argv"]) and "postfix" in " ".join(p["argv"])]


@CHECKS.info("HG-MAIL-002", "Exim running (inventory)", "MAIL-8802", "processes (exim4, exim)")
@CHECKS.info("HG-MAIL-003", "Postfix running (inventory)", "MAIL-8814", "processes (ps ax: master and postfix)")
@CHECKS.info("HG-MAIL-004", "Dovecot running (inventory)", "MAIL-8838", "processes (dovecot)")
@CHECKS.info("HG-MAIL-005", "Qmail running (inventory)", "MAIL-8860", "processes (qmail-smtpd)")
@CHECKS.info("HG-MAIL-006", "Sendmail running (inventory)", "MAIL-8880", "processes (sendmail)")
def daemon_findings(exim, postfix, dovecot, qmail, sendmail, host):
    def pids(*names):
        return [p["pid"] for p in host.running(*names)][:10]
    masters = postfix_masters(host)[:10]
    return [exim.passed("exim", {"pids": pids("exim4", "exim")}), postfix.passed("postfix", {"pids": masters}),
            dovecot.passed("dovecot", {"pids": pids("dovecot")}), qmail.passed("qmail", {"pids": pids("qmail-smtpd")}),
            sendmail.passed("sendmail", {"pids": pids("sendmail")})]


@CHECKS.check("HG-MAIL-007", "low", "postconf prints no warning about the Postfix configuration", lynis="MAIL-8817",
              reads="postconf (root=/)", remediation="Run postconf > /dev/null and fix what its warnings name in main.cf")
def postconf_warning_finding(check, host):
    if not postfix_masters(host):
        return check.skip("postfix", "Postfix not running (Lynis skips the test too)")
    if not host.which("postfix"):
        return check.skip("postfix", "no postfix binary (Lynis skips the test too)")
    postconf = host.which("postconf")
    res = host.run([postconf]) if postconf else None
    if res is None or res["rc"] is None:
        return check.skip("postfix", "postconf cannot be run here (live system only)")
    warnings = [line for line in (res["stdout"] + "\n" + res["stderr"]).splitlines() if "warning:" in line]
    ev = {"warnings": warnings[:MAX_LINES]}
    if warnings:
        return check.fail("postfix", ev, "postconf: %s" % "; ".join(warnings[:3]))
    return check.passed("postfix", ev)
