"""Start and stop real redis-server instances for the integration tests (loopback only)."""
import os
import socket
import subprocess
import threading
import time

from conftest import loopback_listener

REDIS_SERVER = "/usr/bin/redis-server"


def free_port():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def raw_command(address, *args, timeout=5.0):
    """The tests' own tiny RESP client (independent of plugins/module_utils/resp.py)."""
    if address[0] == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = address[1]
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        target = (address[1], address[2])
    sock.settimeout(timeout)
    try:
        sock.connect(target)
        out = b"*%d\r\n" % len(args)
        for arg in args:
            data = arg if isinstance(arg, bytes) else str(arg).encode()
            out += b"$%d\r\n%s\r\n" % (len(data), data)
        sock.sendall(out)
        data = b""
        for _attempt in range(1000):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            if data.endswith(b"\r\n") and data[:1] in b"+-:":
                break
            if data[:1] == b"$" and b"\r\n" in data:
                size = int(data[1:data.index(b"\r\n")])
                if size < 0 or len(data) >= data.index(b"\r\n") + 2 + size + 2:
                    break
        return data
    finally:
        sock.close()


class RedisInstance(object):
    def __init__(self, workdir, conf_lines, port, unixsocket=None):
        self.workdir = str(workdir)
        self.port = port
        self.unixsocket = unixsocket
        self.conf = os.path.join(self.workdir, "redis.conf")
        self.datadir = os.path.join(self.workdir, "data")
        os.makedirs(self.datadir, exist_ok=True)
        with open(self.conf, "w") as handle:
            handle.write("dir %s\n" % self.datadir)
            handle.write("port %d\n" % self.port)
            for line in conf_lines:
                handle.write(line + "\n")
        self.log = os.path.join(self.workdir, "redis.log")
        self.proc = None

    @property
    def address(self):
        if self.port:
            return ("tcp", "127.0.0.1", self.port)
        return ("unix", self.unixsocket)

    def start(self):
        assert os.path.exists(REDIS_SERVER), "real redis-server is required: apt-get install redis-server"
        args = [REDIS_SERVER, self.conf, "--port", str(self.port), "--save", "", "--daemonize", "no",
                "--logfile", self.log]
        self.proc = subprocess.Popen(args, cwd=self.workdir, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        last = None
        for _attempt in range(400):  # bounded wait: at most ~20 s
            if self.proc.poll() is not None:
                raise AssertionError("redis-server exited %s: %s" % (self.proc.returncode, self._logtail()))
            try:
                reply = raw_command(self.address, "PING", timeout=1.0)
                if reply.startswith(b"+PONG") or reply.startswith(b"-NOAUTH"):
                    return self
                last = reply
            except OSError as exc:
                last = exc
            time.sleep(0.05)
        raise AssertionError("redis-server never answered PING (%r): %s" % (last, self._logtail()))

    def _logtail(self):
        try:
            with open(self.log, "rb") as handle:
                return handle.read()[-2000:].decode("utf-8", "replace")
        except OSError:
            return "<no log>"

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


class SilentListener(object):
    """A TCP listener on 127.0.0.1 that accepts and never answers (or, with ``flood``,
    answers with an endless stream of bytes)."""

    def __init__(self, flood=False):
        self.flood = flood
        self.sock, self.port = loopback_listener()
        self.stop_event = threading.Event()
        self.conns = []
        self.sent = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop_event.is_set():
            try:
                conn, _addr = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.conns.append(conn)
            if self.flood:
                threading.Thread(target=self._flood, args=(conn,), daemon=True).start()

    def _flood(self, conn):
        # an endless simple-string reply: "+AAAA..." with no CRLF, ever
        chunk = b"+" + b"A" * 65535
        conn.settimeout(0.5)
        while not self.stop_event.is_set():
            try:
                self.sent += conn.send(chunk)
            except socket.timeout:
                continue
            except OSError:
                return
            chunk = b"A" * 65536

    def close(self):
        self.stop_event.set()
        self.thread.join(timeout=5)
        for conn in self.conns:
            try:
                conn.close()
            except OSError:
                pass
        self.sock.close()
