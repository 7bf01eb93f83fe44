#!/usr/bin/env python3
"""Where dir-dist's STS-B-DIR number under the reference's own setup differs from the
reference implementation's (0.6275 test MAE, 3 seeds): raw features, constant Adam 1e-3,
batch 128, 30 epochs, MSE, the last epoch's model.

The reference (YyzHarry/imbalanced-regression, sts-b-dir) differs from a plain MLP run
in two places besides the model: its loss sees the targets divided by 5
(models.py: `targets=label / 5`), and its evaluation multiplies predictions by 5 and
clips them to [0, 5] (evaluate.py). This script measures each step on 3 seeds with
dir-dist itself: as given; targets / 5 (the labels written divided by 5, predictions
multiplied back); that plus clipping; and dir-dist's defaults (standardised features
and targets) for comparison. Predictions come from `dir-dist predict` on the test split.

Usage: benchmarks/stsb_reference_gap.py [--seeds 3]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The full STS-B-DIR features: benchmarks/data/make-stsb-dir.sh writes them.
DATA = os.environ.get("STSB_DIR", os.path.join(REPO, ".build", "data", "stsb-dir"))
BINARY = os.environ.get("DIR_DIST", os.path.join(REPO, ".build/release/dir-dist"))


def train_and_predict(data, out, seed, extra, label_hi):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    subprocess.run([BINARY, "--data", data, "--bins", "50", "--label-range", "0", str(label_hi), "--batch-size", "128",
                    "--epochs", "30", "--seed", str(seed), "--select", "last", "--out", out] + extra,
                   check=True, stdout=subprocess.DEVNULL, env=env)
    predictions = os.path.join(out, "test_predictions.npy")
    subprocess.run([BINARY, "predict", "--model", os.path.join(out, "model.bin"), "--input",
                    os.path.join(DATA, "test_X.npy"), "--out", predictions], check=True, env=env)
    return np.load(predictions)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, default=3)
    a = p.parse_args()
    missing = [f for f in ("train_X", "train_y", "dev_X", "dev_y", "test_X", "test_y")
               if not os.path.isfile(os.path.join(DATA, f + ".npy"))]
    if missing:
        sys.exit(f"error: no STS-B-DIR features in {DATA} ({missing[0]}.npy missing): build them with "
                 "benchmarks/data/make-stsb-dir.sh (default folder .build/data/stsb-dir) or set STSB_DIR")
    work = tempfile.mkdtemp(prefix="stsb-gap-")
    scaled = os.path.join(work, "targets-over-5")
    os.makedirs(scaled)
    for split in ["train", "dev", "test"]:
        os.symlink(os.path.join(DATA, f"{split}_X.npy"), os.path.join(scaled, f"{split}_X.npy"))
        np.save(os.path.join(scaled, f"{split}_y.npy"), np.load(os.path.join(DATA, f"{split}_y.npy")) / 5)
    y = np.load(os.path.join(DATA, "test_y.npy"))
    raw = ["--standardize-features", "no", "--target-scaling", "none"]
    rows = {"as given (raw features and targets)": [], "targets / 5 in the loss": [],
            "targets / 5, predictions clipped to [0, 5]": [], "dir-dist defaults (standardised), last epoch": []}
    for seed in range(a.seeds):
        plain = train_and_predict(DATA, os.path.join(work, f"raw-{seed}"), seed, raw, 5)
        over5 = 5 * train_and_predict(scaled, os.path.join(work, f"over5-{seed}"), seed, raw, 1)
        default = train_and_predict(DATA, os.path.join(work, f"default-{seed}"), seed, [], 5)
        rows["as given (raw features and targets)"].append(np.abs(plain - y).mean())
        rows["targets / 5 in the loss"].append(np.abs(over5 - y).mean())
        rows["targets / 5, predictions clipped to [0, 5]"].append(np.abs(np.clip(over5, 0, 5) - y).mean())
        rows["dir-dist defaults (standardised), last epoch"].append(np.abs(default - y).mean())
    print("| setup | test MAE (mean ± sd, %d seeds) |\n|---|---|" % a.seeds)
    for name, v in rows.items():
        print(f"| {name} | {np.mean(v):.4f} ± {np.std(v, ddof=1) if len(v) > 1 else 0:.4f} |")


if __name__ == "__main__":
    main()
