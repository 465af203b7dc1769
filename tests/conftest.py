"""Make the collection importable as ansible_collections.hostguard.hardening from the repo."""
import os
import pathlib
import re
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(REPO, ".collections")
LINK = os.path.join(COLLECTIONS, "ansible_collections", "hostguard", "hardening")
if not os.path.islink(LINK):
    os.makedirs(os.path.dirname(LINK), exist_ok=True)
    os.symlink("../../..", LINK)
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)


MODULE_UTILS = os.path.join(REPO, "plugins", "module_utils")


def write(root, rel, data, mode=None, uid=None, gid=None):
    """Create ``root``/``rel`` (parents too) holding ``data`` (str or bytes); returns the path.
    The one file-writing helper of the test suite (fixture trees, fixture /proc, configs)."""
    path = os.path.join(str(root), str(rel).lstrip("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data)
    if uid is not None or gid is not None:      # chown first: it clears setuid/setgid bits
        os.chown(path, -1 if uid is None else uid, -1 if gid is None else gid)
    if mode is not None:
        os.chmod(path, mode)
    return type(root)(path) if isinstance(root, pathlib.PurePath) else path


def loopback_listener(backlog=16, poll=0.2):
    """A listening TCP socket on 127.0.0.1 (an ephemeral port) whose accept() polls every
    ``poll`` seconds, for fake servers that must notice a stop request. Returns (sock, port)."""
    import socket
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(backlog)
    sock.settimeout(poll)
    return sock, sock.getsockname()[1]


def make_target_package(dest):
    """Lay out what a target needs to import hostguard's module_utils without Ansible installed:
    ansible_collections/hostguard/hardening/plugins/module_utils (every area package) plus a
    minimal ``ansible`` package holding ansible-core's module_utils (AnsiballZ ships the same).
    Put ``dest`` on sys.path inside a container or an unprivileged child. Returns ``dest``."""
    import shutil
    import ansible.module_utils
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    target = os.path.join(dest, "ansible_collections", "hostguard", "hardening", "plugins", "module_utils")
    shutil.copytree(MODULE_UTILS, target, ignore=ignore)
    for part in (os.path.join(dest, "ansible_collections"),
                 os.path.join(dest, "ansible_collections", "hostguard"),
                 os.path.join(dest, "ansible_collections", "hostguard", "hardening"),
                 os.path.join(dest, "ansible_collections", "hostguard", "hardening", "plugins")):
        open(os.path.join(part, "__init__.py"), "a").close()
    ansible_dir = os.path.join(dest, "ansible")
    shutil.copytree(os.path.dirname(ansible.module_utils.__file__),
                    os.path.join(ansible_dir, "module_utils"), ignore=ignore)
    open(os.path.join(ansible_dir, "__init__.py"), "w").close()
    return dest


def run_module_file(module, tmp_path, args):
    """Run a module file as Ansible does (a subprocess with its ANSIBLE_MODULE_ARGS file); its JSON."""
    import json
    import subprocess
    argfile = tmp_path / "args.json"
    argfile.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, ".collections"))
    out = subprocess.run([sys.executable, module, str(argfile)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env, timeout=120, universal_newlines=True, check=False)
    return json.loads(out.stdout)


def other_device(monkeypatch, module_os, suffix):
    """Make ``module_os.lstat`` of every path ending in ``suffix`` report another st_dev, as a
    directory on another filesystem would (forces the quarantine's copy branch)."""
    real_lstat = os.lstat

    class FakeStat(object):
        def __init__(self, st):
            self._st = st

        def __getattr__(self, name):
            if name == "st_dev":
                return self._st.st_dev + 1
            return getattr(self._st, name)

    def fake_lstat(path, *a, **k):
        st = real_lstat(path, *a, **k)
        return FakeStat(st) if str(path).endswith(suffix) else st
    monkeypatch.setattr(module_os, "lstat", fake_lstat)


@pytest.fixture(scope="session")
def container_ssh_key(tmp_path_factory):
    """The session's key pair for Ansible's ssh into containers (tests/container_connection.py);
    removed, with the ControlMaster sockets, at the end of the session."""
    import container_connection
    key = container_connection.SessionKey(tmp_path_factory.mktemp("ssh"))
    yield key
    key.remove()


# The integration suite in two parts (`make test`): tests that need none of the container images
# run while scripts/build-images.sh still builds them (`-m "not images"`), the others once every
# image is there (`-m images`). A test file needs the images when its source names one
# (`localhost/hostguard-…`) or a way into a container (podman, tests/container_connection.py, the
# cron-daemon oracle cases): it is marked here, from its text, so a new container test cannot be
# started before its image exists by forgetting a marker.
NEEDS_IMAGES = re.compile(r"localhost/hostguard-|\bpodman\b|container_connection|container_ssh_key|cron_oracle_cases")
_NEEDS_IMAGES_SEEN = {}


def needs_images(path):
    """True when the test file at ``path`` names an image or a container connection."""
    key = str(path)
    if key not in _NEEDS_IMAGES_SEEN:
        with open(key, encoding="utf-8", errors="replace") as handle:
            _NEEDS_IMAGES_SEEN[key] = bool(NEEDS_IMAGES.search(handle.read()))
    return _NEEDS_IMAGES_SEEN[key]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if needs_images(item.path):
            item.add_marker(pytest.mark.images)
