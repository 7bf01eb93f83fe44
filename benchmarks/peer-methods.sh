#!/usr/bin/env bash
# peer-methods.sh - every DIR method on STS-B-DIR or Abalone under one protocol, 3 seeds:
# the 2021 methods (reweighting, LDS, FDS), DenseWeight, Balanced MSE (BMC, GAI, BNI) and
# RankSim, alone and combined, plus the grids their free settings were chosen from (σ of
# Balanced MSE, γ of RankSim: by the dev column, mean best-epoch validation MAE over the
# seeds, never by test). MLP 256,256, Adam 1e-3, global batch 128 (2 ranks x 64),
# 30 epochs, model chosen on validation MAE (--select best). Writes runs/peers-DATASET/
# NAME-sSEED/ and prints the markdown table (benchmarks/summarize.py).
#
# Usage: benchmarks/peer-methods.sh stsb|abalone [NAME ...]   (default: every configuration)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dataset=${1:?stsb or abalone}
shift
out=${OUT:-$repo/runs/peers-$dataset}
export DIR_DIST=${DIR_DIST:-$repo/.build/release/dir-dist}
common=(--hidden 256,256 --optimizer adam --lr 1e-3 --batch-size 64 --epochs 30 --select best)
case $dataset in
    stsb)
        data=${STSB_DIR:-$repo/.build/data/stsb-dir}
        # shellcheck source=benchmarks/data/stsb-dir-path.sh
        source "$repo/benchmarks/data/stsb-dir-path.sh"
        require_stsb_dir "$data"
        common+=(--data "$data" --bins 50 --label-range 0 5) ;;
    abalone) ;; # the embedded set: width-1 bins over the integer ring counts
    *) echo "error: dataset '$dataset': stsb or abalone" >&2; exit 2 ;;
esac
declare -A configs=(
    [vanilla]=""
    [sqrt_inv+lds]="--reweight sqrt_inv --lds"
    [fds]="--fds"
    [sqrt_inv+lds+fds]="--reweight sqrt_inv --lds --fds"
    [denseweight]="--reweight denseweight"
    [bmc-s0.5]="--loss bmc --bmc-init-sigma 0.5"
    [bmc-s1]="--loss bmc --bmc-init-sigma 1"
    [bmc-s2]="--loss bmc --bmc-init-sigma 2"
    [gai-s0.5]="--loss gai --bmc-init-sigma 0.5"
    [gai-s1]="--loss gai --bmc-init-sigma 1"
    [gai-s2]="--loss gai --bmc-init-sigma 2"
    [bni-s0.5]="--loss bni --bmc-init-sigma 0.5"
    [bni-s1]="--loss bni --bmc-init-sigma 1"
    [bni-s2]="--loss bni --bmc-init-sigma 2"
    [bmc-s0.25]="--loss bmc --bmc-init-sigma 0.25"
    [gai-s0.25]="--loss gai --bmc-init-sigma 0.25"
    [bni-s0.25]="--loss bni --bmc-init-sigma 0.25"
    [bmc-fixed-s0.5]="--loss bmc --bmc-init-sigma 0.5 --bmc-fix-sigma"
    [bmc-fixed-s1]="--loss bmc --bmc-init-sigma 1 --bmc-fix-sigma"
    [gai-fixed-s0.5]="--loss gai --bmc-init-sigma 0.5 --bmc-fix-sigma"
    [gai-fixed-s1]="--loss gai --bmc-init-sigma 1 --bmc-fix-sigma"
    [bni-fixed-s0.5]="--loss bni --bmc-init-sigma 0.5 --bmc-fix-sigma"
    [bni-fixed-s1]="--loss bni --bmc-init-sigma 1 --bmc-fix-sigma"
    [bmc-fixed-s2]="--loss bmc --bmc-init-sigma 2 --bmc-fix-sigma"
    [gai-fixed-s2]="--loss gai --bmc-init-sigma 2 --bmc-fix-sigma"
    [bni-fixed-s2]="--loss bni --bmc-init-sigma 2 --bmc-fix-sigma"
    [ranksim-g0.0003]="--ranksim 3e-4"
    [ranksim-g0.003]="--ranksim 3e-3"
    [ranksim-g0.03]="--ranksim 0.03"
    [ranksim-g1]="--ranksim 1"
    [ranksim-g100]="--ranksim 100"
)
# Combinations with the settings chosen on the dev column above: SIGMA (Balanced MSE's σ
# options) and GAMMA from the environment.
sigma=${SIGMA:---bmc-init-sigma 1}
gamma=${GAMMA:-3e-4}
configs[bmc+fds]="--loss bmc $sigma --fds"
configs[gai+sqrt_inv+lds]="--loss gai $sigma --reweight sqrt_inv --lds"
configs[bni+sqrt_inv+lds+fds]="--loss bni $sigma --reweight sqrt_inv --lds --fds"
configs[bni+denseweight]="--loss bni $sigma --reweight denseweight"
configs[ranksim+sqrt_inv+lds]="--ranksim $gamma --reweight sqrt_inv --lds"
configs[ranksim+fds]="--ranksim $gamma --fds"
configs[ranksim+bmc]="--ranksim $gamma --loss bmc $sigma"
configs[ranksim+denseweight]="--ranksim $gamma --reweight denseweight"
names=("$@")
if ((${#names[@]} == 0)); then
    names=(vanilla sqrt_inv+lds fds sqrt_inv+lds+fds denseweight
           bmc-s0.25 bmc-s0.5 bmc-s1 bmc-s2 bmc-fixed-s0.5 bmc-fixed-s1
           gai-s0.25 gai-s0.5 gai-s1 gai-s2 gai-fixed-s0.5 gai-fixed-s1
           bni-s0.25 bni-s0.5 bni-s1 bni-s2 bni-fixed-s0.5 bni-fixed-s1
           ranksim-g0.0003 ranksim-g0.003 ranksim-g0.03 ranksim-g1 ranksim-g100
           bmc+fds gai+sqrt_inv+lds bni+sqrt_inv+lds+fds bni+denseweight ranksim+sqrt_inv+lds ranksim+fds
           ranksim+bmc ranksim+denseweight)
fi
for name in "${names[@]}"; do
    [[ -v configs[$name] ]] || { echo "error: no configuration '$name'" >&2; exit 2; }
    for seed in 0 1 2; do
        dir=$out/$name-s$seed
        [[ -f $dir/metrics.jsonl ]] && continue
        # shellcheck disable=SC2086
        "$repo/launch/local.sh" 2 "${common[@]}" ${configs[$name]} --seed "$seed" --out "$dir" >/dev/null
    done
done
python3 "$repo/benchmarks/summarize.py" "$out" "${names[@]}"
