#!/usr/bin/env bash
# quickstart.sh - on a fresh machine: install the missing Debian packages that training
# needs (launch/install-deps.sh training: OpenMPI, OpenBLAS, pkg-config; nothing the
# tests need), build dir-dist in release mode, and train on the embedded Abalone data
# set with 2 ranks. For the test suite and what it needs, use launch/test.sh.
#
# Usage: launch/quickstart.sh [dir-dist args...]     (e.g. --epochs 10)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
launch/install-deps.sh training
swift build -c release
DIR_DIST="$repo/.build/release/dir-dist" exec launch/local.sh 2 "$@"
