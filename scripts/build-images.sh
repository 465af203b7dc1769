#!/usr/bin/env bash
# Build the systemd target images Molecule scenarios run on, from Debian packages only
# (no image registry is reachable on these machines). See docs/harness.md.
#
#   scripts/build-images.sh            build what is missing (every image below; one lane per
#                                      Debian suite, the lanes side by side)
#   scripts/build-images.sh bookworm   only that image
#   HG_IMAGES_FORCE=1 scripts/build-images.sh   rebuild even when present
#
# Each image gets two tags:
#   localhost/hostguard-<image>:pkgs-<hash>   content tag; <hash> covers suite, package list and
#                                             recipe version, so changing the list rebuilds
#   localhost/hostguard-<image>:1             the stable name scenarios use; re-pointed at the
#                                             current content tag on every run
# The debootstrap package cache and the scratch rootfs live under /var/lib/hostguard-images
# (outside the repository). The rootfs is deleted after a successful import; the .deb cache is kept.
set -euo pipefail

# python3: Ansible modules run with it. systemd/systemd-sysv: /sbin/init. The others are the
# things hostguard audits or remediates (sshd, redis-server, cron) and peers it is compared to
# (lynis). sudo is not included: scenarios connect as root through podman, never via become.
PACKAGES="python3,systemd,systemd-sysv,openssh-server,redis-server,cron,procps,iproute2,lynis"
# The cron daemon builds the real-daemon oracle runs (tests/integration/test_cron_oracle.py,
# docs/cron.md): Debian cron 3.0pl1 is in the two images above; these add Debian's cronie
# (trixie only; built to read /var/spool/cron/crontabs) and busybox crond (busybox-static: the
# plain `busybox` package has no crond applet; run by the unit
# busybox-crond.service that customize() writes).
CRON_BASE="python3,systemd,systemd-sysv,procps"
# image name -> "suite packages"
declare -A IMAGE_SUITE=([bookworm]=bookworm [trixie]=trixie [cronie-trixie]=trixie
                        [busybox-bookworm]=bookworm [services-bookworm]=bookworm [el-layout-trixie]=trixie
                        [openrc-bookworm]=bookworm)
declare -A IMAGE_PACKAGES=([bookworm]="$PACKAGES" [trixie]="$PACKAGES"
                           [cronie-trixie]="$CRON_BASE,cronie"
                           [busybox-bookworm]="$CRON_BASE,busybox-static"
                           [services-bookworm]="$PACKAGES,postfix,nginx-light,auditd"
                           [el-layout-trixie]="$CRON_BASE,openssh-server,redis-server,cronie,iproute2"
                           [openrc-bookworm]="python3,procps,openrc,busybox-static")
# el-layout-trixie: Debian packages arranged in the RHEL family's file layout (el_layout below):
# sshd.service, redis.service with /etc/redis.conf (EL8), cronie reading /var/spool/cron/<user>,
# /etc/sysconfig. molecule/el_layout runs the audit and the roles on it with vars/RedHat_8.yml.
# services-bookworm: the Lynis oracle's "host with services" configuration (postfix, nginx,
# auditd installed and running), built like bookworm since containers have no network.
# openrc-bookworm: no systemd at all; Debian's real openrc package (it Conflicts/Replaces sysv-rc,
# so debootstrap installs it instead) with sysvinit-core's /sbin/init as PID 1 (/etc/inittab runs
# /etc/init.d/rcS and /etc/init.d/rc, which openrc ships as calls to `openrc sysinit|boot|<level>`)
# and busybox-static (the plain `busybox` package has no crond applet). The OpenRC integration
# test (tests/integration/test_openrc_real.py) asks its rc-update/rc-status what is enabled.
# Order matters: images of one suite are built one after another (they share the suite's .deb
# cache), the two suites side by side, each lane in this order; the two images 11 of the 12
# Molecule scenarios need come first, then el_layout's, so Molecule can start while the rest build
# (HG_IMAGES_READY_DIR below).
IMAGES_DEFAULT=(bookworm trixie el-layout-trixie busybox-bookworm cronie-trixie services-bookworm openrc-bookworm)
# Bump when the steps after debootstrap change, so every image rebuilds.
RECIPE_VERSION=1
STABLE_TAG=1
# Unit files of the el-layout image (also read by tests/unit/.../redis/test_platform_layouts.py).
EL_LAYOUT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/el-layout"
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
  # $1 image name. The two original images keep their historical hash input (suite|packages|recipe).
  local extra=""
  case "$1" in bookworm|trixie) ;; *) extra="|$1|$(busybox_unit)" ;; esac
  [ "$1" != openrc-bookworm ] || extra="$extra|$(declare -f openrc_layout)"
  [ "$1" != el-layout-trixie ] || extra="$extra|$(declare -f el_layout)|$(cat "$EL_LAYOUT_DIR"/*)"
  printf '%s|%s|%s%s' "${IMAGE_SUITE[$1]}" "${IMAGE_PACKAGES[$1]}" "$RECIPE_VERSION" "$extra" \
    | sha256sum | cut -c1-12
}

busybox_unit() {
  # busybox has no init integration for crond: a unit runs it in the foreground, logging to
  # syslog (journald) at level 0 (most verbose: "crond: user:NAME entry:..." and load errors).
  cat <<'UNIT'
[Unit]
Description=busybox crond (hostguard cron oracle)
After=systemd-journald.socket

[Service]
ExecStartPre=/bin/mkdir -p /var/spool/cron/crontabs
ExecStart=/bin/busybox crond -f -l 0 -c /var/spool/cron/crontabs
Restart=on-failure

[Install]
WantedBy=multi-user.target
UNIT
}

stop_signal() {
  # systemd stops on SIGRTMIN+3; sysvinit's init ignores it and goes down on SIGTERM... which
  # PID 1 ignores too, so podman stop falls back to SIGKILL after its timeout: use SIGKILL at once.
  case "$1" in openrc-*) echo SIGKILL ;; *) echo SIGRTMIN+3 ;; esac
}

image_exists() { podman image exists "$1" 2>/dev/null; }

build_one() {
  local image=$1 suite hash name content stable rootfs cache start packages
  suite=${IMAGE_SUITE[$image]:-}
  [ -n "$suite" ] || { log "$image: unknown image (known: ${IMAGES_DEFAULT[*]})"; return 1; }
  packages=${IMAGE_PACKAGES[$image]}
  hash=$(content_hash "$image")
  name="localhost/hostguard-$image"
  content="$name:pkgs-$hash"
  stable="$name:$STABLE_TAG"
  mkdir -p "$WORKDIR/cache/$suite" "$WORKDIR/rootfs" "$WORKDIR/locks"
  # One builder per suite at a time, even across worktrees building concurrently.
  exec {lock}>"$WORKDIR/locks/$suite.lock"
  flock "$lock"
  if image_exists "$content" && [ -z "${HG_IMAGES_FORCE:-}" ]; then
    podman tag "$content" "$stable"
    log "$image: present as $content (tagged $stable)"
    return 0
  fi
  start=$(date +%s)
  rootfs="$WORKDIR/rootfs/$image-$hash"
  cache="$WORKDIR/cache/$suite"
  # a build stopped inside openrc_layout leaves /proc mounted in its rootfs: never walk into it
  umount -R "$rootfs/proc" 2>/dev/null || true
  rm -rf "$rootfs"
  log "$image: debootstrap $suite from $(mirror) into $rootfs"
  if ! debootstrap --variant=minbase --include="$packages" --cache-dir="$cache" \
        "$suite" "$rootfs" "$(mirror)" >"$WORKDIR/rootfs/$image.log" 2>&1; then
    log "$image: debootstrap FAILED; last lines of $WORKDIR/rootfs/$image.log:"
    tail -n 30 "$WORKDIR/rootfs/$image.log" >&2
    return 1
  fi
  customize "$rootfs" "$image"
  log "$image: importing as $content"
  tar --numeric-owner --xattrs -C "$rootfs" -c . \
    | podman import --quiet --change 'CMD ["/sbin/init"]' --change "STOPSIGNAL $(stop_signal "$image")" \
        --message "hostguard $image suite=$suite packages=$packages recipe=$RECIPE_VERSION" - "$content" >/dev/null
  podman tag "$content" "$stable"
  rm -rf "$rootfs"
  log "$image: built $content (tagged $stable) in $(( $(date +%s) - start )) s"
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
  local root=$1 image=${2:-}
  # Slim the image: package cache and lists are not needed at run time.
  [ "$image" = openrc-bookworm ] || rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  # Units that cannot work in an unprivileged container and only add noise or delay to boot.
  local unit
  if [ "$image" = openrc-bookworm ]; then
    openrc_layout "$root"
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    return 0
  fi
  for unit in systemd-remount-fs.service getty.target console-getty.service \
              sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
              systemd-udevd.service systemd-udev-trigger.service; do
    ln -sfn /dev/null "$root/etc/systemd/system/$unit"
  done
  # A machine-id is made at first boot; an empty file tells systemd to generate one.
  : >"$root/etc/machine-id"
  # Ansible's `setup` and the audit read /etc/os-release; nothing to do, debootstrap wrote it.
  if [ "$image" = el-layout-trixie ]; then
    el_layout "$root"
  fi
  if [ "$image" = busybox-bookworm ]; then
    mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
    busybox_unit >"$root/etc/systemd/system/busybox-crond.service"
    ln -sfn /etc/systemd/system/busybox-crond.service \
      "$root/etc/systemd/system/multi-user.target.wants/busybox-crond.service"
  fi
}

el_layout() {
  # The RHEL family's names and paths for what Debian's packages installed. Sources: openssh.spec
  # %files server and its sshd.service (Fedora/RHEL: EnvironmentFile=-/etc/sysconfig/sshd,
  # ExecStart=/usr/sbin/sshd -D $OPTIONS, ExecReload=/bin/kill -HUP $MAINPID); redis.spec %files
  # and redis.service of the EL8 streams (/etc/redis.conf, --daemonize no --supervised systemd,
  # User=redis, RuntimeDirectory=redis); cronie.spec %files (%attr(0700,root,root)
  # /var/spool/cron, crond.service). Debian's cronie reads /var/spool/cron/crontabs (its
  # SPOOL_DIR): a "crontabs -> ." link makes it read /var/spool/cron/<user> as the RHEL build
  # does (the same trick as the cron oracle's cronie_rhel).
  local root=$1 wants="$1/etc/systemd/system/multi-user.target.wants"
  mkdir -p "$wants" "$root/etc/sysconfig"
  # sshd: sshd.service, not Debian's ssh.service (masked; its sshd.service alias removed)
  rm -rf "$root/etc/systemd/system/sshd.service" "$wants/ssh.service" "$root"/etc/systemd/system/sshd*.wants
  ln -sfn /dev/null "$root/etc/systemd/system/ssh.service"
  ln -sfn /dev/null "$root/etc/systemd/system/ssh.socket"
  printf '# Configuration of sshd.service (RHEL layout)\nOPTIONS=""\n' >"$root/etc/sysconfig/sshd"
  cp "$EL_LAYOUT_DIR/sshd.service" "$root/etc/systemd/system/sshd.service"
  ln -sfn /etc/systemd/system/sshd.service "$wants/sshd.service"
  # redis: redis.service with /etc/redis.conf (EL8); Debian's redis-server.service masked
  mv "$root/etc/redis/redis.conf" "$root/etc/redis.conf"
  rm -rf "$root/etc/redis" "$wants/redis-server.service" "$root/etc/systemd/system/redis.service"
  ln -sfn /dev/null "$root/etc/systemd/system/redis-server.service"
  sed -i -e 's|^pidfile .*|pidfile /run/redis/redis.pid|' -e 's|^logfile .*|logfile /var/log/redis/redis.log|' \
    "$root/etc/redis.conf"
  # redis.spec: %attr(0640, redis, root) %config(noreplace) %{_sysconfdir}/redis.conf
  chown "$(awk -F: '$1 == "redis" {print $3}' "$root/etc/passwd")":0 "$root/etc/redis.conf"
  chmod 0640 "$root/etc/redis.conf"
  cp "$EL_LAYOUT_DIR/redis.service" "$root/etc/systemd/system/redis.service"
  ln -sfn /etc/systemd/system/redis.service "$wants/redis.service"
  # cronie: crond.service, spool /var/spool/cron/<user> root:root 0700
  rm -rf "$root/var/spool/cron/crontabs"
  ln -sfn . "$root/var/spool/cron/crontabs"
  chmod 0700 "$root/var/spool/cron"
  chown 0:0 "$root/var/spool/cron"
  sed -e 's/^Alias=.*//' "$root/usr/lib/systemd/system/cronie.service" >"$root/etc/systemd/system/crond.service"
  rm -f "$wants/cronie.service"
  ln -sfn /dev/null "$root/etc/systemd/system/cronie.service"
  ln -sfn /etc/systemd/system/crond.service "$wants/crond.service"
}

openrc_layout() {
  # No systemd in this image. A container has no consoles to run getty on: inittab keeps only
  # the sysinit/runlevel lines (rcS, rc 2) that start OpenRC; rc_sys=docker tells OpenRC it runs
  # in a container (keywords -docker skip the services that cannot work there).
  local root=$1
  # sysvinit-core Depends "sysv-rc | file-rc | openrc": debootstrap takes the first alternative
  # (sysv-rc, which openrc Conflicts with), so /sbin/init comes afterwards from apt in the chroot,
  # where openrc already satisfies it.
  mount -t proc proc "$root/proc"
  chroot "$root" apt-get install -y -q --no-install-recommends sysvinit-core \
    >>"$WORKDIR/rootfs/openrc-bookworm.log" 2>&1 || { umount "$root/proc"; return 1; }
  umount "$root/proc"
  sed -i -e 's/^\([0-9]*:[0-9]*:respawn:\/sbin\/getty.*\)/#\1/' "$root/etc/inittab"
  if grep -q '^#\?rc_sys=' "$root/etc/rc.conf"; then
    sed -i -e 's/^#\?rc_sys=.*/rc_sys="docker"/' "$root/etc/rc.conf"
  else
    echo 'rc_sys="docker"' >>"$root/etc/rc.conf"
  fi
  : >"$root/etc/machine-id"
}

main() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "build-images: must run as root (debootstrap)" >&2
    exit 1
  fi
  command -v debootstrap >/dev/null || { echo "build-images: debootstrap missing (make system-deps)" >&2; exit 1; }
  command -v podman >/dev/null || { echo "build-images: podman missing (make system-deps)" >&2; exit 1; }
  local images=("$@")
  [ ${#images[@]} -gt 0 ] || images=("${IMAGES_DEFAULT[@]}")
  local pids=() rc=0 image i suite suites=() lane
  # One lane per suite (images of a suite share its .deb cache and its lock), lanes side by
  # side, a lane's images in the order given. With HG_IMAGES_READY_DIR set, each image leaves
  # <dir>/<image> when it is there (built or present) or <dir>/<image>.failed, so a consumer can
  # start on the images it needs while the others build (scripts/run-molecule.sh does).
  for image in "${images[@]}"; do
    suite=${IMAGE_SUITE[$image]:-unknown}
    case " ${suites[*]} " in *" $suite "*) ;; *) suites+=("$suite") ;; esac
  done
  if [ -n "${HG_IMAGES_READY_DIR:-}" ]; then
    # <dir>/.exit holds this build's exit status once it has ended (also when stopped by
    # SIGTERM), so a waiter never depends on `kill -0` of an orphan that may sit as a zombie
    mkdir -p "$HG_IMAGES_READY_DIR"
    rm -f "$HG_IMAGES_READY_DIR/.exit"
    trap 'echo $? > "$HG_IMAGES_READY_DIR/.exit"' EXIT
  fi
  for suite in "${suites[@]}"; do
    (
      lane=0
      for image in "${images[@]}"; do
        [ "${IMAGE_SUITE[$image]:-unknown}" = "$suite" ] || continue
        # a subshell per image: build_one's lock is released when it ends; started as a job
        # and waited for, so `set -e` still holds inside it (it would not in an `if` test)
        build_one "$image" &
        if wait $!; then
          [ -z "${HG_IMAGES_READY_DIR:-}" ] || : >"$HG_IMAGES_READY_DIR/$image"
        else
          log "$image: FAILED"
          [ -z "${HG_IMAGES_READY_DIR:-}" ] || : >"$HG_IMAGES_READY_DIR/$image.failed"
          lane=1
        fi
      done
      exit $lane
    ) &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || rc=1
  done
  exit $rc
}

main "$@"
