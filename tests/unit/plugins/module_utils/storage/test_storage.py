"""Area storage: USB-1000 / STRG-1846 on fixture trees."""
from ansible_collections.hostguard.hardening.plugins.module_utils.storage.modules import storage_findings
from conftest import write  # noqa: E402


def by_subject(findings, prefix="HG-"):
    return dict((f["subject"], f) for f in findings if f["id"].startswith(prefix))


# ------------------------------------------------------------------ USB-1000 / STRG-1846

def test_modprobe_blacklist_and_install(tmp_path):
    write(tmp_path, "/etc/modprobe.d/usb.conf", "install usb-storage /bin/true\n")
    write(tmp_path, "/etc/modprobe.d/fw.txt", "blacklist firewire-core\n")   # not *.conf
    f = by_subject(storage_findings({"root": str(tmp_path)}))
    assert f["usb-storage"]["status"] == "pass"
    assert f["firewire"]["status"] == "fail"
    write(tmp_path, "/usr/lib/modprobe.d/fw.conf", "blacklist firewire_ohci\n")
    write(tmp_path, "/etc/modprobe.d/usb.conf", "# install usb-storage /bin/true\n"
                                                "install usb_storage /sbin/modprobe --ignore-install usb_storage\n")
    f = by_subject(storage_findings({"root": str(tmp_path)}))
    assert f["usb-storage"]["status"] == "fail"
    assert f["firewire"]["status"] == "pass"


def test_modprobe_etc_hides_lib_file_of_same_name(tmp_path):
    write(tmp_path, "/usr/lib/modprobe.d/blk.conf", "blacklist usb-storage\n")
    write(tmp_path, "/etc/modprobe.d/blk.conf", "# emptied by the admin\n")
    f = by_subject(storage_findings({"root": str(tmp_path)}))
    assert f["usb-storage"]["status"] == "fail"


def test_evidence_names_the_install_command_really_used(tmp_path):
    write(tmp_path, "/etc/modprobe.d/a.conf", "install usb-storage /usr/bin/true\ninstall usb-storage /bin/false\n")
    write(tmp_path, "/etc/modprobe.d/b.conf", "install firewire-core /bin/false\n")
    f = by_subject(storage_findings({"root": str(tmp_path)}))
    assert f["usb-storage"]["evidence"]["disabled_by"]["usb_storage"] == "install /usr/bin/true (/etc/modprobe.d/a.conf)"
    assert f["firewire"]["evidence"]["disabled_by"]["firewire_core"] == "install /bin/false (/etc/modprobe.d/b.conf)"
