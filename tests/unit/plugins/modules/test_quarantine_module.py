"""The quarantine module file with runlevel_links (OpenRC): check+diff, move, restore of a link."""
import os

from conftest import REPO, run_module_file  # noqa: E402

MODULE = os.path.join(REPO, "plugins", "modules", "quarantine.py")
BATCH = "/var/lib/hostguard/quarantine/20261203T000000Z"
SCRIPT = "/etc/init.d/hg-fetch"
LINK = "/etc/runlevels/default/hg-fetch"


def _tree(tmp_path):
    root = tmp_path / "root"
    (root / "etc/init.d").mkdir(parents=True)
    (root / "etc/runlevels/default").mkdir(parents=True)
    (root / "etc/init.d/hg-fetch").write_text("#!/sbin/openrc-run\n")
    os.symlink(SCRIPT, str(root / LINK.lstrip("/")))
    return root


def test_check_diff_then_move_then_restore_the_link(tmp_path):
    root = _tree(tmp_path)
    args = {"path": SCRIPT, "batch_dir": BATCH, "runlevel_links": True, "root": str(root),
            "finding_ids": ["HG-CRON-010"]}
    res = run_module_file(MODULE, tmp_path, dict(args, _ansible_check_mode=True, _ansible_diff=True))
    assert res["changed"] and [e["original_path"] for e in res["links"]] == [LINK]
    assert "%s: symlink -> %s (runlevel default)" % (LINK, SCRIPT) in res["diff"]["before"]
    assert "%s: absent (moved to %s/files%s)" % (LINK, BATCH, LINK) in res["diff"]["after"]
    assert os.path.islink(str(root / LINK.lstrip("/"))) and not (root / BATCH.lstrip("/")).exists()
    res = run_module_file(MODULE, tmp_path, args)
    assert res["changed"] and res["links"][0]["method"] == "rename" and res["links_left"] == []
    assert not os.path.lexists(str(root / LINK.lstrip("/")))
    again = run_module_file(MODULE, tmp_path, args)
    assert again["changed"] is False and again["links"] == []
    back = run_module_file(MODULE, tmp_path, {"path": LINK, "batch_dir": BATCH, "state": "restored",
                                              "root": str(root), "_ansible_diff": True})
    assert back["changed"] and back["status"] == "restored", back
    assert back["diff"]["after"] == "%s: symlink -> %s\n" % (LINK, SCRIPT)
    assert os.readlink(str(root / LINK.lstrip("/"))) == SCRIPT


def test_without_the_option_links_stay(tmp_path):
    root = _tree(tmp_path)
    res = run_module_file(MODULE, tmp_path, {"path": SCRIPT, "batch_dir": BATCH, "root": str(root)})
    assert res["changed"] and res["links"] == []
    assert os.path.islink(str(root / LINK.lstrip("/")))
