"""core.zipload: the collection's module_utils imported from an AnsiballZ-like zip are compiled
once each (zipimport compiles every module twice before Python 3.13), they behave as imported
modules (packages, relative imports, __file__, tracebacks with source), and outside a zip
install() does nothing."""
import json
import os
import subprocess
import sys
import zipfile

from ansible_collections.hostguard.hardening.plugins.module_utils.core import zipload

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(HERE)))))
PKG_DIR = "ansible_collections/hostguard/hardening/plugins/module_utils"

# what the child runs with only the zip on sys.path, as the AnsiballZ wrapper does
CHILD = r"""
import builtins, json, sys, traceback
sys.path.insert(0, sys.argv[1])
compiled = {}
real_compile = builtins.compile
def counting_compile(source, filename, *args, **kwargs):
    compiled[filename] = compiled.get(filename, 0) + 1
    return real_compile(source, filename, *args, **kwargs)
builtins.compile = counting_compile
from ansible_collections.hostguard.hardening.plugins.module_utils.core import zipload
finder = zipload.install() if sys.argv[2] == "install" else None
from ansible_collections.hostguard.hardening.plugins.module_utils.zz import leaf
from ansible_collections.hostguard.hardening.plugins.module_utils.zz.sub import relative
out = {"installed": finder is not None, "again": zipload.install() is finder if finder else None,
       "leaf": leaf.VALUE, "relative": relative.VALUE, "leaf_file": leaf.__file__,
       "sub_path": list(sys.modules[relative.__package__].__path__),
       "compiled": dict((k.split(sys.argv[1], 1)[-1], v) for k, v in compiled.items() if "/zz/" in k)}
try:
    leaf.boom()
except ValueError:
    out["traceback"] = traceback.format_exc()
try:
    from ansible_collections.hostguard.hardening.plugins.module_utils.zz import absent  # noqa: F401
except ImportError as exc:
    out["absent"] = type(exc).__name__
print(json.dumps(out))
"""


def make_zip(path):
    with open(os.path.join(REPO, "plugins", "module_utils", "core", "zipload.py"), "rb") as handle:
        zipload_source = handle.read()
    files = {
        "ansible_collections/__init__.py": b"",
        "ansible_collections/hostguard/__init__.py": b"",
        "ansible_collections/hostguard/hardening/__init__.py": b"",
        "ansible_collections/hostguard/hardening/plugins/__init__.py": b"",
        PKG_DIR + "/__init__.py": b"",
        PKG_DIR + "/core/__init__.py": b"",
        PKG_DIR + "/core/zipload.py": zipload_source,
        PKG_DIR + "/zz/__init__.py": b"",
        PKG_DIR + "/zz/leaf.py": b"VALUE = 41 + 1\n\n\ndef boom():\n    raise ValueError('the line of boom')\n",
        PKG_DIR + "/zz/sub/__init__.py": b"",
        PKG_DIR + "/zz/sub/relative.py": b"from ..leaf import VALUE as LEAF\nVALUE = LEAF * 2\n",
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)


def run_child(tmp_path, mode):
    archive = str(tmp_path / "modlib.zip")
    make_zip(archive)
    proc = subprocess.run([sys.executable, "-S", "-c", CHILD, archive, mode], capture_output=True, text=True,
                          check=False, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    return archive, json.loads(proc.stdout)


def test_each_module_is_compiled_once_from_the_zip(tmp_path):
    archive, out = run_child(tmp_path, "install")
    assert out["installed"] and out["again"]            # one finder per process
    assert out["leaf"] == 42 and out["relative"] == 84   # relative import inside a package
    assert out["leaf_file"] == archive + "/" + PKG_DIR + "/zz/leaf.py"
    assert out["sub_path"] == [archive + "/" + PKG_DIR + "/zz/sub"]
    assert out["compiled"] and set(out["compiled"].values()) == {1}, out["compiled"]
    assert len(out["compiled"]) == 4                      # zz, leaf, zz.sub, relative
    assert "the line of boom" in out["traceback"]         # source lines come from the zip
    assert out["absent"] in ("ImportError", "ModuleNotFoundError")


def test_without_it_zipimport_serves_the_same_modules(tmp_path):
    _archive, out = run_child(tmp_path, "plain")
    assert not out["installed"]
    assert out["leaf"] == 42 and out["relative"] == 84
    assert len(out["compiled"]) == 4
    if sys.version_info < (3, 13):                        # the cost zipload removes
        assert set(out["compiled"].values()) == {2}, out["compiled"]


def test_install_outside_a_zip_does_nothing():
    assert not isinstance(zipload.__loader__, __import__("zipimport").zipimporter)
    before = list(sys.meta_path)
    assert zipload.install() is None
    assert sys.meta_path == before
