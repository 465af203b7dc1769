# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which rpm package owns a file, and its packaged digest, read from the rpm database under
``root`` without rpm.

rpm >= 4.16 keeps its database in SQLite: ``rpmdb.sqlite`` in ``/usr/lib/sysimage/rpm``
(Fedora 36+, RHEL 9; ``/var/lib/rpm`` is a link to it) or ``/var/lib/rpm``. Its ``Packages``
table holds one header blob per installed package (``hnum``, ``blob``): the header structure
rpm writes for an installed package (rpm's lib/header.c, headerExport without the magic):

    int32 il, int32 dl (big-endian), il index entries of 16 bytes
    (int32 tag, type, offset, count), then dl bytes of data.

The tags read: NAME (1000), BASENAMES (1117), DIRNAMES (1118), DIRINDEXES (1116),
FILEDIGESTS (1035, hex), FILEDIGESTALGO (5011, default md5), FILEFLAGS (1037: %config, %ghost).

The database is opened with Python's stdlib sqlite3 through a ``file:...?mode=ro&immutable=1``
URI: read-only, no lock taken, no -journal/-wal/-shm file created or changed (the audit writes
nothing under root). ``immutable`` also means a write-ahead log is not replayed: a non-empty
``rpmdb.sqlite-wal`` (rpm running, or killed mid-transaction) is reported and ownership then
counts as incomplete.

BerkeleyDB ``Packages`` (rpm < 4.16: CentOS 7/8, RHEL 8) and ``Packages.db`` (ndb: SUSE) are not
read (no stdlib reader): they are reported as such, with ownership unknown, never "unowned".
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import struct

try:
    import sqlite3
except ImportError:  # pragma: no cover - a Python built without _sqlite3
    sqlite3 = None
try:
    from urllib.parse import quote
except ImportError:  # pragma: no cover - Python 2
    from urllib import quote  # pylint: disable=ansible-bad-import-from

from ansible_collections.hostguard.hardening.plugins.module_utils.persistence.locate import resolve

RPM_DIRS = ("/usr/lib/sysimage/rpm", "/var/lib/rpm")
FORMATS = (("rpmdb.sqlite", "sqlite"), ("Packages", "bdb"), ("Packages.db", "ndb"))
NOT_READ = {"bdb": "BerkeleyDB Packages (rpm < 4.16): not read, no stdlib reader",
            "ndb": "ndb Packages.db (SUSE): not read, no stdlib reader"}

TAG_NAME = 1000
TAG_FILEDIGESTS = 1035
TAG_FILEFLAGS = 1037
TAG_DIRINDEXES = 1116
TAG_BASENAMES = 1117
TAG_DIRNAMES = 1118
TAG_FILEDIGESTALGO = 5011
WANTED_TAGS = (TAG_NAME, TAG_FILEDIGESTS, TAG_FILEFLAGS, TAG_DIRINDEXES, TAG_BASENAMES,
               TAG_DIRNAMES, TAG_FILEDIGESTALGO)
TYPE_INT32 = 4
TYPE_STRING = 6
TYPE_STRING_ARRAY = 8
TYPE_I18NSTRING = 9
RPMFILE_CONFIG = 1
RPMFILE_GHOST = 1 << 6
# PGPHASHALGO_* (rpmpgp.h) -> hashlib name
DIGEST_ALGOS = {1: "md5", 2: "sha1", 8: "sha256", 9: "sha384", 10: "sha512", 11: "sha224"}
MAX_TAGS = 0xffff            # rpm's own HEADER_TAGS_MAX
MAX_HEADER_BYTES = 256 * 1024 * 1024
MAX_PACKAGES = 200000


class HeaderError(Exception):
    """A header blob rpm would not accept (truncated, out-of-range offsets)."""


def header_index(blob):
    """{tag: (type, offset, count)} of the wanted tags, and the data store (bytes)."""
    if len(blob) < 8:
        raise HeaderError("header shorter than its 8-byte preamble")
    il, dl = struct.unpack(">ii", blob[:8])
    if il < 1 or il > MAX_TAGS or dl < 0 or dl > MAX_HEADER_BYTES:
        raise HeaderError("header counts out of range (il=%d, dl=%d)" % (il, dl))
    start = 8 + 16 * il
    if start + dl > len(blob):
        raise HeaderError("header truncated (%d bytes, needs %d)" % (len(blob), start + dl))
    data = blob[start:start + dl]
    out = {}
    for i in range(il):
        tag, typ, off, count = struct.unpack(">iiii", blob[8 + 16 * i:24 + 16 * i])
        if tag in WANTED_TAGS:
            if off < 0 or off >= dl or count < 0 or count > dl:
                raise HeaderError("tag %d points outside the data store" % tag)
            out[tag] = (typ, off, count)
    return out, data


def tag_strings(index, data, tag):
    """A STRING / STRING_ARRAY tag's values (bytes), or [] when absent."""
    if tag not in index:
        return []
    typ, off, count = index[tag]
    if typ == TYPE_STRING:
        count = 1
    elif typ not in (TYPE_STRING_ARRAY, TYPE_I18NSTRING):
        raise HeaderError("tag %d is not a string" % tag)
    items = data[off:].split(b"\0", count)
    if len(items) <= count:
        raise HeaderError("tag %d: %d strings promised, data ends first" % (tag, count))
    return items[:count]


def tag_ints(index, data, tag):
    """An INT32 tag's values, or [] when absent."""
    if tag not in index:
        return []
    typ, off, count = index[tag]
    if typ != TYPE_INT32:
        raise HeaderError("tag %d is not an int32 array" % tag)
    if off + 4 * count > len(data):
        raise HeaderError("tag %d runs past the data store" % tag)
    return list(struct.unpack(">%di" % count, data[off:off + 4 * count]))


def header_files(blob, wanted_basenames=None):
    """(package name, [(path bytes, hex digest or '', flags)], digest algo name or None).

    With ``wanted_basenames`` (a set of bytes) only the files with one of those base names are
    returned (the other files' paths are never assembled: a header is mostly file lists)."""
    index, data = header_index(blob)
    names = tag_strings(index, data, TAG_NAME)
    name = names[0].decode("utf-8", "replace") if names else "?"
    basenames = tag_strings(index, data, TAG_BASENAMES)
    if not basenames:
        return name, [], None
    if wanted_basenames is not None and not wanted_basenames.intersection(basenames):
        return name, [], None
    dirnames = tag_strings(index, data, TAG_DIRNAMES)
    dirindexes = tag_ints(index, data, TAG_DIRINDEXES)
    digests = tag_strings(index, data, TAG_FILEDIGESTS)
    flags = tag_ints(index, data, TAG_FILEFLAGS)
    algo_ids = tag_ints(index, data, TAG_FILEDIGESTALGO)
    algo = DIGEST_ALGOS.get(algo_ids[0] if algo_ids else 1)
    if len(dirindexes) != len(basenames):
        raise HeaderError("%s: %d base names but %d directory indexes" % (name, len(basenames), len(dirindexes)))
    files = []
    for i, base in enumerate(basenames):
        if wanted_basenames is not None and base not in wanted_basenames:
            continue
        d = dirindexes[i]
        if d < 0 or d >= len(dirnames):
            raise HeaderError("%s: directory index %d out of range" % (name, d))
        digest = digests[i].decode("ascii", "replace") if i < len(digests) else ""
        files.append((dirnames[d] + base, digest, flags[i] if i < len(flags) else 0))
    return name, files, algo


def find_databases(root):
    """[{"dir", "real", "format", "file"}] of the rpm databases under root (a link
    /var/lib/rpm -> /usr/lib/sysimage/rpm is one database, listed once)."""
    out = []
    seen = set()
    for directory in RPM_DIRS:
        res = resolve(root, directory)
        if res["status"] != "ok" or res["info"]["type"] != "directory" or res["path"] in seen:
            continue
        seen.add(res["path"])
        for filename, fmt in FORMATS:
            f = resolve(root, res["path"] + "/" + filename)
            if f["status"] == "ok":
                out.append({"dir": directory, "real": res["path"], "format": fmt,
                            "file": res["path"] + "/" + filename, "res": f})
                break
    return out


def _connect(host_path):
    """A read-only, lock-free, write-free connection (see the module docstring)."""
    uri = "file:%s?mode=ro&immutable=1" % quote(host_path)
    return sqlite3.connect(uri, uri=True)


def read_sqlite(root, db, wanted, budget):
    """Owners of the ``wanted`` paths ({path bytes: [asked paths]}) in one rpmdb.sqlite.

    Returns ({asked path: {"package", "sum", "algo", "config"}}, report dict)."""
    report = {"path": db["file"], "format": "sqlite", "read": False, "packages": 0,
              "bad_headers": 0, "note": None}
    res = db["res"]
    if res["info"]["type"] != "file":
        report["note"] = "%s is a %s, not a database file: not read" % (db["file"], res["info"]["type"])
        return {}, report
    if sqlite3 is None:
        report["note"] = "this Python has no sqlite3 module: rpm database not read"
        return {}, report
    size = res["info"]["size"]
    if size > budget["left"]:
        budget["exhausted"] = True
        report["note"] = "rpmdb.sqlite (%d bytes) exceeds the remaining max_package_db_bytes" % size
        return {}, report
    budget["left"] -= size
    wal = resolve(root, db["file"] + "-wal")
    if wal["status"] == "ok" and wal["info"]["type"] == "file" and wal["info"]["size"] > 0:
        report["wal_bytes"] = wal["info"]["size"]
        report["note"] = ("write-ahead log of %d bytes not replayed (immutable read): packages of a "
                          "transaction not yet checkpointed are missing" % wal["info"]["size"])
    basenames = set(p.rsplit(b"/", 1)[-1] for p in wanted)
    owners = {}
    conn = None
    try:
        conn = _connect(res["host"])
        rows = conn.execute("SELECT hnum, blob FROM Packages")
        for _hnum, blob in rows:
            report["packages"] += 1
            if report["packages"] > MAX_PACKAGES:
                report["note"] = "more than %d packages: the rest not read" % MAX_PACKAGES
                budget["exhausted"] = True
                break
            try:
                name, found, algo = header_files(bytes(blob or b""), basenames)
            except HeaderError:
                report["bad_headers"] += 1
                continue
            for path, digest, flags in found:
                for asked in wanted.get(path, ()):
                    if asked in owners:
                        continue
                    owners[asked] = {"package": name, "sum": digest or None, "algo": algo,
                                     "config": bool(flags & RPMFILE_CONFIG),
                                     "ghost": bool(flags & RPMFILE_GHOST)}
        report["read"] = True
    except sqlite3.Error as exc:
        report["note"] = "rpmdb.sqlite not readable as an rpm database: %s" % exc
        budget["errors"] += 1
    finally:
        if conn is not None:
            conn.close()
    if report["bad_headers"]:
        budget["errors"] += 1
    if report.get("wal_bytes"):
        budget["errors"] += 1
    return owners, report


def lookup(root, wanted, budget):
    """Owners of ``wanted`` ({path bytes: [asked paths]}) in every rpm database under root.

    Returns (owners, [report per database]). A database in a format not read adds to
    ``budget["errors"]`` (ownership incomplete)."""
    owners = {}
    reports = []
    for db in find_databases(root):
        if db["format"] != "sqlite":
            reports.append({"path": db["file"], "format": db["format"], "read": False,
                            "note": NOT_READ[db["format"]] + ": package ownership unknown"})
            budget["errors"] += 1
            continue
        found, report = read_sqlite(root, db, wanted, budget)
        for k, v in found.items():
            owners.setdefault(k, v)
        reports.append(report)
    return owners, reports
