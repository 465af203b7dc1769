# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A minimal, bounded RESP2 client (the Redis wire protocol) over TCP or a unix socket.

Only what an auditor needs: send a command, read one reply. Hostile or broken servers
are expected (seed 000: the auditor must survive whatever the host holds):
- every command has a deadline (``timeout`` seconds from the moment it is sent); a server
  that accepts and never answers gives ``RespTimeout`` when the deadline passes, a server
  that trickles bytes slowly is cut by the same deadline;
- a reply may use at most ``max_reply_bytes`` bytes on the wire, nest at most
  ``max_depth`` levels and hold at most ``max_elements`` elements; an endless reply gives
  ``RespReplyTooLarge`` at the bound;
- error replies (``-NOAUTH ...``) are values (``ErrorReply``), not exceptions: they are
  answers the audit grades.
Protocol reference: https://redis.io/docs/reference/protocol-spec/ (RESP2: + - : $ *).
Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import time

DEFAULT_TIMEOUT = 2.0
DEFAULT_MAX_REPLY_BYTES = 1024 * 1024
DEFAULT_MAX_DEPTH = 8
DEFAULT_MAX_ELEMENTS = 100000
RECV_CHUNK = 16 * 1024


class RespError(Exception):
    """A failure talking to the server. ``reason``: connect, timeout, closed, protocol,
    too_large, io_error."""

    reason = "io_error"

    def __init__(self, message, reason=None):
        super(RespError, self).__init__(message)
        if reason:
            self.reason = reason
        self.message = message


class RespTimeout(RespError):
    reason = "timeout"


class RespReplyTooLarge(RespError):
    reason = "too_large"


class RespProtocolError(RespError):
    reason = "protocol"


class RespClosed(RespError):
    reason = "closed"


class RespTypeError(RespError):
    """A reply of a type the command never returns (INFO answered with ``:1``, a nested array
    in CONFIG GET ...): the server lies or is not Redis."""

    reason = "type"


class ErrorReply(object):
    """A RESP error reply (``-ERR ...``). ``code`` is its first word (NOAUTH, NOPERM, ERR...)."""

    def __init__(self, text):
        self.text = text
        self.code = text.split(" ", 1)[0] if text else ""

    def __repr__(self):
        return "ErrorReply(%r)" % (self.text,)

    def __eq__(self, other):
        return isinstance(other, ErrorReply) and other.text == self.text

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.text)


def _to_bytes(value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, int):
        return str(value).encode("ascii")
    return str(value).encode("utf-8")


def encode_command(*args):
    """RESP2 encoding of a command: an array of bulk strings."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = _to_bytes(arg)
        parts.append(b"$%d\r\n" % len(data))
        parts.append(data)
        parts.append(b"\r\n")
    return b"".join(parts)


class _Reader(object):
    """Reads one reply from a socket under a deadline and a byte budget."""

    def __init__(self, sock, deadline, max_bytes, max_depth, max_elements, buf=b""):
        self.sock = sock
        self.deadline = deadline
        self.budget = max_bytes
        self.max_depth = max_depth
        self.max_elements = max_elements
        self.elements = 0
        self.buf = buf
        self.pos = 0

    def _fill(self):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise RespTimeout("no complete reply before the deadline")
        if self.budget <= 0:
            raise RespReplyTooLarge("reply exceeds the byte bound")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(min(RECV_CHUNK, self.budget))
        except socket.timeout:
            raise RespTimeout("no complete reply before the deadline")
        except (OSError, IOError) as exc:
            raise RespError("receive failed: %s" % (exc,), "io_error")
        if not chunk:
            raise RespClosed("server closed the connection")
        self.budget -= len(chunk)
        # keep only the unread part
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0

    def _line(self):
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = self.buf[self.pos:end]
                self.pos = end + 2
                return line
            self._fill()

    def _exact(self, size):
        while len(self.buf) - self.pos < size + 2:
            self._fill()
        data = self.buf[self.pos:self.pos + size]
        if self.buf[self.pos + size:self.pos + size + 2] != b"\r\n":
            raise RespProtocolError("bulk string not terminated by CRLF")
        self.pos += size + 2
        return data

    def _int(self, text):
        try:
            return int(text)
        except ValueError:
            raise RespProtocolError("invalid integer %r" % (text[:32],))

    def read(self, depth=0):
        if depth > self.max_depth:
            raise RespReplyTooLarge("reply nests deeper than %d" % self.max_depth)
        line = self._line()
        if not line:
            raise RespProtocolError("empty reply line")
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode("utf-8", "backslashreplace")
        if kind == b"-":
            return ErrorReply(rest.decode("utf-8", "backslashreplace"))
        if kind == b":":
            return self._int(rest)
        if kind == b"$":
            size = self._int(rest)
            if size < 0:
                return None
            if size > self.budget + len(self.buf) - self.pos:
                raise RespReplyTooLarge("bulk string of %d bytes exceeds the byte bound" % size)
            return self._exact(size)
        if kind == b"*":
            count = self._int(rest)
            if count < 0:
                return None
            self.elements += count
            if self.elements > self.max_elements:
                raise RespReplyTooLarge("reply holds more than %d elements" % self.max_elements)
            return [self.read(depth + 1) for _element in range(count)]
        raise RespProtocolError("unknown reply type %r" % (kind,))


def decode_reply(data, max_bytes=DEFAULT_MAX_REPLY_BYTES):
    """Decode one complete reply from bytes (for tests and offline use)."""
    reader = _Reader(_NoSocket(), time.monotonic() + 3600, max_bytes, DEFAULT_MAX_DEPTH,
                     DEFAULT_MAX_ELEMENTS, buf=bytes(data))
    return reader.read()


class _NoSocket(object):
    def settimeout(self, _value):
        pass

    def recv(self, _size):
        return b""


def parse_address(text):
    """``host:port``, ``[v6]:port`` or an absolute unix socket path -> address tuple.

    Returns ("unix", path) or ("tcp", host, port); raises ValueError on bad input.
    """
    text = (text or "").strip()
    if not text:
        raise ValueError("empty endpoint")
    if text.startswith("unix:"):
        text = text[5:]
    if text.startswith("/"):
        return ("unix", text)
    if text.startswith("["):
        host, sep, port = text[1:].partition("]:")
        if not sep:
            raise ValueError("bad endpoint %r: expected [v6addr]:port" % (text,))
    else:
        host, sep, port = text.rpartition(":")
        if not sep or not host:
            raise ValueError("bad endpoint %r: expected host:port or /path/to.sock" % (text,))
    try:
        port_no = int(port)
    except ValueError:
        raise ValueError("bad port in endpoint %r" % (text,))
    if not 0 < port_no < 65536:
        raise ValueError("port out of range in endpoint %r" % (text,))
    return ("tcp", host, port_no)


def format_address(address):
    if address[0] == "unix":
        return address[1]
    host = address[1]
    if ":" in host:
        return "[%s]:%d" % (host, address[2])
    return "%s:%d" % (host, address[2])


class RespClient(object):
    """One connection. ``call()`` returns a decoded reply or raises ``RespError``.

    After any ``RespError`` the connection is closed (its stream position is unknown).
    """

    def __init__(self, address, timeout=DEFAULT_TIMEOUT, max_reply_bytes=DEFAULT_MAX_REPLY_BYTES,
                 max_depth=DEFAULT_MAX_DEPTH, max_elements=DEFAULT_MAX_ELEMENTS, deadline=None):
        self.address = address
        self.timeout = float(timeout)
        # one deadline for everything done on this client (time.monotonic() value), or None
        self.deadline = deadline
        self.max_reply_bytes = int(max_reply_bytes)
        self.max_depth = max_depth
        self.max_elements = max_elements
        self.sock = None
        self._buf = b""

    @classmethod
    def from_socket(cls, sock, **kwargs):
        client = cls(("socket", "<connected>"), **kwargs)
        client.sock = sock
        return client

    def connect(self):
        try:
            if self.address[0] == "unix":
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                target = self.address[1]
            else:
                infos = socket.getaddrinfo(self.address[1], self.address[2], 0, socket.SOCK_STREAM)
                family, socktype, proto, _c, target = infos[0]
                sock = socket.socket(family, socktype, proto)
        except (OSError, IOError, socket.gaierror) as exc:
            raise RespError("cannot connect to %s: %s" % (format_address(self.address), exc), "connect")
        try:
            sock.settimeout(self._remaining(time.monotonic() + self.timeout))
            sock.connect(target)
        except socket.timeout:
            sock.close()
            raise RespTimeout("connect to %s timed out" % format_address(self.address))
        except (OSError, IOError) as exc:
            sock.close()
            raise RespError("cannot connect to %s: %s" % (format_address(self.address), exc), "connect")
        self.sock = sock
        return self

    def _remaining(self, own_deadline):
        """Seconds left before the earlier of ``own_deadline`` and the client's deadline."""
        deadline = own_deadline if self.deadline is None else min(own_deadline, self.deadline)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RespTimeout("the probe deadline has passed")
        return remaining

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except (OSError, IOError):
                pass
            self.sock = None

    def __enter__(self):
        if self.sock is None:
            self.connect()
        return self

    def __exit__(self, *_exc):
        self.close()

    def call(self, *args):
        if self.sock is None:
            raise RespClosed("not connected")
        deadline = time.monotonic() + self.timeout
        if self.deadline is not None:
            deadline = min(deadline, self.deadline)
        try:
            if deadline <= time.monotonic():
                raise RespTimeout("the probe deadline has passed")
            self._send(encode_command(*args), deadline)
            reader = _Reader(self.sock, deadline, self.max_reply_bytes, self.max_depth,
                             self.max_elements, buf=self._buf)
            reply = reader.read()
            self._buf = reader.buf[reader.pos:]
            return reply
        except RespError:
            self.close()
            raise

    def _send(self, data, deadline):
        view = memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RespTimeout("send did not complete before the deadline")
            self.sock.settimeout(remaining)
            try:
                sent = self.sock.send(view)
            except socket.timeout:
                raise RespTimeout("send did not complete before the deadline")
            except (OSError, IOError) as exc:
                raise RespError("send failed: %s" % (exc,), "io_error")
            view = view[sent:]


def text(value):
    """A reply as text (bulk strings are bytes)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, ErrorReply):
        return value.text
    return value


def _kind(value):
    if value is None:
        return "nil"
    if isinstance(value, list):
        return "array of %d" % len(value)
    return {bytes: "bulk string", str: "simple string", int: "integer",
            ErrorReply: "error"}.get(type(value), type(value).__name__)


def expect_text(value, what):
    """``value`` as text if it is a (bulk or simple) string; RespTypeError otherwise."""
    if isinstance(value, (bytes, str)):
        return text(value)
    raise RespTypeError("%s: expected a string reply, got %s" % (what, _kind(value)))


def expect_array(value, what):
    if isinstance(value, list):
        return value
    raise RespTypeError("%s: expected an array reply, got %s" % (what, _kind(value)))


def parse_info(payload):
    """``INFO`` reply (bulk string) -> dict of its ``key:value`` lines; RespTypeError for any
    other reply type (``:1``, an array ...)."""
    out = {}
    if payload is None:
        return out
    for line in expect_text(payload, "INFO").splitlines():
        if not line or line.startswith("#") or ":" not in line:
            continue
        key, _sep, value = line.partition(":")
        out[key.strip()] = value.strip()
    return out


def pairs_to_dict(reply, what="CONFIG GET", lists=False):
    """``CONFIG GET`` / ``ACL GETUSER`` flat [k, v, k, v] -> dict of text.

    Keys must be strings; values strings (``lists``: also an array of strings, as ACL GETUSER's
    flags/passwords). Anything else (an integer ``dir``, a nested array, an odd count) is a
    RespTypeError naming what was wrong."""
    items = expect_array(reply, what)
    if len(items) % 2:
        raise RespTypeError("%s: %d elements, not key/value pairs" % (what, len(items)))
    out = {}
    for index in range(0, len(items), 2):
        key = expect_text(items[index], "%s key" % what)
        value = items[index + 1]
        if lists and isinstance(value, list):
            value = [expect_text(item, "%s %s item" % (what, key)) for item in value]
        elif lists and (value is None or isinstance(value, int)):
            value = value
        else:
            value = expect_text(value, "%s %s" % (what, key))
        out[key] = value
    return out
