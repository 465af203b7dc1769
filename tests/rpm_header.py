"""Build rpm header blobs and an rpmdb.sqlite the way rpm >= 4.16 lays them out (lib/header.c:
int32 il, int32 dl, il 16-byte index entries, data store; the Packages table of
lib/backend/sqlite.c), for unit tests that run without rpm. A real header taken from rpm 4.18
is in tests/fixtures/rpm/ (see its README)."""
import hashlib
import os
import sqlite3
import struct

FIXTURE_HEADER = os.path.join(os.path.dirname(__file__), "fixtures", "rpm", "hgrpm-1.0-1.noarch.header")
ALGO_IDS = {"md5": 1, "sha256": 8}


def header(name, files, algo="sha256"):
    """files: [(path, content bytes or None for no digest, flags int)]."""
    dirnames, basenames, dirindexes, digests, flags = [], [], [], [], []
    for path, content, flag in files:
        d, b = path.rsplit("/", 1)
        d += "/"
        if d not in dirnames:
            dirnames.append(d)
        dirindexes.append(dirnames.index(d))
        basenames.append(b)
        digests.append(hashlib.new(algo, content).hexdigest() if content is not None else "")
        flags.append(flag)
    entries = [(1000, 6, [name]), (1035, 8, digests), (1037, 4, flags), (1116, 4, dirindexes),
               (1117, 8, basenames), (1118, 8, dirnames), (5011, 4, [ALGO_IDS[algo]])]
    data = bytearray()
    index = bytearray()
    for tag, typ, values in entries:
        if typ == 4:
            while len(data) % 4:
                data.append(0)
            off = len(data)
            data.extend(struct.pack(">%di" % len(values), *values))
        else:
            off = len(data)
            for v in values:
                data.extend(v.encode("utf-8") + b"\0")
        index.extend(struct.pack(">iiii", tag, typ, off, 1 if typ == 6 else len(values)))
    return struct.pack(">ii", len(entries), len(data)) + bytes(index) + bytes(data)


def rpmdb(root, blobs, dbdir="/var/lib/rpm"):
    """<root><dbdir>/rpmdb.sqlite with a Packages table holding ``blobs``; returns its path."""
    host = os.path.join(str(root), dbdir.lstrip("/"))
    os.makedirs(host, exist_ok=True)
    path = os.path.join(host, "rpmdb.sqlite")
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE IF NOT EXISTS 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,"
                 "blob BLOB NOT NULL)")
    conn.executemany("INSERT INTO Packages (blob) VALUES (?)", [(b,) for b in blobs])
    conn.commit()
    conn.close()
    return path


def fixture_header():
    with open(FIXTURE_HEADER, "rb") as handle:
        return handle.read()
