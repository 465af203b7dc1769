#!/usr/bin/env bash
# Install the Debian packages hostguard's tests and tools need; does nothing when present.
set -euo pipefail
PKGS=(podman runc debootstrap uidmap slirp4netns fuse-overlayfs redis-server lynis procps iproute2 python3-venv chromium shellcheck rpm)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system-deps: all present"
else
  echo "system-deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian's redis-server package starts a system instance on 127.0.0.1:6379; our tests start
# their own on free ports and never touch it.
