# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Import this collection's target code from the AnsiballZ zip with one compile per file.

AnsiballZ ships module_utils as source in a zip and Python imports them with ``zipimport``,
which never caches bytecode. Before Python 3.13 ``zipimport`` also compiles every module
twice: ``find_spec`` asks the loader for the file name, and ``zipimporter.get_filename``
compiles the module to answer; ``exec_module`` then compiles it again. For host_audit that
was ~2.7 MB of source compiled per run, ~0.2 s of the target's CPU per host
(bench/README.md, "fleet over SSH").

``install()`` puts a finder in front of ``sys.meta_path`` that serves only
``ansible_collections.hostguard.hardening.plugins.module_utils.*`` from the same zip: the
source is read from the archive once and compiled once. It does nothing unless this module
itself was loaded by ``zipimport`` (tests, the controller, an exploded AnsiballZ: plain
imports), reads nothing but the zip Ansible wrote, and writes nothing (no bytecode cache:
audit modules never change the host). A file the finder cannot read falls back to the normal
import machinery.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import sys

PACKAGE = "ansible_collections.hostguard.hardening.plugins.module_utils"


class SingleCompileFinder(object):
    """Finder and loader for ``PACKAGE``'s modules inside one zip archive."""

    def __init__(self, archive, names):
        self.archive = archive
        self._names = names   # member names of the archive
        self._zip = None

    def _member(self, fullname):
        """(member name, is_package) of ``fullname`` in the archive, or (None, False)."""
        base = fullname.replace(".", "/")
        for member, is_package in ((base + "/__init__.py", True), (base + ".py", False)):
            if member in self._names:
                return member, is_package
        return None, False

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(PACKAGE + "."):
            return None
        member, is_package = self._member(fullname)
        if member is None:
            return None
        from importlib.machinery import ModuleSpec
        spec = ModuleSpec(fullname, self, origin=self.archive + "/" + member, is_package=is_package)
        spec.has_location = True
        if is_package:
            spec.submodule_search_locations = [self.archive + "/" + member.rsplit("/", 1)[0]]
        return spec

    def create_module(self, spec):
        return None   # the default module object

    def get_source(self, fullname):
        """The module's source text (tracebacks read it through linecache)."""
        member, _is_package = self._member(fullname)
        if member is None:
            raise ImportError("no %s in %s" % (fullname, self.archive), name=fullname)
        return self._read(member).decode("utf-8")

    def _read(self, member):
        if self._zip is None:
            import zipfile
            self._zip = zipfile.ZipFile(self.archive)
        return self._zip.read(member)

    def exec_module(self, module):
        spec = module.__spec__
        member = spec.origin[len(self.archive) + 1:]
        code = compile(self._read(member), spec.origin, "exec", dont_inherit=True)
        exec(code, module.__dict__)  # pylint: disable=exec-used


def _archive_of(loader):
    """The zip path of a ``zipimport.zipimporter`` loader, else None."""
    try:
        import zipimport
    except ImportError:
        return None
    if isinstance(loader, zipimport.zipimporter):
        return loader.archive
    return None


def install(loader=None):
    """Serve ``PACKAGE`` from the zip this module came from, one compile per file. Returns the
    finder (installed once per process), or None when this module was not loaded from a zip."""
    for finder in sys.meta_path:
        if isinstance(finder, SingleCompileFinder):
            return finder
    archive = _archive_of(loader if loader is not None else globals().get("__loader__"))
    if not archive:
        return None
    try:
        import zipfile
        with zipfile.ZipFile(archive) as handle:
            names = frozenset(handle.namelist())
    except (OSError, ValueError, RuntimeError, ImportError):
        return None
    finder = SingleCompileFinder(archive, names)
    sys.meta_path.insert(0, finder)
    return finder
