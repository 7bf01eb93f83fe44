"""Writes ranksim-ties.json: RankSim cases on 56-row batches with repeated labels, from
the reference code itself (RS = BorealisAI/ranksim-imbalanced-regression @ 9e1c862,
`sts-b-dir/ranking.py` and `ranksim.py`), beyond the shared golden file's batches:

* labels in fifths (as STS-B's scores): not exact in Float32, so label distances tie in
  the targets' own precision (the reference's targets are float32), not in Double;
* duplicated feature rows: exact ties in the similarities, broken by index;
* dead rows (all features 0, as after a ReLU) and sparse features;
* γ = 1, and 3 or 100, with λ = 2.

A case is kept only when the reference's result does not hinge on the last bit of the
similarity matrix S: the generator recomputes it with S rounded from exact (float64)
arithmetic, and drops the batch when the two differ (a perturbed value within an ulp of
another, which the BLAS kernel decides, and so does the reference on another device).
How many were dropped is written into the file.

    git clone https://github.com/BorealisAI/ranksim-imbalanced-regression rs
    git -C rs checkout 9e1c862906e9c4c699803e0fece8b843ba6f3bc2
    python3 make-ranksim-ties.py rs/sts-b-dir ranksim-ties.json
"""
import json
import sys

import numpy as np
import torch

torch.Tensor.cuda = lambda self, *a, **k: self  # the reference moves index tensors to a GPU
sys.path.insert(0, sys.argv[1])
import ranksim  # noqa: E402  (the reference)

BATCH, DIM, LAMBDA = 56, 16, 2.0


def reference(features, labels, kept, gamma, exact_similarity):
    """∂(γ·R)/∂x for the kept rows, and R, by the reference code."""
    x = torch.tensor(features[kept], requires_grad=True)
    y = torch.tensor(labels[kept], dtype=torch.float32).view(-1, 1)
    matmul = torch.matmul
    if exact_similarity:  # S in float64, rounded once
        torch.matmul = lambda a, b: matmul(a.double(), b.double()).float()
    try:
        value = gamma * ranksim.batchwise_ranking_regularizer(x, y, LAMBDA)
    finally:
        torch.matmul = matmul
    value.backward()
    return float(value.detach()) / gamma, x.grad.numpy().astype(np.float64)


def short(values):
    """Float32 values as the shortest decimals that read back to them."""
    return [float(str(np.float32(v))) for v in values]


def same(a, b):
    """Equal up to rounding (a flipped rank moves the gradient by far more)."""
    return np.abs(a - b).max() <= 1e-6 * max(np.abs(b).max(), 1e-30)


def draw(rng, labels_kind, features_kind):
    labels = (rng.integers(0, 30, BATCH).astype(np.float64) if labels_kind == "ages_repeat"
              else np.round(rng.uniform(0, 5, BATCH) * 5) / 5)
    x = np.maximum(rng.normal(size=(BATCH, DIM)), 0).astype(np.float32)
    if features_kind == "dead_rows":
        x[rng.random(BATCH) < 0.3] = 0
    elif features_kind == "duplicated_rows":
        x[rng.integers(0, BATCH, BATCH // 3)] = x[rng.integers(0, BATCH, BATCH // 3)]
    elif features_kind == "sparse":
        x[rng.random((BATCH, DIM)) < 0.85] = 0
    return labels, x


def main():
    rng = np.random.default_rng(21)
    cases, dropped = [], 0
    for features_kind in ["relu", "dead_rows", "duplicated_rows", "sparse"]:
        for labels_kind in ["ages_repeat", "fifths"]:
            for gamma in [3.0 if labels_kind == "ages_repeat" else 100.0]:
                while True:
                    labels, x = draw(rng, labels_kind, features_kind)
                    # One sample per distinct float32 label, the first of each (ascending).
                    y32 = labels.astype(np.float32)
                    kept = [int(np.nonzero(y32 == u)[0][0]) for u in np.unique(y32)]
                    results = [reference(x, labels, kept, g, exact) for g in (1.0, gamma) for exact in (False, True)]
                    if same(results[0][1], results[1][1]) and same(results[2][1], results[3][1]):
                        break
                    dropped += 1
                full = [np.zeros((BATCH, DIM)), np.zeros((BATCH, DIM))]
                full[0][kept], full[1][kept] = results[0][1], results[2][1]
                cases.append({
                    "batch": BATCH, "dim": DIM, "labels_kind": f"{labels_kind}, {features_kind}",
                    "lambda": LAMBDA, "gamma": gamma, "labels": labels.tolist(),
                    "features": [short(row) for row in x], "kept_indices": kept,
                    "value": results[0][0], "grad_features": [short(row) for row in full[0]],
                    "grad_features_gamma_scaled": [short(row) for row in full[1]]})
    about = (f"RankSim on {BATCH}-row batches with repeated labels, by the reference code; {dropped} drawn "
             "batches were dropped because the reference's gradient changed when S was rounded from exact "
             "arithmetic instead (see make-ranksim-ties.py)")
    with open(sys.argv[2], "w") as f:
        json.dump({"about": about, "ranksim": cases}, f, separators=(",", ":"))


main()
