# -*- coding: utf-8 -*-
"""fstab_edit: only the option field of the matching lines changes, and the file area's own
judges (HG-FILE-010, HG-FILE-006) pass on the result."""
import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.remediation import fstab_edit as fe
from ansible_collections.hostguard.hardening.plugins.module_utils.file import mount_options as mo
from ansible_collections.hostguard.hardening.plugins.module_utils.file.parse_mounts import mount_entries

WANTED = {"/tmp": ["nodev", "noexec", "nosuid"], "/var/tmp": ["nodev", "noexec", "nosuid"],
          "/home": ["nodev", "nosuid"]}
FSTAB = (b"# /etc/fstab: static file system information.\n"
         b"UUID=11-22  /        ext4   errors=remount-ro 0 1\n"
         b"\n"
         b"  # an indented comment /tmp tmpfs\n"
         b"UUID=33-44\t/home\text4\tdefaults,exec\t0\t2   # trailing comment\r\n"
         b"tmpfs /tmp tmpfs nosuid 0 0\n"
         b"/dev/sda3 none swap pri=5 0 0\n"
         b"/dev/sda4 none swap sw 0 0\n"
         b"/dev/sda5 none swap defaults 0 0\n"
         b"/srv/with\\040space /mnt/x ext4\n")


def edit(data, wanted=None, swap=True):
    wanted = WANTED if wanted is None else wanted
    lines = fe.split_lines(data)
    edits, changes, absent = fe.plan(lines, wanted, swap=swap)
    return lines, fe.apply(lines, edits), changes, absent


def judge(text):
    entries = mount_entries(text.splitlines())
    expected = tuple((mp, tuple(opts)) for mp, opts in WANTED.items())
    return mo.check_mount_options(entries, "/etc/fstab", expected), mo.check_swap(entries)


def test_only_option_fields_of_matching_lines_change():
    lines, new, changes, absent = edit(FSTAB)
    new_lines = new.splitlines(True)
    assert len(new_lines) == len(lines)
    changed = [i for i, (a, b) in enumerate(zip(lines, new_lines)) if a != b]
    assert changed == [4, 5, 6]
    assert new_lines[4] == "UUID=33-44\t/home\text4\tdefaults,exec,nodev,nosuid\t0\t2   # trailing comment\r\n"
    assert new_lines[5] == "tmpfs /tmp tmpfs nosuid,nodev,noexec 0 0\n"
    assert new_lines[6] == "/dev/sda3 none swap pri=5,sw 0 0\n"
    assert absent == ["/var/tmp"]
    assert [c["added"] for c in changes] == [["nodev", "nosuid"], ["nodev", "noexec"], ["sw"]]


def test_exec_is_replaced_in_place_not_left_to_fight_noexec():
    assert fe.new_options(["defaults", "exec", "rw", "exec"], ["noexec"]) == ["defaults", "noexec", "rw"]
    assert fe.new_options(["suid", "dev"], ["nodev", "nosuid"]) == ["nosuid", "nodev"]
    assert fe.new_options([], ["nodev"]) == ["defaults", "nodev"]


def test_the_file_areas_checks_fail_before_and_pass_after():
    before_mounts, before_swap = judge(FSTAB.decode())
    assert {f["subject"]: f["status"] for f in before_mounts} == {"/home": "fail", "/tmp": "fail"}
    assert [f["status"] for f in before_swap if f["id"] == "HG-FILE-006"] == ["fail"]
    _lines, new, _c, _a = edit(FSTAB)
    after_mounts, after_swap = judge(new)
    assert {f["subject"]: f["status"] for f in after_mounts} == {"/home": "pass", "/tmp": "pass"}
    assert [f["status"] for f in after_swap if f["id"] == "HG-FILE-006"] == ["pass"]
    assert fe.verify_candidate(new, WANTED) == []
    assert fe.verify_candidate(FSTAB.decode(), WANTED) != []


def test_second_run_and_compliant_file_are_byte_identical():
    _lines, new, _c, _a = edit(FSTAB)
    lines2, again, changes, _a = edit(new.encode())
    assert changes == [] and again == new and again.encode() == new.encode()
    assert fe.apply(lines2, {}).encode("utf-8", "surrogateescape") == new.encode()


def test_a_short_entry_gets_an_option_field_appended():
    lines, new, changes, _a = edit(b"tmpfs /tmp tmpfs\n", {"/tmp": ["nodev"]})
    assert new == "tmpfs /tmp tmpfs defaults,nodev\n" and changes[0]["before"] == ""


def test_escaped_mount_points_match_and_keep_their_escape():
    _l, new, changes, _a = edit(b"/dev/sdb1 /mnt/my\\040disk ext4 rw 0 0\n", {"/mnt/my disk": ["nodev"]})
    assert new == "/dev/sdb1 /mnt/my\\040disk ext4 rw,nodev 0 0\n" and len(changes) == 1


def test_swap_untouched_when_swap_is_off():
    _l, new, changes, _a = edit(b"/dev/sda3 none swap pri=5 0 0\n", {}, swap=False)
    assert new == "/dev/sda3 none swap pri=5 0 0\n" and changes == []


@pytest.mark.parametrize("data, why", [
    (b"tmpfs /tmp\n", "needs at least 3"),
    (b"tmpfs /tmp tmpfs \xff\n", "not UTF-8"),
    (b"tmpfs /tmp tmpfs\0 nodev\n", "NUL"),
])
def test_unparsable_files_raise(data, why):
    with pytest.raises(fe.FstabError, match=why):
        edit(data)


def test_live_missing_reads_the_last_mount_of_a_point():
    table = ["tmpfs /tmp tmpfs rw,nosuid 0 0", "tmpfs /tmp tmpfs rw,nosuid,nodev,noexec 0 0",
             "tmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0"]
    wanted = {"/tmp": ["nodev", "noexec", "nosuid"], "/dev/shm": ["nodev", "noexec", "nosuid"], "/home": ["nodev"]}
    assert fe.live_missing(table, wanted) == {"/dev/shm": ["noexec"]}


def test_findmnt_summary():
    assert fe.findmnt_errors("/\n   [E] unreachable\n\n0 parse errors, 1 error, 0 warnings\n") == 1
    assert fe.findmnt_errors("2 parse errors, 3 errors, 1 warning") == 5
    assert fe.findmnt_errors("Success, no errors or warnings detected") == 0
    assert fe.findmnt_errors("something else") is None
