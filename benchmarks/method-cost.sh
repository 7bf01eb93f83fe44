#!/usr/bin/env bash
# method-cost.sh - the cost per training step of each DIR method against vanilla on the
# STS-B-DIR MLP (768-256-256-1, batch 128 per rank), measured by `dir-dist bench` in
# interleaved rounds (every method once per round, so machine noise hits all alike);
# prints per method the median step time over the rounds, its spread, and the ratio to
# vanilla's median. Run on a quiet machine.
#
# Usage: benchmarks/method-cost.sh [RANKS] [ROUNDS]   (default 1 rank, 5 rounds)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ranks=${1:-1}
rounds=${2:-5}
export DIR_DIST=${DIR_DIST:-$repo/.build/release/dir-dist}
data=${STSB_DIR:-$repo/.build/data/stsb-dir}
# shellcheck source=benchmarks/data/stsb-dir-path.sh
source "$repo/benchmarks/data/stsb-dir-path.sh"
require_stsb_dir "$data"
csv=$(mktemp -d)/cost.csv
methods=("" "--reweight sqrt_inv" "--reweight denseweight" "--fds" "--loss bmc" "--loss gai" "--loss bni"
         "--ranksim 0.03" "--ranksim 0.03 --loss bmc --fds")
for ((round = 0; round < rounds; round++)); do
    for m in "${methods[@]}"; do
        # shellcheck disable=SC2086
        "$repo/launch/local.sh" "$ranks" bench --data "$data" --hidden 256,256 \
            --batch-size 128 --epochs 2 $m --csv "$csv" >/dev/null
    done
done
python3 - "$csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
by = {}
for r in rows:
    by.setdefault(r["method"], []).append(float(r["step_ms"]))
base = statistics.median(by[rows[0]["method"]])
print("| method | step ms (median) | min–max | × vanilla |")
print("|---|---|---|---|")
for m, v in by.items():
    print(f"| {m} | {statistics.median(v):.3f} | {min(v):.3f}–{max(v):.3f} | {statistics.median(v) / base:.2f} |")
PY
