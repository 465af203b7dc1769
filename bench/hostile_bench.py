"""Issue 17 figures, side by side with the former code ("before") in one run:
- malicious-line matching: VM steps (tests/regex_budget.py) and wall time of the issue's
  reproducer lines, the former single regexes vs core/linematch now;
- the Redis probe of one instance with 5 listeners answering each command at 0.9x the timeout:
  calls made and seconds, a deadline per call (before) vs one deadline per instance (now);
- peak memory (VmHWM) of parsing a Redis config that includes one 4 MiB file 255 times;
- linearity at 1 MiB (``--linear``): for every malicious-line pattern (core/linematch) and every
  literal regex of the target code (tests/unit/.../test_patterns_linear.py), the input with the
  most VM steps per character among its adversarial inputs at 16 KiB is grown to 128 KiB and
  1 MiB: VM steps (same count as the plain VM), steps per character, and the CPU seconds of the
  real code on that input (time.process_time, best of 3). Linear: steps/char does not grow.
Run: .venv/bin/python bench/hostile_bench.py [--linear]"""
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


def _cpu(function, *args):
    best = None
    for _round in range(3):
        t0 = time.process_time()
        function(*args)
        spent = time.process_time() - t0
        best = spent if best is None else min(best, spent)
    return best


class _Patch(object):
    """monkeypatch.context() for test_linematch_linear.work outside pytest."""

    def context(self):
        import contextlib

        @contextlib.contextmanager
        def patched():
            saved = dict(linematch.PIECES)
            try:
                yield self
            finally:
                linematch.PIECES.update(saved)
        return patched()

    def setitem(self, mapping, key, value):
        mapping[key] = value


def linear_figures(sizes=(16 * 1024, 128 * 1024, 1024 * 1024), family=None):
    import test_linematch_linear as T
    import test_patterns_linear as P
    print("## linearity: worst adversarial input of each pattern, grown to 1 MiB")
    header = ("pattern",) + tuple("steps@%dK" % (n >> 10) for n in sizes) + ("st/ch 1M", "ratio", "cpu s 1M")
    print("%-44s %12s %12s %12s %8s %8s %8s" % header)
    worst_ratio, worst_per_char, rows = 0.0, 0.0, 0
    families = []
    for name, _f in linematch.MALICIOUS_PATTERNS:
        families.append(("linematch." + name,
                         lambda size, n=name: T.adversarial_lines(n, size),
                         lambda line, n=name: T.work(n, line, _Patch()),
                         lambda line, n=name: getattr(linematch, n)(line, line)))
    for where, call, pattern, flags in P.PATTERNS:
        text = P._text(pattern)
        mode = P.USE.get(text, P.CALLS.get(call, "search"))
        compiled = re.compile(text, flags & ~re.IGNORECASE)
        prog = RB.compile_program(compiled)
        real = re.compile(pattern, flags)
        apply = (real.match if mode == "match" else real.findall)
        families.append((where,
                         lambda size, c=compiled, b=isinstance(pattern, bytes): [
                             x.encode("latin-1") if b else x for x in RB.adversarial(c, size)],
                         lambda line, c=compiled, m=mode, pr=prog: RB.run_counted(
                             c, line.decode("latin-1") if isinstance(line, bytes) else line,
                             m, 10 ** 12, pr)[1],
                         lambda line, a=apply: a(line)))
    if family and family.startswith("linematch"):   # linematch[=name,name...]
        wanted = family.partition("=")[2].split(",") if "=" in family else None
        families = [f for f in families if f[0].startswith("linematch.")
                    and (wanted is None or f[0].split(".", 1)[1] in wanted)]
    elif family == "literal":
        families = [f for f in families if not f[0].startswith("linematch.")]
    for label, inputs, steps_of, run_real in families:
        small = inputs(sizes[0])
        pick = max(range(len(small)), key=lambda i: steps_of(small[i]) / float(len(small[i]) + 1))
        counts = []
        for size in sizes:
            line = inputs(size)[pick]
            counts.append(steps_of(line))
        cpu = _cpu(run_real, inputs(sizes[-1])[pick])
        per_char = counts[-1] / float(sizes[-1])
        ratio = (counts[-1] + 1.0) / (counts[0] + 1.0) / (sizes[-1] / float(sizes[0]))
        worst_ratio, worst_per_char, rows = max(worst_ratio, ratio), max(worst_per_char, per_char), rows + 1
        print("%-44s %12d %12d %12d %8.2f %8.2f %8.4f" % ((label[:44],) + tuple(counts) + (per_char, ratio, cpu)))
    print("%d patterns; worst steps/char at 1 MiB %.2f (budget 64); worst growth 1 MiB vs 16 KiB "
          "%.2fx of the input growth (1.00 = linear)" % (rows, worst_per_char, worst_ratio))


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(HERE, "..", "tests", "unit", "plugins", "module_utils", "core"))
    if "--linear" in sys.argv:   # --linear [linematch|literal]: one family of patterns, or both
        arg = sys.argv[sys.argv.index("--linear") + 1:]
        linear_figures(family=arg[0] if arg else None)
    else:
        regex_figures()
        probe_figures()
        memory_figures()
