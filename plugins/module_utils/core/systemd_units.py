# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""systemd unit files and drop-ins under a ``root``, read as systemd would, without systemd.

Shared by the areas that judge a service by its unit (OOM posture, Redis sandboxing ...):
- ``find_unit``: the unit file systemd loads for a name (search path precedence, masking,
  aliases) and its drop-ins in application order (``<name>.d/``, alias ``.d/``, ``service.d/``);
- ``find_units``: the same for every unit whose name matches glob patterns (aliases skipped);
- ``section_assignments``: ``Key=value`` lines of one section with systemd.syntax(7) rules
  (``#``/``;`` comments, trailing backslash continues a line); an empty value is kept (it
  resets the setting: the caller decides what that means for its key).
Every file is read through safe_read (bounded). Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import os
import stat

from ansible_collections.hostguard.hardening.plugins.module_utils.core import paths
from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import (
    SafeReadError, decode_line, iter_lines_in_root)

# systemd.unit(5) "System Unit Search Path" (highest priority first); /lib/systemd/system
# for split-/usr Debian-family systems.
UNIT_DIRS = ("/etc/systemd/system.control", "/run/systemd/system.control",
             "/run/systemd/transient", "/etc/systemd/system", "/run/systemd/system",
             "/usr/local/lib/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system")
MAX_UNIT_BYTES = 256 * 1024
MAX_DROPINS = 128
MAX_UNITS_PER_DIR = 4096


def resolve_config_file(root, path):
    """A file of a systemd-style configuration directory (unit drop-ins, sysctl.d, ...),
    followed inside ``root``. Returns (real path in the audited system or None, masked):
    a link to /dev/null masks it (also in a fixture root that has no /dev/null); a broken
    link or anything but a regular file gives (None, False). Every link on the way is
    resolved by core.paths: a directory link to a host directory never reaches the host."""
    res, masked = resolve_in_root(root, path)
    if masked:
        return None, True
    if not res.ok or not stat.S_ISREG(res.st.st_mode):
        return None, False
    return res.path, False


def resolve_in_root(root, path):
    """(core.paths Resolved, masked) of ``path``: masked when it resolves to /dev/null (also in
    a fixture root that has no /dev/null)."""
    try:
        res = paths.resolve(root or "/", path)
    except (OSError, ValueError):
        return paths.Resolved(paths.ERROR, path, reason="cannot resolve"), False
    masked = res.path == "/dev/null" or bool(res.links and res.links[-1][1] == "/dev/null")
    return res, masked


def read_lines(root, path, max_bytes=MAX_UNIT_BYTES):
    """[(lineno, text)] of a unit file or drop-in; raises SafeReadError when unreadable."""
    try:     # resolved inside root by core.paths, never by the host's kernel
        _info, lines = iter_lines_in_root(root or "/", path, max_bytes)
    except ValueError as exc:
        raise SafeReadError(path, "invalid_path", str(exc))
    return [(no, decode_line(line)) for no, line, _cut in lines]


def section_assignments(lines, section="Service"):
    """[(lineno, key, value)] of the assignments in ``[section]``, in file order.

    ``lines``: [(lineno, text)]. A continued line is reported at its first line number."""
    return all_section_assignments(lines).get(section, [])


def all_section_assignments(lines):
    """{section: [(lineno, key, value)]} of every section, in file order, in one pass over
    ``lines`` (what section_assignments gives for each section)."""
    out = {}
    bucket = None
    pending = ""
    pending_no = None
    for lineno, raw in lines:
        line = raw.rstrip("\r\n")
        if pending:
            line = pending + " " + line.strip()
            lineno = pending_no
            pending = ""
        if line.endswith("\\"):
            pending, pending_no = line[:-1], lineno
            continue
        text = line.strip()
        if not text or text[0] in "#;":
            continue
        if text.startswith("[") and text.endswith("]"):
            bucket = out.setdefault(text[1:-1], [])
            continue
        if bucket is None:
            continue
        key, sep, value = text.partition("=")
        if not sep:
            continue
        bucket.append((lineno, key.strip(), value.strip()))
    return out


def find_unit(root, name, dirs=UNIT_DIRS):
    """Locate the unit file systemd would load for ``name`` and its drop-ins.

    Returns {name, path, real, masked, aliases, dropins: [paths in application order]} or
    None when no directory holds the unit."""
    main = None
    for directory in dirs:
        path = directory + "/" + name
        res, masked = resolve_in_root(root, path)
        if not res.ok and not masked:
            continue
        main = {"name": name, "path": path, "real": None if masked else res.path,
                "masked": masked}
        break
    if main is None:
        return None
    names = [name]
    if main["real"]:
        real_name = os.path.basename(main["real"])
        if real_name != name:
            names.append(real_name)  # alias: drop-ins of both names apply
    main["aliases"] = names
    # drop-ins: <name>.d/*.conf of every unit name plus the type-wide service.d/;
    # same basename: the higher-priority directory wins; then sorted by basename.
    chosen = {}
    not_read = []            # drop-ins past MAX_DROPINS in a directory: said, never silent
    unit_type = name.rsplit(".", 1)[-1]
    for directory in dirs:
        # "<type>.d" (e.g. service.d/) holds drop-ins for every unit of that type
        for unit_name in names + [unit_type]:
            ddir = "%s/%s.d" % (directory, unit_name)
            try:
                entries, _res = paths.sorted_names(root, ddir)   # inside root (issue 17)
            except OSError:
                continue
            for entry in entries[:MAX_DROPINS]:
                if entry.endswith(".conf") and entry not in chosen:
                    chosen[entry] = ddir + "/" + entry
            not_read.extend(ddir + "/" + e for e in entries[MAX_DROPINS:] if e.endswith(".conf"))
    dropins = []
    for entry in sorted(chosen):
        real, _masked = resolve_config_file(root, chosen[entry])
        if real:
            dropins.append(real)
    main["dropins"] = dropins
    # the first and the last 32 (files apply in name order: the last ones matter)
    main["dropins_not_read"] = not_read if len(not_read) <= 64 else not_read[:32] + not_read[-32:]
    main["dropins_not_read_count"] = len(not_read)
    return main


def dropins_cut(unit):
    """None, or the "not fully scanned: ..." text an area reports (as a finding, issue 17) when
    a drop-in directory of ``unit`` held more than MAX_DROPINS names: the rest were not read
    and a later drop-in may set what the area judges."""
    count = (unit or {}).get("dropins_not_read_count") or 0
    if not count:
        return None
    return ("not fully scanned: %s: %d drop-in(s) past the first %d names of a drop-in directory "
            "not read: %s" % (unit.get("name"), count, MAX_DROPINS,
                              paths.sample_names(unit.get("dropins_not_read") or [])))


def unit_files(unit):
    """The files that make up a unit, in application order: unit file, then drop-ins."""
    return ([unit["real"]] if unit.get("real") else []) + list(unit.get("dropins", []))


def find_units(root, patterns, dirs=UNIT_DIRS):
    """{name: find_unit(...)} for every unit whose file name matches one of ``patterns``
    (fnmatch) in any of ``dirs``. An alias (a link to a unit of another name) is not a
    unit of its own and is left out."""
    names = set()
    for directory in dirs:
        try:
            entries, _res = paths.sorted_names(root, directory)
        except OSError:
            continue
        for entry in entries[:MAX_UNITS_PER_DIR]:
            if any(fnmatch.fnmatchcase(entry, pattern) for pattern in patterns):
                names.add(entry)
    out = {}
    for name in sorted(names):
        unit = find_unit(root, name, dirs)
        if unit is None:
            continue
        if unit["real"] and os.path.basename(unit["real"]) != name:
            continue  # an alias (Alias= in [Install]) of a unit found on its own
        out[name] = unit
    return out
