#!/usr/bin/env bash
# System tools the tests need beyond Python: docker-compose (static validation of the
# deployment file) and Chromium (the public feed is tested in a real headless browser).
# Idempotent and quick when both are present.
set -euo pipefail
missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
