#!/usr/bin/env bash
# System tools the tests need beyond Python: docker-compose (static validation of the
# deployment file, and `make compose-test` against podman), Chromium (the public feed is tested
# in a real headless browser), podman with runc and debootstrap (`make compose-test` builds a
# local base image and runs the stack in containers).
# Idempotent and quick when both are present.
set -euo pipefail
missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v podman >/dev/null 2>&1 || missing+=(podman netavark aardvark-dns iptables)
command -v runc >/dev/null 2>&1 || missing+=(runc)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
