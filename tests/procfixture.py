"""Build fake /proc and /etc trees under tmp_path for the OOM/sysctl/procfs tests."""
from conftest import write  # noqa: E402,F401  (re-exported for the /proc tests)


def add_process(root, pid, comm, rss_kib=1000, adj=0, score=None, ppid=1, uid=0,
                cmdline=None, unit=None, kernel=False):
    base = "/proc/%d/" % pid
    status = ["Name:\t%s" % comm, "State:\tS (sleeping)", "Tgid:\t%d" % pid,
              "Pid:\t%d" % pid, "PPid:\t%d" % ppid,
              "Uid:\t%d\t%d\t%d\t%d" % (uid, uid, uid, uid), "Gid:\t0\t0\t0\t0"]
    if not kernel:
        status += ["VmSize:\t%8d kB" % (rss_kib * 3), "VmRSS:\t%8d kB" % rss_kib,
                   "RssAnon:\t%8d kB" % rss_kib, "VmSwap:\t       0 kB"]
    status.append("Threads:\t1")
    write(root, base + "status", "\n".join(status) + "\n")
    write(root, base + "comm", comm + "\n")
    args = cmdline if cmdline is not None else ([] if kernel else ["/usr/bin/" + comm])
    write(root, base + "cmdline", b"".join(a.encode() + b"\x00" for a in args))
    write(root, base + "oom_score_adj", "%d\n" % adj)
    if score is None:
        score = 0 if adj == -1000 else max(0, min(2000, rss_kib // 100 + adj + 1000)) * 2 // 3
    write(root, base + "oom_score", "%d\n" % score)
    cg = "0::/system.slice/%s\n" % unit if unit else "0::/user.slice/session-1.scope\n"
    write(root, base + "cgroup", "12:memory:/\n" + cg)
    return pid
