#!/usr/bin/env bash
# Build the systemd target images Molecule scenarios run on, from Debian packages only
# (no image registry is reachable on these machines). See docs/harness.md.
#
#   scripts/build-images.sh            build what is missing (bookworm and trixie, in parallel)
#   scripts/build-images.sh bookworm   only that suite
#   HG_IMAGES_FORCE=1 scripts/build-images.sh   rebuild even when present
#
# Each image gets two tags:
#   localhost/hostguard-<suite>:pkgs-<hash>   content tag; <hash> covers suite, package list and
#                                             recipe version, so changing the list rebuilds
#   localhost/hostguard-<suite>:1             the stable name scenarios use; re-pointed at the
#                                             current content tag on every run
# The debootstrap package cache and the scratch rootfs live under /var/lib/hostguard-images
# (outside the repository). The rootfs is deleted after a successful import; the .deb cache is kept.
set -euo pipefail

SUITES_DEFAULT=(bookworm trixie)
# python3: Ansible modules run with it. systemd/systemd-sysv: /sbin/init. The others are the
# things hostguard audits or remediates (sshd, redis-server, cron) and peers it is compared to
# (lynis). sudo is not included: scenarios connect as root through podman, never via become.
PACKAGES="python3,systemd,systemd-sysv,openssh-server,redis-server,cron,procps,iproute2,lynis"
# Bump when the steps after debootstrap change, so every image rebuilds.
RECIPE_VERSION=1
STABLE_TAG=1
WORKDIR="${HG_IMAGES_DIR:-/var/lib/hostguard-images}"

log() { printf '[build-images %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

mirror() {
  # The mirror apt already uses on this machine (deb822 or one-line sources), else deb.debian.org.
  if [ -n "${HG_DEBIAN_MIRROR:-}" ]; then echo "$HG_DEBIAN_MIRROR"; return; fi
  local uri=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    uri=$(awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i}' /etc/apt/sources.list.d/*.sources \
          | grep -E '/debian/?$' | head -n1 || true)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) { print $i; break } }' \
          /etc/apt/sources.list | grep -E '/debian/?$' | head -n1 || true)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

content_hash() {
  printf '%s|%s|%s' "$1" "$PACKAGES" "$RECIPE_VERSION" | sha256sum | cut -c1-12
}

image_exists() { podman image exists "$1" 2>/dev/null; }

build_one() {
  local suite=$1 hash name content stable rootfs cache start
  hash=$(content_hash "$suite")
  name="localhost/hostguard-$suite"
  content="$name:pkgs-$hash"
  stable="$name:$STABLE_TAG"
  mkdir -p "$WORKDIR/cache/$suite" "$WORKDIR/rootfs" "$WORKDIR/locks"
  # One builder per suite at a time, even across worktrees building concurrently.
  exec {lock}>"$WORKDIR/locks/$suite.lock"
  flock "$lock"
  if image_exists "$content" && [ -z "${HG_IMAGES_FORCE:-}" ]; then
    podman tag "$content" "$stable"
    log "$suite: present as $content (tagged $stable)"
    return 0
  fi
  start=$(date +%s)
  rootfs="$WORKDIR/rootfs/$suite-$hash"
  cache="$WORKDIR/cache/$suite"
  rm -rf "$rootfs"
  log "$suite: debootstrap from $(mirror) into $rootfs"
  if ! debootstrap --variant=minbase --include="$PACKAGES" --cache-dir="$cache" \
        "$suite" "$rootfs" "$(mirror)" >"$WORKDIR/rootfs/$suite.log" 2>&1; then
    log "$suite: debootstrap FAILED; last lines of $WORKDIR/rootfs/$suite.log:"
    tail -n 30 "$WORKDIR/rootfs/$suite.log" >&2
    return 1
  fi
  customize "$rootfs"
  log "$suite: importing as $content"
  tar --numeric-owner --xattrs -C "$rootfs" -c . \
    | podman import --quiet --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' \
        --message "hostguard $suite packages=$PACKAGES recipe=$RECIPE_VERSION" - "$content" >/dev/null
  podman tag "$content" "$stable"
  rm -rf "$rootfs"
  log "$suite: built $content (tagged $stable) in $(( $(date +%s) - start )) s"
  # Drop older content tags of this suite (other package lists); ignore images still in use.
  local old
  for old in $(podman images --format '{{.Repository}}:{{.Tag}}' "$name" 2>/dev/null); do
    case "$old" in
      *":pkgs-$hash") ;;
      *":pkgs-"*) podman rmi "$old" >/dev/null 2>&1 || true ;;
    esac
  done
}

customize() {
  local root=$1
  # Slim the image: package cache and lists are not needed at run time.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  # Units that cannot work in an unprivileged container and only add noise or delay to boot.
  local unit
  for unit in systemd-remount-fs.service getty.target console-getty.service \
              sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
              systemd-udevd.service systemd-udev-trigger.service; do
    ln -sfn /dev/null "$root/etc/systemd/system/$unit"
  done
  # A machine-id is made at first boot; an empty file tells systemd to generate one.
  : >"$root/etc/machine-id"
  # Ansible's `setup` and the audit read /etc/os-release; nothing to do, debootstrap wrote it.
}

main() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "build-images: must run as root (debootstrap)" >&2
    exit 1
  fi
  command -v debootstrap >/dev/null || { echo "build-images: debootstrap missing (make system-deps)" >&2; exit 1; }
  command -v podman >/dev/null || { echo "build-images: podman missing (make system-deps)" >&2; exit 1; }
  local suites=("$@")
  [ ${#suites[@]} -gt 0 ] || suites=("${SUITES_DEFAULT[@]}")
  local pids=() rc=0 suite i
  for suite in "${suites[@]}"; do
    build_one "$suite" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      log "${suites[$i]}: FAILED"
      rc=1
    fi
  done
  exit $rc
}

main "$@"
