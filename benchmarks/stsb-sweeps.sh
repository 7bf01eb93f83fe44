#!/usr/bin/env bash
# stsb-sweeps.sh - STS-B-DIR sweeps: four named methods (vanilla, sqrt_inv+LDS,
# DenseWeight, BMC), the reweightings (with vanilla), Balanced MSE's
# losses (sigma 0.25, docs/methods.md), LDS's kernel (ks x sigma), FDS's kernel, LDS with
# and without FDS, and RankSim's gamma, 5 seeds each, MLP 256,256, 30 epochs, batch 128, one rank per run on 2 ranks;
# then `dir-dist report` for each. Writes runs/stsb-sweeps/NAME/.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${OUT:-$repo/runs/stsb-sweeps}
bin=${DIR_DIST:-$repo/.build/release/dir-dist}
mpi=(mpirun --bind-to none)
(( $(id -u) == 0 )) && mpi+=(--allow-run-as-root)
data=${STSB_DIR:-$repo/.build/data/stsb-dir}
# shellcheck source=benchmarks/data/stsb-dir-path.sh
source "$repo/benchmarks/data/stsb-dir-path.sh"
require_stsb_dir "$data"
common=(--data "$data" --bins 50 --label-range 0 5 --hidden 256,256 --batch-size 128
        --epochs 30 --select best --threads 1 --seeds 0-4 --ranks-per-run 1)
sweep() {
    local name=$1
    shift
    [[ -f $out/$name/selected.json ]] || "${mpi[@]}" -np 2 "$bin" sweep --out "$out/$name" "${common[@]}" "$@"
    "$bin" report "$out/$name"
}
mkdir -p "$out"
# The question users ask first, by name (docs/report.png is this sweep's report).
sweep named --config vanilla="" --config sqrt_inv+lds="--reweight sqrt_inv --lds" \
    --config denseweight="--reweight denseweight" --config bmc="--loss bmc --bmc-init-sigma 0.25"
sweep methods --vary reweight=none,inverse,sqrt_inv,denseweight
sweep losses --vary loss=bmc,gai,bni --bmc-init-sigma 0.25
sweep lds --reweight sqrt_inv --lds --vary lds-ks=3,5,9 --vary lds-sigma=1,2,4
sweep fds --fds --vary fds-ks=3,5,9 --vary fds-sigma=1,2,4
sweep lds-fds --reweight sqrt_inv --lds --vary fds=no,yes --vary lds-ks=3,5,9
sweep ranksim --vary ranksim=3e-4,0.03,1
