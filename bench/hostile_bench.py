"""Issue 17 figures, side by side with the former code ("before") in one run:
- malicious-line matching: VM steps (tests/regex_budget.py) and wall time of the issue's
  reproducer lines, the former single regexes vs core/linematch now;
- the Redis probe of one instance with 5 listeners answering each command at 0.9x the timeout:
  calls made and seconds, a deadline per call (before) vs one deadline per instance (now);
- peak memory (VmHWM) of parsing a Redis config that includes one 4 MiB file 255 times.
Run: .venv/bin/python bench/hostile_bench.py"""
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "tests"), os.path.join(HERE, "..", ".collections")]

import regex_budget as RB  # noqa: E402
from ansible_collections.hostguard.hardening.plugins.module_utils.core import linematch  # noqa: E402
from ansible_collections.hostguard.hardening.plugins.module_utils.redis import audit as redis  # noqa: E402

OLD = {
    "script_socket_oneliner": (r"\bpython[0-9.]*\b.*\s-c\b.*\bsocket\b.*(?:connect|dup2|pty|subprocess|spawn)",
                               "python -c socket "),
    "socat_exec": (r"\bsocat\b.*\b(?:exec|system):", "socat exec"),
    "netcat_exec": (r"\b(?:nc|ncat|netcat|nc\.traditional|nc\.openbsd)\b[^|;&\n]*?\s(?:-\w*e\b|--(?:sh-)?exec\b)",
                    "nc -0"),
}


def regex_figures(size=4000):
    print("## malicious-line matching, %d-byte reproducer line" % size)
    print("%-24s %14s %14s %10s %10s" % ("pattern", "VM steps old", "VM steps new", "s old", "s new"))
    for name, (pattern, atom) in OLD.items():
        line = (atom * (size // len(atom) + 1))[:size]
        old = re.compile(pattern)
        _m, old_steps, cut = RB.run_counted(old, line, "search", 5 * 10 ** 7)
        counter = [0]
        import test_linematch_linear as T  # the counting proxy of the unit test
        new_steps = 0
        saved = dict(linematch.PIECES)
        try:
            for piece, regex in saved.items():
                linematch.PIECES[piece] = T.Counting(regex, counter)
            getattr(linematch, name)(line, line)
            new_steps = counter[0]
        finally:
            linematch.PIECES.update(saved)
        t0 = time.perf_counter()
        old.search(line)
        t_old = time.perf_counter() - t0
        t0 = time.perf_counter()
        getattr(linematch, name)(line, line)
        t_new = time.perf_counter() - t0
        print("%-24s %14s %14d %10.3f %10.4f" % (name, (">%d" % old_steps) if cut else old_steps,
                                                 new_steps, t_old, t_new))


def probe_figures(timeout=0.2):
    from redis_liar import LyingRedis
    print("## one instance, 5 listeners answering at 0.9x timeout (timeout %.1f s)" % timeout)
    servers = [LyingRedis(delay=0.9 * timeout) for _listener in range(5)]
    try:
        server = {"kind": "redis-server", "pid": 1,
                  "listeners": [{"family": "tcp", "address": "127.0.0.1", "port": s.port} for s in servers]}
        t0 = time.perf_counter()
        for s in servers:   # before: every endpoint probed with a deadline per call
            redis.probe_endpoint(s.address, timeout=timeout)
        t_before = time.perf_counter() - t0
        calls_before = sum(s.calls for s in servers)
        for s in servers:
            s.calls = 0
        t0 = time.perf_counter()
        redis.probe_instance({"name": "x", "probes": []}, server, 0, None, None, timeout, 65536)
        t_now = time.perf_counter() - t0
        calls_now = sum(s.calls for s in servers)
    finally:
        for s in servers:
            s.close()
    print("before: %d calls, %.2f s   now: %d calls, %.2f s" % (calls_before, t_before, calls_now, t_now))


def memory_figures():
    import tempfile
    root = tempfile.mkdtemp(prefix="hostile-bench-")
    os.makedirs(os.path.join(root, "etc/redis"))
    with open(os.path.join(root, "etc/redis/big.conf"), "wb") as handle:
        handle.write(b"# filler\n" * (4 * 1024 * 1024 // 9))
    with open(os.path.join(root, "etc/redis/redis.conf"), "w") as handle:
        handle.write("include /etc/redis/big.conf\n" * 255)
    code = ("import sys; sys.path[:0] = %r\n"
            "from ansible_collections.hostguard.hardening.plugins.module_utils.redis import audit\n"
            "p = audit.parse_config('/etc/redis/redis.conf', %r)\n"
            "print(len(p['files']), [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])\n"
            % (sys.path[:2], root))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False).stdout.split()
    print("## one 4 MiB file included 255 times: %s file(s) read, peak %s KiB (before: MemoryError past 3 GB)"
          % (out[0], out[1]))
    subprocess.run(["rm", "-rf", root], check=False)


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(HERE, "..", "tests", "unit", "plugins", "module_utils", "core"))
    regex_figures()
    probe_figures()
    memory_figures()
