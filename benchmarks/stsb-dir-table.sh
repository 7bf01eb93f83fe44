#!/usr/bin/env bash
# stsb-dir-table.sh - the STS-B-DIR comparison of docs/results.md: vanilla, reweighting,
# LDS, FDS and LDS+FDS, 3 seeds each, MLP 768-256-256-1, Adam 1e-3, global batch 128
# (2 ranks x 64), 30 epochs, MSE, 50 bins over [0, 5], model chosen on dev (--select
# best), dir-dist's defaults otherwise (standardised features and targets, FDS
# statistics online). The last row is the reference's own setup: raw features and
# targets, the last epoch's model. Writes runs/stsb-dir/NAME-sSEED/ and prints the
# markdown table (benchmarks/summarize.py).
#
# The ensemble rows (--ensemble 8, TabM-mini without an embedding: the preset's
# piecewise-linear encoding would give 768 dense features 36,864 input columns) ask
# whether the tabular preset's ensemble helps on STS-B.
#
# Usage: [NAMES="vanilla ensemble8"] benchmarks/stsb-dir-table.sh [DATA_DIR]
#   DATA_DIR: the full STS-B-DIR features (default $STSB_DIR, else .build/data/stsb-dir,
#   built by benchmarks/data/make-stsb-dir.sh)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data=${1:-${STSB_DIR:-$repo/.build/data/stsb-dir}}
# shellcheck source=benchmarks/data/stsb-dir-path.sh
source "$repo/benchmarks/data/stsb-dir-path.sh"
require_stsb_dir "$data"
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
    [fds-ks9-s1]="--fds --fds-ks 9 --fds-sigma 1"
    [sqrt_inv+lds+fds]="--reweight sqrt_inv --lds --fds"
    [sqrt_inv+lds+fds-calibrated]="--reweight sqrt_inv --lds --fds --fds-stats calibrated"
    [denseweight]="--reweight denseweight"
    [reference-setup]="--standardize-features no --target-scaling none --select last"
    [ensemble8]="--ensemble 8"
    [ensemble8+denseweight]="--ensemble 8 --reweight denseweight"
)
all=(vanilla inverse sqrt_inv inverse+lds sqrt_inv+lds denseweight fds fds-ks9-s1 sqrt_inv+lds+fds
     sqrt_inv+lds+fds-calibrated reference-setup ensemble8 ensemble8+denseweight)
# NAMES="vanilla ensemble8" runs and prints those rows only.
read -r -a names <<<"${NAMES:-${all[*]}}"
for name in "${names[@]}"; do
    for seed in 0 1 2; do
        dir=$out/$name-s$seed
        [[ -f $dir/metrics.jsonl ]] && continue
        # shellcheck disable=SC2086
        "$repo/launch/local.sh" 2 "${common[@]}" ${configs[$name]} --seed "$seed" --out "$dir" >/dev/null
    done
done
python3 "$repo/benchmarks/summarize.py" "$out" "${names[@]}"
