#!/usr/bin/env bash
# Run `ansible-test sanity` on this collection, offline (scripts/sanity-bootstrap.sh), from a copy
# laid out as ansible_collections/hostguard/hardening (ansible-test needs that path; the repo's
# .collections link resolves back to the repo, which it refuses). Tracked and new, not ignored,
# files are copied. Extra arguments go to ansible-test (e.g. --test pep8).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-$REPO/.venv/bin/python}"
"$REPO/scripts/sanity-bootstrap.sh" "$PY" >/dev/null
WORK="${HG_SANITY_DIR:-$REPO/.cache/sanity}"
DEST="$WORK/ansible_collections/hostguard/hardening"
rm -rf "$WORK"
mkdir -p "$DEST"
cd "$REPO"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] && printf '%s\0' "$f"
done | tar --null -T - -cf - | tar -xf - -C "$DEST"
cd "$DEST"
# Multi-Python import/compile tests use the pyenv Pythons when present.
for d in /root/.pyenv/versions/*/bin; do [ -d "$d" ] && PATH="$PATH:$d"; done
export PATH="$(dirname "$PY"):$PATH"
exec ansible-test sanity --local --python 3.11 --color no "$@"
