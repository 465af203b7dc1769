#!/usr/bin/env python
"""Validate hostguard reports against the collection's JSON Schemas.

Usage: validate_reports.py DIR [DIR...]

Every ``*.json`` directly in DIR is checked: files named ``fleet.json`` against
schemas/fleet-summary.schema.json, ``index.json`` is skipped, every other file against
schemas/host-report.schema.json. ``runs/*/`` below DIR is not walked (pass a run's ``hosts``
directory explicitly). Exit 0 when at least one report was found and all are valid, 1 when
any is invalid, 2 when none was found (a verify step must not pass on an empty directory).
"""
import json
import os
import sys

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(name):
    with open(os.path.join(ROOT, "schemas", name)) as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    validators = {"host": load("host-report.schema.json"), "fleet": load("fleet-summary.schema.json")}
    checked = bad = 0
    for directory in argv[1:]:
        for name in sorted(os.listdir(directory)):
            path = os.path.join(directory, name)
            if not name.endswith(".json") or name == "index.json" or not os.path.isfile(path):
                continue
            kind = "fleet" if name == "fleet.json" else "host"
            checked += 1
            try:
                with open(path, encoding="utf-8") as handle:
                    data = json.load(handle)
            except (OSError, ValueError) as exc:
                bad += 1
                print("INVALID %s: not JSON: %s" % (path, exc))
                continue
            errors = sorted(validators[kind].iter_errors(data), key=lambda e: list(e.absolute_path))
            if errors:
                bad += 1
                for err in errors[:10]:
                    where = "/".join(str(p) for p in err.absolute_path) or "(root)"
                    print("INVALID %s: %s: %s" % (path, where, err.message[:300]))
            else:
                print("ok %s (%s report)" % (path, kind))
    if not checked:
        print("no report found in %s" % ", ".join(argv[1:]), file=sys.stderr)
        return 2
    print("%d report(s) checked, %d invalid" % (checked, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
