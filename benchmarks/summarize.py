#!/usr/bin/env python3
"""Markdown table of test metrics over seeds: mean ± standard deviation per
configuration and shot, from runs/<dir>/<name>-s<seed>/metrics.jsonl.
Usage: summarize.py RUNS_DIR NAME [NAME ...]"""
import glob, json, statistics, sys

runs, names = sys.argv[1], sys.argv[2:]
shots = ["all", "many", "median", "few"]
print("| method | seeds | dev MAE | " + " | ".join(f"MAE {s}" for s in shots) + " | MSE all | MSE few | G-Mean all | G-Mean few |")
print("|---" * (3 + len(shots) + 4) + "|")
for name in names:
    tests, dev = [], []
    for path in sorted(glob.glob(f"{runs}/{name}-s*/metrics.jsonl")):
        lines = [json.loads(l) for l in open(path)]
        tests += [l["test"] for l in lines if l["event"] == "test"]
        dev += [min(l["val"]["all"]["l1"] for l in lines if l["event"] == "epoch")]
    if not tests:
        continue
    def cell(shot, key):
        v = [t[shot][key] for t in tests if t[shot][key] is not None]
        sd = statistics.stdev(v) if len(v) > 1 else 0.0
        return f"{statistics.mean(v):.3f} ± {sd:.3f}"
    row = [cell(s, "l1") for s in shots] + [cell("all", "mse"), cell("few", "mse"), cell("all", "gmean"), cell("few", "gmean")]
    dev_cell = f"{statistics.mean(dev):.3f} ± {statistics.stdev(dev) if len(dev) > 1 else 0:.3f}"
    print(f"| {name} | {len(tests)} | {dev_cell} | " + " | ".join(row) + " |")
