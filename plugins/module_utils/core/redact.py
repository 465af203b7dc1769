# -*- coding: utf-8 -*-
# Copyright: hostguard engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The redaction gate: secrets never reach a report; control characters never reach a terminal.

One gate for every string that leaves an area: ``Check.result`` passes subject, evidence and
detail through :func:`sanitize`, and the runners (``core.runner`` / ``core.module_entry``)
pass every finding and every ``facts`` field through :func:`sanitize_value` again, so an area
cannot forget. Both passes are idempotent.

What is a secret (replaced whole by ``<redacted>``, never partially):
- the value of an option whose name holds password/passwd/pass/pwd/secret/token/key/auth/
  credential: ``--opt=value``, ``--opt value``, ``-opt value``; a quoted value with spaces
  is taken up to its closing quote;
- ``-pVALUE`` (and ``-p VALUE``) of mysql-style tools (mysql, mysqldump, mariadb ...) and sshpass;
  ``-a VALUE`` of redis-cli; the password of ``-u user:password`` / ``--user user:pass``;
- the password of URL userinfo (``scheme://user:password@host``), and a user-only userinfo
  (``https://<token>@host``: a token passed as the user name) except in the schemes that log
  in by name (ssh, sftp, scp, git+ssh, ssh+git, svn+ssh, rsync);
- ``Authorization: <scheme> <credentials>``, ``Bearer <token>``, Redis ``AUTH <password>``;
- env-style assignments ``NAME=value`` whose NAME holds SECRET, TOKEN, PASSWORD, PASSWD,
  _PWD, API_KEY/APIKEY, ACCESS_KEY, PRIVATE_KEY, CREDENTIAL, AUTH (also inside
  ``Environment="A=1 DB_PASSWORD=x"``);
- config directives ``requirepass``/``masterauth`` and ``password:``/``password =``-style
  keys (a secret-named word followed by ``=`` or ``:``);
- well-known token shapes: AWS ``AKIA``/``ASIA`` keys, GitHub ``ghp_``/``gho_``/``ghu_``/
  ``ghs_``/``ghr_``/``github_pat_``, Slack ``xox?-``, GitLab ``glpat-``, PEM private keys.

The scanner is linear: the text is split once on whitespace and each token is looked at by
plain string operations and bounded, anchored regexes (tests/unit/.../core/test_redact.py
measures it against tests/regex_budget.py).

:func:`escape_controls` writes C0/C1 control characters (ESC, CR, NUL ...), DEL, bidi
overrides and isolates (U+202A..U+202E, U+2066..U+2069, U+200E/U+200F, U+061C) and the
Unicode line/paragraph separators as ``\\xNN``/``\\uNNNN`` so that no report format (text,
HTML, JUnit, a terminal) renders them. Stdlib only.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

REDACTED = "<redacted>"

# Words that make an option or variable name secret-bearing (matched inside the name).
SECRET_WORDS = ("password", "passwd", "pass", "pwd", "secret", "token", "key", "auth",
                "credential")
# Env-style names (upper-cased before the test): a substring match.
SECRET_ENV_WORDS = ("SECRET", "TOKEN", "PASSWORD", "PASSWD", "_PWD", "API_KEY", "APIKEY",
                    "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL", "AUTH", "_PASS")
# Names that hold the words but are not secrets.
NOT_SECRET_NAMES = frozenset(("PWD", "OLDPWD", "XAUTHORITY", "SSH_AUTH_SOCK", "PASSWD"))
# Bare config words whose next value is a secret (Redis directives, redis-cli AUTH).
CONFIG_SECRET_WORDS = frozenset(("requirepass", "masterauth"))
# a tool word, also right after a path, "$(", "(", "`", ";", "|" or "&"
# tools whose -pVALUE / -p VALUE is a password: mysql-style clients and sshpass
PASSWORD_P_TOOLS = re.compile(r"(?:^|[/(`;|&])(?:mysql[a-z_-]{0,20}|mariadb[a-z_-]{0,20}|sshpass)$")
# URL schemes whose user-only userinfo (scheme://name@host) is a login name, kept; in any other
# scheme a user-only userinfo may be a token (https://<token>@github.com/...) and goes.
LOGIN_NAME_SCHEMES = frozenset(("ssh", "sftp", "scp", "git+ssh", "ssh+git", "rsync", "svn+ssh"))
REDIS_CLI = re.compile(r"(?:^|[/(`;|&])redis-cli$")
# Token shapes: anchored at a token boundary; every quantifier bounded.
TOKEN_SHAPES = re.compile(
    r"(?:AKIA|ASIA)[0-9A-Z]{16}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}"
    r"|github_pat_[A-Za-z0-9_]{20,}"
    r"|xox[abposr]-[A-Za-z0-9-]{6,}"
    r"|glpat-[A-Za-z0-9_-]{20,}")
TOKEN_SHAPE_PREFIXES = ("AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
                        "xox", "glpat-")
PEM_BEGIN = "-----BEGIN"
_WS_SPLIT = re.compile(r"(\s+)")
_QUOTES = "\"'"
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_OPT_CHARS = _NAME_CHARS | frozenset("-.")


def _secret_option_name(name):
    """True if an option name (without its dashes) looks secret-bearing."""
    low = name.lower()
    if not low or len(low) > 64:
        return False
    return any(word in low for word in SECRET_WORDS)


def _secret_env_name(name):
    if not name or name.upper() in NOT_SECRET_NAMES:
        return False
    up = name.upper()
    return any(word in up for word in SECRET_ENV_WORDS)


def _strip_quotes(token):
    return token.strip(_QUOTES)


def _redact_value_in(token, start):
    """``token`` with everything from ``start`` replaced, surrounding quotes kept."""
    rest = token[start:]
    lead = ""
    while rest[:1] in ("\"", "'") and rest:
        lead += rest[0]
        rest = rest[1:]
    trail = ""
    while rest[-1:] in ("\"", "'", ",", ";", ")") and rest:
        trail = rest[-1] + trail
        rest = rest[:-1]
    if not rest or rest == REDACTED:
        return token
    return token[:start] + lead + REDACTED + trail


def _opens_quote(token):
    """The quote char if ``token`` starts a quoted value that it does not close."""
    if token and token[0] in _QUOTES:
        quote = token[0]
        if len(token) == 1 or not token.endswith(quote) or token == quote:
            return quote
    return None


def _redact_env_assignments(token):
    """NAME=value pieces inside a token (``DB_PASSWORD=x``, ``Environment="A=1 TOKEN=y"``)."""
    if "=" not in token:
        return token, False
    out = []
    pos = 0
    changed = False
    while True:
        eq = token.find("=", pos)
        if eq < 0:
            out.append(token[pos:])
            break
        # walk back over name characters
        begin = eq
        while begin > pos and token[begin - 1] in _NAME_CHARS and eq - begin < 128:
            begin -= 1
        name = token[begin:eq]
        if name and not name[0].isdigit() and _secret_env_name(name):
            out.append(token[pos:eq + 1])
            value_end = len(token)
            redacted = _redact_value_in(token[eq + 1:value_end], 0)
            out.append(redacted)
            changed = changed or redacted != token[eq + 1:value_end]
            pos = value_end
            out.append("")
            break
        out.append(token[pos:eq + 1])
        pos = eq + 1
    return "".join(out), changed


def _redact_url_userinfo(token):
    """scheme://user:password@host -> scheme://user:<redacted>@host, and scheme://token@host ->
    scheme://<redacted>@host unless the scheme logs in by name (ssh ...): every URL in a token."""
    if "://" not in token or "@" not in token:
        return token
    out = []
    pos = 0
    while True:
        sep = token.find("://", pos)
        if sep < 0:
            out.append(token[pos:])
            break
        auth_start = sep + 3
        # the authority ends at the first '/', '?' or '#'
        end = len(token)
        for ch in "/?#":
            found = token.find(ch, auth_start)
            if 0 <= found < end:
                end = found
        at = token.rfind("@", auth_start, end)
        if at >= 0:
            colon = token.find(":", auth_start, at)
            if colon >= 0 and colon + 1 < at and token[colon + 1:at] != REDACTED:
                out.append(token[pos:colon + 1])
                out.append(REDACTED)
                pos = at
                out.append(token[pos:end])
                pos = end
                continue
            if colon < 0 and auth_start < at and token[auth_start:at] != REDACTED \
                    and _scheme_before(token, sep).lower() not in LOGIN_NAME_SCHEMES:
                out.append(token[pos:auth_start])
                out.append(REDACTED)
                pos = at
                out.append(token[pos:end])
                pos = end
                continue
        out.append(token[pos:end])
        pos = end
        if end >= len(token):
            break
    return "".join(out)


def _scheme_before(token, sep):
    """The URL scheme that ends at token[sep] ("://"): letters, digits, '+', '.', '-'."""
    begin = sep
    while begin > 0 and sep - begin < 32 and (token[begin - 1].isalnum() or token[begin - 1] in "+.-"):
        begin -= 1
    return token[begin:sep]


def _redact_shapes(token):
    if not any(prefix in token for prefix in TOKEN_SHAPE_PREFIXES):
        return token
    return TOKEN_SHAPES.sub(REDACTED, token)


def _redact_pieces(text):
    """Secret assignments, URL userinfo and token shapes inside one token or an option's value
    (all of them: "https://u:pw@hDB_PASSWORD=x" loses both) -> (text, an assignment was redacted)."""
    new, changed = _redact_env_assignments(text)
    return _redact_shapes(_redact_url_userinfo(new)), changed


def _option_split(token):
    """(dashes, name, has_eq, value_start) of ``--name[=value]`` / ``-name[=value]``, or None."""
    if not token.startswith("-") or token.startswith("---"):
        return None
    dashes = 2 if token.startswith("--") else 1
    i = dashes
    limit = min(len(token), dashes + 64)
    while i < limit and token[i] in _OPT_CHARS:
        i += 1
    name = token[dashes:i]
    if not name or not (name[0].isalpha()):
        return None
    if i < len(token) and token[i] == "=":
        return dashes, name, True, i + 1
    if i == len(token):
        return dashes, name, False, None
    return None


def _is_scheme_word(token):
    return _strip_quotes(token).lower() in ("bearer", "basic", "digest", "token", "negotiate",
                                            "ntlm")


# redact_tokens is a pure function of its tokens, and one audit passes the same strings through
# the gate several times (a Check's finding, then the runner's gate, the same paths in many
# findings): results are memoised, bounded in entries and in the size of what is kept.
_MEMO = {}
_TEXT_MEMO = {}      # redact(text), the same rule
_MEMO_MAX_ENTRIES = 8192
_MEMO_MAX_CHARS = 2048


def redact_tokens(tokens):
    """Redact a list of argv-like tokens (whitespace already split off). Returns a new list."""
    key = tuple(tokens)
    hit = _MEMO.get(key)
    if hit is not None:
        return list(hit)
    out = _redact_tokens(key)
    if len(_MEMO) < _MEMO_MAX_ENTRIES and sum(map(len, key)) <= _MEMO_MAX_CHARS:
        _MEMO[key] = tuple(out)
    return out


def _redact_tokens(tokens):
    out = list(tokens)
    n = len(out)
    mysql = redis_cli = False
    redact_next = 0      # how many following values to redact
    in_quote = None      # inside a quoted secret value spanning tokens
    pem = 0              # 1: inside a PEM header line, 2: inside the key body
    i = 0
    while i < n:
        tok = out[i]
        i += 1
        if not tok:
            continue
        if pem == 1:
            if tok.endswith("-----"):
                pem = 2
                continue
            if tok.isalpha() and tok.isupper():
                continue        # "RSA", "PRIVATE", "KEY" of the header line
            pem = 0             # not a PEM header after all: look at this token normally
        if pem == 2:
            if tok.startswith("-----END"):
                pem = 0
            elif tok != REDACTED:
                out[i - 1] = REDACTED
            continue
        if in_quote:
            if tok.strip(_QUOTES + ",;)"):
                out[i - 1] = _redact_value_in(tok, 0)
            if tok.rstrip(",;)").endswith(in_quote):
                in_quote = None
            continue
        if redact_next:
            if tok in ("=", ":"):
                continue
            redact_next -= 1
            nested = _option_split(_strip_quotes(tok)) if tok.startswith("-") else None
            if nested is not None and _secret_option_name(nested[1]):
                i -= 1          # "--password --token X": the next secret option, not a value
                continue
            out[i - 1] = _redact_value_in(tok, 0)
            in_quote = _opens_quote(tok)
            continue
        bare = _strip_quotes(tok)
        low = bare.lower()
        lead = len(tok) - len(tok.lstrip(_QUOTES))
        if len(bare) < 256:
            mysql = mysql or bool(PASSWORD_P_TOOLS.search(bare))
            redis_cli = redis_cli or bool(REDIS_CLI.search(bare))
        if bare.startswith(PEM_BEGIN):
            ahead = " ".join(out[i - 1:i + 5]).upper()
            if "PRIVATE KEY" in ahead:
                pem = 2 if tok.endswith("-----") and tok != PEM_BEGIN else 1
                continue
        if mysql and bare.startswith("-p") and len(bare) > 2 and not bare.startswith("--") \
                and bare[2:] != REDACTED:
            out[i - 1] = tok[:lead + 2] + REDACTED + tok[len(tok.rstrip(_QUOTES)):]
            continue
        opt = _option_split(bare) if bare.startswith("-") else None
        if opt is not None:
            dashes, name, has_eq, value_start = opt
            user_opt = (dashes == 2 and name == "user") or (dashes == 1 and name == "u")
            short_secret = (mysql and dashes == 1 and name == "p") or \
                (redis_cli and dashes == 1 and name == "a")
            named = _secret_option_name(name)
            if user_opt:
                target = i - 1 if has_eq else i
                if target < n and ":" in out[target][(lead + value_start) if has_eq else 0:]:
                    base = (lead + value_start) if has_eq else 0
                    colon = out[target].find(":", base)
                    out[target] = _redact_value_in(out[target], colon + 1)
                    i = target + 1
                continue
            if named and has_eq:
                out[i - 1] = _redact_value_in(tok, lead + value_start)
                in_quote = _opens_quote(tok[lead + value_start:])
                continue
            if named or short_secret:
                if short_secret and i < n and out[i].startswith("-"):
                    continue
                redact_next = 1
                continue
            if has_eq:
                # the value of any other option is looked into: "--env=DB_PASSWORD=x",
                # "--url=https://u:pw@h"
                value = tok[lead + value_start:]
                if _is_scheme_word(value):
                    redact_next = 1      # "--header=Bearer <token>", "-H=Basic <credentials>"
                    continue
                new, changed = _redact_pieces(value)
                out[i - 1] = tok[:lead + value_start] + new
                quote = _opens_quote(value) if changed else None
                if quote and not tok.rstrip(",;)").endswith(quote):
                    in_quote = quote
            continue
        if low.startswith(("authorization:", "proxy-authorization:")):
            colon = tok.find(":")
            glued = tok[colon + 1:]
            if glued.strip(_QUOTES):
                if _is_scheme_word(glued):
                    redact_next = 1
                else:
                    out[i - 1] = _redact_value_in(tok, colon + 1)
                continue
            if i < n and _is_scheme_word(out[i]):
                i += 1
            redact_next = 1
            continue
        word = low.rstrip(":=")
        if word in CONFIG_SECRET_WORDS or bare == "AUTH" or low == "bearer" or (
                low != word and "=" not in word and ":" not in word and word.isidentifier()
                and _secret_option_name(word)) or (
                word == low and i < n and out[i] in ("=", ":") and word.isidentifier()
                and _secret_option_name(word)):
            redact_next = 1
            continue
        # Neither an option nor a keyword: assignments, URLs, token shapes inside the token.
        out[i - 1], changed = _redact_pieces(tok)
        if changed:
            value = tok[tok.find("=") + 1:]
            quote = _opens_quote(value) or (tok[0] if lead else None)
            if quote and not tok.rstrip(",;)").endswith(quote):
                in_quote = quote
    return out


def redact(text):
    """``text`` with every secret replaced by ``<redacted>`` (whitespace kept as is)."""
    if not isinstance(text, str) or not text:
        return text
    hit = _TEXT_MEMO.get(text)
    if hit is not None:
        return hit
    parts = _WS_SPLIT.split(text)
    tokens = parts[0::2]
    redacted = redact_tokens(tokens)
    if redacted == tokens:
        out = text
    else:
        parts[0::2] = redacted
        out = "".join(parts)
    if len(_TEXT_MEMO) < _MEMO_MAX_ENTRIES and len(text) <= _MEMO_MAX_CHARS:
        _TEXT_MEMO[text] = out
    return out


# --- control and bidi characters --------------------------------------------------------

def _escape_table():
    table = {}
    for code in list(range(0, 32)) + [127] + list(range(0x80, 0xA0)):
        table[code] = "\\x%02x" % code
    for code in (0x061C, 0x200E, 0x200F, 0x2028, 0x2029) + tuple(range(0x202A, 0x202F)) \
            + tuple(range(0x2066, 0x206A)) + (0xFEFF,):
        table[code] = "\\u%04x" % code
    return table


_ESCAPES_ALL = _escape_table()
_ESCAPES_KEEP_LINES = dict(_ESCAPES_ALL)
del _ESCAPES_KEEP_LINES[ord("\n")]
del _ESCAPES_KEEP_LINES[ord("\t")]
_NEEDS_ESCAPE = re.compile(u"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def escape_controls(text, keep_newlines=True):
    """Control/bidi characters written as visible escapes (``\\x1b``, ``\\u202e``)."""
    if not isinstance(text, str) or not _NEEDS_ESCAPE.search(text):
        return text
    return text.translate(_ESCAPES_KEEP_LINES if keep_newlines else _ESCAPES_ALL)


def sanitize(text, keep_newlines=True):
    """The gate for one string: redacted, then control characters escaped."""
    return escape_controls(redact(text), keep_newlines)


def sanitize_value(value, depth=0, keep_newlines=True):
    """``value`` (str, list, dict ...) with every string passed through :func:`sanitize`.

    A list of strings is redacted as one argv (``["mysql", "--password", "x"]``); dict keys
    are sanitized too. Depth-limited (deeper values are returned as they are: the evidence
    bound already cuts them)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    if isinstance(value, str):
        return sanitize(value, keep_newlines)
    if depth > 32:
        return value
    if isinstance(value, dict):
        return dict((sanitize_value(k, depth + 1, keep_newlines) if isinstance(k, str) else k,
                     sanitize_value(v, depth + 1, keep_newlines)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        items = list(value)
        if items and all(isinstance(item, str) for item in items) and len(items) > 1:
            items = redact_tokens(items)
            return [escape_controls(item, keep_newlines) for item in items]
        return [sanitize_value(item, depth + 1, keep_newlines) for item in items]
    return value


def sanitize_finding(finding):
    """A finding as it may leave the target: subject on one line, every string redacted."""
    out = dict(finding)
    for key in ("subject", "evidence", "detail", "title"):
        if key in out:
            out[key] = sanitize_value(out[key], keep_newlines=(key != "subject"))
    return out
