"""The Redis audit on the RHEL family's file layout (README support matrix, "audit" column).

Layout from the RPM spec file lists (openEuler/Fedora family redis.spec %files:
``%{_sysconfdir}/redis.conf`` mode 0640 owner redis, ``%{_unitdir}/redis.service`` running
``/usr/bin/redis-server /etc/redis.conf --supervised systemd`` as User=redis; EL9 and current
Fedora moved the config to ``/etc/redis/redis.conf``). Debian's layout is proven on real
containers (molecule/audit_redis)."""
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.core import runner
from conftest import REPO, write

# The EL unit the el-layout image runs (scripts/build-images.sh, molecule/el_layout), with the
# configuration path of each EL release.
with open(os.path.join(REPO, "scripts", "el-layout", "redis.service")) as _unit:
    UNIT = _unit.read().replace("/etc/redis.conf", "{conf}")


@pytest.mark.parametrize("conf", ["/etc/redis.conf", "/etc/redis/redis.conf"])
def test_el_layout_config_and_unit_are_found_and_graded(tmp_path, conf):
    write(tmp_path, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
                                  "redis:x:986:986:Redis Database Server:/var/lib/redis:/sbin/nologin\n")
    write(tmp_path, conf, "bind 0.0.0.0\nprotected-mode no\nport 6379\ndir /var/lib/redis\n", mode=0o640)
    write(tmp_path, "usr/lib/systemd/system/redis.service", UNIT.format(conf=conf))
    out = runner.audit_host(["redis"], {"redis": {"probe": False, "proc": "/nonexistent"}}, root=str(tmp_path))
    failed = dict(((f["id"], f["subject"]), f) for f in out["findings"] if f["status"] == "fail")
    assert ("HG-REDIS-002", conf) in failed                 # protected-mode no
    assert ("HG-REDIS-013", conf) in failed                 # bind 0.0.0.0
    unit = failed[("HG-REDIS-008", "redis.service")]        # EL's unit name, not redis-server.service
    assert unit["evidence"]["files"] == ["/usr/lib/systemd/system/redis.service"]
    assert unit["evidence"]["User"] == "redis"
