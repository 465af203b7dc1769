# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wall-clock stamps of log prefixes: month names of the common locales, epochs, durations.

Month names are glibc's ``abmon``/``mon`` (and ``ab_alt_mon`` where it differs) of the locales a
``dmesg -T``, ``journalctl`` or syslog daemon prints with ``%b``: en, fr, de, es, it, pt, pl, ru,
uk, nl, sv, cs, tr, plus CJK ``N月``. A name is folded (lower case, trailing dot dropped) before
the look-up; an unknown name yields no month, and the caller keeps the record with time unknown.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import re
import time

_MONTH_NAMES = (
    # 1 .. 12, each a space-separated list of the spellings seen in the locales named above
    "jan january janv janvier januar ene enero gen gennaio sty"
    " stycznia styczeń янв января январь січ січня led ledna oca ocak",
    "feb february févr fevr février fevrier februar febrero febbraio fev fevereiro lut"
    " lutego luty фев февр февраля февраль лют лютого úno února sub şub şubat",
    "mar march mars märz marz mär marzo março mrt maart marca marzec мар марта март бер березня bře března",
    "apr april avr avril abr abril aprile kwi kwietnia kwiecień апр апреля апрель кві квітня dub dubna nis nisan",
    "may mai mayo mag maggio maio mei maj maja май мая тра травня kvě května",
    "jun june juin juni junio giu giugno jun junho cze"
    " czerwca czerwiec июн июня июнь чер червня čer června haz haziran",
    "jul july juil juillet juli julio lug luglio julho lip"
    " lipca lipiec июл июля июль лип липня črc července tem temmuz",
    "aug august août aout ago agosto sie sierpnia sierpień авг августа август сер серпня srp srpna ağu ağustos agu",
    "sep sept september septembre septiembre set settembre setembro wrz września"
    " wrzesień сен сент сентября сентябрь вер вересня zář září eyl eylül",
    "oct october octobre okt oktober octubre ott ottobre out outubro paź paz października październik"
    " окт октября октябрь жов жовтня říj října eki ekim",
    "nov november novembre noviembre novembro lis listopada listopad ноя нояб ноября ноябрь лис листопада kas kasım",
    "dec december déc decembre décembre dez dezember dic diciembre dicembre dezembro"
    " gru grudnia grudzień дек декабря декабрь гру грудня pro prosince ara aralık",
)
MONTHS = {}
for _num, _names in enumerate(_MONTH_NAMES, 1):
    for _name in _names.split():
        MONTHS.setdefault(_name, _num)
ENGLISH_MONTHS = dict((m, i + 1) for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")))
RE_CJK_MONTH = re.compile(r"^(\d{1,2})月$")


def month_number(name):
    """1..12 for a month name of a known locale ("Nov", "nov.", "avril", "апр", "11月"), else None."""
    if not name or len(name) > 16:
        return None
    hit = ENGLISH_MONTHS.get(name)
    if hit:
        return hit
    folded = name.strip().rstrip(".").lower()
    hit = MONTHS.get(folded)
    if hit:
        return hit
    m = RE_CJK_MONTH.match(folded)
    if m and 1 <= int(m.group(1)) <= 12:
        return int(m.group(1))
    return None


def iso(epoch):
    if epoch is None:
        return None
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
    except (ValueError, OverflowError, OSError):
        return None


def to_int(text, default=None):
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


def tz_offset(text):
    """Seconds east of UTC of "Z", "+0200", "-05:30"; 0 for None or an unreadable zone."""
    if not text or text in ("Z", "z"):
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    if not digits.isdigit():
        return 0
    return sign * (int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60)


def timegm(year, month, day, hh=0, mm=0, ss=0):
    """calendar.timegm without importing calendar (and datetime, locale with it): seconds since
    the epoch of a UTC time; day, hour, minute and second may overflow into the next unit as
    they do there. ValueError for a month outside 1-12 or a year outside 1-9999."""
    if not (1 <= month <= 12 and 1 <= year <= 9999):
        raise ValueError("year or month out of range: %r-%r" % (year, month))
    y = year - (month <= 2)                 # days from civil (H. Hinnant), for the 1st of the month
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468 + day - 1
    return ((days * 24 + hh) * 60 + mm) * 60 + ss


@functools.lru_cache(maxsize=1024)
def epoch_of(year, month, day, hh, mm, ss):
    try:
        return float(timegm(year, month, day, hh, mm, ss))
    except (ValueError, OverflowError, TypeError):
        return None


_YEARLESS_CACHE = {}


def yearless_epoch(month, day, hh, mm, ss, year, now):
    """Epoch of a stamp without a year (syslog, journal short): ``year`` if given, else this year,
    or last year when that would put the stamp more than a day in the future."""
    key = (month, day, hh, mm, ss, year, None if now is None else int(now) // 3600)
    if key in _YEARLESS_CACHE:
        return _YEARLESS_CACHE[key]
    now = time.time() if now is None else now
    y = year or time.gmtime(now).tm_year
    epoch = epoch_of(y, month, day, hh, mm, ss)
    if year is None and epoch is not None and epoch > now + 86400:
        epoch = epoch_of(y - 1, month, day, hh, mm, ss)
    if len(_YEARLESS_CACHE) > 4096:
        _YEARLESS_CACHE.clear()
    _YEARLESS_CACHE[key] = epoch
    return epoch


RE_SINCE_REL = re.compile(r"^\s*(\d{1,12})\s*([smhdw])\s*$")


def parse_duration(value, default=3600):
    """Seconds from 3600, "3600", "90m", "1h", "7d", "2w"."""
    if value is None or value == "":
        return default
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text.isdigit():
        return float(text)
    m = RE_SINCE_REL.match(text[:64])
    if not m:
        raise ValueError("not a duration: %r (use e.g. 3600, 90m, 1h, 7d)" % (value,))
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m.group(2)]


def parse_since(value, now=None):
    """Epoch seconds from an ISO date/time ("2025-04-20", "2025-04-20T20:03:27") or a
    relative age ("7d", "12h"). None for None/""."""
    if value is None or value == "":
        return None
    now = time.time() if now is None else now
    text = str(value).strip()
    if RE_SINCE_REL.match(text[:64]):
        return now - parse_duration(text)
    for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return float(timegm(*time.strptime(text.rstrip("Z"), fmt)[:6]))
        except ValueError:
            continue
    raise ValueError("since: not an ISO date or relative age: %r" % (value,))
