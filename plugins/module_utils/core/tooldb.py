# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security tools Lynis looks for, shared by the areas that ask (areas never import each
other). Names are those of Lynis 3.0.8 include/binaries and include/tests_malware."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

# (lynis test, title, binaries, processes, files)
MALWARE_SCANNERS = (
    ("MALW-3274", "McAfee VirusScan command line", (), (), ("/usr/local/uvscan/uvscan",)),
    ("MALW-3275", "chkrootkit", ("chkrootkit",), (), ()),
    ("MALW-3276", "Rootkit Hunter", ("rkhunter",), (), ()),
    ("MALW-3278", "Linux Malware Detect (LMD)", ("maldet",), (), ()),
    ("MALW-3280", "commercial anti-virus daemon", (),
     ("com.avast.daemon", "avqmd", "bdagentd", "epagd", "falcon-sensor", "CylanceSvc", "esets_daemon",
      "wdserver", "klnagent", "cma", "cmdagent", "savscand", "SophosScanD", "rtvscand", "smcd", "symcfgd",
      "synoavd", "ds_am", "TmccMac"), ()),
    ("MALW-3282", "ClamAV clamscan", ("clamscan",), (), ()),
    ("MALW-3284", "ClamAV clamd running", (), ("clamd",), ()),
)


def malware_scanners_found(host):
    """Lynis's MALWARE_SCANNER_INSTALLED: the scanners of MALWARE_SCANNERS present."""
    found = []
    for lynis, title, binaries, processes, files in MALWARE_SCANNERS:
        if (binaries and host.which(*binaries)) or (processes and host.running(*processes)) \
                or any(host.is_file(f) for f in files):
            found.append(title)
    return found
