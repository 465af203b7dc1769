#!/usr/bin/env bash
# Run `ansible-test sanity` on this collection, offline (scripts/sanity-bootstrap.sh), from a copy
# laid out as ansible_collections/hostguard/hardening (ansible-test needs that path; the repo's
# .collections link resolves back to the repo, which it refuses). Tracked and new, not ignored,
# files are copied. Extra arguments go to ansible-test (e.g. --test pep8).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-$REPO/.venv/bin/python}"
"$REPO/scripts/sanity-bootstrap.sh" "$PY" >/dev/null
# The copy lives OUTSIDE the checkout: inside it, ansible-test asks git for the targets, finds the
# copy git-ignored (.cache/) and skips every target ("All targets skipped") yet exits 0.
WORK="${HG_SANITY_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/hg-sanity-XXXXXX")}"
case "$WORK/" in
  "$REPO"/*) echo "sanity: HG_SANITY_DIR must be outside the checkout ($REPO)" >&2; exit 2 ;;
esac
DEST="$WORK/ansible_collections/hostguard/hardening"
rm -rf "$WORK"
mkdir -p "$DEST"
trap 'rm -rf "$WORK"' EXIT
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
LOG="$WORK.log"
rc=0
ansible-test sanity --local --color no "$@" 2>&1 | tee "$LOG" || rc=$?
# A run that tested nothing is a failure, never a pass.
if grep -q "All targets skipped" "$LOG"; then
  echo "sanity: ansible-test skipped every target: nothing was tested" >&2
  rc=2
fi
rm -f "$LOG"
exit $rc
