# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis MAIL-8818: the Postfix SMTP banner revealing the mail software or the OS."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import DEFAULT_COMMAND_TIMEOUT, find_executable, is_live, run_command
from ansible_collections.hostguard.hardening.plugins.module_utils.core.hostio import read_text_lines
from ansible_collections.hostguard.hardening.plugins.module_utils.mail.parse_main_cf import MAX_EXPANDED_CHARS, expand_postfix, parse_main_cf
from ansible_collections.hostguard.hardening.plugins.module_utils.mail.spec import CHECKS

POSTFIX_DEFAULT_BANNER = "$myhostname ESMTP $mail_name"
POSTFIX_DEFAULT_MAIL_NAME = "Postfix"
_MAIL_SOFTWARE = ("postfix",)
_OS_WORDS = ("linux", "debian", "ubuntu", "gnu", "red hat", "redhat", "centos", "fedora",
             "rocky", "almalinux", "suse", "alpine", "freebsd")


def banner_disclosure(banner, mail_name, os_words=_OS_WORDS, notes=None):
    """What an expanded smtpd_banner reveals: list of ('software'|'os', word). ``notes`` gets
    "loop"/"cut" when the expansion looped or hit its size budget."""
    expanded = expand_postfix(banner, {"mail_name": mail_name}, notes).lower()
    found = []
    for word in _MAIL_SOFTWARE:
        if word in expanded:
            found.append(("software", word))
    for word in os_words:
        if re.search(r"(?<![a-z])" + re.escape(word) + r"(?![a-z])", expanded):
            found.append(("os", word))
    return found


def os_release_words(root):
    words = list(_OS_WORDS)
    try:
        lines = read_text_lines(root, "/etc/os-release", 65536)
    except safe_read.SafeReadError:
        return words
    for line in lines:
        if line.startswith(("ID=", "NAME=")):
            value = line.split("=", 1)[1].strip().strip('"').lower()
            if value and value not in words and len(value) >= 3:
                words.append(value)
    return words


@CHECKS.check("HG-MAIL-001", "low", "Postfix SMTP banner does not reveal mail software or OS", lynis="MAIL-8818", attack="T1592.002",
              reads="postconf -h (root=/), else /etc/postfix/main.cf",
              remediation="Set smtpd_banner = $myhostname ESMTP (postconf -e), reload postfix")
def mail_finding(check, options):
    root = options.get("root", "/")
    main_cf = safe_read.join_root(root, "/etc/postfix/main.cf")
    postconf = find_executable(root, ["postconf"])
    if not os.path.lexists(main_cf) and not postconf:
        return check.skip("smtpd_banner", "postfix is not installed")
    banner = mail_name = None
    source = None
    if is_live(root) and postconf:
        res = run_command([postconf, "-h", "smtpd_banner", "mail_name"],
                          options.get("command_timeout") or DEFAULT_COMMAND_TIMEOUT, 65536)
        out = res["stdout"].splitlines()
        if res["rc"] == 0 and len(out) >= 2:
            banner, mail_name, source = out[0], out[1], "postconf -h"
    if banner is None:
        try:
            params = parse_main_cf(read_text_lines(root, "/etc/postfix/main.cf"))
        except safe_read.SafeReadError as exc:
            return check.error("smtpd_banner", "cannot read /etc/postfix/main.cf: %s" % exc.message)
        banner = params.get("smtpd_banner", POSTFIX_DEFAULT_BANNER)
        mail_name = params.get("mail_name", POSTFIX_DEFAULT_MAIL_NAME)
        source = "/etc/postfix/main.cf"
    notes = []
    hits = banner_disclosure(banner, mail_name, os_release_words(root), notes)
    ev = {"smtpd_banner": banner, "mail_name": mail_name, "source": source,
          "reveals": ["%s:%s" % h for h in hits]}
    if notes:
        ev["expansion"] = notes
    if hits:
        return check.fail("smtpd_banner", evidence=ev,
                          detail="SMTP banner reveals %s" % ", ".join(w for _k, w in hits))
    if "cut" in notes:   # what was cut may reveal it: never a pass on a partial (issue 17)
        return check.error("smtpd_banner", evidence=ev,
                           detail="not fully scanned: the $name expansion of smtpd_banner was cut "
                                  "at its %d-character budget" % MAX_EXPANDED_CHARS)
    return check.passed("smtpd_banner", evidence=ev)
