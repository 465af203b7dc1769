#!/usr/bin/env bash
# Run every Molecule scenario under molecule/ (`molecule test -s <name>`), print a pass/fail
# summary with times, exit non-zero if any scenario fails.
#
#   scripts/run-molecule.sh                 all scenarios (every molecule/*/molecule.yml)
#   scripts/run-molecule.sh audit_seed000   only these
#
# Uses the project's containers.conf (runc, settable ulimits), the checkout as the collection
# (.collections link) and a per-checkout container-name suffix so parallel checkouts on one
# machine never share or remove each other's containers. Leftover containers of this
# checkout (from an interrupted run) are removed before and after.
#   HG_MOLECULE_JOBS     scenarios side by side (default 2)
#   HG_IMAGES_READY_DIR  start each scenario once its images are marked ready there (make test)
#   HG_IMAGES_PID        the image builder, so that wait ends with it
#   HG_MOLECULE_LOGS     where each scenario's log and result go (default .cache/molecule-logs)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD

export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/molecule/containers.conf}"
export ANSIBLE_COLLECTIONS_PATH="$ROOT/.collections"
export ANSIBLE_CONFIG="${ANSIBLE_CONFIG:-$ROOT/ansible.cfg}"
export MOLECULE_NO_LOG="${MOLECULE_NO_LOG:-false}"
# Same checkout -> same suffix; another checkout -> another one.
export HG_MOLECULE_SUFFIX="${HG_MOLECULE_SUFFIX:--$(printf '%s' "$ROOT" | sha256sum | cut -c1-8)}"

# Molecule from the venv that runs this (make puts .venv/bin first on PATH).
MOLECULE=${MOLECULE:-$(command -v molecule || true)}
if [ -z "$MOLECULE" ]; then
  echo "run-molecule: molecule not found on PATH (make venv)" >&2
  exit 2
fi
mkdir -p .collections/ansible_collections/hostguard
# Ansible reaches every scenario's containers over ssh with pipelining, through an `sshd -i`
# started in the container by molecule/shared/podman-sshd-proxy.sh (no network, nothing written
# in the container): a module costs one multiplexed ssh channel instead of the 4-5 `podman exec`
# calls of the podman connection (15 file tasks: 20 s wall / 8.5 s CPU over podman, 5-6 s /
# 1.3-1.8 s over the proxy). One key per checkout, made here, accepted by that sshd only.
SSH_KEY_DIR="$ROOT/.cache/molecule-ssh"
if [ ! -s "$SSH_KEY_DIR/id_ed25519" ]; then
  install -d -m 0700 "$SSH_KEY_DIR"
  rm -f "$SSH_KEY_DIR/id_ed25519" "$SSH_KEY_DIR/id_ed25519.pub"
  ssh-keygen -q -t ed25519 -N '' -C hostguard-molecule -f "$SSH_KEY_DIR/id_ed25519" || exit 2
fi
[ -L .collections/ansible_collections/hostguard/hardening ] \
  || ln -sfn ../../.. .collections/ansible_collections/hostguard/hardening

scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
  for f in molecule/*/molecule.yml; do
    [ -e "$f" ] || continue
    d=$(dirname "$f")
    # A scenario that has never passed end to end is named, loudly, and not run by default
    # (never counted as passed); run it by name: scripts/run-molecule.sh journey.
    if [ -f "$d/NOT_YET_PASSING" ]; then
      echo "NOTE: molecule scenario $(basename "$d") is not run by default: $(head -n1 "$d/NOT_YET_PASSING")"
      continue
    fi
    scenarios+=("$(basename "$d")")
  done
fi
# Longest first (seconds, session 8, every scenario over the ssh proxy, load 5-8: journey 934,
# el_layout 472, baseline_hardening 375, ssh_hardening 338; the rest 90-262), so the
# side-by-side slots end together.
ordered=()
for s in journey el_layout baseline_hardening ssh_hardening; do
  for t in "${scenarios[@]}"; do [ "$t" = "$s" ] && ordered+=("$s"); done
done
for t in "${scenarios[@]}"; do
  case " ${ordered[*]} " in *" $t "*) ;; *) ordered+=("$t") ;; esac
done
scenarios=("${ordered[@]}")
if [ ${#scenarios[@]} -eq 0 ]; then
  echo "run-molecule: no scenarios under molecule/" >&2
  exit 2
fi

cleanup_leftovers() {
  # Containers Molecule made (label owner=molecule) whose name carries this checkout's suffix.
  local ids
  ids=$(podman ps -a --filter label=owner=molecule --format '{{.ID}} {{.Names}}' 2>/dev/null \
        | awk -v s="$HG_MOLECULE_SUFFIX" 'length($2) >= length(s) && substr($2, length($2) - length(s) + 1) == s {print $1}')
  if [ -n "$ids" ]; then
    # shellcheck disable=SC2086
    echo "run-molecule: removing leftover containers:" $ids
    # shellcheck disable=SC2086
    podman rm -f $ids >/dev/null 2>&1 || true
  fi
}
trap cleanup_leftovers EXIT
cleanup_leftovers

# Scenarios are independent (each names its containers after itself and this checkout), so up
# to HG_MOLECULE_JOBS of them run side by side (default 2: the containers mostly wait); each
# one's output goes to .cache/molecule-logs/<scenario>.log and is printed when it ends.
JOBS=${HG_MOLECULE_JOBS:-2}
LOGS="${HG_MOLECULE_LOGS:-$ROOT/.cache/molecule-logs}"
mkdir -p "$LOGS"
declare -A result seconds
overall=0

run_one() {
  local s=$1 start rc
  start=$(date +%s)
  # Molecule keys its default state directory on the checkout's basename only; keep it inside
  # this checkout instead, so two checkouts with the same name never share state.
  export MOLECULE_EPHEMERAL_DIRECTORY="$ROOT/.cache/molecule/$s"
  if "$MOLECULE" test -s "$s" > "$LOGS/$s.log" 2>&1; then rc=PASS; else
    rc=FAIL
    # make sure a failed run does not leave its containers behind
    "$MOLECULE" destroy -s "$s" >/dev/null 2>&1 || true
  fi
  echo "$rc $(( $(date +%s) - start ))" > "$LOGS/$s.result"
}

# With HG_IMAGES_READY_DIR (make test sets it; scripts/build-images.sh leaves <dir>/<image> when
# an image is there, <dir>/<image>.failed when it failed) a scenario starts as soon as the images
# its molecule.yml names exist, while the others still build; HG_IMAGES_PID is the builder, so a
# wait cannot outlive it. Without it (a run by hand) the images are taken as they are.
images_of() {
  sed -n 's#^ *image: *localhost/hostguard-\([a-z0-9-]*\):[0-9a-z-]* *$#\1#p' "molecule/$1/molecule.yml" | sort -u
}
builder_ended() {
  [ -e "$HG_IMAGES_READY_DIR/.exit" ] && return 0
  [ -n "${HG_IMAGES_PID:-}" ] && ! kill -0 "$HG_IMAGES_PID" 2>/dev/null
}
# 0: every image of scenario $1 is there; 1: not yet; 2: one failed or the builder ended without it.
# A scenario whose molecule.yml names no image this can read waits for the whole build.
images_state() {
  local i missing=0 names
  [ -n "${HG_IMAGES_READY_DIR:-}" ] || return 0
  names=$(images_of "$1")
  if [ -z "$names" ]; then builder_ended && return 0; return 1; fi
  for i in $names; do
    if [ -e "$HG_IMAGES_READY_DIR/$i.failed" ]; then echo "image $i failed to build"; return 2; fi
    [ -e "$HG_IMAGES_READY_DIR/$i" ] || missing=1
  done
  [ $missing = 1 ] || return 0
  if builder_ended; then
    for i in $names; do
      [ -e "$HG_IMAGES_READY_DIR/$i" ] || { echo "image $i was not built (the image build ended)"; return 2; }
    done
    return 0
  fi
  return 1
}

running=0
pending=()
for s in "${scenarios[@]}"; do
  if [ ! -f "molecule/$s/molecule.yml" ]; then
    echo "run-molecule: no scenario molecule/$s" >&2
    result[$s]=MISSING; seconds[$s]=0; overall=1
    continue
  fi
  rm -f "$LOGS/$s.result"
  pending+=("$s")
done
# Longest first among the scenarios whose images are there; bounded: the builder's end (above)
# or 3 hours.
give_up=$(( $(date +%s) + 10800 ))
while [ ${#pending[@]} -gt 0 ]; do
  picked=""
  for idx in "${!pending[@]}"; do
    s=${pending[$idx]}
    state=0; why=$(images_state "$s") || state=$?
    if [ $state = 0 ]; then picked=$s; unset 'pending[idx]'; break; fi
    if [ $state = 2 ]; then
      echo "=== $s: not run: $why" | tee "$LOGS/$s.log"
      echo "FAIL 0" > "$LOGS/$s.result"
      unset 'pending[idx]'
    fi
  done
  pending=("${pending[@]}")
  if [ -z "$picked" ]; then
    [ ${#pending[@]} -gt 0 ] || break
    if [ "$(date +%s)" -ge "$give_up" ]; then
      for s in "${pending[@]}"; do
        echo "=== $s: not run: its images were not there after 3 hours" | tee "$LOGS/$s.log"
        echo "FAIL 0" > "$LOGS/$s.result"
      done
      break
    fi
    sleep 2
    continue
  fi
  echo "=== $(date -u +%H:%M:%S) molecule test -s $picked (suffix $HG_MOLECULE_SUFFIX; log $LOGS/$picked.log)"
  run_one "$picked" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

for s in "${scenarios[@]}"; do
  [ -n "${result[$s]:-}" ] && continue
  if [ -f "$LOGS/$s.result" ]; then
    read -r status took < "$LOGS/$s.result"
    result[$s]=$status
    seconds[$s]=$took
  else
    result[$s]=FAIL; seconds[$s]=0
  fi
  echo "=== $s: ${result[$s]} in ${seconds[$s]} s"
  if [ "${result[$s]}" = PASS ]; then tail -n 25 "$LOGS/$s.log"; else cat "$LOGS/$s.log"; overall=1; fi
done

echo
echo "=== Molecule summary"
for s in "${scenarios[@]}"; do
  printf '  %-6s %-30s %4ss\n' "${result[$s]}" "$s" "${seconds[$s]}"
done
exit $overall
