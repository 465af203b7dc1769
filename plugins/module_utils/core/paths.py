# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Root-confined path resolution: the ONE place that turns a path or a link into a file under ``root``.

Every area that takes ``root`` resolves paths here (issues 11 and 17). The walk is openat-style:
one directory file descriptor per component, starting at ``root``; each component is looked at
with ``lstat`` relative to its parent's descriptor; a symlink is read with ``readlink`` and its
text is resolved *inside* ``root`` (an absolute target restarts at ``root``, ``..`` never climbs
above ``root``, exactly as the kernel does for a process chrooted there); directories are entered
with ``O_PATH|O_DIRECTORY|O_NOFOLLOW``, so a component swapped for a symlink between the look and
the open fails instead of being followed. The host's kernel never follows a link on the way: with
``root=/mnt/image`` an absolute link ``/etc/x -> /etc/shadow`` reaches ``/mnt/image/etc/shadow``,
never the auditing host's file.

Limits: at most ``max_links`` symlinks per resolution (40, the kernel's ELOOP limit), at most
``max_components`` components walked (a link chain that keeps growing the path stops there), link
texts longer than PATH_MAX are refused.

Names that come from file *content* (a sysctl key, an ``include`` directive, a unit name) pass
:func:`check_untrusted` first: NUL bytes are refused, and so are absolute paths or ``..`` where a
relative name is expected.

Public API (stdlib only, Python 3.8+):
  resolve(root, path, follow=True)      -> Resolved (status, path inside root, lstat/stat, links)
  open_file(root, path, follow=True)    -> (fd, Resolved); fd opened O_NOFOLLOW|O_NONBLOCK
  open_dir(root, path, follow=True)     -> (fd, Resolved); a directory fd for os.scandir / listdir
  list_dir(root, path, limit)           -> (names, truncated, Resolved)
  check_untrusted(text, relative=False) -> the text, or raises UntrustedPath
  host_path(root, path)                 -> the host path of an already resolved path (display/compat)
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import stat

MAX_LINKS = 40              # Linux MAXSYMLINKS: ELOOP after 40 links in one resolution
MAX_COMPONENTS = 4096       # components walked in one resolution (links included)
PATH_MAX = 4096

_O_PATH = getattr(os, "O_PATH", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIR_FLAGS = (_O_PATH or os.O_RDONLY) | _O_DIRECTORY | _O_NOFOLLOW | _O_CLOEXEC

# Resolution statuses
OK = "ok"                  # the final component exists (st set)
MISSING = "missing"        # a component does not exist (broken link, absent file)
LOOP = "loop"              # more than max_links symlinks
TOO_DEEP = "too_deep"      # more than max_components components
NOT_DIR = "not_dir"        # a non-directory in the middle of the path
DENIED = "denied"          # EACCES/EPERM on a component
ERROR = "error"            # any other OSError (EIO, ENAMETOOLONG, ...)
INVALID = "invalid"        # NUL in the path or a link text, a link text over PATH_MAX
NOT_REGULAR = "not_regular"  # open_file: a device node, never opened (opening one acts on it)


class UntrustedPath(ValueError):
    """A name taken from file content that cannot be turned into a path safely."""

    def __init__(self, text, reason):
        ValueError.__init__(self, "%s: %r" % (reason, text))
        self.text = text
        self.reason = reason


class PathRefused(OSError):
    """open_file/open_dir could not give a descriptor; ``resolved`` says why."""

    def __init__(self, resolved, message):
        OSError.__init__(self, errno.ENOENT if resolved.status == MISSING else errno.EACCES, message)
        self.resolved = resolved


class Resolved(object):
    """The outcome of one resolution.

    status   one of OK, MISSING, LOOP, TOO_DEEP, NOT_DIR, DENIED, ERROR, INVALID
    path     the path as the audited system sees it (absolute, inside root; for a failure the
             path walked so far plus what was left)
    st       os.stat_result of the final object (lstat when it is a link not followed) or None
    links    list of (link path inside root, link text) followed, in order
    clamped  True when a ``..`` tried to climb above root (clamped there, as the kernel does)
    reason   a short human sentence for a failure, else ""
    """

    __slots__ = ("status", "path", "st", "links", "clamped", "reason")

    def __init__(self, status, path, st=None, links=None, clamped=False, reason=""):
        self.status = status
        self.path = path
        self.st = st
        self.links = links or []
        self.clamped = clamped
        self.reason = reason

    @property
    def ok(self):
        return self.status == OK

    def as_dict(self):
        return {"status": self.status, "path": self.path, "links": [list(x) for x in self.links],
                "clamped": self.clamped, "reason": self.reason}

    def __repr__(self):
        return "Resolved(%s, %r, links=%d)" % (self.status, self.path, len(self.links))


def check_untrusted(text, relative=False):
    """``text`` unchanged if it may be used as a path (or, ``relative``, as a name under a directory)."""
    if isinstance(text, bytes):
        if b"\0" in text:
            raise UntrustedPath(text, "NUL byte in a path")
        text = text.decode("utf-8", "surrogateescape")
    if not isinstance(text, str):
        raise UntrustedPath(text, "not a string")
    if "\0" in text:
        raise UntrustedPath(text, "NUL byte in a path")
    if len(text.encode("utf-8", "surrogateescape")) > PATH_MAX:
        raise UntrustedPath(text[:64], "path longer than PATH_MAX")
    if relative:
        if text.startswith("/"):
            raise UntrustedPath(text, "absolute path where a relative name is expected")
        if any(part == ".." for part in text.split("/")):
            raise UntrustedPath(text, "'..' component where a relative name is expected")
    return text


def host_path(root, path):
    """The host path of ``path`` (inside root). Only for already resolved paths: never follow it."""
    if not root or root == "/":
        return path
    return os.path.join(root, path.lstrip("/"))


def _split(text):
    return [part for part in text.split("/") if part not in ("", ".")]


def _inside(names):
    return "/" + "/".join(names)


class _Walk(object):
    """The component walk; keeps one O_PATH descriptor per directory entered."""

    def __init__(self, root, max_links, max_components):
        self.root = root or "/"
        self.max_links = max_links
        self.max_components = max_components
        self.fds = []
        self.names = []
        self.links = []
        self.clamped = False

    def close(self):
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds = []

    def reset(self):
        for fd in self.fds[1:]:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds = self.fds[:1]
        self.names = []

    def fail(self, status, rest, reason):
        return Resolved(status, _inside(self.names + rest), None, self.links, self.clamped, reason)

    def run(self, path, follow):
        if "\0" in path:
            return None, Resolved(INVALID, path.replace("\0", "\\0"), reason="NUL byte in the path")
        try:
            self.fds.append(os.open(self.root, (_O_PATH or os.O_RDONLY) | _O_DIRECTORY | _O_CLOEXEC))
        except OSError as exc:
            return None, Resolved(ERROR, "/", reason="cannot open root: %s" % os.strerror(exc.errno or 0))
        todo = _split(path)
        steps = 0
        while True:
            if not todo:
                # The path named a directory (or root itself): stat it through its parent fd.
                if not self.names:
                    return None, Resolved(OK, "/", os.fstat(self.fds[0]), self.links, self.clamped)
                name = self.names[-1]
                try:
                    st = os.stat(name, dir_fd=self.fds[-2], follow_symlinks=False)
                except OSError as exc:
                    return None, self.fail(ERROR, [], os.strerror(exc.errno or 0))
                return name, Resolved(OK, _inside(self.names), st, self.links, self.clamped)
            comp = todo.pop(0)
            steps += 1
            if steps > self.max_components:
                return None, self.fail(TOO_DEEP, [comp] + todo, "more than %d path components" % self.max_components)
            if comp == "..":
                if len(self.fds) > 1:
                    os.close(self.fds.pop())
                    self.names.pop()
                else:
                    self.clamped = True
                continue
            last = not todo
            parent = self.fds[-1]
            try:
                st = os.stat(comp, dir_fd=parent, follow_symlinks=False)
            except OSError as exc:
                return None, self._os_fail(exc, [comp] + todo)
            if stat.S_ISLNK(st.st_mode) and (follow or not last):
                if len(self.links) >= self.max_links:
                    return None, self.fail(LOOP, [comp] + todo, "more than %d symbolic links" % self.max_links)
                try:
                    text = os.readlink(comp, dir_fd=parent)
                except OSError as exc:
                    return None, self._os_fail(exc, [comp] + todo)
                self.links.append((_inside(self.names + [comp]), text))
                if len(text.encode("utf-8", "surrogateescape")) > PATH_MAX or "\0" in text:
                    return None, self.fail(INVALID, [comp] + todo, "link text longer than PATH_MAX")
                if text.startswith("/"):
                    self.reset()
                todo = _split(text) + todo
                continue
            if last:
                return comp, Resolved(OK, _inside(self.names + [comp]), st, self.links, self.clamped)
            if not stat.S_ISDIR(st.st_mode):
                return None, self.fail(NOT_DIR, [comp] + todo, "not a directory")
            try:
                fd = os.open(comp, _DIR_FLAGS, dir_fd=parent)
            except OSError as exc:
                return None, self._os_fail(exc, [comp] + todo)
            self.fds.append(fd)
            self.names.append(comp)

    def _os_fail(self, exc, rest):
        code = exc.errno
        if code in (errno.ENOENT,):
            return self.fail(MISSING, rest, "no such file or directory")
        if code in (errno.ENOTDIR,):
            return self.fail(NOT_DIR, rest, "not a directory")
        if code in (errno.EACCES, errno.EPERM):
            return self.fail(DENIED, rest, "permission denied")
        if code == errno.ELOOP:
            return self.fail(LOOP, rest, "a component changed into a symbolic link while walked")
        return self.fail(ERROR, rest, os.strerror(code or 0))


def resolve(root, path, follow=True, max_links=MAX_LINKS, max_components=MAX_COMPONENTS):
    """Resolve ``path`` (absolute, as the audited system sees it) inside ``root``.

    ``follow=False`` leaves a final symlink unfollowed (``lstat`` semantics: ``st`` is the
    link's); links in the directories on the way are always followed, inside root.
    """
    walk = _Walk(root, max_links, max_components)
    try:
        return walk.run(path, follow)[1]
    finally:
        walk.close()


def open_file(root, path, follow=True, flags=os.O_RDONLY, max_links=MAX_LINKS):
    """(fd, Resolved) for ``path``: resolved inside root, the final open is O_NOFOLLOW|O_NONBLOCK.

    Raises PathRefused when the resolution fails or the open fails (``exc.resolved.status``;
    an OSError's errno is in ``exc.errno``), and for a device node (NOT_REGULAR): opening a
    character or block device runs its driver (a watchdog arms, a tape rewinds, a serial line
    raises DTR), and an audit changes nothing. The caller owns the fd and checks its type (fstat).
    """
    walk = _Walk(root, max_links, MAX_COMPONENTS)
    try:
        name, res = walk.run(path, follow)
        if not res.ok:
            raise PathRefused(res, res.reason)
        refused = device_refusal(res)
        if refused is not None:
            raise PathRefused(refused, refused.reason)
        if name is None:       # root itself
            fd = os.open(walk.root, flags | _O_NONBLOCK | _O_CLOEXEC)
            return fd, res
        parent = walk.fds[-1] if res.path != _inside(walk.names) else walk.fds[-2]
        try:
            fd = _open_no_device(name, flags, parent)
        except _DeviceNode as node:      # swapped in after the walk's stat
            refused = device_refusal(Resolved(OK, res.path, node.st, res.links, res.clamped))
            raise PathRefused(refused, refused.reason)
        except OSError as exc:
            failed = walk._os_fail(exc, [name])
            failed.path = res.path
            failed.st = res.st
            raise PathRefused(failed, failed.reason)
        return fd, res
    finally:
        walk.close()


class _DeviceNode(Exception):
    def __init__(self, st):
        Exception.__init__(self, "device node")
        self.st = st


def _open_no_device(name, flags, parent):
    """os.open(name) in the directory ``parent`` (O_NOFOLLOW|O_NONBLOCK), never of a device
    node: the object is pinned with O_PATH (no driver runs) and fstat'ed, then that same inode is
    reopened through /proc/self/fd, so a node swapped in after the walk's stat is refused too
    (_DeviceNode). Without O_PATH or /proc, a plain open (the walk's stat is the only check)."""
    plain = flags | _O_NOFOLLOW | _O_NONBLOCK | _O_CLOEXEC
    if not _O_PATH:
        return os.open(name, plain, dir_fd=parent)
    pin = os.open(name, _O_PATH | _O_NOFOLLOW | _O_CLOEXEC, dir_fd=parent)
    try:
        st = os.fstat(pin)
        if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
            raise _DeviceNode(st)
        if stat.S_ISLNK(st.st_mode):        # what O_NOFOLLOW gives a plain open
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP))
        try:
            return os.open("/proc/self/fd/%d" % pin, flags | _O_NONBLOCK | _O_CLOEXEC)
        except FileNotFoundError:           # no /proc mounted
            return os.open(name, plain, dir_fd=parent)
    finally:
        os.close(pin)


def device_refusal(res):
    """None, or the NOT_REGULAR Resolved for a resolution that ends at a device node."""
    mode = res.st.st_mode if res.st is not None else 0
    if not (stat.S_ISCHR(mode) or stat.S_ISBLK(mode)):
        return None
    kind = "char_device" if stat.S_ISCHR(mode) else "block_device"
    return Resolved(NOT_REGULAR, res.path, res.st, res.links, res.clamped,
                    "is a %s, not a regular file (not opened)" % kind)


def open_dir(root, path, follow=True):
    """(fd, Resolved) of a directory under root, for os.scandir(fd) / os.listdir(fd)."""
    fd, res = open_file(root, path, follow=follow, flags=os.O_RDONLY | _O_DIRECTORY)
    return fd, res


def list_dir(root, path, limit, follow=True):
    """(sorted names, truncated, Resolved): at most ``limit`` names of a directory under root."""
    fd, res = open_dir(root, path, follow=follow)
    names = []
    truncated = False
    try:
        it = os.scandir(fd)
        try:
            for entry in it:
                if len(names) >= limit:
                    truncated = True
                    break
                names.append(entry.name)
        finally:
            it.close()
    finally:
        os.close(fd)
    names.sort()
    return names, truncated, res


def count_entries(root, path, cap=1 << 20, follow=True):
    """How many names a directory under root holds (at most ``cap`` counted, nothing kept):
    what a cut listing did not show is said by number, whatever the directory holds."""
    fd, _res = open_dir(root, path, follow=follow)
    count = 0
    try:
        it = os.scandir(fd)
        try:
            for _entry in it:
                count += 1
                if count >= cap:
                    break
        finally:
            it.close()
    finally:
        os.close(fd)
    return count


def sample_names(names, head=4, tail=4):
    """``a, b, c, d, ... (N more) ..., x, y``: the first and the last names of a list that was
    not read (sysctl.d and Include globs apply files in order, so the last ones matter)."""
    names = list(names)
    if len(names) <= head + tail:
        return ", ".join(names)
    more = len(names) - head - tail
    return "%s, ... (%d more) ..., %s" % (", ".join(names[:head]), more, ", ".join(names[-tail:]))


def sorted_names(root, path, cap=1 << 16):
    """(sorted names, Resolved) of a directory under root, links on the way (and the directory
    itself) resolved inside root, never by the host's kernel; at most ``cap`` names (a
    directory as large as that is itself hostile). Raises PathRefused/OSError."""
    names, _truncated, res = list_dir(root, path, cap, follow=True)
    return names, res
