"""A loopback fake Redis that lies: scripted reply per command name, optional delay per reply.

Used by the Redis area's hostile tests (unit) and the longer ``make fuzz`` run. Counts every
command it receives, so tests bound work by counts, not by the clock. Talks only on 127.0.0.1;
``close()`` stops it (tests call it in a finally / fixture)."""
import socket
import threading
import time

from conftest import loopback_listener

from ansible_collections.hostguard.hardening.plugins.module_utils.redis import resp

HONEST = {
    "PING": b"+PONG\r\n",
    "INFO": b"$46\r\n# Server\r\nredis_version:7.0.15\r\nprocess_id:1\r\n\r\n",
    "CONFIG": b"*2\r\n$3\r\ndir\r\n$14\r\n/var/lib/redis\r\n",
    "ACL": b"-ERR unknown command 'ACL'\r\n",
    "AUTH": b"+OK\r\n",
}


def _commands(buf):
    """Complete RESP commands at the head of ``buf``: ([name, ...], rest)."""
    names = []
    while True:
        try:
            reader = resp._Reader(resp._NoSocket(), time.monotonic() + 5, 1 << 20, 8, 1000, buf=buf)
            value = reader.read()
        except resp.RespError:
            return names, buf
        buf = reader.buf[reader.pos:]
        if isinstance(value, list) and value and isinstance(value[0], bytes):
            names.append(value[0].decode("ascii", "replace").upper())
        else:
            names.append("?")


class LyingRedis(object):
    def __init__(self, replies=None, delay=0.0, max_conns=64):
        self.replies = dict(HONEST)
        self.replies.update(replies or {})
        self.delay = delay
        self.calls = 0
        self.sock, self.port = loopback_listener()
        self.stopping = False
        self.max_conns = max_conns
        self.threads = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def address(self):
        return ("tcp", "127.0.0.1", self.port)

    def _accept(self):
        conns = 0
        while not self.stopping and conns < self.max_conns:
            try:
                conn, _peer = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conns += 1
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self.threads.append(t)

    def _serve(self, conn):
        buf = b""
        conn.settimeout(0.2)
        with conn:
            for _round in range(10000):
                if self.stopping:
                    return
                try:
                    chunk = conn.recv(65536)
                except socket.timeout:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                buf += chunk
                names, buf = _commands(buf)
                for name in names:
                    self.calls += 1
                    reply = self.replies.get(name, b"-ERR unknown command\r\n")
                    if callable(reply):
                        reply = reply()
                    if self.delay:
                        time.sleep(self.delay)
                    if reply is None:
                        continue
                    try:
                        conn.sendall(reply)
                    except OSError:
                        return

    def close(self):
        self.stopping = True
        try:
            self.sock.close()
        except OSError:
            pass
        self.thread.join(5)
        for t in self.threads:
            t.join(5)
