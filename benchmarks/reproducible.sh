#!/usr/bin/env bash
# reproducible.sh - reproducible training on STS-B-DIR, shown and priced:
#   1. for each method, 1, 2, 3 and 4 ranks with the same global batch train EPOCHS
#      epochs with --reproducible and the md5 of every model.bin is printed: one hash per
#      method means the same model to the bit;
#   2. the cost: `dir-dist bench` on the STS-B shape (768 features, MLP 256,256, 2 ranks
#      x 64) with the Float sum and with --reproducible (micro-batch 32 and 64), in
#      interleaved rounds; medians and the spread of the step time.
#
# Usage: benchmarks/reproducible.sh [EPOCHS] [GLOBAL_BATCH] [ROUNDS]   (30, 96, 5)
# DATA=folder (default $STSB_DIR, else .build/data/stsb-dir: benchmarks/data/make-stsb-dir.sh),
# METHODS="name=args;..." to choose.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
epochs=${1:-30}
global=${2:-96}
rounds=${3:-5}
bin=${DIR_DIST:-$repo/.build/release/dir-dist}
data=${DATA:-${STSB_DIR:-$repo/.build/data/stsb-dir}}
# shellcheck source=benchmarks/data/stsb-dir-path.sh
source "$repo/benchmarks/data/stsb-dir-path.sh"
[[ -n ${DATA:-} ]] || require_stsb_dir "$data"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=(); [ "$(id -u)" = 0 ] && root=(--allow-run-as-root)
methods=${METHODS:-"vanilla=;lds=--reweight sqrt_inv --lds;fds=--fds;lds+fds=--reweight sqrt_inv --lds --fds;denseweight=--reweight denseweight;bmc=--loss bmc;gai=--loss gai;bni=--loss bni;ranksim=--ranksim 2"}

echo "== model.bin md5 after $epochs epochs, global batch $global (1 2 3 4 ranks)"
IFS=';' read -ra list <<<"$methods"
for entry in "${list[@]}"; do
    name=${entry%%=*}; args=${entry#*=}
    hashes=()
    for ranks in 1 2 3 4; do
        out=$work/$name-$ranks
        # shellcheck disable=SC2086
        mpirun "${root[@]}" --oversubscribe --bind-to none -np "$ranks" "$bin" train --data "$data" \
            --epochs "$epochs" --batch-size $((global / ranks)) --reproducible $args --out "$out" >/dev/null 2>&1
        hashes+=("$(md5sum "$out/model.bin" | cut -c1-12)")
    done
    distinct=$(printf '%s\n' "${hashes[@]}" | sort -u | wc -l)
    printf '%-12s %s  %s\n' "$name" "${hashes[*]}" "$([ "$distinct" = 1 ] && echo identical || echo DIFFERENT)"
done

echo "== step time, STS-B shape, 2 ranks x 64 ($rounds rounds)"
configs=("" "--reproducible" "--reproducible --micro-batch 64")
for ((round = 0; round < rounds; round++)); do
    for i in "${!configs[@]}"; do
        # shellcheck disable=SC2086
        mpirun "${root[@]}" --bind-to none -np 2 "$bin" bench --batch-size 64 ${configs[$i]} \
            | awk '/step \(slowest\)/ {print $3}' >>"$work/step-$i"
    done
done
python3 - "$work" "${#configs[@]}" "${configs[@]}" <<'PY'
import statistics, sys
work, n, configs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
base = None
for i in range(n):
    v = [float(x) for x in open(f"{work}/step-{i}")]
    m = statistics.median(v)
    base = base or m
    print(f"{configs[i] or 'Float sum':34s} {m:7.3f} ms  ({min(v):.3f}-{max(v):.3f})  x{m / base:.2f}")
PY
