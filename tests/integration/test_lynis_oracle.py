"""Lynis as the oracle: run real Lynis and hostguard's baseline audit on the same real systemd
container, configured in different ways, and compare verdicts for every overlapping test.

Needs the images of scripts/build-images.sh (localhost/hostguard-bookworm:1, -trixie:1, with
lynis inside) and podman with runc. A missing image or podman FAILS the test (never a skip).

Agreement is asserted. Every deliberate disagreement is named in KNOWN_DISAGREEMENTS (and
explained in docs/lynis-oracle.md); one is only accepted on the scenario that names it.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import make_target_package

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONTAINERS_CONF_TEXT = ('[engine]\nruntime = "runc"\n[containers]\n'
                        'default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n')
PODMAN_TIMEOUT = 600          # seconds for one podman command (lynis takes ~30-60 s)
BOOT_POLLS = 120              # x 0.5 s waiting for systemd and sshd

SSH_OPTIONS = ["AllowTcpForwarding", "ClientAliveCountMax", "ClientAliveInterval", "Compression",
               "FingerprintHash", "GatewayPorts", "IgnoreRhosts", "LoginGraceTime", "LogLevel",
               "MaxAuthTries", "MaxSessions", "PermitRootLogin", "PermitUserEnvironment",
               "PermitTunnel", "Port", "PrintLastLog", "StrictModes", "TCPKeepAlive", "UseDNS",
               "X11Forwarding", "AllowAgentForwarding"]

HARDENED_SSHD = """# hostguard oracle test: read before sshd_config's own values (Include is on top)
PermitRootLogin no
MaxAuthTries 3
LogLevel VERBOSE
X11Forwarding no
AllowTcpForwarding local
ClientAliveCountMax 2
ClientAliveInterval 10m
MaxSessions 4
Compression no
TCPKeepAlive no
AllowAgentForwarding no
LoginGraceTime 1m
FingerprintHash md5
Port 2222
Match User nobody
    X11Forwarding yes
    MaxSessions 100
"""

SCENARIOS = {
    # Debian as installed.
    "stock": [],
    # A hardened host: sshd drop-in, password aging, strict umasks, blacklisted modules,
    # and the hostname put on the ::1 localhost line (both tools must flag that).
    "hardened": [
        "cat > /etc/ssh/sshd_config.d/50-hostguard.conf <<'EOF'\n" + HARDENED_SSHD + "EOF",
        "sed -i -e 's/^PASS_MAX_DAYS.*/PASS_MAX_DAYS\t90/' -e 's/^PASS_MIN_DAYS.*/PASS_MIN_DAYS\t1/'"
        " -e 's/^UMASK.*/UMASK\t\t027/' /etc/login.defs",
        "printf 'umask 027\\n' > /etc/profile.d/hg-umask.sh",
        "mkdir -p /etc/modprobe.d; printf 'blacklist usb-storage\\ninstall firewire-core /bin/true\\n' > /etc/modprobe.d/hostguard.conf",
        "printf '::1 localhost %s\\n' \"$(hostname -s)\" >> /etc/hosts",
        # Redis: a password and CONFIG disabled in redis.conf (DBS-1884, DBS-1886 pass for both)
        "printf 'requirepass %s\\nrename-command CONFIG \"\"\\n' \"$HG_ORACLE_PW\" >> /etc/redis/redis.conf"
        " && systemctl restart redis-server",
    ],
    # Configurations where hostguard deliberately differs from Lynis (docs/lynis-oracle.md).
    "divergent": [
        "mkdir -p /etc/modprobe.d; printf 'blacklist usb-storage\\n' > /etc/modprobe.d/usb-storage-disabled",
        "printf '127.0.0.1 localhost %s\\n' \"$(hostname -s)\" >> /etc/hosts",
        "printf 'umask 022\\n' > /etc/profile.d/hg-weak-umask.sh",
        "printf 'Port 22\\nPort 2222\\n' > /etc/ssh/sshd_config.d/50-ports.conf",
        # cron: a world-writable cron.d file (SCHD-7704: both flag)
        "printf '* * * * * root true\\n' > /etc/cron.d/hg-oracle && chmod 666 /etc/cron.d/hg-oracle",
        # Redis: world-readable config (DBS-1882: both flag), loopback bind with ::1 first
        # (DBS-1888), and a password set only at runtime (DBS-1884, DBS-1886)
        "sed -i 's/^bind .*/bind ::1 127.0.0.1/' /etc/redis/redis.conf && chmod 644 /etc/redis/redis.conf"
        " && systemctl restart redis-server",
        "redis-cli CONFIG SET requirepass \"$HG_ORACLE_PW\" | grep -qx OK",
        # Deliberately weak accounts and directories (both must flag): a second UID 0 account
        # (AUTH-9204), a duplicate UID (AUTH-9208), an account without password (AUTH-9283),
        # /tmp without its sticky bit (FILE-6362), a login user's home 0755 (HOME-9304)
        "printf 'toor:x:0:0::/root:/bin/sh\\n' >> /etc/passwd && printf 'toor:*:19000:0:99999:7:::\\n' >> /etc/shadow",
        "useradd -m -s /bin/bash -u 1500 hgweak && passwd -d hgweak >/dev/null && chmod 755 /home/hgweak",
        "useradd -M -o -u 1500 -s /usr/sbin/nologin hgdup",
        "chmod 0777 /tmp",
        # a file in /tmp not accessed for 200 days (FILE-6354: both flag) and a login user's shell
        # history linked to /dev/null (HOME-9310: Lynis 3.0.8 only looks directly in /home)
        "touch /tmp/hg-oracle-old && touch -a -d '200 days ago' /tmp/hg-oracle-old",
        "ln -s /dev/null /home/hgweak/.bash_history",
    ],
    # What a real admin breaks: an sshd drop-in sshd rejects (sshd keeps running the old
    # configuration; HG-SSH-022) plus an Include loop, junk and a missing module in a PAM file,
    # a malformed and an undecodable line (NUL, invalid UTF-8) in login.defs, a sysctl.d file of
    # garbage and one that is a dangling link, an fstab line with two fields, a truncated
    # sudoers.d drop-in, a garbage file (not a FIFO: Lynis's `egrep ... modprobe.d/*` would block
    # on one for ever) in modprobe.d, duplicate /etc/hosts lines.
    "broken": [
        "printf 'NoSuchOption yes\\nInclude /etc/ssh/sshd_config.d/99-loop.conf\\n' > /etc/ssh/sshd_config.d/98-bad.conf",
        "printf 'Include /etc/ssh/sshd_config.d/99-loop.conf\\n' > /etc/ssh/sshd_config.d/99-loop.conf",
        "printf 'this is not a pam line\\npassword requisite\\nauth required pam_hg_missing.so\\n'"
        " >> /etc/pam.d/common-password",
        "printf 'PASS_MAX_DAYS\\tninety\\nPASS_MIN_DAYS\\t\\377\\376\\nUMASK 0x12\\000\\n' >> /etc/login.defs",
        "printf '\\377\\376garbage\\nnet.ipv4.ip_forward\\n= 1\\nkernel.hg_no_such_key = 1\\n'"
        " > /etc/sysctl.d/98-garbage.conf",
        "ln -s /nonexistent/hg-sysctl.conf /etc/sysctl.d/97-dangling.conf",
        "printf '/dev/hg-missing /mnt/hg-broken\\n' >> /etc/fstab",
        # a sudoers file as sudo installs it (the images have no sudo: Lynis's AUTH-9250/9252 read
        # the files), and a drop-in cut short while being written
        "printf 'root ALL=(ALL:ALL) ALL\\n@includedir /etc/sudoers.d\\n' > /etc/sudoers && chmod 0440 /etc/sudoers",
        "mkdir -p /etc/sudoers.d && chmod 0750 /etc/sudoers.d && printf 'root ALL=(ALL' > /etc/sudoers.d/hg-truncated"
        " && chmod 0440 /etc/sudoers.d/hg-truncated",
        "mkdir -p /etc/modprobe.d && printf '\\377\\000blacklist\\n' > /etc/modprobe.d/hg-garbage.conf",
        "printf '127.0.0.1 localhost\\n127.0.0.1 localhost\\n' >> /etc/hosts",
    ],
    # A host with services installed and running (image services-bookworm): postfix, nginx,
    # auditd, as Debian installs them.
    "services": [],
}

# podman run arguments of the hardened scenario. --sysctl sets namespaced (net.*) keys inside
# the container's own network namespace only -- never the machine's own kernel settings.
HARDENED_RUN_ARGS = ["--sysctl", "net.ipv4.conf.all.rp_filter=1",
                     "--sysctl", "net.ipv4.conf.all.log_martians=1",
                     "--sysctl", "net.ipv4.conf.default.log_martians=1",
                     "--sysctl", "net.ipv4.conf.all.send_redirects=0",
                     "--sysctl", "net.ipv6.conf.all.accept_redirects=0"]


# What each scenario must show for both tools (its configuration took effect: no vacuous
# agreement). Each gets the Lynis verdicts, ours, the sshd values Lynis read, the findings and
# our result.
def expect_stock(lynis, ours, ssh_values, findings, result):
    assert lynis["AUTH-9286:max"] is True and lynis["SSH-7408:X11Forwarding"] is True
    assert lynis["DBS-1884"] and lynis["DBS-1886"] and ours["DBS-1884"] and ours["DBS-1886"]
    assert lynis["KRNL-6000:net.ipv4.conf.all.rp_filter"] and ours["KRNL-6000:net.ipv4.conf.all.rp_filter"]
    assert lynis["SCHD-7704"] is False and lynis["DBS-1882"] is False


def expect_hardened(lynis, ours, ssh_values, findings, result):
    assert lynis["SSH-7408:PermitRootLogin"] is False and lynis["SSH-7408:MaxSessions"] is True
    assert ssh_values["MaxSessions"] == "4" and ssh_values["FingerprintHash"] == "MD5"
    assert lynis["USB-1000"] is False and lynis["NAME-4406"] is True
    assert ours["AUTH-9286:max"] is False and ours["SSH-7408:X11Forwarding"] is False
    assert not lynis["DBS-1884"] and not lynis["DBS-1886"] and not ours["DBS-1884"]
    assert not lynis["KRNL-6000:net.ipv4.conf.all.rp_filter"]
    assert not ours["KRNL-6000:net.ipv4.conf.all.rp_filter"]
    assert lynis["SCHD-7704"] is False


def expect_divergent(lynis, ours, ssh_values, findings, result):
    for key in ("AUTH-9204", "AUTH-9208", "AUTH-9283", "FILE-6362", "HOME-9304", "FILE-6354"):
        assert lynis[key] and ours[key], key
    # a world-writable cron.d file and a world-readable redis.conf: both flag
    assert lynis["SCHD-7704"] and ours["SCHD-7704"] and lynis["DBS-1882"] and ours["DBS-1882"]


# broken: each thing broken gets its own clear finding from us (fail, with the file and line
# named; never an error of the run, never a pass): check id -> what its detail/evidence names.
BROKEN_FINDINGS = {
    "HG-SSH-022": "NoSuchOption",                      # sshd -T refuses the configuration
    "HG-SSH-023": "Include cycle",                     # the Include tree was cut
    "HG-AUTH-025": "/etc/pam.d/common-password:",      # junk, no module, a missing module
    "HG-AUTH-001": "'ninety' is not a number",         # PASS_MAX_DAYS ninety
    "HG-AUTH-002": "is not a number",                  # PASS_MIN_DAYS <invalid UTF-8>
    "HG-AUTH-003": "could be stricter",                # UMASK 0x12<NUL>
    "HG-AUTH-026": "/etc/sudoers.d/hg-truncated:1: unbalanced parentheses",
    "HG-FILE-017": "line ",                            # an fstab line with two fields
    "HG-SYSCTL-003": "ignores (not an assignment)",    # sysctl.d garbage
    "HG-NAME-002": "127.0.0.1 localhost",              # duplicate /etc/hosts lines
}


def expect_broken(lynis, ours, ssh_values, findings, result):
    for check_id, says in sorted(BROKEN_FINDINGS.items()):
        failed = [f for f in findings if f["id"] == check_id and f["status"] == "fail"]
        statuses = [f["status"] for f in findings if f["id"] == check_id]
        assert failed, "broken: no failing %s (%s)" % (check_id, statuses)
        assert any(says in json.dumps([f.get("detail"), f["evidence"]]) for f in failed), (check_id, failed)
    # the dangling sysctl.d link: said, as a file that could not be read
    assert any(f["id"] == "HG-SYSCTL-003" and f["subject"] == "/etc/sysctl.d/97-dangling.conf"
               and f["status"] == "error" for f in findings)
    assert result["facts"]["ssh"]["ssh_source"] == "files"
    # Lynis: sshd -T fails, so it runs no SSH-7408 at all (its SSH_DAEMON_OPTIONS_FILE is empty)
    assert not any(key.startswith("SSH-7408:") for key in lynis)
    # the garbage modprobe.d file was read by both, no module counted as disabled
    assert lynis["USB-1000"] and ours["USB-1000"] and lynis["NAME-4402"] and ours["NAME-4402"]


def configuration(image, scenario, commands, run_args=(), expect=None):
    distro = image.rsplit("hostguard-", 1)[-1].split(":")[0]
    return {"id": "%s/%s" % (distro, scenario), "image": image, "scenario": scenario, "distro": distro,
            "commands": list(commands), "run_args": list(run_args), "expect": expect}


# The configurations compared, run side by side (PARALLEL containers at a time, the
# configurations of test_lynis_categories_oracle.py in the same pool).
CONFIGURATIONS = [
    configuration("localhost/hostguard-bookworm:1", "stock", SCENARIOS["stock"], expect=expect_stock),
    configuration("localhost/hostguard-bookworm:1", "hardened", SCENARIOS["hardened"], HARDENED_RUN_ARGS,
                  expect_hardened),
    configuration("localhost/hostguard-bookworm:1", "divergent", SCENARIOS["divergent"], expect=expect_divergent),
    configuration("localhost/hostguard-bookworm:1", "broken", SCENARIOS["broken"], expect=expect_broken),
    configuration("localhost/hostguard-trixie:1", "stock", SCENARIOS["stock"], expect=expect_stock),
    configuration("localhost/hostguard-trixie:1", "hardened", SCENARIOS["hardened"], HARDENED_RUN_ARGS,
                  expect_hardened),
    configuration("localhost/hostguard-services-bookworm:1", "services", SCENARIOS["services"]),
]
BY_ID = dict((c["id"], c) for c in CONFIGURATIONS)
PARALLEL = 2                  # containers booted and audited at the same time (2-core machine)

# key -> (where it is expected: "<scenario>", "<distro>/<scenario>", "<distro>/*" or "*" for
# every configuration, lynis verdict, our verdict, reason). The reasons are the ones in
# docs/lynis-oracle.md; a disagreement anywhere else fails the test. Entries for one scenario
# must show there (the scenario was built to show them); "*" entries are structural (a
# container, a Lynis version) and need not show everywhere.
KNOWN_DISAGREEMENTS = {
    "KRNL-5788": ("*", True, False,
                  "in a container the running kernel is the host's: no kernel of this root to update"),
    "MACF-6290": ("*", False, True, "Lynis only scores the MAC framework status; issue 15 wants a finding"),
    "SHLL-6220": ("*", False, True, "Lynis only scores the idle-session timeout (CIS 5.5.5 wants it)"),
    "SSH-7408:Compression": ("bookworm/*", True, False,
                             "Lynis 3.0.8 grades Compression; Lynis 3.1 (and we) do not for OpenSSH >= 7.4"),
    "USB-1000": ("divergent", False, True,
                 "modprobe reads only *.conf in modprobe.d; Lynis greps every file there"),
    "NAME-4406": ("divergent", False, True,
                  "Lynis's pattern ^(localhost|::1)\\s never matches an IPv4 127.0.0.1 line"),
    "AUTH-9328:profile": ("divergent", False, True,
                          "Lynis only reports profile umasks when /etc/profile itself sets one"),
    "SSH-7408:Port": ("divergent", False, True,
                      "Lynis grades only the last port sshd -T prints; we grade every port"),
    "DBS-1884": ("divergent", True, False,
                 "Lynis greps redis.conf for ^requirepass; we probe the running instance, "
                 "which answers NOAUTH (password set with CONFIG SET)"),
    "DBS-1886": ("divergent", True, False,
                 "Lynis wants rename-command CONFIG in the file; we ask whether an "
                 "unauthenticated client can call CONFIG (it cannot: authentication is on)"),
    "DBS-1888": ("divergent", True, False,
                 "Lynis's ^bind (localhost|127\\.) only looks at the first address; "
                 "'bind ::1 127.0.0.1' listens on loopback only"),
    "BOOT-5180": ("trixie/*", True, False,
                  "Lynis's runlevel check reads utmp, which Debian 13 no longer writes; we read the "
                  "default target (docs/lynis-oracle.md, Lynis-category areas)"),
    "FILE-6374": ("*", False, True,
                  "Lynis only scores mount options (AddHP); we fail a separate mount point without the "
                  "nodev/noexec/nosuid of Lynis's own table (podman's /dev lacks noexec)"),
    "HOME-9310": ("divergent", False, True,
                  "Lynis 3.0.8 looks for non-file .*history only directly in /home (HOMEDIRS=/home, "
                  "-maxdepth 1); we look in every home directory too"),
    "KRNL-6000:kernel.perf_event_paranoid": (
        "trixie/*", False, True,
        "Lynis 3.1's profile accepts 2|3|4; our baseline (Lynis 3.0.8's profile) keeps 3, "
        "no unprivileged perf at all (Debian kernels)"),
}

# Checks of the other areas that overlap Lynis. Each entry: lynis test id -> function(report,
# findings) returning [(key, lynis_flagged, ours_flagged)]. What Lynis writes to
# lynis-report.dat was read in its sources (include/tests_scheduling, tests_databases,
# tests_kernel_hardening of Lynis 3.0.8 and 3.1.4); see docs/lynis-oracle.md.


def _ids(report, kinds=("suggestion", "warning")):
    return set(item[0] for kind in kinds for item in report[kind])


def _failed(findings, ids, subject=None):
    return any(f["id"] in ids and f["status"] == "fail" and (subject is None or f["subject"] == subject)
               for f in findings)


def compare_cron(report, findings):
    """SCHD-7704 only reports a warning ("Found one or more cronjob files with incorrect file
    permissions|ownership") when /etc/crontab, a file in /etc/cron.d or /etc/cron.{hourly,
    daily,weekly,monthly} is world-writable or not owned 0:0; the per-file
    insecure_fileperms_cronjob[] lines name no file for /etc/cron.d (Lynis uses an unset
    variable), so one key per host. Ours: HG-CRON-011 (writable by non-root) or HG-CRON-009
    (a cron daemon rejects the mode/owner)."""
    return [("SCHD-7704", "SCHD-7704" in _ids(report, ("warning",)),
             _failed(findings, ("HG-CRON-011", "HG-CRON-009")))]


def compare_redis(report, findings):
    """DBS-1880 writes redis_server_running=1 (no suggestion: inventory, compared as
    "running"); DBS-1882 a warning per world-readable config; DBS-1884 / 1886 / 1888 a
    suggestion per config file without ^requirepass / ^rename-command CONFIG /
    ^bind (localhost|127\\.)."""
    ids = _ids(report)
    running = any(f["id"] == "HG-REDIS-011" and f["status"] == "pass" for f in findings)
    by_test = catalogue_checks()
    return [("DBS-1880", report["values"].get("redis_server_running") == "1", running)] + [
        (test_id, test_id in ids, _failed(findings, by_test[test_id]))
        for test_id in ("DBS-1882", "DBS-1884", "DBS-1886", "DBS-1888")]


def compare_sysctl(report, findings):
    """KRNL-6000 writes details[]=KRNL-6000|sysctl|desc:..;field:<key>;prefval:..;value:<now>;
    for every key of the profile (config-data=sysctl;<key>;<v1|v2>;..) whose current value
    is none of the expected ones; absent keys are only logged. One key per profile entry;
    ours: HG-SYSCTL-001 fail for that key."""
    flagged = dict((f.get("field"), f.get("value")) for t, f in report["details"] if t == "KRNL-6000")
    keys = set(report["profile_sysctl"]) | set(flagged)
    return [("KRNL-6000:%s" % key, key in flagged, _failed(findings, ("HG-SYSCTL-001",), key))
            for key in sorted(keys)]


EXTRA_COMPARATORS = {
    "SCHD-7704": compare_cron,
    "DBS-188x": compare_redis,
    "KRNL-6000": compare_sysctl,
}
# Lynis test IDs compared key by key above or in lynis_verdicts (finer than one verdict per ID).
DETAILED_IDS = ("SSH-7408", "AUTH-9286", "AUTH-9328", "FILE-6310", "USB-1000", "STRG-1846",
                "NAME-4406", "SCHD-7704", "DBS-1880", "DBS-1882", "DBS-1884", "DBS-1886",
                "DBS-1888", "KRNL-6000")
# The areas that are mine (baseline helper) for the per-owner counts.
MY_AREAS = ("ssh", "auth", "file", "homedirs", "storage", "nameservices", "mail", "firewall")


def lynis_ids_of(check):
    """The Lynis test IDs a check references (``references.lynis``: one ID, or several
    separated by commas/blanks, or a list)."""
    value = check.references.get("lynis")
    if isinstance(value, (list, tuple)):
        return [v for v in value if v]
    return [v for v in str(value or "").replace(",", " ").split() if v]


def catalogue_checks():
    """Lynis test ID -> the IDs of every hostguard check that references it (from the catalogue)."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.registry import all_checks
    out = {}
    for check in all_checks():
        for test_id in lynis_ids_of(check):
            out.setdefault(test_id, []).append(check.id)
    return out


def catalogue_owners():
    """Lynis test ID -> the set of area names whose checks reference it."""
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.registry import AREAS
    out = {}
    for area in AREAS:
        for check in area.checks:
            for test_id in lynis_ids_of(check):
                out.setdefault(test_id, set()).add(area.name)
    return out


def compare_catalogue(report, findings):
    """Every other Lynis test ID of the catalogue, one verdict each: Lynis flagged it when
    lynis-report.dat holds a suggestion[] or warning[] with that ID; we flagged it when a check
    referencing it failed. Compared only where both evaluated: Lynis executed the test
    (tests_executed) and at least one of our checks passed or failed (all skip = not evaluated,
    counted apart)."""
    flagged = _ids(report)
    status = {}
    for f in findings:
        status.setdefault(f["id"], []).append(f["status"])
    out, not_evaluated = [], []
    for test_id, check_ids in sorted(catalogue_checks().items()):
        if test_id in DETAILED_IDS:
            continue
        statuses = [st for cid in check_ids for st in status.get(cid, [])]
        if test_id not in report["tests_executed"] or not any(st in ("pass", "fail") for st in statuses):
            not_evaluated.append(test_id)
            continue
        out.append((test_id, test_id in flagged, "fail" in statuses))
    return out, not_evaluated


def podman(*args, **kwargs):
    env = dict(kwargs.pop("env", None) or os.environ)
    env["CONTAINERS_CONF"] = kwargs.pop("conf")
    check = kwargs.pop("check", True)
    proc = subprocess.run(["podman"] + list(args), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=PODMAN_TIMEOUT, check=False, **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError("podman %s failed (%d): %s" % (" ".join(args[:3]), proc.returncode,
                                                            proc.stderr.decode()[-2000:]))
    return proc


@pytest.fixture(scope="module")
def containers_conf():
    path = os.path.join(REPO, "molecule", "containers.conf")
    if os.path.isfile(path):
        yield path
        return
    tmp = tempfile.mkdtemp(prefix="hg-baseline-conf-")
    path = os.path.join(tmp, "containers.conf")
    with open(path, "w") as handle:
        handle.write(CONTAINERS_CONF_TEXT)
    try:
        yield path
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def audit_package():
    """module_utils laid out as the collection, to copy into a container."""
    tmp = make_target_package(tempfile.mkdtemp(prefix="hg-baseline-pkg-"))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def start_container(image, conf, run_args=()):
    assert shutil.which("podman"), "podman is not installed (scripts/install-system-deps.sh)"
    exists = podman("image", "exists", image, conf=conf, check=False)
    assert exists.returncode == 0, "image %s missing: run scripts/build-images.sh" % image
    name = "hg-baseline-lynis-%s" % uuid.uuid4().hex[:10]
    podman("run", "-d", "--systemd=always", "--name", name, *run_args, image, "/sbin/init", conf=conf)
    return name


def wait_ready(name, conf):
    for _attempt in range(BOOT_POLLS):
        state = podman("exec", name, "systemctl", "is-system-running", conf=conf, check=False)
        sshd = podman("exec", name, "pgrep", "-x", "sshd", conf=conf, check=False)
        if state.stdout.strip() in (b"running", b"degraded") and sshd.returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError("container %s: systemd/sshd not up: %s" % (name, state.stdout))


def parse_lynis_report(text):
    """lynis-report.dat -> suggestions/warnings [(id, text, detail)], details [(id, fields)],
    tests_executed set, plain key=value pairs."""
    out = {"suggestion": [], "warning": [], "details": [], "tests_executed": set(), "values": {}}
    for line in text.splitlines():
        if "=" not in line or line.startswith("#"):
            continue
        key, value = line.split("=", 1)
        if key in ("suggestion[]", "warning[]"):
            parts = value.split("|")
            out[key[:-2]].append((parts[0], parts[1] if len(parts) > 1 else "",
                                  parts[2] if len(parts) > 2 else ""))
        elif key == "details[]":
            parts = value.split("|")
            fields = dict(item.split(":", 1) for item in (parts[2] if len(parts) > 2 else "").split(";")
                          if ":" in item)
            out["details"].append((parts[0], fields))
        elif key == "tests_executed":
            out["tests_executed"] = set(t for t in value.split("|") if t)
        else:
            out["values"][key] = value
    return out


def lynis_verdicts(report):
    """Comparison key -> True when Lynis flags it (suggestion/warning/details)."""
    sugg = report["suggestion"] + report["warning"]
    texts = dict()
    for test_id, text, _detail in sugg:
        texts.setdefault(test_id, []).append(text)
    v = {}
    ssh_fields = dict((f.get("field"), f.get("value")) for t, f in report["details"] if t == "SSH-7408")
    for opt in SSH_OPTIONS:
        v["SSH-7408:%s" % opt] = opt in ssh_fields
    a9286 = texts.get("AUTH-9286", [])
    v["AUTH-9286:max"] = any("maximum password age" in t for t in a9286)
    v["AUTH-9286:min"] = any("minimum password age" in t for t in a9286)
    a9328 = texts.get("AUTH-9328", [])
    v["AUTH-9328:login.defs"] = any("/etc/login.defs" in t for t in a9328)
    v["AUTH-9328:profile"] = any("/etc/profile" in t or "Some umasks" in t for t in a9328)
    for mp in ("/home", "/tmp", "/var"):
        v["FILE-6310:%s" % mp] = any(" %s " % mp in " %s " % t or "full %s file" % mp in t
                                     for t in texts.get("FILE-6310", []))
    v["USB-1000"] = "USB-1000" in texts
    v["STRG-1846"] = "STRG-1846" in texts
    v["NAME-4406"] = "NAME-4406" in texts
    return v, ssh_fields


def our_verdicts(findings):
    def failed(cid, subject=None):
        return any(f["id"] == cid and f["status"] == "fail" and (subject is None or f["subject"] == subject)
                   for f in findings)
    v = {}
    for index, opt in enumerate(SSH_OPTIONS):
        v["SSH-7408:%s" % opt] = failed("HG-SSH-%03d" % (index + 1), opt)
    v["AUTH-9286:max"] = failed("HG-AUTH-001")
    v["AUTH-9286:min"] = failed("HG-AUTH-002")
    v["AUTH-9328:login.defs"] = failed("HG-AUTH-003")
    v["AUTH-9328:profile"] = failed("HG-AUTH-004")
    for mp in ("/home", "/tmp", "/var"):
        v["FILE-6310:%s" % mp] = failed("HG-FILE-001", mp)
    v["USB-1000"] = failed("HG-STRG-001")
    v["STRG-1846"] = failed("HG-STRG-002")
    v["NAME-4406"] = failed("HG-NAME-001")
    return v


# The areas run inside the container with its python3, as host_audit runs them: sysctl reads
# the container's /proc/sys (what Lynis's sysctl -n sees), redis probes the live instance.
# Every area with a check that references a Lynis test takes part.
def audit_areas():
    from ansible_collections.hostguard.hardening.plugins.module_utils.core.registry import AREAS
    return [a.name for a in AREAS if any(lynis_ids_of(c) for c in a.checks)]


AUDIT_SNIPPET = ("import json, sys; sys.path.insert(0, '/tmp/hg-baseline-audit');"
                 "from ansible_collections.hostguard.hardening.plugins.module_utils.core import runner;"
                 "print(json.dumps(runner.audit_host(%r, root='/')))")


def parse_profile_sysctl(text):
    """Lynis profile -> {sysctl key: [accepted values]} from config-data=sysctl;key;v1|v2;..."""
    out = {}
    for line in text.splitlines():
        if line.startswith("config-data=sysctl;"):
            parts = line.split(";")
            if len(parts) > 2:
                out[parts[1]] = parts[2].split("|")
    return out


def boot_and_audit(config, conf, package, areas, password):
    """The one runner: boot the configuration's image, apply its commands, run Lynis and our
    ``areas`` in the same container, remove it. Returns (Lynis report, our result)."""
    name = start_container(config["image"], conf, config["run_args"])
    env = dict(os.environ)
    env["HG_ORACLE_PW"] = password     # passed by name (-e VAR): never on a command line here
    try:
        wait_ready(name, conf)
        for command in config["commands"]:
            podman("exec", "-e", "HG_ORACLE_PW", name, "sh", "-c", command, conf=conf, env=env)
        lynis = podman("exec", name, "lynis", "audit", "system", "--quick", "--no-colors",
                       conf=conf, check=False)
        assert lynis.returncode == 0, lynis.stderr.decode()[-2000:]
        report_text = podman("exec", name, "cat", "/var/log/lynis-report.dat", conf=conf).stdout.decode()
        profile = podman("exec", name, "cat", "/etc/lynis/default.prf", conf=conf).stdout.decode()
        podman("cp", package, "%s:/tmp/hg-baseline-audit" % name, conf=conf)
        ours = podman("exec", name, "python3", "-c", AUDIT_SNIPPET % list(areas), conf=conf)
        report = parse_lynis_report(report_text)
        report["profile_sysctl"] = parse_profile_sysctl(profile)
        # the Redis password never reaches our results (nor Lynis's report)
        assert password not in ours.stdout.decode() and password not in report_text
        return report, json.loads(ours.stdout.decode())
    finally:
        podman("rm", "-f", "-t", "2", name, conf=conf, check=False)


RUNS = {}          # configuration id -> ("ok", (report, result)) | ("error", text); one per session


def selected_configurations(session):
    """The configuration ids of every collected oracle item of this session (this module's and
    test_lynis_categories_oracle.py's, parametrized by ``config``), so ``-k stock`` boots only
    those and a configuration both modules use boots once."""
    return sorted(set(item.callspec.params["config"] for item in session.items
                      if hasattr(item, "callspec") and "config" in item.callspec.params
                      and item.callspec.params["config"] in BY_ID))


@pytest.fixture(scope="module")
def oracle_runs(request, containers_conf, audit_package):
    """Every selected configuration booted, configured, audited by Lynis and by us, PARALLEL at
    a time; shared by the two oracle modules (module-global RUNS)."""
    todo = [c for c in selected_configurations(request.session) if c not in RUNS]
    password = "hgoracle" + uuid.uuid4().hex
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        futures = dict((cid, pool.submit(boot_and_audit, BY_ID[cid], containers_conf, audit_package,
                                         audit_areas(), password)) for cid in todo)
        for cid, future in futures.items():
            try:
                RUNS[cid] = ("ok", future.result())
            except Exception as exc:  # reported by the configuration's own test
                RUNS[cid] = ("error", "%s: %s" % (type(exc).__name__, exc))
    return RUNS


COUNTS = {}


def _known(key, where, theirs, mine):
    """Is this disagreement a named one? An entry "<ID>:*" covers every key of that test ID."""
    known = KNOWN_DISAGREEMENTS.get(key) or KNOWN_DISAGREEMENTS.get(key.split(":", 1)[0] + ":*")
    return bool(known) and (known[0] == "*" or known[0] in where) and (known[1], known[2]) == (theirs, mine)


def all_verdicts(report, findings):
    """(lynis verdicts, ours, sshd values Lynis read, IDs one side did not evaluate). SSH-7408's
    keys only when Lynis ran SSH-7408 (it does not when sshd -T refuses the configuration)."""
    lynis, ssh_values = lynis_verdicts(report)
    ours = our_verdicts(findings)
    for compare in EXTRA_COMPARATORS.values():
        for key, theirs, mine in compare(report, findings):
            lynis[key], ours[key] = theirs, mine
    generic, not_evaluated = compare_catalogue(report, findings)
    for key, theirs, mine in generic:
        lynis[key], ours[key] = theirs, mine
    if "SSH-7408" not in report["tests_executed"]:
        for key in [k for k in lynis if k.startswith("SSH-7408:")]:
            del lynis[key], ours[key]
        not_evaluated.append("SSH-7408")
    assert set(lynis) == set(ours)
    return lynis, ours, ssh_values, not_evaluated


@pytest.mark.real
@pytest.mark.parametrize("config", [c["id"] for c in CONFIGURATIONS])
def test_lynis_agrees_with_hostguard(config, oracle_runs):
    config = BY_ID[config]
    state, payload = oracle_runs[config["id"]]
    assert state == "ok", payload
    report, result = payload
    assert result["errors"] == [] and result["areas"] == audit_areas(), result["errors"]
    findings = result["findings"]
    scenario, distro = config["scenario"], config["distro"]
    executed = report["tests_executed"]
    for test_id in DETAILED_IDS:
        if test_id == "SSH-7408" and scenario == "broken":
            assert test_id not in executed, "Lynis ran SSH-7408 on a configuration sshd refuses"
            continue
        assert test_id in executed, "Lynis did not run %s (%s)" % (test_id, config["id"])
    if scenario != "broken":
        assert result["facts"]["ssh"]["ssh_source"] == "sshd -T"
    where = (scenario, config["id"], "%s/*" % distro.split("-")[-1])
    lynis, ours, ssh_values, not_evaluated = all_verdicts(report, findings)

    unexplained = []
    seen_known = []
    for key in sorted(lynis):
        if lynis[key] == ours[key]:
            continue
        if _known(key, where, lynis[key], ours[key]):
            seen_known.append(key)
            continue
        unexplained.append("%s: lynis=%s ours=%s" % (key, lynis[key], ours[key]))
    assert not unexplained, "disagreements with Lynis on %s: %s" % (config["id"], unexplained)
    # every disagreement the scenario was built to show did show (the docs stay true)
    expected_known = sorted(k for k, v in KNOWN_DISAGREEMENTS.items()
                            if v[0] in where[:2] and not k.endswith(":*"))
    assert sorted(k for k in seen_known if k in expected_known) == expected_known

    # where both flag an sshd option, they read the same effective value
    by_option = dict((f["subject"], f) for f in findings if f["id"].startswith("HG-SSH-"))
    for option, value in ssh_values.items():
        if ours.get("SSH-7408:%s" % option) and option != "Port":
            assert by_option[option]["evidence"]["value"] == value, (option, value)

    # KRNL-6000: Lynis read the same kernel values (every key both flag has the same value),
    # and the profile had keys that exist in this container
    sysctl_values = dict((f.get("field"), f.get("value")) for t, f in report["details"] if t == "KRNL-6000")
    by_key = dict((f["subject"], f) for f in findings if f["id"] == "HG-SYSCTL-001")
    for key, value in sysctl_values.items():
        if ours.get("KRNL-6000:%s" % key):
            assert by_key[key]["evidence"]["runtime"] == value, (key, value)
    assert sum(1 for f in by_key.values() if f["status"] in ("pass", "fail")) >= 20
    assert lynis["DBS-1880"] is True and ours["DBS-1880"] is True     # the stock unit runs
    owners = catalogue_owners()
    test_ids = set(k.split(":", 1)[0] for k in lynis)
    mine = set(t for t in test_ids if owners.get(t, set()) & set(MY_AREAS))
    counts = {"keys": len(lynis), "agree": sum(1 for k in lynis if lynis[k] == ours[k]),
              "reasoned_disagreements": len(seen_known),
              "flagged_both": sum(1 for k in lynis if lynis[k] and ours[k]),
              "lynis_ids_compared": len(test_ids), "lynis_ids_compared_baseline_areas": len(mine),
              "not_evaluated_by_one_side": len(not_evaluated),
              "krnl_keys_present": sum(1 for f in by_key.values() if f["status"] in ("pass", "fail"))}
    COUNTS[config["id"]] = dict(counts, disagreements=sorted(seen_known))
    print("oracle %s: %s; reasoned: %s" % (config["id"], counts, sorted(seen_known)))
    if config["expect"]:
        config["expect"](lynis, ours, ssh_values, findings, result)
