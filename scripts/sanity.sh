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
# The multi-Python tests (import, compile) run on every Python tests/config.yml allows (>= 3.8)
# up to the newest ansible-test knows: the pyenv Pythons, appended to PATH. A missing one fails
# here; ansible-test itself would skip it with only a warning.
for d in /root/.pyenv/versions/*/bin; do [ -d "$d" ] && PATH="$PATH:$d"; done
PY_DIR="$(dirname "$PY")"
export PATH="$PY_DIR:$PATH"
missing=""
for v in 3.8 3.9 3.10 3.11 3.12 3.13; do
  command -v "python$v" >/dev/null || missing="$missing python$v"
done
command -v shellcheck >/dev/null || missing="$missing shellcheck"
if [ -n "$missing" ]; then
  echo "sanity: not found on PATH:$missing (the import/compile tests need each Python; shellcheck: scripts/install-system-deps.sh)" >&2
  exit 2
fi
exec ansible-test sanity --local --color no "$@"
