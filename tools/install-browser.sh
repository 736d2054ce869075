#!/usr/bin/env bash
# Installs headless Chromium and its WebDriver from the Debian packages, for the browser test
# (tests/it/dashboard/browser.rs). Idempotent and quiet when both are already installed.
# Fails, with the reason, when it cannot install them: the browser test would then fail too.
# FRONTDESK_SKIP_BROWSER=1 skips that test instead (`.ci/run` then does not call this script).
set -euo pipefail

installed() {
    command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1
}

cannot() {
    echo "install-browser: $1" >&2
    echo "  fix: install Chromium and chromedriver yourself (Debian: apt-get install chromium chromium-driver), or set FRONTDESK_SKIP_BROWSER=1 to skip the browser test" >&2
    exit 1
}

if installed; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    cannot "no apt-get here, so Chromium cannot be installed from Debian packages"
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        cannot "not root and no sudo, so apt-get cannot install Chromium"
    fi
fi

echo "install-browser: installing chromium and chromium-driver (Debian packages)"
export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get update -qq; then
    cannot "apt-get update failed (see above)"
fi
if ! "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; then
    cannot "apt-get could not install chromium and chromium-driver (see above)"
fi
if ! installed; then
    cannot "chromium and chromium-driver are installed, but chromium or chromedriver is not on PATH"
fi
