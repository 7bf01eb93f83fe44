#!/usr/bin/env bash
# two-ranks.sh - the 2-rank speed-up (2 ranks vs 1 rank, per-rank batch fixed), measured
# so that machine noise cannot pass for a result. Each round runs, back to back:
#   1 rank | 2 ranks (shared memory, the default) | 2 ranks --no-shared-memory (allreduce)
#   | two independent 1-rank processes at once, pinned to cores 0 and 1
# The last is the machine's own ceiling for two busy cores (shared caches, memory
# bandwidth, a hypervisor's other guests): no data-parallel job can beat it.
# Prints every round, then medians and the ratios to 1 rank and to the ceiling.
#
# Usage: benchmarks/two-ranks.sh [ROUNDS]        (default 5)
# Environment: FEATURES=768 HIDDEN=256,256 BATCH=128 ROWS=32768 EPOCHS=5 DIR_DIST=<binary>
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${1:-5}
bin=${DIR_DIST:-$repo/.build/release/dir-dist}
if [[ ! -x $bin ]]; then
    echo "error: dir-dist binary not found: $bin (run swift build -c release or set DIR_DIST)" >&2
    exit 2
fi
export DIR_DIST=$bin
bench=(bench --features "${FEATURES:-768}" --hidden "${HIDDEN:-256,256}" --batch-size "${BATCH:-128}"
       --rows "${ROWS:-32768}" --epochs "${EPOCHS:-5}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Samples/s from a bench report on stdin.
throughput() { awk '/^throughput:/ { print $2 }'; }

printf '%-6s %10s %10s %10s %10s\n' round 1rank 2rank-shm 2rank-allred ceiling
for round in $(seq "$rounds"); do
    one=$(OPENBLAS_NUM_THREADS=1 "$bin" "${bench[@]}" | throughput)
    shm=$("$repo/launch/local.sh" 2 "${bench[@]}" | throughput)
    allreduce=$("$repo/launch/local.sh" 2 "${bench[@]}" --no-shared-memory | throughput)
    OPENBLAS_NUM_THREADS=1 taskset -c 0 "$bin" "${bench[@]}" > "$tmp/a" &
    OPENBLAS_NUM_THREADS=1 taskset -c 1 "$bin" "${bench[@]}" > "$tmp/b" &
    wait
    ceiling=$(( $(throughput < "$tmp/a") + $(throughput < "$tmp/b") ))
    printf '%-6s %10s %10s %10s %10s\n' "$round" "$one" "$shm" "$allreduce" "$ceiling" | tee -a "$tmp/rounds"
done
awk '
function median(col,   n, i, j, x, v) {
    n = 0
    for (i = 1; i <= NR; i++) { v[++n] = rows[i, col] }
    # insertion sort: a handful of rounds
    for (i = 2; i <= n; i++) { x = v[i]; j = i - 1; while (j > 0 && v[j] > x) { v[j + 1] = v[j]; j-- }; v[j + 1] = x }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
{ for (c = 2; c <= 5; c++) rows[NR, c] = $c }
END {
    one = median(2); shm = median(3); all = median(4); ceil = median(5)
    printf "medians: 1 rank %.0f, 2 ranks: shared memory %.0f, allreduce %.0f; ceiling %.0f samples/s\n", one, shm, all, ceil
    printf "2 ranks / 1 rank: shared memory %.2fx, allreduce %.2fx; the ceiling itself %.2fx\n", shm / one, all / one, ceil / one
    printf "2 ranks / ceiling: shared memory %.0f%%, allreduce %.0f%%\n", 100 * shm / ceil, 100 * all / ceil
}' "$tmp/rounds"
