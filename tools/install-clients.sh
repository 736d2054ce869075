#!/usr/bin/env bash
# Installs the other Discord clients the simulator is tested with
# (tests/it/sim_protocol/clients.rs): discord.py in a Python venv and discord.js under an npm
# prefix, both in target/clients/, at the versions pinned in tests/clients/. Needs python3
# (with venv) and npm, installed from Debian's packages when missing (as root or with sudo),
# and PyPI and the npm registry. Idempotent: quiet and quick when the
# pinned versions are already there.
#
# FRONTDESK_SKIP_CLIENTS=1 skips the install, and the client tests say they are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${FRONTDESK_SKIP_CLIENTS:-}" = "1" ]; then
    echo "install-clients: FRONTDESK_SKIP_CLIENTS=1, not installing discord.py and discord.js" >&2
    exit 0
fi

spec=tests/clients
dir="${CARGO_TARGET_DIR:-$PWD/target}/clients"
mkdir -p "$dir"

# A missing python3 or npm comes from Debian's packages, as the browser does.
need() {
    if command -v "$1" >/dev/null 2>&1; then
        return
    fi
    local as_root=()
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    fi
    if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || [ ${#as_root[@]} -gt 0 ]; }; then
        echo "install-clients: installing $3 (Debian packages)"
        export DEBIAN_FRONTEND=noninteractive
        "${as_root[@]}" apt-get update -qq &&
            "${as_root[@]}" apt-get install -y -qq --no-install-recommends $3 >/dev/null || true
    fi
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "install-clients: $1 is missing; install $2, or set FRONTDESK_SKIP_CLIENTS=1 to skip the client tests" >&2
        exit 1
    fi
}

# A stamp holds the checksum of what was installed: a changed pin reinstalls.
stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

need python3 "Python 3 with venv (Debian: apt-get install python3-venv)" "python3 python3-venv"
py_sum=$(sha256sum "$spec/requirements.txt" | cut -d' ' -f1)
if ! stamp_ok "$dir/venv/.installed" "$py_sum"; then
    echo "install-clients: discord.py into $dir/venv"
    rm -rf "$dir/venv"
    python3 -m venv "$dir/venv"
    "$dir/venv/bin/pip" install --quiet --disable-pip-version-check --no-input \
        --requirement "$spec/requirements.txt"
    echo "$py_sum" > "$dir/venv/.installed"
fi

need npm "Node.js 18 or later with npm (Debian: apt-get install npm)" "nodejs npm"
js_sum=$(cat "$spec/package.json" "$spec/package-lock.json" | sha256sum | cut -d' ' -f1)
if ! stamp_ok "$dir/node/.installed" "$js_sum"; then
    echo "install-clients: discord.js into $dir/node"
    rm -rf "$dir/node"
    mkdir -p "$dir/node"
    cp "$spec/package.json" "$spec/package-lock.json" "$dir/node/"
    npm ci --prefix "$dir/node" --no-audit --no-fund --loglevel=error >/dev/null
    echo "$js_sum" > "$dir/node/.installed"
fi
