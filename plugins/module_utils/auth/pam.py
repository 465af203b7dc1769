# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis AUTH-9262: a PAM module for password strength testing is installed."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import stat

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths
from ansible_collections.hostguard.hardening.plugins.module_utils.auth.spec import CHECKS

# Lynis tests_authentication PAM_FILE_LOCATIONS (links inside root are followed, root-confined)
PAM_DIRS = ("/usr/lib/aarch64-linux-gnu/security", "/lib/arm-linux-gnueabihf/security",
            "/lib/i386-linux-gnu/security", "/lib/security", "/lib/x86_64-linux-gnu/security",
            "/lib64/security", "/usr/lib", "/usr/lib/security", "/usr/lib/x86_64-linux-gnu/security")
STRENGTH_MODULES = ("pam_cracklib.so", "pam_passwdqc.so", "pam_pwquality.so")


def installed_strength_modules(root):
    found = []
    for directory in PAM_DIRS:
        for module in STRENGTH_MODULES:
            res = paths.resolve(root, directory + "/" + module)
            if res.ok and res.st is not None and stat.S_ISREG(res.st.st_mode):
                found.append(directory + "/" + module)
    return found


@CHECKS.check("HG-AUTH-014", "low", "A PAM module for password strength testing is installed", lynis="AUTH-9262", attack="T1110",
              reads=", ".join(PAM_DIRS), remediation="apt-get install libpam-pwquality (pam_pwquality) and configure /etc/security/pwquality.conf",
              weight=3)
def check_pam_strength(check, root):
    found = installed_strength_modules(root)
    if found:
        return check.passed("pam", {"modules": found})
    return check.fail("pam", {"modules": []}, "none of %s is installed" % ", ".join(STRENGTH_MODULES))
