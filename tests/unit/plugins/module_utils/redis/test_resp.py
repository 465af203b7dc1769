"""RESP2 encoder/decoder and client bounds, with an in-process socketpair."""
import socket
import threading

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.redis import resp


def test_encode_command():
    assert resp.encode_command("CONFIG", "GET", "dir") == b"*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$3\r\ndir\r\n"
    assert resp.encode_command("SET", "k", b"a\r\nb", 7) == b"*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\na\r\nb\r\n$1\r\n7\r\n"


@pytest.mark.parametrize("wire,expected", [
    (b"+PONG\r\n", "PONG"),
    (b":42\r\n", 42),
    (b"$5\r\nhello\r\n", b"hello"),
    (b"$0\r\n\r\n", b""),
    (b"$-1\r\n", None),
    (b"*-1\r\n", None),
    (b"*2\r\n$3\r\ndir\r\n$8\r\n/var/lib\r\n", [b"dir", b"/var/lib"]),
    (b"*2\r\n*1\r\n:1\r\n+x\r\n", [[1], "x"]),
    (b"$4\r\na\r\nb\r\n", b"a\r\nb"),
])
def test_decode(wire, expected):
    assert resp.decode_reply(wire) == expected


def test_decode_error_reply_is_a_value():
    reply = resp.decode_reply(b"-NOAUTH Authentication required.\r\n")
    assert isinstance(reply, resp.ErrorReply) and reply.code == "NOAUTH"


@pytest.mark.parametrize("wire,exc", [
    (b"?what\r\n", resp.RespProtocolError),
    (b":12x\r\n", resp.RespProtocolError),
    (b"$3\r\nabcd\r\n", resp.RespProtocolError),
    (b"+PONG", resp.RespClosed),              # truncated: connection ended mid-reply
    (b"$999999999\r\n", resp.RespReplyTooLarge),
])
def test_decode_bad(wire, exc):
    with pytest.raises(exc):
        resp.decode_reply(wire)


def test_decode_depth_and_elements_bounded():
    with pytest.raises(resp.RespReplyTooLarge):
        resp.decode_reply(b"*1\r\n" * 50 + b":1\r\n")
    with pytest.raises(resp.RespReplyTooLarge):
        resp.decode_reply(b"*1000000000\r\n")


@pytest.mark.parametrize("text,expected", [
    ("127.0.0.1:6379", ("tcp", "127.0.0.1", 6379)),
    ("[::1]:6380", ("tcp", "::1", 6380)),
    ("localhost:1", ("tcp", "localhost", 1)),
    ("/run/redis/redis.sock", ("unix", "/run/redis/redis.sock")),
    ("unix:/tmp/x.sock", ("unix", "/tmp/x.sock")),
])
def test_parse_address(text, expected):
    assert resp.parse_address(text) == expected


@pytest.mark.parametrize("bad", ["", "6379", "host:", "host:70000", "host:abc", "[::1]6379", "relative.sock"])
def test_parse_address_bad(bad):
    with pytest.raises(ValueError):
        resp.parse_address(bad)


def _server(sock, script):
    """Answer each received command with the next scripted bytes (None: stay silent)."""
    try:
        for answer in script:
            sock.recv(65536)
            if answer is None:
                return
            sock.sendall(answer)
    except OSError:
        pass


def _pair(script, **kwargs):
    ours, theirs = socket.socketpair()
    thread = threading.Thread(target=_server, args=(theirs, script), daemon=True)
    thread.start()
    return resp.RespClient.from_socket(ours, **kwargs), theirs, thread


def test_client_over_socketpair_split_replies():
    # two replies delivered in one packet: the second must be kept for the next call
    client, theirs, thread = _pair([b"+PONG\r\n:1", b"\r\n"], timeout=5)
    try:
        assert client.call("PING") == "PONG"
        assert client.call("INCR", "x") == 1
    finally:
        client.close()
        theirs.close()
        thread.join(5)


def test_client_silent_server_times_out():
    client, theirs, thread = _pair([None], timeout=0.2)
    try:
        with pytest.raises(resp.RespTimeout):
            client.call("PING")
        assert client.sock is None   # closed after an error
    finally:
        theirs.close()
        thread.join(5)


def test_client_reply_bound():
    client, theirs, thread = _pair([b"$100000\r\n" + b"x" * 100002], timeout=5, max_reply_bytes=4096)
    try:
        with pytest.raises(resp.RespReplyTooLarge):
            client.call("GET", "big")
    finally:
        client.close()
        theirs.close()
        thread.join(5)


def test_client_endless_line_bound():
    ours, theirs = socket.socketpair()
    stop = threading.Event()

    def flood():
        theirs.settimeout(0.2)
        theirs.recv(1024)
        while not stop.is_set():
            try:
                theirs.send(b"+" + b"A" * 8191)
            except socket.timeout:
                continue
            except OSError:
                return

    thread = threading.Thread(target=flood, daemon=True)
    thread.start()
    client = resp.RespClient.from_socket(ours, timeout=30, max_reply_bytes=64 * 1024)
    try:
        with pytest.raises(resp.RespReplyTooLarge):
            client.call("PING")
    finally:
        stop.set()
        client.close()
        thread.join(5)
        theirs.close()


def test_connect_refused_is_an_error():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()   # nobody listens there now
    with pytest.raises(resp.RespError) as info:
        resp.RespClient(("tcp", "127.0.0.1", port), timeout=1).connect()
    assert info.value.reason == "connect"


def test_parse_info_and_pairs():
    info = resp.parse_info(b"# Server\r\nredis_version:7.0.15\r\nconfig_file:/etc/redis/redis.conf\r\n")
    assert info == {"redis_version": "7.0.15", "config_file": "/etc/redis/redis.conf"}
    assert resp.pairs_to_dict([b"dir", b"/x", b"flags", [b"on", b"nopass"]], lists=True) == {"dir": "/x", "flags": ["on", "nopass"]}
