"""Writes the compact STS-B-DIR fixture of the tests (Tests/Fixtures/stsb-dir) from the
full features (benchmarks/data/make-stsb-dir.sh makes them).

Every k-th row of each split, in file order, so the training labels keep their long
tail (few pairs near 0 and 5) and dev and test stay balanced. Same formats as the full
set: X float32 (n, 768), y float64 (n,).

    python3 Tests/Fixtures/make-fixtures.py .build/data/stsb-dir Tests/Fixtures/stsb-dir
"""
import os
import sys

import numpy as np

ROWS = {"train": 640, "dev": 160, "test": 160}

source, target = sys.argv[1], sys.argv[2]
os.makedirs(target, exist_ok=True)
for split, rows in ROWS.items():
    x = np.load(os.path.join(source, f"{split}_X.npy"))
    y = np.load(os.path.join(source, f"{split}_y.npy"))
    keep = np.linspace(0, len(y) - 1, rows).round().astype(np.int64)
    np.save(os.path.join(target, f"{split}_X.npy"), np.ascontiguousarray(x[keep], dtype="<f4"))
    np.save(os.path.join(target, f"{split}_y.npy"), np.ascontiguousarray(y[keep], dtype="<f8"))
    print(split, x[keep].shape, f"labels {y[keep].min():.2f}..{y[keep].max():.2f}")
