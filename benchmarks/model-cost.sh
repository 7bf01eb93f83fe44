#!/usr/bin/env bash
# model-cost.sh - what the tabular model features cost per training step, by `dir-dist
# bench` in interleaved rounds (every configuration once per round, so machine noise hits
# all alike), 1 rank, 1 BLAS thread:
#   - the efficient ensemble on the STS-B-DIR shape (768 features, MLP 256,256, batch 128):
#     K = 1, 8, 32, the step against its sgemm-bound time (its FLOPs at the single-thread
#     sgemm peak measured in the same process) and against K = 1;
#   - the numerical embeddings on a 10-feature table (batch 128): none, periodic, ple, the
#     embedding's forward and backward as a share of the step.
# Prints medians over the rounds and the spread. Run on a quiet machine.
#
# Usage: benchmarks/model-cost.sh [ROUNDS]   (default 5)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${1:-5}
bin=${DIR_DIST:-$repo/.build/release/dir-dist}
csv=$(mktemp -d)/cost.csv
configs=("--features 768 --ensemble 1" "--features 768 --ensemble 8" "--features 768 --ensemble 32"
         "--features 10 --rows 16384" "--features 10 --rows 16384 --num-embedding periodic"
         "--features 10 --rows 16384 --num-embedding ple")
for ((round = 0; round < rounds; round++)); do
    for c in "${configs[@]}"; do
        # shellcheck disable=SC2086
        OPENBLAS_NUM_THREADS=1 "$bin" bench --hidden 256,256 --batch-size 128 --epochs 2 $c --csv "$csv" >/dev/null
    done
done
python3 - "$csv" "${configs[@]}" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
configs = sys.argv[2:]
by = {}
for i, r in enumerate(rows):  # every round runs the configurations in the same order
    by.setdefault(f"{r['model']} (`{configs[i % len(configs)]}`)", []).append(r)
def med(v): return statistics.median(v)
print("| model | step ms (median, min–max) | sgemm-bound / step | embedding share of the step |")
print("|---|---|---|---|")
for model, rs in by.items():
    step = [float(r["step_ms"]) for r in rs]
    bound = [float(r["sgemm_bound_ms"]) / float(r["step_ms"]) for r in rs]
    emb = [float(r["embedding_ms"]) / float(r["step_ms"]) for r in rs]
    share = f"{100 * med(emb):.1f}%" if max(emb) > 0 else "–"
    print(f"| {model} | {med(step):.3f} ({min(step):.3f}–{max(step):.3f}) | {100 * med(bound):.0f}% "
          f"({100 * min(bound):.0f}–{100 * max(bound):.0f}%) | {share} |")
PY
