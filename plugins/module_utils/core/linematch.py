# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Malicious command-line patterns, shared by every area that reads commands (cron, persistence).

``match_line(text, command)`` returns (pattern name, match) for each pattern a line matches;
command-position patterns are tried on ``command`` (the line without its schedule fields).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# Malicious command-line patterns (name -> regex). Applied to non-comment lines.
_SH = r"(?:ba|da|z|k|tc|c|fi)?sh"
_INTERP = r"(?:" + _SH + r"|python[0-9.]*|perl|ruby|php[0-9.]*|node|lua)"
_DL = r"(?:curl|wget|fetch|lwp-download|lwp-request|GET|tftp|busybox\s+wget)"
_TMPDIRS = r"(?:/var/tmp|/tmp|/dev/shm|/run/shm)"
# Where a command word starts: line start, after ; & | ` ( { $( , optionally behind
# wrappers (sudo, nohup, ...) and an interpreter that takes a file argument.
_CMD_START = (r"(?:^|[;&|`({]|\$\()\s*(?:(?:sudo|nohup|setsid|exec|nice|env|command|time|"
              r"timeout\s+\S+)\s+(?:-\S+\s+)*)*(?:" + _INTERP + r"\s+(?:-\S+\s+)*|source\s+|\.\s+)?[\"']?")

MALICIOUS_PATTERNS = (
    ("download_piped_to_shell",
     re.compile(r"\b" + _DL + r"\b[^|\n]*\|\s*(?:sudo\s+)?(?:\S*/)?" + _INTERP + r"\b")),
    ("shell_runs_download",
     re.compile(r"(?:\b" + _SH + r"|\beval|\bpython[0-9.]*)\s+(?:-\w+\s+)*[\"']?\s*(?:\$\(|`|<\()\s*"
                r"(?:\S*/)?" + _DL + r"\b")),
    ("base64_decode_to_shell",
     re.compile(r"\bbase64\s+(?:-\w*d\w*|--decode)\b[^|\n]*\|\s*(?:sudo\s+)?(?:\S*/)?" + _INTERP + r"\b"
                r"|\b" + _SH + r"\s+-c\s+[\"']?\$\([^)]*\bbase64\s+(?:-\w*d|--decode)"
                r"|\bb64decode\b.*\b(?:exec|eval|system)\b|\b(?:exec|eval)\b.*\bb64decode\b")),
    ("dev_tcp_reverse_shell", re.compile(r"/dev/(?:tcp|udp)/[^/\s]+/\d+")),
    ("netcat_exec",
     re.compile(r"\b(?:nc|ncat|netcat|nc\.traditional|nc\.openbsd)\b[^|;&\n]*?\s"
                r"(?:-\w*e\b|--(?:sh-)?exec\b)|\bncat\b[^|;&\n]*\s-c\b")),
    ("fifo_netcat_shell",
     re.compile(r"\bmk(?:fifo|nod)\b.*\b(?:nc|ncat|netcat|telnet|socat|openssl\s+s_client)\b")),
    ("socat_exec", re.compile(r"\bsocat\b.*\b(?:exec|system):", re.IGNORECASE)),
    ("script_socket_oneliner",
     re.compile(r"\bpython[0-9.]*\b.*\s-c\b.*\bsocket\b.*(?:connect|dup2|pty|subprocess|spawn)"
                r"|\bperl\b.*\s-\w*e\b.*(?:\bsocket\s*\(|IO::Socket|use\s+Socket)"
                r"|\bperl\s+-MIO\b"
                r"|\bruby\b.*(?:-rsocket|TCPSocket|Socket\.new)"
                r"|\bphp[0-9.]*\b.*\s-r\b.*\b(?:fsockopen|socket_create|stream_socket_client)\b"
                r"|\blua\b.*\s-e\b.*\bsocket\b")),
    ("exec_from_temp_dir",
     re.compile(_CMD_START + _TMPDIRS + r"/\S+"
                r"|\bchmod\s+(?:-\w+\s+)*(?:[ugoa]*\+[rwxst]*x[rwxst]*|0?[1357][0-7]{2})\s+[\"']?"
                + _TMPDIRS + r"/"
                r"|\b" + _DL + r"\b[^|;&\n]*\s(?:-O|-o|--output(?:-document)?=?)\s*[\"']?" + _TMPDIRS + r"/"
                r"|\bcd\s+" + _TMPDIRS + r"\b[^;&|\n]*(?:;|&&)\s*(?:\S+\s+)*\./")),
    ("exec_from_hidden_path",
     re.compile(_CMD_START + r"(?:/[^\s/;|&]*)*/\.(?!\.?(?:/|\s|$|[\"'];|[\"']\s))[^\s;|&]+"
                r"|/\.\.\.+(?:/|\s|$)")),
    ("chattr_immutable", re.compile(r"\bchattr\b[^\n;|&]*\s\+[a-zA-Z]*[ia]")),
    ("cryptominer",
     re.compile(r"\b(?:xmrig|minerd|cpuminer|xmr-stak|kdevtmpfsi|kinsing)\b|stratum\+(?:tcp|ssl)://")),
)

# Patterns that only make sense where a command word starts.
COMMAND_POSITION = ("exec_from_temp_dir", "exec_from_hidden_path")


def match_line(text, command=None):
    """Names of the malicious patterns a line matches (command-position ones on ``command``)."""
    hits = []
    for name, regex in MALICIOUS_PATTERNS:
        subject = (command if command is not None else text) if name in COMMAND_POSITION else text
        m = regex.search(subject)
        if m:
            hits.append((name, m))
    return hits
