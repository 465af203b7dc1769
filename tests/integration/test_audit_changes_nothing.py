"""Audit modules never change the host, on a real systemd container for `/` (issue 17).

In a booted localhost/hostguard-bookworm:1 container (podman + runc + systemd), a manifest of the
whole filesystem (content hash, mode, owner, mtime, xattrs, link text) is taken, every area runs
through the aggregate runner on `/` (what host_audit does), and the manifest is taken again; it
must be equal. Only kernel/volatile trees (/proc /sys /dev /run /tmp /var/tmp) and systemd's own
state (/var/log/journal, /var/lib/systemd) are left out; the module package itself lives in /tmp.
Bounded: one container, podman commands with timeouts; the container is removed at the end."""
import json
import uuid

from test_lynis_oracle import audit_package, containers_conf, podman, wait_ready  # noqa: F401

IMAGE = "localhost/hostguard-bookworm:1"
EXCLUDE = ("/proc", "/sys", "/dev", "/run", "/tmp", "/var/tmp", "/var/log/journal", "/var/lib/systemd")

SCRIPT = r'''
import hashlib, json, os, stat, sys
sys.path.insert(0, "/tmp/hg-pkg")
EXCLUDE = %r

def manifest():
    out = {}
    for base, dirs, files in os.walk("/"):
        dirs[:] = sorted(d for d in dirs if os.path.join(base, d) not in EXCLUDE)
        for name in dirs + sorted(files):
            path = os.path.join(base, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            content = None
            if stat.S_ISREG(st.st_mode) and st.st_size < (64 << 20):
                h = hashlib.sha256()
                try:
                    with open(path, "rb") as f:
                        for chunk in iter(lambda: f.read(1 << 16), b""):
                            h.update(chunk)
                    content = h.hexdigest()
                except OSError as exc:
                    content = "unreadable %%s" %% exc.errno
            elif stat.S_ISLNK(st.st_mode):
                content = os.readlink(path)
            try:
                xattrs = sorted((k, os.getxattr(path, k, follow_symlinks=False).hex())
                                for k in os.listxattr(path, follow_symlinks=False))
            except OSError:
                xattrs = []
            out[path] = [st.st_mode, st.st_uid, st.st_gid, st.st_mtime_ns, st.st_size, content, xattrs]
    return out

from ansible_collections.hostguard.hardening.plugins.module_utils.core.runner import audit_host
before = manifest()
result = audit_host(root="/", options={"oom": {"use_systemctl": "yes"}})
after = manifest()
changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
print(json.dumps({"files": len(before), "changed": changed[:50],
                  "areas": result["areas"], "errors": [e["detail"] for e in result["errors"]],
                  "findings": len(result["findings"])}))
''' % (EXCLUDE,)


def test_host_audit_on_a_systemd_container_changes_nothing(containers_conf, audit_package):  # noqa: F811
    exists = podman("image", "exists", IMAGE, conf=containers_conf, check=False)
    assert exists.returncode == 0, "image %s missing: run scripts/build-images.sh" % IMAGE
    name = "hostile-changes-nothing-%s" % uuid.uuid4().hex[:8]
    podman("run", "-d", "--network", "none", "--systemd=always", "--name", name, IMAGE, "/sbin/init",
           conf=containers_conf)
    try:
        wait_ready(name, containers_conf)
        podman("cp", audit_package, "%s:/tmp/hg-pkg" % name, conf=containers_conf)
        out = podman("exec", name, "python3", "-c", SCRIPT, conf=containers_conf)
        report = json.loads(out.stdout.decode().strip().splitlines()[-1])
    finally:
        podman("rm", "-f", "-t", "0", name, conf=containers_conf, check=False)
    assert report["files"] > 5000                      # the whole image was looked at
    assert "cron" in report["areas"] and "redis" in report["areas"] and report["findings"] > 20
    assert report["changed"] == [], report
