#!/usr/bin/env bash
# sweep-overhead.sh - what `dir-dist sweep` saves: 24 short runs (embedded Abalone, 30
# epochs, about 1.3 s each; 4 learning rates x 3 reweightings x 2 seeds) as one sweep on
# 2 ranks with --ranks-per-run 1, against the same 24 runs launched back to back as separate 1-rank
# mpirun jobs, and against the runs' own training times (run.json) summed over the
# 2 groups. Prints the three times and both ratios (targets: <= 0.60 and <= 1.05).
#
# Usage: benchmarks/sweep-overhead.sh [OUT]   (default runs/sweep-overhead)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$repo/runs/sweep-overhead}
bin=${DIR_DIST:-$repo/.build/release/dir-dist}
rm -rf "$out" && mkdir -p "$out"
shared=(--epochs 30 --threads 1)
mpi=(mpirun --bind-to none)
(( $(id -u) == 0 )) && mpi+=(--allow-run-as-root)
now() { date +%s.%N; }

start=$(now)
inside=$("${mpi[@]}" -np 2 "$bin" sweep --out "$out/sweep" --ranks-per-run 1 --vary lr=0.001,0.002,0.003,0.004 \
    --vary reweight=none,sqrt_inv,inverse --seeds 0-1 "${shared[@]}" | sed -n 's/^sweep: 24 runs in \([0-9.]*\) s.*/\1/p')
sweep=$(echo "$(now) - $start" | bc)

start=$(now)
k=0
for lr in 0.001 0.002 0.003 0.004; do
    for rw in none sqrt_inv inverse; do
        for seed in 0 1; do
            "${mpi[@]}" -np 1 "$bin" train --lr "$lr" --reweight "$rw" --seed "$seed" "${shared[@]}" \
                --out "$out/alone-$k" >/dev/null
            k=$((k + 1))
        done
    done
done
alone=$(echo "$(now) - $start" | bc)

python3 - "$out/sweep" "$sweep" "$alone" "$inside" <<'PY'
import glob, json, sys
folder, sweep, alone, inside = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
own = sum(json.load(open(p))["seconds"] for p in glob.glob(f"{folder}/run-*/run.json"))
print(f"sweep on 2 ranks (2 groups): {sweep:.2f} s; 24 separate 1-rank jobs back to back: {alone:.2f} s; "
      f"the runs' own times / 2 groups: {own / 2:.2f} s")
print(f"sweep / back to back = {sweep / alone:.3f} (target <= 0.60); "
      f"sweep / (own times / groups) = {sweep / (own / 2):.3f} (target <= 1.05); without mpirun's start "
      f"(the sweep's own clock, {inside:.2f} s): {inside / (own / 2):.3f}")
PY
