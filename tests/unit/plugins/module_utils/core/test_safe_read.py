"""safe_read: bounded, symlink-safe reads on hostile trees."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read
from ansible_collections.hostguard.hardening.plugins.module_utils.core.safe_read import SafeReadError


def test_read_head_caps_bytes_and_reports_truncation(tmp_path):
    path = tmp_path / "big"
    path.write_bytes(b"x" * 10000)
    data, info, truncated = safe_read.read_head(str(path), max_bytes=100)
    assert data == b"x" * 100
    assert truncated is True
    assert info["size"] == 10000
    data, _info, truncated = safe_read.read_head(str(path), max_bytes=20000)
    assert len(data) == 10000 and truncated is False


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(str(fifo))
    with pytest.raises(SafeReadError) as err:
        safe_read.read_head(str(fifo))
    assert err.value.reason == "not_regular"
    assert "fifo" in err.value.message


def test_symlink_to_dev_zero_is_not_followed(tmp_path):
    link = tmp_path / "zero"
    os.symlink("/dev/zero", str(link))
    with pytest.raises(SafeReadError) as err:
        safe_read.read_head(str(link))
    assert err.value.reason == "symlink"
    with pytest.raises(SafeReadError):
        list(safe_read.iter_lines(str(link)))


def test_device_and_socket_are_refused(tmp_path):
    with pytest.raises(SafeReadError) as err:
        safe_read.read_head("/dev/zero")
    assert err.value.reason == "not_regular"
    sock_path = str(tmp_path / "s.sock")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(sock_path)
        with pytest.raises(SafeReadError) as err:
            safe_read.read_head(sock_path)
        assert "socket" in err.value.message
    finally:
        sock.close()


def test_missing_file_reason(tmp_path):
    with pytest.raises(SafeReadError) as err:
        safe_read.read_head(str(tmp_path / "nope"))
    assert err.value.reason == "missing"


def test_iter_lines_cuts_long_lines_and_keeps_counting(tmp_path):
    path = tmp_path / "lines"
    path.write_bytes(b"short\n" + b"A" * (1024 * 1024) + b"\nafter\nlast-no-newline")
    lines = list(safe_read.iter_lines(str(path), max_bytes=10 * 1024 * 1024, max_line=100))
    assert lines[0] == (1, b"short", False)
    assert lines[1] == (2, b"A" * 100, True)
    assert lines[2] == (3, b"after", False)
    assert lines[3] == (4, b"last-no-newline", False)
    assert len(lines) == 4


def test_iter_lines_stops_at_max_bytes(tmp_path):
    path = tmp_path / "many"
    path.write_bytes(b"line\n" * 100000)
    lines = list(safe_read.iter_lines(str(path), max_bytes=50, max_line=100))
    assert len(lines) == 10


def test_sparse_multi_gb_file_costs_only_the_head(tmp_path):
    path = tmp_path / "sparse"
    with open(str(path), "wb") as handle:
        handle.write(b"REDIS0009")
        handle.truncate(4 * 1024 ** 3)
    # Run in a child so the RSS we measure is the read's alone.
    code = (
        "import sys\n"
        "from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read\n"
        "data, info, cut = safe_read.read_head(sys.argv[1])\n"
        "n = sum(1 for _ in safe_read.iter_lines(sys.argv[1]))\n"
        # VmHWM, not ru_maxrss: Linux carries the forking parent's (pytest's) peak into
        # ru_maxrss across exec, VmHWM is this process's own memory high-water mark
        "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"
        "print(len(data), info['size'], cut, hwm)\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    out = subprocess.run([sys.executable, "-c", code, str(path)], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    assert int(out[0]) == safe_read.DEFAULT_MAX_READ_BYTES
    assert int(out[1]) == 4 * 1024 ** 3
    assert out[2] == "True"
    assert int(out[3]) < 64 * 1024  # VmHWM in KiB: far below the file's size


def test_invalid_utf8_decodes_with_escapes():
    assert safe_read.decode_line(b"ok \xff\xfe end") == "ok \\xff\\xfe end"


def test_looks_binary():
    assert safe_read.looks_binary(b"\x00\x01\x02binary")
    assert safe_read.looks_binary(bytes(range(128, 256)) * 4)
    assert not safe_read.looks_binary(b"* * * * * root /usr/bin/true\n")
    assert not safe_read.looks_binary("# caf\u00e9 cr\u00e8me\n".encode("utf-8") * 50)
    assert not safe_read.looks_binary(b"")


def test_resolve_symlink_confined_to_root(tmp_path):
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "real").write_text("x")
    os.symlink("/etc/real", str(root / "etc" / "abs"))
    os.symlink("../../../../outside", str(root / "etc" / "esc"))
    os.symlink("loop2", str(root / "etc" / "loop1"))
    os.symlink("loop1", str(root / "etc" / "loop2"))
    os.symlink("/nonexistent", str(root / "etc" / "broken"))
    res = safe_read.resolve_symlink(str(root), str(root / "etc" / "abs"))
    assert res["status"] == "ok" and res["resolved"] == "/etc/real" and res["info"]["type"] == "file"
    assert safe_read.resolve_symlink(str(root), str(root / "etc" / "esc"))["status"] == "escapes"
    assert safe_read.resolve_symlink(str(root), str(root / "etc" / "loop1"))["status"] == "loop"
    assert safe_read.resolve_symlink(str(root), str(root / "etc" / "broken"))["status"] == "broken"


def test_unreadable_file_reports_permission():
    # Root reads everything, so prove it for real: a child imports safe_read, drops to
    # nobody, then meets a mode-000 file in a directory it may traverse.
    if os.getuid() != 0:
        pytest.fail("this test drops root privileges to prove unreadability; run it as root")
    workdir = tempfile.mkdtemp(prefix="hg-saferead-")
    os.chmod(workdir, 0o755)
    path = os.path.join(workdir, "secret")
    with open(path, "w") as handle:
        handle.write("x")
    os.chmod(path, 0)
    code = (
        "import os, sys\n"
        "from ansible_collections.hostguard.hardening.plugins.module_utils.core import safe_read\n"
        "os.setgid(65534); os.setuid(65534)\n"
        "try:\n"
        "    safe_read.read_head(sys.argv[1])\n"
        "except safe_read.SafeReadError as exc:\n"
        "    print(exc.reason)\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    try:
        out = subprocess.run([sys.executable, "-c", code, path], env=env,
                             capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(workdir)
    assert out.stdout.strip() == "permission", out.stderr


def _reference_lines(data, max_bytes, max_line):
    """What iter_lines_fd promises, written the obvious way: the first max_bytes bytes split
    at newlines, each line cut to max_line (cut=True when longer)."""
    data = data[:max_bytes]
    pieces = data.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()
    return [(no, piece[:max_line], len(piece) > max_line) for no, piece in enumerate(pieces, 1)]


@pytest.mark.parametrize("chunk", [3, 7, 64 * 1024])
def test_iter_line_blocks_and_iter_lines_fd_agree_with_the_obvious_split(tmp_path, monkeypatch, chunk):
    """The block splitter (bytes.split per chunk) yields exactly the obvious lines, for chunk
    sizes that cut lines, newlines and over-long lines at every place."""
    import random
    monkeypatch.setattr(safe_read, "CHUNK_BYTES", chunk)
    rnd = random.Random(chunk)
    path = str(tmp_path / "f")
    for _round in range(300):
        data = bytes(rnd.choice(b"ab\n\n") for _byte in range(rnd.randint(0, 120)))
        max_line = rnd.choice([1, 2, 5, 50])
        max_bytes = rnd.choice([0, 10, 60, 1000])
        with open(path, "wb") as handle:
            handle.write(data)
        fd = os.open(path, os.O_RDONLY)
        try:
            got = list(safe_read.iter_lines_fd(fd, max_bytes, max_line))
        finally:
            os.close(fd)
        assert got == _reference_lines(data, max_bytes, max_line), (data, max_line, max_bytes)
        fd = os.open(path, os.O_RDONLY)
        try:
            blocks = list(safe_read.iter_line_blocks(fd, max_bytes, max_line))
        finally:
            os.close(fd)
        flat = [(first + i, line, i in cut) for first, lines, cut in blocks for i, line in enumerate(lines)]
        assert flat == got
