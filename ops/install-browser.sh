#!/usr/bin/env bash
# Install Debian's chromium for the notify service's headless-browser test of the public
# announcement feed. Idempotent: returns at once when chromium is already on PATH.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    echo "chromium present: $(command -v chromium)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium
command -v chromium
