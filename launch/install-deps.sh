#!/usr/bin/env bash
# install-deps.sh - install what dir-dist needs from Debian, if it is missing:
# OpenMPI (libopenmpi-dev, openmpi-bin), OpenBLAS (libopenblas-dev), pkg-config, and
# Chromium (chromium), the headless browser the report tests load `dir-dist report` in.
# Swift 6 itself is expected on PATH. Uses sudo when not root. Idempotent.
set -euo pipefail

packages=(libopenmpi-dev openmpi-bin libopenblas-dev pkg-config chromium)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} > 0 )); then
    sudo=""
    (( $(id -u) == 0 )) || sudo="sudo"
    echo "installing: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "error: swift not found on PATH (Swift 6 toolchain needed)" >&2; exit 1; }
