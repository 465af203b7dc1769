# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis NAME-4016/4018/4020 (/etc/resolv.conf domain, search, options), NAME-4028 (DNS domain
name) and the name-service daemon inventories NAME-4032 (nscd), 4034 (unbound), 4202 (BIND
named), 4230 (PowerDNS), 4304 (NIS ypbind), as Lynis 3.0.8 reads them:

- NAME-4018 warns when more than one line starts with ``search`` (and when more than six do:
  its awk prints one domain per search *line*); glibc's resolver keeps only the last ``search``
  or ``domain`` line, so the others are silently lost.
- NAME-4028 suggests when no domain name is known: ``dnsdomainname`` (run on the live system
  only), else resolv.conf's ``domain``, else the second label of the FQDN (``hostname``, or
  ``hostname -f`` when it prints the short name).
- The others only log what they find (NAME-4304's suggestion carries no test ID)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hostguard.hardening.plugins.module_utils.core.findings import INVENTORY_REMEDIATION
from ansible_collections.hostguard.hardening.plugins.module_utils.nameservices.spec import CHECKS

RESOLV = "/etc/resolv.conf"
DAEMONS = (("HG-NAME-008", "NAME-4032", "nscd", "name service caching daemon nscd"),
           ("HG-NAME-009", "NAME-4034", "unbound", "Unbound"),
           ("HG-NAME-010", "NAME-4202", "named", "BIND named"),
           ("HG-NAME-011", "NAME-4230", "pdns_server", "PowerDNS"),
           ("HG-NAME-012", "NAME-4304", "ypbind", "NIS ypbind"))


def second_fields(lines, keyword):
    """awk '/^keyword/ { print $2 }'."""
    return [line.split()[1] for line in lines if line.startswith(keyword) and len(line.split()) > 1]


@CHECKS.info("HG-NAME-004", "resolv.conf default domain (inventory)", "NAME-4016", RESOLV)
@CHECKS.check("HG-NAME-005", "low", "resolv.conf has at most one search line", lynis="NAME-4018", reads=RESOLV,
              remediation="Keep one search line in /etc/resolv.conf (the resolver uses only the last one), "
                          "at most six domains")
@CHECKS.info("HG-NAME-006", "resolv.conf options (inventory)", "NAME-4020", RESOLV)
def resolv_findings(domain_check, search_check, options_check, host):
    lines = host.lines(RESOLV)
    if lines is None:
        why = "no readable %s (Lynis skips it too)" % RESOLV
        return [domain_check.passed(RESOLV, {"exists": False}), search_check.skip(RESOLV, why),
                options_check.passed(RESOLV, {"exists": False})]
    domains = second_fields(lines, "domain")
    searches = second_fields(lines, "search")
    search_lines = sum(1 for line in lines if line.startswith("search"))
    ev = {"search_lines": search_lines, "search_domains": searches[:20]}
    out = [domain_check.passed(RESOLV, {"domain": domains[:5]})]
    if search_lines > 1:
        out.append(search_check.fail(RESOLV, ev, "%d search lines: the resolver uses only the last" % search_lines))
    else:
        out.append(search_check.passed(RESOLV, ev))
    out.append(options_check.passed(RESOLV, {"options": second_fields(lines, "options")[:20]}))
    return out


def _first_line(res):
    if not res or res["rc"] != 0:
        return ""
    lines = res["stdout"].strip().splitlines()
    return lines[0].strip() if lines else ""


@CHECKS.check("HG-NAME-007", "low", "DNS domain name known", lynis="NAME-4028",
              reads="dnsdomainname, /etc/resolv.conf, hostname (-f)",
              remediation="Give the host a fully qualified name (/etc/hosts, hostnamectl) or a domain line in "
                          "/etc/resolv.conf")
def domain_name_finding(check, host):
    found, source = "", None
    if host.live:
        binary = host.which("dnsdomainname")
        if binary:
            found, source = _first_line(host.run([binary])), "dnsdomainname"
    if not found:
        domains = second_fields(host.lines(RESOLV) or [], "domain")
        if domains:
            found, source = " ".join(domains), RESOLV
    if not found:
        fqdn = ""
        if host.live:
            hostname = host.which("hostname")
            fqdn = _first_line(host.run([hostname])) if hostname else ""
            if hostname and fqdn and "." not in fqdn:
                fqdn = _first_line(host.run([hostname, "-f"])) or fqdn
        else:
            fqdn = ((host.lines("/etc/hostname") or [""])[:1] or [""])[0].strip()
        labels = fqdn.split(".")
        found, source = (labels[1] if len(labels) > 1 else ""), "FQDN %r" % fqdn
    ev = {"domain": found, "source": source}
    if not found:
        return check.fail("domain", ev, "no DNS domain name (dnsdomainname, resolv.conf, FQDN)")
    return check.passed("domain", ev)


def daemon_findings(host):
    out = []
    for check_id, _lynis, process, _title in DAEMONS:
        pids = [p["pid"] for p in host.running(process)]
        out.append(CHECKS[check_id].passed(process, {"running": bool(pids), "pids": pids[:10]}))
    return out


def define_daemon_checks():
    """One inventory check per daemon of DAEMONS (Lynis: IsRunning, logged only)."""
    for check_id, lynis, process, title in DAEMONS:
        CHECKS.define(check_id, "%s running (inventory)" % title, "info", reads="processes (%s)" % process,
                      remediation=INVENTORY_REMEDIATION, references={"lynis": lynis})


define_daemon_checks()
