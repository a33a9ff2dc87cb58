#!/usr/bin/env bash
# Installs the Debian packages Tessera builds and runs with (MPICH, hwloc, pkg-config; SQLite for
# the capacity store, gnuplot for its plots, Chromium for the test that opens its HTML), plus any
# package names given as arguments, skipping all of it when everything is already there.
# Uses sudo when not root; needs no input, so it runs in CI.
set -euo pipefail

packages=(mpich libmpich-dev hwloc libhwloc-dev pkg-config libsqlite3-dev gnuplot-nox chromium "$@")

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

ready() {
    command -v pkg-config >/dev/null && pkg-config --exists mpich hwloc sqlite3 && command -v mpirun >/dev/null \
        && command -v gnuplot >/dev/null && command -v chromium >/dev/null \
        && for extra in "$@"; do installed "$extra" || command -v "$extra" >/dev/null || return 1; done
}

if ready "$@"; then
    exit 0
fi

missing=()
for package in "${packages[@]}"; do
    installed "$package" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: packages are installed but pkg-config or mpirun cannot find them; check PATH and PKG_CONFIG_PATH" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null; then
    echo "install-deps: no apt-get here; install these yourself: ${missing[*]}" >&2
    exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
