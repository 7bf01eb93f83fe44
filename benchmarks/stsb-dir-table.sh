#!/usr/bin/env bash
# stsb-dir-table.sh - the README's STS-B-DIR comparison: vanilla, reweighting,
# LDS, FDS (raw and calibrated statistics, two clip ranges) and LDS+FDS, 3 seeds each, MLP 768-256-256-1, Adam 1e-3,
# global batch 128 (2 ranks x 64), 30 epochs, MSE, 50 bins over [0, 5], model
# chosen on dev (--select best). Writes runs/stsb-dir/NAME-sSEED/ and prints the
# markdown table (benchmarks/summarize.py).
#
# Usage: benchmarks/stsb-dir-table.sh [DATA_DIR]    (default ../shared/datasets/stsb-dir)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data=${1:-$repo/../shared/datasets/stsb-dir}
out=${OUT:-$repo/runs/stsb-dir}
export DIR_DIST=${DIR_DIST:-$repo/.build/release/dir-dist}
common=(--data "$data" --bins 50 --label-range 0 5 --hidden 256,256 --optimizer adam --lr 1e-3
        --batch-size 64 --epochs 30 --loss mse --select best)
declare -A configs=(
    [vanilla]=""
    [inverse]="--reweight inverse"
    [sqrt_inv]="--reweight sqrt_inv"
    [inverse+lds]="--reweight inverse --lds"
    [sqrt_inv+lds]="--reweight sqrt_inv --lds"
    [fds]="--fds"
    [fds-calibrated]="--fds --fds-stats calibrated"
    [fds-clip0.5-2]="--fds --fds-clip 0.5 2"
    [sqrt_inv+lds+fds]="--reweight sqrt_inv --lds --fds"
)
names=(vanilla inverse sqrt_inv inverse+lds sqrt_inv+lds fds fds-calibrated fds-clip0.5-2 sqrt_inv+lds+fds)
for name in "${names[@]}"; do
    for seed in 0 1 2; do
        dir=$out/$name-s$seed
        [[ -f $dir/metrics.jsonl ]] && continue
        # shellcheck disable=SC2086
        "$repo/launch/local.sh" 2 "${common[@]}" ${configs[$name]} --seed "$seed" --out "$dir" >/dev/null
    done
done
python3 "$repo/benchmarks/summarize.py" "$out" "${names[@]}"
