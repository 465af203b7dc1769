# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Line prefixes: a registry of small recognisers, each ``(text, ctx) -> Prefix or None``.

A Prefix holds what the line's prefix says (recogniser ``kind``, ``host``, wall ``epoch``, kernel
``uptime``, syslog ``tag``) and the ``msg`` left for the message classifier. ``split_line`` tries
the registry, then again after stripping paste damage (quote marks, line numbers, fences), and
finally treats the prefix as unknown: the message is still found (after an inner ``[secs]`` stamp,
after `` kernel: ``, or the whole line), so an unknown prefix never hides a record.

Shapes recognised (real examples in tests/fixtures/oomlog/real/):
  dmesg            "[  839.048830] msg"                 (also journalctl -o short-monotonic), with
                   the printk caller id: "[  244.946537][ T3106] msg" (CONFIG_PRINTK_CALLER)
  dmesg -T         "[Sun Apr 20 20:03:27 2025] msg", any locale: "[ven. nov. 24 ...]",
                   "[Di Nov 24 ...]", "[Вт ноя 24 ...]"; unknown month -> time unknown
  dmesg -H         "[Oct28 16:58] msg" then "[  +0.000006] msg" (--reltime: a minute stamp, then
                   deltas; a delta line is timed to the minute stamp before it, else unknown)
  kmsg             "6,1234,839048830,-;msg"
  printk level     "<4>[ 1771.264287] msg"               (dmesg -r, console captures)
  syslog           "Apr 20 20:03:27 host tag[pid]: msg", without host ("Nov 12 17:08:27
                   earlyoom[1295]: msg"), with microseconds (journalctl -o short-precise),
                   localised month (journalctl in fr/ru/...), "Jun 12 06:39:16: msg"
  logread          "Sat Jan 25 09:40:15 2020 kern.err kernel: msg"   (OpenWrt / busybox)
  iso              "2025-04-20T20:03:27.123456+02:00 host kernel: msg" (short-iso, RFC 3339),
                   "2016-07-31 16:26:53 +0000 UTC kern.info kernel: msg", vmware.log guest lines
  short-unix       "1787068905.416344 host kernel: msg"   (journalctl -o short-unix)
  short-full       "Tue 2025-04-20 20:03:27 UTC host kernel: msg"   (journalctl -o short-full)
  tag              "kernel: msg", "earlyoom[610]: msg", "node12: [..] msg" (host: message)
  rfc 5424         "<4>1 2025-04-20T20:03:27.123+02:00 host kernel - - - msg" (structured data skipped)
  journal json     '{"__REALTIME_TIMESTAMP":"1700000000123456","_HOSTNAME":"h","MESSAGE":"msg",...}'
                   (journalctl -o json, one entry a line; a cut or binary entry -> unknown prefix)
  kibana           "Jun 25, 2021 @ 12:42:13.029 | kernel | [secs] msg"   (rows copied out of Kibana
                   Discover: its default date format, then "|"- or tab-separated columns; no zone)
  level letter     "[W] Oct 22 20:02:32 kernel: msg"   (Keenetic routers: the syslog line after the letter)
  tool head        "Received message  <6>Jun  8 11:15:26 LEDE kernel: msg" (a receiver's words before a raw
                   syslog packet: the "<N>" line after them is read; only lines no recogniser owns)
  logcat           "07-31 02:28:31.588   152   152 I lowmemorykiller: msg" (Android logcat -v threadtime),
                   "07-31 02:28:31.588 I/lowmemorykiller(  152): msg" (-v time); year-less, tag read
rsyslog facility.severity tokens ("kern.warning", "<kern.err>") are skipped wherever they sit.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import re

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.timestamps import (
    epoch_of, month_number, tz_offset, yearless_epoch)

Prefix = collections.namedtuple("Prefix", "kind host epoch uptime tag msg")


class Context(object):
    """What a year-less stamp needs: the year to assume (None: this year) and now."""

    def __init__(self, year=None, now=None):
        self.year = year
        self.now = now
        self.reltime_epoch = None   # dmesg -H: the last minute stamp read


# userspace and kernel tags that may appear alone before ": " (no host)
KNOWN_TAGS = frozenset(("kernel", "earlyoom", "systemd-oomd", "oomd", "nohang", "systemd",
                        "systemd-journald", "kubelet", "dockerd", "containerd", "rsyslogd", "klogd",
                        "syslogd", "logd", "low-memory-monitor", "psi-notify"))
# message starts strong enough to read "word: <this>" as "host: message"
_HOST_MESSAGE_STARTS = ("[", "<", "Out of memory", "Memory cgroup out of memory", "Killed process",
                        "oom-kill:", "Kernel panic", "oom_reaper:", "Task in ")

_D = r"(\d{1,2})"
_HMS = r"(\d\d):(\d\d):(\d\d)"
# "[  244.945440]", with the printk caller id of CONFIG_PRINTK_CALLER after it: "[  244.945440][ T3106]"
_CALLER = r"(?:\[\s{0,6}[TC]\d{1,10}\]\s?)?"
RE_DMESG = re.compile(r"\[\s{0,12}(\d{1,10}\.\d{1,9})\]\s?" + _CALLER)
RE_DMESG_T = re.compile(r"\[\s{0,4}([^\]]{1,40}?)\s{1,3}" + _D + r"\s{1,3}" + _HMS + r"\s{1,3}(\d{4})\]\s?")
RE_RELTIME_MINUTE = re.compile(r"\[([^\W\d_]{2,12}\.?)\s?" + _D + r"\s(\d\d):(\d\d)\]\s?")
RE_RELTIME_DELTA = re.compile(r"\[\s{0,12}\+(\d{1,10}\.\d{1,9})\]\s?")
RE_KMSG = re.compile(r"(\d{1,3}),(\d{1,20}),(\d{1,20}),[^;]{0,64};")
RE_PRINTK_LEVEL = re.compile(r"<(\d{1,3}|[a-z]{2,8}\.[a-z]{2,8})>\s?")
RE_SYSLOG = re.compile(r"([^\W\d_]{2,12}\.?)\s{1,3}" + _D + r"\s{1,3}" + _HMS + r"(?:[.,](\d{1,9}))?(:\s?|\s|$)")
RE_CTIME = re.compile(r"([^\W\d_]{2,12}\.?)\s{1,3}([^\W\d_]{2,12}\.?)\s{1,3}" + _D + r"\s{1,3}" + _HMS
                      + r"\s{1,3}(\d{4})(?:\s|$)")
RE_ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ]" + _HMS + r"(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?(?:\s|$)")
RE_UNIX = re.compile(r"(\d{9,11})\.(\d{1,9})\s")
RE_KIBANA = re.compile(r"([^\W\d_]{3,12}\.?)\s" + _D + r",\s(\d{4})\s@\s" + _HMS + r"(?:[.,](\d{1,9}))?")
# Android logcat: "-v threadtime" (MM-DD HH:MM:SS.mmm  PID  TID L TAG: msg) and "-v time" (L/TAG( PID): msg)
RE_LOGCAT = re.compile(r"(\d\d)-(\d\d) " + _HMS + r"\.(\d{3})\s{1,6}(?:\d{1,10}\s{1,6}\d{1,10}\s([VDIWEFA])\s"
                       r"([^:\s]{1,64})\s{0,24}: |([VDIWEFA])/([^(:\s]{1,64})\(\s{0,10}\d{1,10}\): )")
RE_SHORT_FULL = re.compile(r"[^\W\d_]{2,12}\.?\s(\d{4})-(\d\d)-(\d\d)\s" + _HMS + r"(?:[.,](\d{1,9}))?\s")
RE_TAG_ONLY = re.compile(r"([\w.@/-]{1,64})(?:\[(\d{1,10})\])?:\s")
RE_TAG_TOKEN = re.compile(r"([\w.@/()-]{1,64}?)(?:\[(\d{1,10})\])?:$")
RE_FACILITY = re.compile(r"<?[a-z]{2,8}\.(?:emerg|alert|crit|err|error|warn|warning|notice|info|debug)>?$")
# zone tokens a Go or rsyslog template prints before the host ("+0000 UTC"); a named zone only, so an
# upper-case host ("Jun  8 11:15:26 LEDE kernel:", openwrt-piratebox-feed#10; NAS, PVE) stays the host
RE_ZONE = re.compile(r"[+-]\d{4}$|(?:UTC|GMT|[ECMPAH][SD]T|[CEW]ES?T|EES?T|MSK|[JKIH]ST|AE[SD]T|AC[SD]T|AWST|NZ[SD]T"
                     r"|SGT|HKT|BST|BRT|ART|CAT|EAT|WAT|AKST|AKDT)$")
RE_INNER_TAG = re.compile(r"([\w.@-]{1,40})\[(\d{1,10})\]:\s")
RE_INNER_STAMP = re.compile(r"(?:<\d{1,3}>)?\[\s{0,12}(\d{1,10}\.\d{1,9})\]\s?" + _CALLER)
RE_CUT_STAMP = re.compile(r"(\d{1,10}\.\d{6,9})\]\s")
RE_LINE_NUMBER = re.compile(r"\d{1,7}(?:[:|]\s*|\s+)")
PASTE_JUNK = " \t>\"'`*|#+"
MAX_PREFIX_SCAN = 160   # an unknown prefix is looked through for this many characters only


def _frac(digits):
    return float("0." + digits) if digits else 0.0


def _plus_frac(epoch, digits):
    """A stamp's epoch with its fraction of a second (None stays None: month unknown)."""
    return None if epoch is None else epoch + _frac(digits)


_TAG_NAMES = {}


def _tag_name(token):
    """The tag of a "tag[pid]:" token (cached: a log repeats a handful of tags), or None."""
    hit = _TAG_NAMES.get(token)
    if hit is None:
        m = RE_TAG_TOKEN.match(token)
        hit = (m.group(1), bool(m.group(2))) if m else False
        if len(_TAG_NAMES) > 4096:
            _TAG_NAMES.clear()
        _TAG_NAMES[token] = hit
    return hit or None


def split_host_tag(rest):
    """(host, tag, msg) of "host tag[pid]: msg", "tag[pid]: msg", "host: msg", skipping rsyslog
    facility and zone tokens; (None, None, rest) when no such structure is in the first tokens."""
    sp = rest.find(" ", 0, 80)                       # the common shape first: "host tag[pid]: msg"
    if sp > 0 and rest[sp - 1] != ":":
        sp2 = rest.find(" ", sp + 1, sp + 81)
        if sp2 > sp + 1 and rest[sp2 - 1] == ":":
            tag = _tag_name(rest[sp + 1:sp2])
            host = rest[:sp]
            if tag is not None and not RE_FACILITY.match(host) and not RE_ZONE.match(host):
                return host, tag[0], rest[sp2 + 1:]
    pos = 0
    host = None
    for _step in range(5):
        end = rest.find(" ", pos, pos + 80)
        if end < 0:
            end = len(rest) if len(rest) - pos <= 80 else -1
        if end <= pos:
            break
        token = rest[pos:end]
        nxt = end + 1
        if RE_FACILITY.match(token) or (host is None and RE_ZONE.match(token)):
            pos = nxt
            continue
        if token.endswith(":"):
            tag = _tag_name(token)
            if tag is None:
                break
            name, has_pid = tag
            msg = rest[nxt:] if nxt <= len(rest) else ""
            if host is None and not has_pid and name not in KNOWN_TAGS:
                if msg.startswith(_HOST_MESSAGE_STARTS) and not RE_FACILITY.match(name):
                    return name, None, msg          # "host: message"
                break
            return host, name, msg
        if host is not None:
            break
        host = token
        pos = nxt
    return None, None, rest


def _split_prefix(kind, epoch, rest):
    """The Prefix of a stamped line whose ``rest`` may start with a host and a tag."""
    host, tag, msg = split_host_tag(rest)
    return Prefix(kind, host, epoch, None, tag, msg)


def _numeric_epoch(g, zone=None):
    """Epoch of the groups year, month, day, hour, minute, second, fraction (and ``zone``);
    None for a date that does not exist."""
    epoch = epoch_of(int(g[0]), int(g[1]), int(g[2]), int(g[3]), int(g[4]), int(g[5]))
    if epoch is not None:
        epoch += _frac(g[6]) - tz_offset(zone) if zone else _frac(g[6])
    return epoch


def recognise_level_letter(text, ctx):
    """Keenetic routers' log: a level letter in brackets before a host-less syslog stamp,
    "[W] Oct 22 20:02:32 kernel: msg" (AdGuardVPNCLI#68); read as the syslog line after it."""
    if text[2:4] != "] " or text[1:2] not in "CEWIND":
        return None
    return recognise_syslog(text[4:], ctx)


def recognise_dmesg(text, ctx):
    m = RE_DMESG.match(text)
    if m:
        return Prefix("dmesg", None, None, float(m.group(1)), None, text[m.end():])
    return None


def recognise_dmesg_t(text, ctx):
    m = RE_DMESG_T.match(text)
    if not m:
        return None
    names = m.group(1).split()
    month = month_number(names[-1]) if names else None
    epoch = None
    if month:
        epoch = epoch_of(int(m.group(6)), month, int(m.group(2)), int(m.group(3)), int(m.group(4)),
                         int(m.group(5)))
    return Prefix("dmesg-T", None, epoch, None, None, text[m.end():])


def recognise_dmesg_reltime(text, ctx):
    """dmesg -H / --reltime: "[Oct28 16:58] msg" when the minute changes, else "[  +0.000006] msg"
    (the delta to the line before). A delta line is timed to its minute stamp (util-linux prints a
    new one each minute); deltas before any minute stamp leave the time unknown."""
    m = RE_RELTIME_DELTA.match(text)
    if m:
        return Prefix("dmesg-H", None, ctx.reltime_epoch, None, None, text[m.end():])
    m = RE_RELTIME_MINUTE.match(text)
    if not m:
        return None
    month = month_number(m.group(1))
    epoch = None
    if month:
        epoch = yearless_epoch(month, int(m.group(2)), int(m.group(3)), int(m.group(4)), 0, ctx.year, ctx.now)
    ctx.reltime_epoch = epoch
    return Prefix("dmesg-H", None, epoch, None, None, text[m.end():])


def recognise_journal_json(text, ctx):
    """journalctl -o json: one JSON object a line; MESSAGE, _HOSTNAME, SYSLOG_IDENTIFIER and
    __REALTIME_TIMESTAMP (microseconds) give msg, host, tag and time. A line that is no complete
    object with a text MESSAGE (cut at max_line, binary MESSAGE as a byte array) is left to the
    unknown-prefix path, which still finds the message in it."""
    if not text.endswith("}") or '"MESSAGE"' not in text:
        return None
    import json      # only for such lines: a syslog audit does not pay for the import
    try:
        entry = json.loads(text)
    except (ValueError, RecursionError):       # not JSON, or nested deep enough to hurt
        return None
    msg = entry.get("MESSAGE") if isinstance(entry, dict) else None
    if not isinstance(msg, str):
        return None
    usec = entry.get("__REALTIME_TIMESTAMP")
    epoch = int(usec) / 1e6 if isinstance(usec, str) and usec.isdigit() else None
    host, tag = entry.get("_HOSTNAME"), entry.get("SYSLOG_IDENTIFIER")
    return Prefix("journal-json", host if isinstance(host, str) else None, epoch, None,
                  tag if isinstance(tag, str) else None, msg.rstrip("\n"))


def recognise_rfc5424(rest, ctx):
    """RFC 5424 after its "<PRI>": "1 2025-04-20T20:03:27.123+02:00 host app procid msgid SD msg"
    (rsyslog RSYSLOG_SyslogProtocol23Format, syslog-ng, network captures); "-" is a nil field."""
    if not rest.startswith("1 "):
        return None
    m = RE_ISO.match(rest, 2)
    if not m:
        return None
    iso_p = recognise_iso(rest[2:m.end()], ctx)
    parts = rest[m.end():].split(" ", 4)            # host app procid msgid "SD msg"
    if iso_p is None or len(parts) < 5:
        return None
    host, app, _procid, _msgid, tail = parts
    if tail.startswith("["):                        # structured data: "[id k=\"v\" ...]..." (bounded)
        end = tail.find("] ", 0, 2048)
        if end < 0:
            return None
        tail = tail[end + 2:]
    elif tail.startswith("- ") or tail == "-":
        tail = tail[2:]
    else:
        return None
    nil = (None if host == "-" else host), (None if app == "-" else app)
    return Prefix("rfc5424", nil[0], iso_p.epoch, None, nil[1], tail.lstrip("\ufeff"))


def recognise_printk_level(text, ctx):
    m = RE_PRINTK_LEVEL.match(text)
    if not m:
        return None
    p5424 = recognise_rfc5424(text[m.end():], ctx)
    if p5424 is not None:
        return p5424
    inner = recognise(text[m.end():], ctx, allow_level=False)
    if inner is not None:
        return inner
    return Prefix("printk-level", None, None, None, None, text[m.end():])


def recognise_kmsg(text, ctx):
    m = RE_KMSG.match(text)
    if m:
        return Prefix("kmsg", None, None, int(m.group(3)) / 1e6, None, text[m.end():])
    return None


def recognise_iso(text, ctx):
    m = RE_ISO.match(text)
    if not m:
        return None
    g = m.groups()
    return _split_prefix("iso", _numeric_epoch(g, g[7]), text[m.end():])


def recognise_unix(text, ctx):
    m = RE_UNIX.match(text)
    if not m:
        return None
    return _split_prefix("short-unix", float(m.group(1)) + _frac(m.group(2)), text[m.end():])


def recognise_syslog(text, ctx):
    m = RE_SYSLOG.match(text)
    if not m:
        return None
    g = m.groups()
    month = month_number(g[0])
    if month is None and not g[0][:1].isupper() and g[0][:1].isascii():
        return None         # a lower-case ASCII word is a message ("mem 10 ..."), not a month
    epoch = None
    if month:
        epoch = yearless_epoch(month, int(g[1]), int(g[2]), int(g[3]), int(g[4]), ctx.year, ctx.now)
        if epoch is not None:
            epoch += _frac(g[5])
    rest = text[m.end():]
    if g[6].startswith(":"):
        return Prefix("syslog", None, epoch, None, None, rest)
    return _split_prefix("syslog", epoch, rest)


def recognise_logread(text, ctx):
    m = RE_CTIME.match(text)
    if not m:
        return None
    _weekday, month_name, day, hh, mm, ss, year = m.groups()
    month = month_number(month_name)
    epoch = epoch_of(int(year), month, int(day), int(hh), int(mm), int(ss)) if month else None
    return _split_prefix("logread", epoch, text[m.end():])


def recognise_short_full(text, ctx):
    """journalctl -o short-full: "Tue 2025-04-20 20:03:27 UTC host kernel: msg" (zone token skipped)."""
    m = RE_SHORT_FULL.match(text)
    if not m:
        return None
    return _split_prefix("short-full", _numeric_epoch(m.groups()), text[m.end():])


def recognise_kibana(text, ctx):
    """Kibana Discover rows copied out of the browser: "Jun 25, 2021 @ 12:42:13.029 | kernel | [secs] msg"
    (Kibana's default dateFormat "MMM D, YYYY @ HH:mm:ss.SSS", then the table's columns, "|"- or
    tab-separated, a one-word column read as the tag). The browser's zone is not shown: the stamp
    is taken as it stands, like a dmesg -T stamp."""
    if text.find(" @ ", 8, 24) < 0:                 # cheap refusal of every other alpha line
        return None
    m = RE_KIBANA.match(text)
    if not m:
        return None
    g = m.groups()
    month = month_number(g[0])
    epoch = _plus_frac(epoch_of(int(g[2]), month, int(g[1]), int(g[3]), int(g[4]), int(g[5])) if month else None,
                       g[6])
    rest = text[m.end():].lstrip(" \t|")
    tag = None
    for sep in (" | ", "\t"):
        at = rest.find(sep, 0, 66)
        if at > 0 and " " not in rest[:at]:
            tag, rest = rest[:at], rest[at + len(sep):].lstrip(" \t|")
            break
    return Prefix("kibana", None, epoch, None, tag, rest)


def recognise_logcat(text, ctx):
    """Android logcat lines (threadtime or time format): no year, no host; the tag is the logcat tag."""
    m = RE_LOGCAT.match(text) if text[2:3] == "-" else None     # "-": cheap refusal of ISO, kmsg, epochs
    if m is None:
        return None
    month, day, hh, mm, ss, millis, _level, tag, _level_time, tag_time = m.groups()
    epoch = yearless_epoch(int(month), int(day), int(hh), int(mm), int(ss), ctx.year, ctx.now) \
        if 1 <= int(month) <= 12 else None
    return Prefix("logcat", None, _plus_frac(epoch, millis), None, tag or tag_time, text[m.end():])


def recognise_tag(text, ctx):
    m = RE_TAG_ONLY.match(text)
    if not m:
        return None
    name, rest = m.group(1), text[m.end():]
    if m.group(2) or name in KNOWN_TAGS:
        return Prefix("tag", None, None, None, name, rest)
    if not RE_FACILITY.match(name) and rest.startswith(_HOST_MESSAGE_STARTS):
        return Prefix("host", name, None, None, None, rest)      # "web-01.example.com: [..] msg"
    return None


# The registry, by the first character of the line; each entry is tried in order.
REGISTRY = {
    "[": (recognise_dmesg, recognise_dmesg_t, recognise_dmesg_reltime, recognise_level_letter),
    "<": (recognise_printk_level,),
    "{": (recognise_journal_json,),
    "digit": (recognise_iso, recognise_kmsg, recognise_unix, recognise_logcat),
    "alpha": (recognise_logread, recognise_syslog, recognise_short_full, recognise_tag, recognise_kibana),
}
ALL_RECOGNISERS = tuple(f for fs in REGISTRY.values() for f in fs)


def recognise(text, ctx, allow_level=True):
    c0 = text[:1]
    if c0 == "[":
        group = REGISTRY["["]
    elif c0 == "<":
        if not allow_level:
            return None
        group = REGISTRY["<"]
    elif c0 == "{":
        group = REGISTRY["{"]
    elif c0.isdigit():
        group = REGISTRY["digit"]
    elif c0.isalpha():
        group = REGISTRY["alpha"]
    else:
        return None
    for fn in group:
        p = fn(text, ctx)
        if p is not None:
            return p
    return None


def strip_paste(text):
    """Drop what chat, tickets and editors put before a log line: quote marks, '>' quoting,
    fences, list bullets, line numbers."""
    s = text.lstrip(PASTE_JUNK)
    m = RE_LINE_NUMBER.match(s)
    if m and s[m.end():m.end() + 1] in ("[", "<") or (m and s[m.end():m.end() + 1].isalpha()):
        s = s[m.end():].lstrip(PASTE_JUNK)
    return s


def embedded_level(text, ctx):
    """The prefix of a raw syslog packet a receiving tool printed behind its own words:
    "Received message  <6>Jun  8 11:15:26 LEDE kernel: [..] msg" (PirateBox's UDP log
    receiver, openwrt-piratebox-feed#10): a "<N>" in the first characters that a recognised
    syslog or RFC 5424 line follows. None when there is no such "<N>" (one find, bounded)."""
    at = text.find("<", 1, MAX_PREFIX_SCAN)
    if at < 0 or not text[at + 1:at + 2].isdigit():
        return None
    p = recognise_printk_level(text[at:], ctx)
    if p is None or p.kind == "printk-level" or p.epoch is None:
        return None
    return p


def unknown_prefix(text):
    """The message of a line whose prefix nothing recognised."""
    m = RE_CUT_STAMP.match(text)
    if m:                                           # "5193605.506728] Task in .." (a paste that starts after the "[")
        return Prefix("unknown", None, None, float(m.group(1)), None, text[m.end():])
    m = RE_INNER_STAMP.search(text, 0, MAX_PREFIX_SCAN)
    if m:
        return Prefix("unknown", None, None, float(m.group(1)), None, text[m.end():])
    at = text.find("[", 0, MAX_PREFIX_SCAN)
    if at >= 0:                                     # "kern  :err   : [Sun Apr 20 ..] msg" (dmesg -x -T)
        p = recognise_dmesg_t(text[at:at + MAX_PREFIX_SCAN], None)
        if p is not None:
            return Prefix("unknown", None, p.epoch, None, None, text[at + len(text[at:at + MAX_PREFIX_SCAN]) - len(p.msg):])
    at = text.find(" kernel: ", 0, MAX_PREFIX_SCAN)
    if at >= 0:
        return Prefix("unknown", None, None, None, "kernel", text[at + 9:])
    return Prefix("unknown", None, None, None, None, text)


def _inner(p, msg=None):
    """Stamps and tags inside the message: printk level, "[secs]", "tag[pid]: " (short-monotonic),
    and a guest's "<6>[secs]" after an unrecognised head (vmware.log). ``msg`` replaces p.msg."""
    msg = p.msg if msg is None else msg
    uptime, tag = p.uptime, p.tag
    c0 = msg[:1]
    if c0 == "<":
        m = RE_PRINTK_LEVEL.match(msg)
        if m:
            msg = msg[m.end():]
            c0 = msg[:1]
    if c0 == "[" and uptime is None:
        m = RE_DMESG.match(msg)
        if m:
            uptime = float(m.group(1))
            msg = msg[m.end():]
    if tag is None:
        m = RE_INNER_TAG.match(msg)
        if m:
            tag = m.group(1)
            msg = msg[m.end():]
        elif p.kind in ("iso", "logread", "syslog", "short-unix", "short-full") and uptime is None:
            m = RE_INNER_STAMP.search(msg, 0, MAX_PREFIX_SCAN)
            if m:
                uptime = float(m.group(1))
                msg = msg[m.end():]
    if msg is p.msg and uptime == p.uptime and tag == p.tag:
        return p
    return Prefix(p.kind, p.host, p.epoch, uptime, tag, msg)


class Splitter(object):
    """split_line with a one-entry memory: consecutive lines of a syslog-style log mostly repeat
    the previous line's outer prefix ("Apr 20 20:03:27 host kernel: "), which is then not parsed
    again; the rest ("[secs] msg") still is. Same results as split_line, line by line."""

    CACHEABLE = ("syslog", "logread", "iso", "short-unix", "short-full")

    def __init__(self, ctx):
        self.ctx = ctx
        self._head = None
        self._outer = None

    def split(self, text):
        head = self._head
        if head is not None and text.startswith(head):
            return _inner(self._outer, text[len(head):])
        p = recognise(text, self.ctx)
        if p is None:
            self._head = None
            stripped = strip_paste(text)
            if stripped != text:
                p = recognise(stripped, self.ctx)
            if p is None:
                p = embedded_level(text, self.ctx)
            if p is None:
                p = unknown_prefix(text.lstrip(PASTE_JUNK))
            return _inner(p)
        if p.kind in self.CACHEABLE and p.tag is not None and len(p.msg) < len(text):
            self._head = text[:len(text) - len(p.msg)]
            self._outer = p
        else:
            self._head = None
        return _inner(p)


def split_line(text, ctx):
    """The Prefix of one decoded log line (never None)."""
    return Splitter(ctx).split(text)
