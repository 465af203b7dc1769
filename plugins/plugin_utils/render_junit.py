# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""JUnit XML for one host report: one <testcase> per check result.

``<testsuites name="hostguard">`` holds one ``<testsuite>`` per check family (CRON, REDIS,
SYSCTL, OOM, OOMLOG, baseline families...), named ``<host>.<family>``. Each finding is a
testcase ``classname="hostguard.<host>.<family>" name="<id> <subject>"``:
status fail -> ``<failure type=severity message=title>`` whose text is the evidence (JSON)
and the remediation; skip -> ``<skipped message=detail>``; error -> ``<error message=detail>``.
Report-level errors become one extra ``<error>`` testcase so CI sees them.

Evidence is attacker-controlled (file names from the host). ElementTree escapes markup;
characters XML 1.0 forbids (NUL, other C0 controls, lone surrogates) are replaced by
``\\xNN`` / ``\\uNNNN`` text so the document always parses.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import xml.etree.ElementTree as ET

from ansible_collections.hostguard.hardening.plugins.module_utils.core.lynis_categories import finding_category

# XML 1.0 Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_INVALID_XML = re.compile(u"[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value):
    """Text safe for an XML 1.0 document (markup is escaped later by ElementTree)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)

    def repl(match):
        code = ord(match.group(0))
        return "\\x%02x" % code if code < 0x100 else "\\u%04x" % code
    return _INVALID_XML.sub(repl, value)


def family(check_id):
    """``HG-CRON-001`` -> ``cron``; anything unexpected -> ``other``."""
    parts = str(check_id).split("-")
    return parts[1].lower() if len(parts) == 3 and parts[1] else "other"


def _case_body(finding):
    lines = []
    if finding.get("detail"):
        lines.append("detail: %s" % finding["detail"])
    lines.append("subject: %s" % finding.get("subject", ""))
    lines.append("evidence: %s" % json.dumps(finding.get("evidence") or {}, indent=2, sort_keys=True,
                                             ensure_ascii=False))
    if finding.get("remediation"):
        lines.append("remediation: %s" % finding["remediation"])
    refs = finding.get("references") or {}
    if refs:
        lines.append("references: %s" % ", ".join("%s=%s" % (k, refs[k]) for k in sorted(refs)))
    return xml_text("\n".join(lines))


def render_junit(report):
    """Return the JUnit XML document (str, with XML declaration) for one host report."""
    host = xml_text(report.get("host", "unknown"))
    timings = report.get("timings") or {}
    suites = {}
    for finding in report.get("findings") or []:
        suites.setdefault(family(finding.get("id")), []).append(finding)
    root = ET.Element("testsuites", {"name": "hostguard"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for fam in sorted(suites):
        cases = suites[fam]
        counts = {"tests": len(cases),
                  "failures": sum(1 for f in cases if f.get("status") == "fail"),
                  "errors": sum(1 for f in cases if f.get("status") == "error"),
                  "skipped": sum(1 for f in cases if f.get("status") in ("skip", "waived"))}
        attrs = dict((k, str(v)) for k, v in counts.items())
        attrs["name"] = "%s.%s" % (host, fam)
        attrs["timestamp"] = xml_text(report.get("generated_at", ""))
        attrs["hostname"] = host
        seconds = _family_seconds(fam, timings)
        if seconds is not None:
            attrs["time"] = "%.3f" % seconds
        suite = ET.SubElement(root, "testsuite", attrs)
        for finding in cases:
            case = ET.SubElement(suite, "testcase", {
                "classname": "hostguard.%s.%s" % (host, fam),
                "name": xml_text("%s %s" % (finding.get("id"), finding.get("subject", ""))).strip(),
            })
            category = finding_category(finding)
            if category:
                props = ET.SubElement(case, "properties")
                ET.SubElement(props, "property", {"name": "lynis_category", "value": category})
                ET.SubElement(props, "property", {"name": "lynis_test",
                                                  "value": xml_text((finding.get("references") or {}).get("lynis"))})
            status = finding.get("status")
            message = xml_text(finding.get("title", ""))
            if status == "fail":
                node = ET.SubElement(case, "failure", {"message": message,
                                                       "type": xml_text(finding.get("severity"))})
                node.text = _case_body(finding)
            elif status == "error":
                node = ET.SubElement(case, "error", {"message": xml_text(finding.get("detail") or message),
                                                     "type": "check-error"})
                node.text = _case_body(finding)
            elif status == "skip":
                ET.SubElement(case, "skipped", {"message": xml_text(finding.get("detail") or "skipped")})
            elif status == "waived":
                ET.SubElement(case, "skipped", {"message": xml_text(waiver_message(finding))})
            else:
                out = ET.SubElement(case, "system-out")
                out.text = xml_text("severity: %s\n" % finding.get("severity")) + _case_body(finding)
        for key in totals:
            totals[key] += counts[key]
    errors = report.get("errors") or []
    if errors:
        suite = ET.SubElement(root, "testsuite", {"name": "%s.report" % host, "tests": "1",
                                                  "failures": "0", "errors": "1", "skipped": "0"})
        case = ET.SubElement(suite, "testcase", {"classname": "hostguard.%s.report" % host,
                                                 "name": "audit errors"})
        node = ET.SubElement(case, "error", {"message": "%d audit error(s)" % len(errors), "type": "audit-error"})
        node.text = xml_text(json.dumps(errors, indent=2, sort_keys=True, ensure_ascii=False))
        totals["tests"] += 1
        totals["errors"] += 1
    for key, value in totals.items():
        root.set(key, str(value))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _family_seconds(fam, timings):
    value = timings.get(fam)
    return value if isinstance(value, (int, float)) else None


def waiver_message(finding):
    """``waived: <justification> (owner <owner>, until <expires>)`` for a waived finding."""
    waiver = finding.get("waiver") or {}
    return "waived: %s (owner %s, until %s)" % (waiver.get("justification", ""), waiver.get("owner", "?"),
                                                waiver.get("expires", "?"))
