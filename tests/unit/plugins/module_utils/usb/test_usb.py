from conftest import write
from ansible_collections.hostguard.hardening.plugins.module_utils.usb import AREA


def test_inventory(tmp_path):
    write(tmp_path, "sys/bus/usb/devices/usb1/authorized_default", "1\n")
    got = dict((f["id"], f) for f in AREA.run({"root": str(tmp_path)})["findings"])
    assert got["HG-USB-001"]["evidence"]["authorized_default"] == {"usb1": "1"}
