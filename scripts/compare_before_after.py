#!/usr/bin/env python
"""Before/after comparison for the area-contract redesign (issue 10's "behaviour unchanged").

Runs the audit areas of a BEFORE commit (default 987bf82, v0.1 before the redesign) and of the
working tree on the same roots — fixture trees built by the test helpers (seed 000, a hostile
cron tree, a planted sysctl.d, a planted Redis config) and this machine's own / — and compares,
per area, every finding's (id, subject) -> (status, severity) and the set of report fields.
Known renames are mapped (HG-OOM-010 -> HG-SYSCTL-004, area oom_events -> oomlog; baseline ->
its Lynis-category areas). Everything else that differs is printed: a difference is either a
bug fixed on purpose (listed in the closing note) or a regression.

    scripts/compare_before_after.py [--before COMMIT] [--json OUT]
    scripts/compare_before_after.py --all-areas --before COMMIT   # a change that must not change results
    scripts/compare_before_after.py --all-areas --fixtures-only --before COMMIT   # fixture roots only

``--all-areas``: both sides run the current area API (core.runner.audit_host) with every area the
BEFORE commit registers, default options, and every finding is compared whole (``_fields``: the
leaves that differ: title, severity, remediation, references, evidence, detail) as are the facts;
used to show that a speed change or a refactoring changed nothing.
"""
from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests"))
RENAMED_IDS = {"HG-OOM-010": "HG-SYSCTL-004"}
RENAMED_AREAS = {"oom_events": "oomlog"}
OLD_AREAS = ["cron", "sysctl", "oom", "oom_events", "redis", "baseline"]
# The old baseline area's checks now live in these areas (one per ID prefix).
BASELINE_SPLIT = ["ssh", "auth", "file", "storage", "nameservices", "mail", "firewall"]
OFFLINE_OLD = {"redis": {"probe": False}, "oom": {"use_systemctl": "no"},
               "oom_events": {"source": "file", "path": "/nonexistent"}, "baseline": {"use_sshd_t": False}}

OLD_SNIPPET = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from ansible_collections.hostguard.hardening.plugins.module_utils import areas
opts = json.loads(sys.argv[3])
out = areas.run_areas(json.loads(sys.argv[4]), opts, root=sys.argv[2])
print(json.dumps(out, default=str))
"""
NEW_SNIPPET = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from ansible_collections.hostguard.hardening.plugins.module_utils.core import runner
out = runner.audit_host(json.loads(sys.argv[4]), json.loads(sys.argv[3]), root=sys.argv[2])
print(json.dumps(out, default=str))
"""


def collections_dir(tree, workdir):
    """A collections path whose hostguard.hardening is ``tree``."""
    base = os.path.join(workdir, "c")
    link = os.path.join(base, "ansible_collections", "hostguard", "hardening")
    os.makedirs(os.path.dirname(link))
    os.symlink(tree, link)
    return base


def run(snippet, collections, root, options, areas):
    proc = subprocess.run([sys.executable, "-c", snippet, collections, root, json.dumps(options),
                           json.dumps(areas)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit("audit failed on %s: %s" % (root, proc.stderr[-2000:]))
    return json.loads(proc.stdout)


def roots(workdir, live=True):
    from cron_tree import base_tree, hostile_tree, seed_000
    from conftest import write
    out = {}
    seed = os.path.join(workdir, "seed000")
    base_tree(seed)
    seed_000(seed)
    out["seed000"] = seed
    hostile = os.path.join(workdir, "hostile")
    base_tree(hostile)
    hostile_tree(hostile)
    out["hostile-cron"] = hostile
    planted = os.path.join(workdir, "planted")
    base_tree(planted)
    write(planted, "etc/sysctl.d/10-weak.conf", "vm.panic_on_oom = 1\nkernel.kptr_restrict = 0\n")
    write(planted, "etc/redis/redis.conf", "bind 0.0.0.0\nprotected-mode no\nport 6379\ndir /var/spool/cron\n")
    write(planted, "etc/ssh/sshd_config", "PermitRootLogin yes\nX11Forwarding yes\n")
    out["planted"] = planted
    if live:
        out["this-machine"] = "/"
    return out


ALL_SNIPPET = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from ansible_collections.hostguard.hardening.plugins.module_utils.core import registry, runner
names = json.loads(sys.argv[4]) or registry.area_names()
out = runner.audit_host(names, json.loads(sys.argv[3]), root=sys.argv[2])
print(json.dumps(out, default=str))
"""


# facts that change from one run to the next whatever the code (clocks, durations, live processes)
VOLATILE_FACTS = ("seconds", "elapsed", "timestamp", "now", "uptime", "pid", "zombie", "mtime_age", "age_",
                  "rss_", "process_count", "victims", "MemAvailable", "MemFree",
                  "deleted")


def differing_leaves(a, b, path="", limit=200):
    """The paths of the leaves where two JSON values differ (at most ``limit``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            out.extend(differing_leaves(a.get(key), b.get(key), "%s.%s" % (path, key), limit - len(out)))
            if len(out) >= limit:
                break
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for index, (x, y) in enumerate(zip(a, b)):
            out.extend(differing_leaves(x, y, "%s[%d]" % (path, index), limit - len(out)))
        return out[:limit]
    return [] if a == b else [path or "."]


def keyed(result, new):
    """{area: {(id, subject): (status, severity)}} with renames applied to the old side."""
    out = {}
    for finding in result["findings"]:
        fid = finding["id"] if new else RENAMED_IDS.get(finding["id"], finding["id"])
        area = fid.split("-")[1].lower()
        out.setdefault(area, {})[(fid, str(finding["subject"]))] = (finding["status"], finding["severity"])
    return out


def by_key(result):
    """{"<id> <subject> #n": finding}: every finding of a report, whole."""
    out = {}
    for finding in result["findings"]:
        key = "%s %s" % (finding["id"], finding["subject"])
        count = sum(1 for k in out if k.rsplit(" #", 1)[0] == key)
        out["%s #%d" % (key, count)] = finding
    return out


def compare(before, after):
    report = {}
    for area in sorted(set(before) | set(after)):
        old, new = before.get(area, {}), after.get(area, {})
        changed = dict((k, (old[k], new[k])) for k in old if k in new and old[k] != new[k])
        report[area] = {"same": sum(1 for k in old if k in new and old[k] == new[k]),
                        "changed": sorted(["%s %s: %s -> %s" % (k[0], k[1], v[0], v[1]) for k, v in changed.items()]),
                        "only_before": sorted("%s %s %s" % (k[0], k[1], old[k][0]) for k in old if k not in new),
                        "only_after": sorted("%s %s %s" % (k[0], k[1], new[k][0]) for k in new if k not in old)}
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="987bf82")
    parser.add_argument("--json")
    parser.add_argument("--limit", type=int, default=8, help="lines shown per difference kind")
    parser.add_argument("--all-areas", action="store_true",
                        help="both sides on the current API, every area of BEFORE, default options")
    parser.add_argument("--fixtures-only", action="store_true",
                        help="leave out this machine's own / (its processes, interfaces and logs move"
                             " while the two sides run)")
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="hg-before-after-")
    old_tree = os.path.join(workdir, "before")
    try:
        subprocess.run(["git", "-C", REPO, "worktree", "add", "--detach", old_tree, args.before],
                       check=True, capture_output=True)
        old_c = collections_dir(old_tree, os.path.join(workdir, "old"))
        new_c = collections_dir(REPO, os.path.join(workdir, "new"))
        new_areas = ["cron", "sysctl", "oom", "oomlog", "redis"] + BASELINE_SPLIT
        new_opts = dict(OFFLINE_OLD)
        new_opts["oomlog"] = new_opts.pop("oom_events")
        new_opts.pop("baseline")
        new_opts["ssh"] = {"use_sshd_t": False}
        summary = {}
        for name, root in roots(os.path.join(workdir, "roots"), live=not args.fixtures_only).items():
            if args.all_areas:
                before = run(ALL_SNIPPET, old_c, root, {}, [])
                after = run(ALL_SNIPPET, new_c, root, {}, sorted(before["areas"]))
            else:
                before = run(OLD_SNIPPET, old_c, root, OFFLINE_OLD, OLD_AREAS)
                after = run(NEW_SNIPPET, new_c, root, new_opts, new_areas)
            result = compare(keyed(before, False), keyed(after, True))
            fields_before = set(before) | set("facts." + RENAMED_AREAS.get(a, a) for a in before["facts"])
            fields_after = set(after) | set("facts." + a for a in after["facts"])
            if args.all_areas:
                # same API on both sides: every finding must be equal field by field (title,
                # remediation, references, evidence, detail ...), and every area's facts too
                result["_fields"] = {"changed": sorted(
                    path for path in differing_leaves(by_key(before), by_key(after))
                    if not any(word in path for word in VOLATILE_FACTS)), "same": len(before["findings"]),
                    "only_before": [], "only_after": []}
                result["_facts"] = {"changed": sorted(
                    "%s %s" % (area, path) for area in sorted(set(before["facts"]) | set(after["facts"]))
                    for path in differing_leaves(before["facts"].get(area), after["facts"].get(area))
                    if not any(word in path for word in VOLATILE_FACTS)), "same": 0,
                    "only_before": [], "only_after": []}
            summary[name] = {"areas": result, "report_fields_only_before": sorted(fields_before - fields_after - {"facts.baseline"}),
                             "report_fields_only_after": sorted(fields_after - fields_before - set("facts." + a for a in BASELINE_SPLIT))}
        for name, data in summary.items():
            print("== %s" % name)
            for area, diff in data["areas"].items():
                print("  %-10s same %4d  changed %3d  only before %3d  only after %3d" % (
                    area, diff["same"], len(diff["changed"]), len(diff["only_before"]), len(diff["only_after"])))
                for kind in ("changed", "only_before", "only_after"):
                    for line in diff[kind][:args.limit]:
                        print("      %-11s %s" % (kind, line[:160]))
                    if len(diff[kind]) > args.limit:
                        print("      %-11s ... %d more" % (kind, len(diff[kind]) - args.limit))
            print("  report fields only before: %s; only after: %s" % (
                data["report_fields_only_before"] or "-", data["report_fields_only_after"] or "-"))
        if args.json:
            with open(args.json, "w") as handle:
                json.dump(summary, handle, indent=1, default=list)
    finally:
        subprocess.run(["git", "-C", REPO, "worktree", "remove", "--force", old_tree], capture_output=True, check=False)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
