#!/usr/bin/env bash
# The browser tests drive Debian's chromium through Python playwright
# (executable_path), never a browser downloaded by `playwright install`.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
echo "chromium is missing: installing Debian's package (needs root and apt)"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
command -v chromium
