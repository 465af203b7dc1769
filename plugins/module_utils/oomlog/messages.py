# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The message classifier: what one OOM-related log message says, independent of its prefix.

``classify(msg)`` returns ``(kind, fields)`` or None. Every parser here is linear in the message:
str.find/partition and anchored regexes with bounded quantifiers only (tests/regex_budget.py
checks every pattern of this package), so a hostile line costs O(len) whatever it holds.

Formats (kernel format strings read in the public sources):
  trigger  "%s invoked oom-killer: gfp_mask=0x%x(%pGg), nodemask=%*pbl, order=%d, oom_score_adj=%hd"
           and the older "oomkilladj=" / "oom_adj=" forms (2.6.11 .. 6.x); Broadcom's vendor kernels
           print "%s triggered out of memory codition (oom killer not called): gfp_mask=.." (a record,
           never a kill: they panic or retry)
  select   "[%s: ]Kill process %d (%s) score %d or sacrifice child|or a child|and children"
  kill     "[%s: ]Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, ..., oom_score_adj:%hd",
           "Killed process %d, UID %d, (%s) ..." (RHEL 6), "Killed process %d (%s), UID %d, ..."
           (CentOS 7 backports); numbers may carry thousands separators in pastes
  summary  "oom-kill:constraint=%s,nodemask=%*pbl,cpuset=..,mems_allowed=..,oom_memcg=|global_oom,
           task_memcg=..,task=%s,pid=%d,uid=%d" (5.0+), and its pr_cont() pieces
  memcg    "Task in %s killed as a result of limit of %s", "Memory limit reached of cgroup %s",
           "memory: usage %llukB, limit %llukB, failcnt %lu"
  reaper   "oom_reaper: reaped process %d (%s), now anon-rss:%lukB, ..."
  panic    "Kernel panic - not syncing: Out of memory..." / "System is deadlocked on memory",
           "Out of memory and no killable processes..."
  OpenVZ   "OOM killed process %s (pid=%d, ve=%d) exited, free=%lu gen=%d." (may wrap after "exited,"),
           "OOM killed process %d (%s) vm:%lukB, rss:%lukB, swap:%lukB" (OpenVZ 2.6.32, no UB, no score),
           Virtuozzo "Out of memory in UB %d: OOM killed process %d (%s) score %d vm:%lukB, rss:%lukB,
           swap:%lukB" (syslog wraps it after "OOM ": the scanner passes the head with its kill)
  earlyoom "sending SIGTERM to process %d uid %d \"%s\": badness %d, VmRSS %lld MiB" (1.6+),
           "sending SIGTERM to process %d \"%s\": badness .." (1.3-1.5), "killing process %d \"%s\"
           with signal %d: badness .." (1.1-1.2), "Killing process '%s' with signal %d, pid: %d,
           badness: %d, VmRSS: %d MiB" (<= 1.0), "Killing process %d %s" (0.x, after "Out of memory!
           avail: .."; only untagged or tagged earlyoom, the comm alone up to the line's end);
           signal 0 is the start-up self test, not a kill
  systemd-oomd "Killed %s due to ...", "Marked %s for killing due to ...", "oomd attempting to kill
           %d with KILL", "Considered %zu cgroups for killing, top candidates were:"
  lmkd     Android's userspace lowmemorykiller (logcat tag "lowmemorykiller" or "lmkd"): "Kill '%s' (%d),
           uid %d, oom_score_adj %d to free %ldkB rss, %ldkB swap; reason: %s" (oom_adj in Android 10),
           Samsung's "Reclaim '%s' (%d), uid %d, oom_score_adj %d, state %d to free ..." (same fields)
  lmk      the in-kernel Android lowmemorykiller (drivers/staging/android/lowmemorykiller.c, 3.10-4.x and
           vendor trees), one printk over three or more lines: "Killing '%s' (%d), adj %hd," (or "(%d)
           (tgid %d), adj", "adj %d, score_adj %hd", "oom_score_adj %d (oom_adj %d)", HSWAP's "HSWAP
           Killing"/"Orig Killing"), "   to free %ldkB[ (%ldKB %ldKB)] on behalf of '%s' (%d) because",
           "   cache %ldkB is below limit %ldkB for oom_score_adj %hd" (or "for oom score %hd", "swap
           low for oom_score_adj %hd"), then "   Free memory is ..": lmk_head, lmk_free, lmk_tail, or all
           three in one line (/dev/kmsg escapes the newlines as \\x0a); its older one-line kill
           "send sigkill to %d (%s), adj %d, size %d" (2.6.29-4.x mainline staging; "adj %hd" from
           3.7, vendor trees add "[%s] " before it or "K, min_adj=.." after the size): lmk_sigkill; its
           debug "select %d (%s), adj %d, size %d, to kill" / "select '%s' (%d), adj %hd, size %d, to
           kill" (MTK: "adj %d, score_adj %hd, size"): lmk_select, the candidate of the same decision
           (never a kill). Read untagged, under the kernel or lowmemorykiller tag, with or without
           "lowmemorykiller: " (pr_fmt, in mainline by 3.10)
           Android 8-9's userspace lmkd (killer lmkd): "Killing '%s' (%d), uid %d, adj %d" then "   to
           free %ldkB because cache %s%ldkB is below limit %ldkB for oom_adj %d" or "because system is
           under %s memory pressure oom_adj %d" (head and tail in one)
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


MAX_NAME = 64          # a comm is at most 15 bytes; escaped or odd names get some slack
RE_STACK_PID = re.compile(r"(?:CPU: \d{1,6} (?:UID: \d{1,10} )?PID: (\d{1,10}) Comm: |Pid: (\d{1,10}), comm: )")
RE_OOMD_PRESSURE = re.compile(r"memory pressure for (\S{1,4096}) being ([\d.]{1,16})% > ([\d.]{1,16})%")
RE_OOMD_PATH = re.compile(r"\s{0,64}Path: (\S{1,4096})")
RE_OOMD_USAGE = re.compile(r"\s{0,64}(Current Memory Usage|Swap Usage|Memory Min|Memory Low|Pgscan|Last Pgscan): (.{0,64})")
RE_ROW = re.compile(r"\[\s{0,12}(\d{1,10})\]\s")

KILL_FIELD_NAMES = {"total-vm": "total_vm_kb", "anon-rss": "anon_rss_kb", "file-rss": "file_rss_kb",
                    "shmem-rss": "shmem_rss_kb", "UID": "uid", "pgtables": "pgtables_kb",
                    "oom_score_adj": "oom_score_adj", "anon-rss-low": "anon_rss_low_kb",
                    "file-rss-low": "file_rss_low_kb"}
SUMMARY_KEYS = ("constraint", "nodemask", "cpuset", "mems_allowed", "oom_memcg", "task_memcg",
                "origin_memcg", "kill_memcg", "task")


def number(text):
    """The integer at the start of ``text``, thousands separators allowed ("26,184,840kB" ->
    26184840, "-1000" -> -1000); None when there is no digit."""
    i = 0
    n = len(text)
    if i < n and text[i] in "+-":
        i += 1
    j = i
    while j < n and (text[j].isdigit() or (text[j] in ",'" and j + 1 < n and text[j + 1].isdigit())):
        j += 1
    digits = text[i:j].replace(",", "").replace("'", "")
    if not digits.isdigit():
        return None
    value = int(digits)
    return -value if text[:1] == "-" else value


def to_float(text, default=None):
    try:
        return float(text)
    except (TypeError, ValueError):
        return default


def leading_int(text, limit=20):
    j = 0
    n = min(len(text), limit)
    while j < n and text[j].isdigit():
        j += 1
    return (int(text[:j]), j) if j else (None, 0)


def skip_quote_marks(text, at):
    """Where a mail quote marker that a re-wrapped quotation left inside a line ends: "7963 > (name)"
    (two quoted lines joined back into one) -> the index of the space before "(". ``at`` when none."""
    if text[at:at + 2] != " >":
        return at
    j = at + 1
    while j < at + 12 and text[j:j + 1] in (">", " "):
        j += 1
    return j - 1 if text[j - 1:j + 1] == " (" else at


def paren_name(text, start):
    """(name, end) of the "(comm)" that opens at ``text[start]``: the first ')' followed by a space,
    comma, dot or the end, within MAX_NAME characters (comms may hold parentheses: "((resolved))")."""
    if text[start:start + 1] != "(":
        return None, start
    stop = min(len(text), start + 2 + MAX_NAME)
    pos = start + 1
    while True:
        close = text.find(")", pos, stop)
        if close < 0:
            return None, start
        after = text[close + 1:close + 2]
        if after in ("", " ", ",", ".", "\"", "`", "*"):
            return text[start + 1:close], close + 1
        pos = close + 1


def parse_fields(rest, names=None):
    """key:value fields of a kill or reaper line ("total-vm:11964kB, anon-rss:4288kB, ... UID:0
    pgtables:68kB oom_score_adj:0"), tolerant of cut values and thousands separators."""
    names = KILL_FIELD_NAMES if names is None else names
    out = {}
    parts = rest.replace(", ", " ").split(" ")[:40]
    for i, part in enumerate(parts):
        key, sep, value = part.partition(":")
        if sep and key in names:
            num = number(value if value or i + 1 == len(parts) else parts[i + 1])   # "total-vm: 977148kb"
            if num is not None:
                out[names[key]] = num
    return out


def parse_kill_fields(rest):
    return parse_fields(rest)


def parse_trigger_fields(rest):
    """key=value pairs of an 'invoked oom-killer:' line, tolerant of every version."""
    out = {}
    for part in rest.split(",")[:16]:
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        value = value.strip()
        if key == "gfp_mask":
            mask, _p, flags = value.partition("(")
            out["gfp_mask"] = mask[:32]
            if flags:
                out["gfp_flags"] = flags.rstrip(")")[:256]
        elif key in ("order", "oom_score_adj", "oom_adj", "oomkilladj"):
            num = number(value)
            if num is not None:
                out[key] = num
        elif key == "nodemask":
            out["nodemask"] = value[:64]
    return out


def parse_summary(msg):
    """The one-line 'oom-kill:constraint=...' summary (5.0+), or a pr_cont piece, as a dict."""
    out = {}
    body = msg[len("oom-kill:"):] if msg.startswith("oom-kill:") else msg
    at = body.rfind(",pid=")
    uid_at = body.find(",uid=", at) if at >= 0 else -1
    pid_text = body[at + 5:at + 40].lstrip(" ") if at >= 0 else ""
    pid_n = len(pid_text) - len(pid_text.lstrip("0123456789"))
    if at >= 0 and (uid_at > at or (pid_n and pid_text[pid_n:].lstrip(" ").startswith(","))):
        pid = number(pid_text)                  # ",pid= 2953 , liquid=999": a page translated by a browser
        uid = number(body[uid_at + 5:]) if uid_at > at else None
        if pid is not None:
            out["pid"], out["uid"] = pid, uid
            body = body[:at]
            t = body.rfind(",task=")
            if t >= 0 or body.startswith("task="):
                out["task"] = body[t + 6:] if t >= 0 else body[5:]
                body = body[:t] if t >= 0 else ""
    for part in body.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if sep:
            if key in SUMMARY_KEYS and key not in out:
                out[key] = value[:4096]         # pid/uid count only as the ",pid=N,uid=U" pair above
        elif key == "global_oom":
            out["global_oom"] = True
    return out


def table_columns(msg):
    """Column names of a task-table header '[ pid ]   uid  tgid total_vm ...' (after pid)."""
    end = msg.find("]", 0, 16)
    if end < 0:
        return None
    cols = msg[end + 1:end + 400].split()
    if not cols or cols[-1] != "name" or "rss" not in cols:
        return None
    return cols


def _kill_line(msg, at):
    """A 'Killed process' line at ``msg[at]``: dict with pid, name, uid, reason, fields."""
    rest = msg[at + len("Killed process "):]
    pid, n = leading_int(rest)
    if pid is None:
        return None
    rest = rest[n:]
    out = {"pid": pid, "reason": msg[:at].rstrip(": ").strip()[-120:] or None}
    if rest.startswith(", UID "):                        # RHEL 6: "Killed process N, UID U, (name)"
        uid, m = leading_int(rest[6:])
        out["uid"] = uid
        rest = rest[6 + m:].lstrip(",")
    if not rest.strip() and at + len("Killed process ") + n == len(msg.rstrip()):
        out.update(name=None, fields={}, name_wrapped=True)   # "(name)." wrapped onto the next line
        return out
    rest = rest[skip_quote_marks(rest, 0):]
    if not rest.startswith(" ("):
        return None
    name, end = paren_name(rest, 1)
    if name is None:
        cut = rest[2:2 + MAX_NAME]
        if ")" in cut or len(cut) >= MAX_NAME:
            return None
        name, end = cut, len(rest)                     # a line cut inside the name
        out["cut"] = True
    out["name"] = name
    tail = rest[end:]
    if tail.startswith(", UID "):                       # "Killed process N (name), UID U, total-vm:"
        uid, _m = leading_int(tail[6:])
        out["uid"] = uid
    fields = parse_fields(tail)
    if "uid" in out and out["uid"] is not None:
        fields.setdefault("uid", out["uid"])
    out["fields"] = fields
    return out


def _lower_kill(msg, at):
    """A kill line retyped in lower case ("killed process 22570 (php5-fpm) total-vm:418044kB, ..."), taken
    only with its memory fields (prose says "killed process N" too)."""
    kill = _kill_line(msg, at)
    if kill is None or kill.get("name_wrapped") or not kill.get("fields"):
        return None
    return kill


def _select_before(msg, at):
    """The select line a paste joined in front of the kill line at ``msg[at]``, or None."""
    sel_at = msg.rfind("ill process ", 0, at)
    if sel_at < 1 or msg[sel_at - 1] not in "Kk":
        return None
    return _select_line(msg[:at], sel_at - 1)


def _select_line(msg, at):
    """'Kill process N (name) score S or sacrifice child' at msg[at] ('K' or 'k')."""
    rest = msg[at + len("Kill process "):]
    pid, n = leading_int(rest)
    n = skip_quote_marks(rest, n)
    if pid is None or not rest[n:].startswith(" ("):
        return None
    name, end = paren_name(rest, n + 1)
    if name is None:
        return None
    tail = rest[end:]
    if tail.startswith(" sharing same memory"):
        return {"pid": pid, "name": name, "sharing": True}
    if not tail.startswith(" score "):
        return None
    score = number(tail[7:])
    if score is None:
        return None
    return {"pid": pid, "name": name, "score": score, "reason": msg[:at].rstrip(": ").strip()[-120:] or None}


def _earlyoom(msg, tag=None):
    """The victim of an earlyoom kill line of any version, or None (banner, self test, other)."""
    at = msg.find("sending ")
    if at >= 0:
        to = msg.find(" to process ", at, at + 40)
        if to < 0:
            return None
        sig = msg[at + 8:to]
        if sig not in ("SIGTERM", "SIGKILL"):
            return None                                 # "0 (no-op signal)": the self test
        rest = msg[to + 12:]
        pid, n = leading_int(rest)
        if pid is None:
            return None
        rest = rest[n:]
        uid = None
        if rest.startswith(" uid "):
            uid, m = leading_int(rest[5:])
            rest = rest[5 + m:]
        if not rest.startswith(" \""):
            return None
        close = rest.find("\": ", 2, 2 + MAX_NAME + 2)
        if close < 0:
            close = rest.find("\"", 2, 2 + MAX_NAME + 2)
            if close < 0:
                return None
        out = {"pid": pid, "name": rest[2:close], "signal": sig, "rest": rest[close + 1:]}
        if uid is not None:
            out["uid"] = uid
        return out
    at = msg.find("killing process ")
    if at >= 0:                                         # 1.1-1.2: killing process N "name" with signal S
        rest = msg[at + 16:]
        pid, n = leading_int(rest)
        if pid is None or not rest[n:].startswith(" \""):
            return None
        close = rest.find("\"", n + 2, n + 2 + MAX_NAME)
        if close < 0:
            return None
        sig_at = rest.find("with signal ", close, close + 20)
        sig = number(rest[sig_at + 12:]) if sig_at >= 0 else None
        if sig == 0:
            return None
        return {"pid": pid, "name": rest[n + 2:close], "signal": "signal %s" % sig, "rest": rest[close + 1:]}
    at = msg.find("Killing process '")
    if at >= 0:                                         # <= 1.0: Killing process 'name' with signal S, pid: N
        rest = msg[at + 17:]
        close = rest.find("' with signal ", 0, MAX_NAME + 1)
        if close < 0:
            return None
        sig = number(rest[close + 14:])
        pid_at = rest.find(", pid: ", close, close + 40)
        if pid_at < 0 or sig == 0:
            return None
        pid, n = leading_int(rest[pid_at + 7:])
        if pid is None or rest[pid_at + 7 + n:pid_at + 8 + n] != ",":
            return None                                 # a line cut inside the pid
        return {"pid": pid, "name": rest[:close], "signal": "signal %s" % sig,
                "rest": rest[pid_at + 7:].replace(": ", " ")}
    if msg.startswith("Killing process ") and tag in (None, "earlyoom"):
        return _earlyoom_0x(msg[16:])
    return None


def _earlyoom_0x(rest):
    """earlyoom 0.x: "Killing process N comm" and nothing after the comm (at most 15 bytes, the
    kernel's TASK_COMM_LEN). systemd's "Killing process N (comm) with signal SIGKILL." and any
    longer tail are not it."""
    pid, n = leading_int(rest)
    if pid is None or rest[n:n + 1] != " ":
        return None
    name = rest[n + 1:].rstrip()
    if not name or len(name) > 15 or name[0] in "(\"'" or name != rest[n + 1:].rstrip("\r\n"):
        return None
    return {"pid": pid, "name": name, "signal": None, "rest": ""}       # 0.x printed no signal


def earlyoom_fields(rest):
    """badness / oom_score / oom_score_adj / VmRSS of an earlyoom kill line's tail."""
    out = {}
    words = rest.replace(",", " ").split()[:24]
    for i, word in enumerate(words[:-1]):
        if word in ("badness", "oom_score", "oom_score_adj", "VmRSS"):
            num = number(words[i + 1])
            if num is None:
                continue
            if word == "VmRSS":
                out["vmrss_mib"] = num
                out["anon_rss_kb"] = num * 1024
            else:
                out[word] = num
    return out


def _oomd(msg, tag):
    """systemd-oomd kill messages."""
    if msg.startswith("oomd attempting to kill "):
        pid, n = leading_int(msg[24:])
        if pid is None or not msg[24 + n:].startswith(" with "):
            return None                                 # a line cut inside the pid
        return ("oomd_attempt", {"pid": pid})
    for verb, head in (("killed", "Killed "), ("marked", "Marked ")):
        if msg.startswith(head):
            rest = msg[len(head):]
            cg, sep, reason = rest.partition(" ")
            if not cg.startswith("/") and not cg.endswith((".scope", ".service", ".slice")):
                return None
            if sep and not (reason.startswith("due to ") or reason.startswith("for killing due to ")):
                return None
            if not sep and tag not in ("systemd-oomd", "oomd"):
                return None                             # "Killed /cg" cut: only from systemd-oomd
            return ("oomd_kill", {"verb": verb, "cgroup": cg[:4096], "reason": reason[:300] or None})
    if msg.startswith("Considered ") and "cgroups for killing" in msg[:64]:
        considered = leading_int(msg[11:])[0]
        return ("oomd_considered", {"considered": considered})
    return None


LMKD_TAGS = ("lowmemorykiller", "lmkd")


def _lmkd(msg, tag):
    """An Android lmkd kill: "Kill 'name' (pid), uid U, oom_score_adj A to free N kB rss, M kB swap;
    reason: R" (or Samsung's "Reclaim 'name' (pid), ..., state S to free ..."), under the logcat tag
    lowmemorykiller/lmkd or, when the prefix was not read, right after "lowmemorykiller: "."""
    at, verb = _first_find(msg, ("Kill '", "Reclaim '"), 200)
    if at < 0:
        return None
    if tag not in LMKD_TAGS and (at == 0 or not msg[:at].rstrip(": ").endswith(LMKD_TAGS)):
        return None
    rest = msg[at + len(verb) - 1:]
    hit = _lmk_quoted(rest)
    if hit is None:
        return None
    out = {"pid": hit[1], "name": hit[0], "verb": verb[:-2].lower()}
    tail = rest[hit[2]:hit[2] + 400]
    out.update(_numbers_after(tail, (("uid", ", uid "), ("oom_score_adj", " oom_score_adj "), ("oom_score_adj", " oom_adj "),
                                     ("rss_kb", " to free "), ("swap_kb", "kB rss, "))))
    i = tail.find("reason: ")
    if i >= 0:
        out["reason"] = tail[i + 8:].strip()[:200] or None
    return out


def _first_find(text, words, stop):
    """(index, word) of the first of ``words`` found in text[:stop], else (-1, None)."""
    for word in words:
        at = text.find(word, 0, stop)
        if at >= 0:
            return at, word
    return -1, None


def _numbers_after(text, words):
    """{key: the number after word} for the (key, word) pairs found in ``text``, the first found
    word of a key winning."""
    out = {}
    for key, word in words:
        i = text.find(word)
        if i >= 0 and key not in out:
            num = number(text[i + len(word):])
            if num is not None:
                out[key] = num
    return out


def _lmk_quoted(text):
    """(name, pid, end) of the "'name' (pid)" that opens ``text``, or None (package names hold ':'
    and '.', not "' (")."""
    if text[:1] != "'":
        return None
    close = text.find("' (", 1, 4 * MAX_NAME)
    if close <= 1:
        return None
    pid, n = leading_int(text[close + 3:])
    if pid is None or text[close + 3 + n:close + 4 + n] != ")":
        return None
    return text[1:close], pid, close + 4 + n


LMK_KERNEL_TAGS = (None, "kernel", "lowmemorykiller")
LMK_HEAD_TAGS = LMK_KERNEL_TAGS + ("lmkd",)     # Android 8-9's lmkd printed the same head under its tag


def _lmk_kernel_pre(pre, tag):
    """The text before a lowmemorykiller message is its own: nothing, "lowmemorykiller:", a vendor
    tree's "[comm]" of the task that ran the shrinker, or both; and the line is the kernel's (untagged,
    or tagged kernel/lowmemorykiller), not another program's."""
    if tag not in LMK_KERNEL_TAGS:
        return False
    pre = pre.rstrip()
    if pre.endswith("]"):
        at = pre.rfind("[", max(0, len(pre) - 2 - MAX_NAME))
        if at < 0:
            return False
        pre = pre[:at].rstrip()
    return not pre or pre.endswith("lowmemorykiller:")


def _lmk_sizes(tail):
    """oom_score_adj / adj / size of ", adj A[, score_adj S], size N[K]" (size in pages, or kB
    when a vendor tree printed it shifted with a K)."""
    out = {}
    nums = _numbers_after(tail, (("adj", ", adj "), ("score_adj", ", score_adj "), ("size", ", size ")))
    if nums.get("score_adj") is not None:
        out["oom_score_adj"] = nums["score_adj"]
        if nums.get("adj") is not None:
            out["oom_adj"] = nums["adj"]
    elif nums.get("adj") is not None:
        adj = nums["adj"]
        out["adj"] = adj            # oom_adj (-17..15) before 3.7, oom_score_adj (-1000..1000) from 3.7 on
        if adj == 0 or not -17 <= adj <= 15:
            out["oom_score_adj"] = adj      # the same in both scales, or only possible as oom_score_adj
    if nums.get("size") is not None:
        i = tail.find(", size ") + 7
        n = leading_int(tail[i:])[1]
        out["size_kb" if tail[i + n:i + n + 1] in ("K", "k") else "size_pages"] = nums["size"]
    return out


def lmk_sigkill(msg, tag=None):
    """The lowmemorykiller's one-line kill "send sigkill to %d (%s), adj %d, size %d"."""
    at = msg.find("send sigkill to ", 0, 160)
    if at < 0 or not _lmk_kernel_pre(msg[:at], tag):
        return None
    rest = msg[at + 16:at + 16 + 400]
    pid, n = leading_int(rest)
    if pid is None or rest[n:n + 1] != " ":
        return None
    name, end = paren_name(rest, n + 1)
    if name is None or not rest.startswith(", adj ", end):
        return None
    out = {"pid": pid, "name": name}
    out.update(_lmk_sizes(rest[end:]))
    return out


def lmk_select(msg, tag=None):
    """The lowmemorykiller's debug line for the task it would kill: "select %d (%s), adj %d, size %d,
    to kill" (2.6.29-3.x) or "select '%s' (%d), adj %hd, size %d, to kill"."""
    at = msg.find("select ", 0, 160)
    body = msg.rstrip()
    if at < 0 or not body.endswith(", to kill") or not _lmk_kernel_pre(msg[:at], tag):
        return None
    rest = body[at + 7:at + 7 + 400]
    if rest[:1] == "'":
        hit = _lmk_quoted(rest)
        if hit is None:
            return None
        name, pid, end = hit
    else:
        pid, n = leading_int(rest)
        if pid is None or rest[n:n + 1] != " ":
            return None
        name, end = paren_name(rest, n + 1)
        if name is None:
            return None
    if not rest.startswith(", adj ", end):
        return None
    out = {"pid": pid, "name": name}
    out.update(_lmk_sizes(rest[end:]))
    return out


def lmk_head(msg, tag=None):
    """The in-kernel lowmemorykiller's "Killing 'name' (pid), adj N," with what the same line holds
    of its next lines; None unless "Killing" opens the message or follows "lowmemorykiller: "
    (``tagged``: the head alone then is a kill; untagged, the "to free" line must confirm it)."""
    at = msg.find("Killing '", 0, 220)
    if at < 0 or tag not in LMK_HEAD_TAGS:      # another program's "Killing '..'" line is not the kernel's
        return None
    pre = msg[:at].rstrip()
    for word in ("HSWAP", "Orig"):
        if pre.endswith(word):
            pre = pre[:-len(word)].rstrip()
    tagged = pre.endswith("lowmemorykiller:") or tag == "lowmemorykiller"
    if pre and not tagged:
        return None
    hit = _lmk_quoted(msg[at + 8:])
    if hit is None:
        return None
    out = {"name": hit[0], "pid": hit[1], "tagged": tagged}
    rest = msg[at + 8 + hit[2]:at + 8 + hit[2] + 600]
    free = rest.find("to free ")
    head = rest[:free] if free >= 0 else rest[:160]
    adj = _numbers_after(head, (("adj", ", adj "), ("score_adj", ", score_adj "), ("oom_score_adj", ", oom_score_adj "),
                                ("oom_adj", "(oom_adj "), ("uid", ", uid ")))
    if adj.get("uid") is not None:
        out["uid"] = adj["uid"]
    if adj.get("score_adj") is not None:
        out["oom_score_adj"], out["oom_adj"] = adj["score_adj"], adj.get("adj")
    elif adj.get("oom_score_adj") is not None:
        out["oom_score_adj"], out["oom_adj"] = adj["oom_score_adj"], adj.get("oom_adj")
    elif adj.get("adj") is not None:
        out["oom_score_adj"] = adj["adj"]
    if out.get("oom_adj") is None:
        out.pop("oom_adj", None)
    if free >= 0:
        out.update(lmk_free(rest[free:]) or {})
        cache = rest.find("cache ", free)
        out.update(lmk_tail(rest[cache if cache >= 0 else free:], joined=True) or {})
    return out


def lmk_free(msg):
    """"to free NkB[ (AKB BKB)] on behalf of 'comm' (pid) because": what the kill frees and who
    asked (the task whose allocation ran the shrinker)."""
    s = msg.lstrip()
    if not s.startswith("to free "):
        return None
    out = {"rss_kb": number(s[8:])}
    i = s.find(" on behalf of ", 8, 120)
    if i >= 0:
        hit = _lmk_quoted(s[i + 14:])
        if hit is not None:
            out["trigger"] = {"process": hit[0], "pid": hit[1]}
    if out["rss_kb"] is None and "trigger" not in out:
        return None
    b = s.find(" because ", 8, 200)
    if b >= 0:                          # userspace lmkd (Android 8-9): the reason and floor on this line
        out.update(lmk_tail(s[b + 9:], joined=True) or {})
    return out


def lmk_tail(msg, joined=False):
    """"cache NkB is below limit NkB for oom_score_adj N" (or "for oom score N", "swap low for
    oom_score_adj N"): the adj floor the kill was made under."""
    s = msg.lstrip()
    if not joined and not s.startswith(("cache ", "swap low for oom")):
        return None
    i, word = _first_find(s, ("for oom_score_adj ", "for oom score ", "for oom_adj ", "pressure oom_adj "), 400 if joined else 160)
    if i < 0:
        return None
    out = {"min_score_adj": number(s[i + len(word):])}
    if s.startswith("cache "):
        out["cache_kb"] = number(s[6:])
        b = s.find(" below limit ", 6, i)
        out["cache_limit_kb"] = number(s[b + 13:]) if b >= 0 else None
    return out


def _comm_before(head):
    """The comm before " invoked oom-killer:", without what an unrecognised prefix left in front
    of it ('"message": "python3' -> 'python3'); comms may hold spaces and ':' ("CPU 2/KVM",
    "kworker/u16:3"), never ': ', '"' or '] '."""
    head = head[-160:]
    for sep in (": ", "\"", "] "):
        at = head.rfind(sep)
        if at >= 0:
            head = head[at + len(sep):]
    return head.strip()[-64:]


def classify(msg, tag=None):
    """(kind, fields) of one message, or None when it says nothing about an OOM record."""
    at = msg.find(" invoked oom-killer:")
    if at >= 0 or msg.startswith("oom-killer: gfp_mask="):   # 2.6.10 and before: no comm
        rest = msg[at + len(" invoked oom-killer:"):] if at >= 0 else msg[11:]
        trig = {"process": _comm_before(msg[:at]) if at >= 0 else None}
        trig.update(parse_trigger_fields(rest))
        return "trigger", trig
    at = msg.find(" triggered out of memory co", 0, 200)       # Broadcom vendor kernels (ASUS routers)
    if at > 0:
        shut = msg.find(" (oom killer not called):", at + 27, at + 80)
        if shut >= 0:
            trig = {"process": _comm_before(msg[:at]), "oom_killer_not_called": True}
            trig.update(parse_trigger_fields(msg[shut + 25:]))
            return "trigger", trig
    c0 = msg[:1]
    if c0 == "[":
        if "tgid" in msg[:64]:                          # "uid  tgid"; one space in HTML-rendered pastes
            cols = table_columns(msg)
            if cols and cols[0] == "uid":
                return "table_header", {"columns": cols}
        elif "] send sigkill to " in msg[:96]:         # a vendor lowmemorykiller's "[comm] send sigkill to"
            hit = lmk_sigkill(msg, tag)
            return ("lmk_sigkill", hit) if hit is not None else None
        return None
    if msg.startswith("oom-kill:"):
        return "summary", parse_summary(msg)
    if c0 == "," and ("task=" in msg or "memcg=" in msg or "global_oom" in msg):
        return "summary_piece", parse_summary(msg)
    at = msg.find("Killed process ")
    if at < 0:
        st = msg.find("memory: Process stopped ")   # "Killed process" as a browser's translation renders it
        if st >= 0:
            at = st + 8
            msg = msg[:at] + "Killed process " + msg[at + 16:]
    if at >= 0:
        kill = _kill_line(msg, at)
        if kill is not None and kill.get("name_wrapped"):
            return "kill_head", kill                    # a kill only once the next line gives "(name)"
        if kill is not None:
            tail = msg[at:at + 200]
            if "sharing same memory" in tail:
                return "sharing", {"pid": kill["pid"], "name": kill["name"]}
            sel = _select_before(msg, at) if msg[at - 2:at] == "] " else None
            if sel is not None:                         # "... or sacrifice child [secs] Killed process ..." joined
                sel["joined_kill"] = kill
                return "select", sel
            return "kill", kill
    at = msg.find("ill process ")
    while 0 < at < 400:
        if msg[at - 1] in "Kk" and (at < 2 or not msg[at - 2].isalpha()):
            sel = _select_line(msg, at - 1)
            if sel is not None:
                if not sel.get("sharing"):
                    lk = msg.find("] killed process ", at)
                    kill = _lower_kill(msg, lk + 2) if lk > 0 else None
                    if kill is not None:
                        sel["joined_kill"] = kill
                return ("sharing" if sel.get("sharing") else "select"), sel
        at = msg.find("ill process ", at + 1)
    if msg.startswith("oom_reaper: reaped process "):
        rest = msg[27:]
        pid, n = leading_int(rest)
        if pid is not None:
            name, end = paren_name(rest, n + 1)
            return "reaper", {"pid": pid, "name": name, "fields": parse_fields(rest[end:])}
        return None
    at = msg.find("Out of memory in UB ")
    if at >= 0:                                         # Virtuozzo: "Out of memory in UB N: OOM killed ..."
        ve, n = leading_int(msg[at + 20:])
        tail = msg[at + 20 + n:]
        if ve is not None and tail.startswith(": OOM"):
            rest = tail[5:].strip()
            if not rest:
                return "ub_head", {"ve": ve}            # the line wrapped after "OOM "
            hit = ub_kill(rest)
            if hit is not None:
                hit["ve"] = ve
                return "ub_kill", hit
        return None
    if msg.startswith("killed process "):
        hit = ub_kill(msg)
        if hit is not None:
            return "ub_kill", hit
        kill = _lower_kill(msg, 0)
        return ("kill", kill) if kill is not None else None
    at = msg.find("OOM killed process ")
    if at >= 0:
        return _openvz(msg, at)
    if "to process " in msg or "illing process " in msg:
        early = _earlyoom(msg, tag)
        if early is not None:
            return "earlyoom", early
    if "ill '" in msg or "Reclaim '" in msg:
        hit = _lmkd(msg, tag)
        if hit is not None:
            return "lmkd", hit
    if tag in ("systemd-oomd", "oomd") or msg.startswith(("Killed /", "Marked /", "oomd attempting", "Considered ")):
        hit = _oomd(msg, tag)
        if hit is not None:
            return hit
    if "sigkill to " in msg[:176]:
        hit = lmk_sigkill(msg, tag)
        if hit is not None:
            return "lmk_sigkill", hit
    if msg.endswith(", to kill") or msg.rstrip().endswith(", to kill"):
        hit = lmk_select(msg, tag)
        if hit is not None:
            return "lmk_select", hit
    if "Killing '" in msg[:230]:
        hit = lmk_head(msg, tag)
        if hit is not None:
            return "lmk_head", hit
    if msg[:1] == " " or msg[:1] in "tcs":
        if msg.lstrip().startswith("to free "):
            hit = lmk_free(msg)
            if hit is None:
                return None
            return ("lmk_tail" if "min_score_adj" in hit else "lmk_free"), hit
        hit = lmk_tail(msg)
        if hit is not None:
            return "lmk_tail", hit
    if msg.startswith("Memory cgroup stats for "):
        path = msg[24:].split(" ", 1)[0].rstrip(":")
        return ("memcg_stats", {"oom_memcg": path[:4096]}) if path[:1] == "/" else None
    if msg.startswith("Task in "):
        rest = msg[8:]
        task, sep, limit = rest.partition(" killed as a result of limit of ")
        if sep and task and " " not in task:
            limit = limit.split(" ", 1)[0][:4096]
            out = {"task_memcg": task[:4096], "oom_memcg": limit}
            if limit and task.startswith(limit) and task[len(limit):len(limit) + 1] not in ("", "/") \
                    and rest.rstrip().endswith(limit):
                out["oom_memcg_cut"] = True     # "... limit of /kubepo" + "ds/pod.." wrapped: no ancestor of the task
            return "memcg", out
        return None
    if msg.startswith("Memory limit reached of cgroup "):
        return "memcg", {"oom_memcg": msg[31:].split(" ", 1)[0][:4096]}
    if msg.startswith("memory: usage "):
        usage = number(msg[14:])
        li = msg.find(", limit ")
        fc = msg.find(", failcnt ")
        if usage is not None and li > 0 and fc > 0:
            return "memcg_usage", {"usage_kb": usage, "limit_kb": number(msg[li + 8:]),
                                   "failcnt": number(msg[fc + 10:])}
        return None
    if "Kernel panic - not syncing" in msg[:40]:
        what = msg[msg.find("not syncing") + 12:].strip()[:120]
        if "memory" in what.lower() or "oom" in what.lower():
            return "panic", {"reason": what}
        return None
    if "no killable process" in msg:
        return "no_killable", {}
    return None


def _openvz(msg, at):
    """'OOM killed process NAME (pid=N, ve=V) exited, free=F gen=G.' (may be cut after 'exited,')."""
    rest = msg[at + 19:]
    open_at = rest.find(" (pid=", 0, MAX_NAME + 1)
    if open_at < 0:                                     # "OOM killed process 659 (java) vm:..kB, rss:..kB, swap:..kB"
        hit = ub_kill(msg[at + 4:]) if rest[:1].isdigit() else None
        return ("ub_kill", hit) if hit is not None else None
    pid, n = leading_int(rest[open_at + 6:])
    tail = rest[open_at + 6 + n:]
    if pid is None or tail[:1] not in (",", ")"):
        return None                                     # a line cut inside the pid
    ve = number(tail[5:]) if tail.startswith(", ve=") else None
    out = {"pid": pid, "name": rest[:open_at], "ve": ve}
    fa = tail.find("free=")
    if fa >= 0:
        out["free"] = number(tail[fa + 5:])
        ga = tail.find("gen=", fa)
        if ga >= 0:
            out["gen"] = number(tail[ga + 4:])
    return "openvz", out


def ub_kill(msg):
    """'killed process N (name) score S vm:VkB, rss:RkB, swap:SkB' of a Virtuozzo UB OOM."""
    if not msg.startswith("killed process "):
        return None
    rest = msg[15:]
    pid, n = leading_int(rest)
    n = skip_quote_marks(rest, n)
    if pid is None or not rest[n:].startswith(" ("):
        return None
    name, end = paren_name(rest, n + 1)
    scored = rest[end:].startswith(" score ")
    if name is None or not (scored or rest[end:].startswith(" vm:")):
        return None                                     # OpenVZ 2.6.32 prints no score: "(java) vm:.., rss:.."
    fields = parse_fields(rest[end:], {"vm": "total_vm_kb", "rss": "rss_kb", "swap": "swap_kb"})
    if scored:
        fields["score"] = number(rest[end + 7:])
    return {"pid": pid, "name": name, "fields": fields}


def openvz_continuation(msg):
    """The 'free=F gen=G.' line of an OpenVZ kill wrapped after 'exited,'."""
    s = msg.strip()
    if not s.startswith("free="):
        return None
    out = {"free": number(s[5:])}
    ga = s.find("gen=")
    if ga >= 0:
        out["gen"] = number(s[ga + 4:])
    return out


OOM_FRAMES = ("out_of_memory", "oom_kill_process", "mem_cgroup_oom")


def is_oom_frame(msg):
    """A stack frame of the OOM path ("out_of_memory+0x220/0x3c0", "mem_cgroup_oom_synchronize")."""
    return "+0x" in msg and any(f in msg for f in OOM_FRAMES)


def stack_pid(msg):
    m = RE_STACK_PID.match(msg)
    if m:
        return int(m.group(1) or m.group(2))
    return None


def oomd_candidate_line(msg):
    """('path', path) / ('usage', key, value) of a systemd-oomd candidate dump line, else None."""
    m = RE_OOMD_PATH.match(msg)
    if m:
        return ("path", m.group(1))
    m = RE_OOMD_USAGE.match(msg)
    if m:
        return ("usage", m.group(1).lower().replace(" ", "_"), m.group(2).strip())
    return None
