#!/usr/bin/env bash
# The local base image, for a machine that cannot pull images (an air-gapped district, or this
# project's CI): a minimal Debian bookworm with Python 3.11, made from Debian's own packages by
# debootstrap and imported into the container engine. Every image of ours builds on it with
# `--build-arg BASE_IMAGE=<name>` (README: "Building the images without a registry").
#
#   bash ops/local-base.sh [NAME] [MIRROR]
#
# NAME defaults to localhost/sogc-base:bookworm; MIRROR to the Debian mirror this machine's apt
# uses (/etc/apt/sources.list*), else deb.debian.org. ENGINE=docker imports into Docker instead
# of podman. Does nothing when NAME already exists (REBUILD=1 makes it again).
set -euo pipefail
name="${1:-localhost/sogc-base:bookworm}"
engine="${ENGINE:-podman}"
if [ -z "${REBUILD:-}" ] && "$engine" image inspect "$name" >/dev/null 2>&1; then
  echo "local base $name exists"
  exit 0
fi
mirror="${2:-}"
if [ -z "$mirror" ]; then
  # The first Debian archive apt is configured with, in either sources format.
  mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | grep -oE '(https?|file)://[^ ]+/debian/?( |$)' | head -n 1 | tr -d ' ')" || true
  mirror="${mirror:-http://deb.debian.org/debian}"
fi
command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
root="$(mktemp -d /var/tmp/sogc-base.XXXXXX)"
# debootstrap mounts /proc and /sys inside the tree while it works: never delete through a mount.
cleanup() {
  for m in proc sys dev/pts; do mountpoint -q "$root/$m" && umount -l "$root/$m"; done
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT
echo "debootstrap bookworm from $mirror into $root"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$root" "$mirror" >/dev/null
# What an image needs no copy of: apt's lists and caches, documentation, message translations.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
tar -C "$root" -c . | "$engine" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' - "$name" >/dev/null
echo "local base $name imported"
