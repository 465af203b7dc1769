"""Area homedirs: HOME-9304 / HOME-9306 on fixture trees."""
import os

from ansible_collections.hostguard.hardening.plugins.module_utils.homedirs import AREA
from ansible_collections.hostguard.hardening.plugins.module_utils.homedirs.parse_passwd import login_accounts
from conftest import write  # noqa: E402


def test_login_accounts_follow_lynis_selection():
    lines = ["root:x:0:0::/root:/bin/bash", "daemonx:x:1:1::/:/bin/sh", "gitlab:x:5:5::/g:/bin/sh",
             "www:x:33:33::/var/www:/usr/sbin/nologin", "ann:x:1000:1000::/home/ann:/bin/bash"]
    assert login_accounts(lines) == [("ann", 1000, "/home/ann")]


def test_home_permissions_and_ownership(tmp_path):
    write(tmp_path, "/etc/passwd", "ann:x:1000:1000::/home/ann:/bin/bash\nben:x:%d:1001::/home/ben:/bin/bash\n"
          "cid:x:1002:1002::/home/missing:/bin/bash\n" % os.getuid())
    for name, mode in (("ann", 0o755), ("ben", 0o750)):
        os.makedirs(str(tmp_path / "home" / name))
        os.chmod(str(tmp_path / "home" / name), mode)
    f = dict((x["id"], x) for x in AREA.run({"root": str(tmp_path)})["findings"])
    assert f["HG-HOME-001"]["status"] == "fail" and "/home/ann" in f["HG-HOME-001"]["detail"]
    assert "/home/ben" not in f["HG-HOME-001"]["detail"]
    own = f["HG-HOME-002"]
    assert (own["status"] == "fail") == (os.getuid() != 1000)
    assert f["HG-HOME-001"]["evidence"]["homes_checked"] == 2
    os.chmod(str(tmp_path / "home" / "ann"), 0o750)
    f = dict((x["id"], x) for x in AREA.run({"root": str(tmp_path)})["findings"])
    assert f["HG-HOME-001"]["status"] == "pass"


def test_ownership_compares_the_owner_name_as_lynis_does(tmp_path):
    # a second uid-0 account whose home is /root: `ls -ld /root` says root, not toor (Lynis HOME-9306)
    uid = os.getuid()
    write(tmp_path, "/etc/passwd", "root:x:%d:0::/root:/bin/bash\ntoor:x:%d:0::/root:/bin/sh\n" % (uid, uid))
    os.makedirs(str(tmp_path / "root"))
    f = dict((x["id"], x) for x in AREA.run({"root": str(tmp_path)})["findings"])
    own = f["HG-HOME-002"]
    assert own["status"] == "fail" and "/root (toor, owned by root)" in own["detail"]
