#!/usr/bin/env bash
# Installs headless Chromium and its WebDriver from the Debian packages, for the browser test
# (tests/it/dashboard/browser.rs). Idempotent and quiet when both are already installed.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: no apt-get here; install Chromium and chromedriver yourself to run the browser test" >&2
    exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        echo "install-browser: not root and no sudo; the browser test will be skipped" >&2
        exit 0
    fi
fi

echo "install-browser: installing chromium and chromium-driver (Debian packages)"
export DEBIAN_FRONTEND=noninteractive
# A failed install must not stop CI: the browser test then says loudly that it is skipped.
if ! "${as_root[@]}" apt-get update -qq ||
    ! "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; then
    echo "install-browser: apt-get could not install chromium and chromium-driver; the browser test will be skipped" >&2
    exit 0
fi
