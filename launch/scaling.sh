#!/usr/bin/env bash
# scaling.sh - a scaling experiment with `dir-dist bench`: P = 1, 2, 4, 8 ranks
# (oversubscribed where the machine has fewer cores), strong scaling (fixed global
# batch) and weak scaling (fixed per-rank batch), point-to-point latency and bandwidth,
# then a CSV, a markdown table and an SVG plot with an alpha-beta model of the
# allreduce that predicts efficiency at 16 to 1024 ranks (launch/scaling_report.py).
# When PyTorch is importable, benchmarks/pytorch_ddp.py runs the same model on the
# same ranks and the table gains the dir-dist / PyTorch throughput ratio.
#
# Usage: launch/scaling.sh [OUT_DIR]          (default runs/scaling)
# Environment: RANKS="1 2 4 8" FEATURES=768 HIDDEN=256,256 GLOBAL_BATCH=512
#              PER_RANK_BATCH=128 EPOCHS=2 DIR_DIST=<binary>
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$repo/runs/scaling}
ranks=${RANKS:-1 2 4 8}
features=${FEATURES:-768}
hidden=${HIDDEN:-256,256}
global=${GLOBAL_BATCH:-512}
per_rank=${PER_RANK_BATCH:-128}
epochs=${EPOCHS:-2}
export DIR_DIST=${DIR_DIST:-$repo/.build/release/dir-dist}
mkdir -p "$out"
rm -f "$out"/strong.csv "$out"/weak.csv "$out"/compute.csv "$out"/pytorch.csv
bench=(bench --features "$features" --hidden "$hidden" --epochs "$epochs" --rows $((global * 32)))
# Compute time per step at small per-rank batches, for the model's predictions.
for b in 16 32 64; do
    "$repo/launch/local.sh" 1 "${bench[@]}" --batch-size "$b" --csv "$out/compute.csv" >/dev/null
done
for p in $ranks; do
    echo "P=$p: strong (global batch $global), weak (per-rank batch $per_rank)" >&2
    "$repo/launch/local.sh" "$p" "${bench[@]}" --batch-size $((global / p)) --csv "$out/strong.csv" --ping-pong >/dev/null
    "$repo/launch/local.sh" "$p" "${bench[@]}" --batch-size "$per_rank" --csv "$out/weak.csv" >/dev/null
    if python3 -c "import torch" 2>/dev/null; then
        DIR_DIST=$(command -v python3) "$repo/launch/local.sh" "$p" "$repo/benchmarks/pytorch_ddp.py" \
            --features "$features" --hidden "$hidden" --batch-size $((global / p)) --rows $((global * 32)) \
            --csv "$out/pytorch.csv" >/dev/null
    fi
done
python3 "$repo/launch/scaling_report.py" "$out"
