"""baseline_hardening's permissions topic and the check it fixes (HG-FILE-016, Lynis FILE-7524)
read the same table: every path of the check is in the role, and each symbolic mode removes
exactly the bits the check counts as too open (and never adds one)."""
import os
import re

import yaml

from ansible_collections.hostguard.hardening.plugins.module_utils.file import filesystem_modules, permissions

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
WHO = {"u": 0o4700, "g": 0o2070, "o": 0o1007}
WHAT = {"r": 0o444, "w": 0o222, "x": 0o111, "s": 0o6000, "t": 0o1000}


def removed_bits(symbolic):
    """The bits a comma-separated list of ``who-perms`` clauses clears (only '-' allowed)."""
    out = 0
    for clause in symbolic.split(","):
        match = re.match(r"^([ugo]+)-([rwxst]+)$", clause)
        assert match, "%r adds or sets bits" % clause
        who = sum(WHO[w] for w in match.group(1))
        out |= who & sum(WHAT[p] for p in match.group(2))
    return out


def defaults():
    with open(os.path.join(REPO, "roles", "baseline_hardening", "defaults", "main.yml")) as handle:
        return yaml.safe_load(handle)


def test_role_permission_table_is_the_check_table():
    role = dict((e["path"], e) for e in defaults()["baseline_hardening_permissions_paths"])
    assert sorted(role) == sorted(p for p, _k, _m in permissions.LYNIS_PERMISSIONS)
    for path, kind, allowed in permissions.LYNIS_PERMISSIONS:
        assert role[path]["kind"] == kind
        # after the role: nothing beyond ``allowed`` is left, whatever the mode was
        assert permissions.too_open(0o7777 & ~removed_bits(role[path]["remove"]), allowed) == 0, path
        # and what ``allowed`` permits is kept (the role never makes a mode stricter than needed)
        assert removed_bits(role[path]["remove"]) & allowed == 0, path


def test_role_disables_the_check_s_file_systems_but_squashfs():
    assert sorted(defaults()["baseline_hardening_filesystems_disabled"]) == sorted(
        set(filesystem_modules.RARE_FILESYSTEMS) - {"squashfs"})


def test_role_mounts_table_is_the_check_table_without_dev_and_run():
    """The mounts topic wants exactly the options HG-FILE-010 (FILE-6374) expects; /dev and /run
    are left out (the kernel and systemd mount them, fstab has no line to complete)."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.file import mount_options
    role = dict((e["path"], sorted(e["options"])) for e in defaults()["baseline_hardening_mounts_options"])
    check = dict((mp, sorted(opts)) for mp, opts in mount_options.EXPECTED_OPTIONS if mp not in ("/dev", "/run"))
    assert role == check
    assert defaults()["baseline_hardening_mounts"] is False and defaults()["baseline_hardening_mounts_remount"] is False
