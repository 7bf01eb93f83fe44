#!/usr/bin/env bash
# local.sh - run dir-dist with NP MPI ranks on this machine (Open MPI mpirun).
#
# Usage: launch/local.sh NP [dir-dist args...]
#
# Examples:
#   launch/local.sh 2
#   launch/local.sh 4 train --data .build/data/stsb-dir --bins 50 --label-range 0 5
#     (the STS-B-DIR features of benchmarks/data/make-stsb-dir.sh)
#
# Binary: $DIR_DIST, else `dir-dist` on PATH, else <repo>/.build/release/dir-dist.
# Adds --allow-run-as-root as root, --oversubscribe --bind-to none when NP > cores,
# and forwards OPENBLAS_NUM_THREADS / OMP_NUM_THREADS = max(1, cores / NP).
set -euo pipefail

np=${1:-}
if ! [[ $np =~ ^[0-9]+$ ]] || (( 10#$np < 1 )); then
    echo "error: NP must be a positive integer (usage: $0 NP [dir-dist args...])" >&2
    exit 2
fi
np=$((10#$np))
shift

# shellcheck source=launch/dir-dist-binary.sh
source "$(dirname "${BASH_SOURCE[0]}")/dir-dist-binary.sh"
bin=$(dir_dist_binary)
if [[ ! -x $bin ]]; then
    echo "error: dir-dist binary not found or not executable: $bin (set DIR_DIST or run swift build -c release)" >&2
    exit 2
fi

cores=$(nproc)
threads=$(( cores / np ))
(( threads < 1 )) && threads=1

opts=()
[[ $(id -u) -eq 0 ]] && opts+=(--allow-run-as-root)
(( np > cores )) && opts+=(--oversubscribe --bind-to none)
opts+=(-x "OPENBLAS_NUM_THREADS=$threads" -x "OMP_NUM_THREADS=$threads")

exec mpirun "${opts[@]}" -np "$np" "$bin" "$@"
