#!/usr/bin/env bash
# Headless Chromium and its driver for the console's browser tests (tests/admin/test_browser.py),
# from Debian's packages: nothing is downloaded at test time. Idempotent: installs only when
# /usr/bin/chromium or /usr/bin/chromedriver is missing. Called by `make install-dev`.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: no apt-get here; install Chromium and chromedriver yourself" \
        "(the browser tests skip without them, except under CI)." >&2
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "install-browser: run as root (or with sudo) to install chromium and chromium-driver." >&2
    exit 1
fi
echo "install-browser: installing chromium and chromium-driver (Debian packages)"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq chromium chromium-driver
