#!/usr/bin/env python3
"""Markdown table of a sweep's summary.csv: per configuration the test MAE (all, few) as
mean [95% interval] and the paired difference to the baseline, marked * when its interval
excludes 0. Usage: sweep_table.py SWEEP_DIR"""
import csv, json, sys

folder = sys.argv[1]
rows = [r for r in csv.DictReader(open(f"{folder}/summary.csv")) if r["metric"] == "mae"]
selected = json.load(open(f"{folder}/selected.json"))
configs = list(dict.fromkeys(r["config"] for r in rows))
def cell(r):
    if r is None: return ""
    s = f"{float(r['mean']):.3f} [{float(r['ci_low']):.3f}, {float(r['ci_high']):.3f}]" if r["ci_low"] else f"{float(r['mean']):.3f}"
    return s
def delta(r):
    if r is None or not r["delta_mean"]: return "—"
    lo, hi = float(r["delta_ci_low"]), float(r["delta_ci_high"])
    return f"{float(r['delta_mean']):+.3f} [{lo:+.3f}, {hi:+.3f}]" + ("*" if lo > 0 or hi < 0 else "")
print("| configuration | n | test MAE all | Δ all | test MAE few | Δ few |")
print("|---|---|---|---|---|---|")
for c in configs:
    get = lambda shot: next((r for r in rows if r["config"] == c and r["shot"] == shot), None)
    a, f = get("all"), get("few")
    mark = " (selected)" if c == selected["config"] else (" (baseline)" if c == selected["baseline"] else "")
    print(f"| {c}{mark} | {a['n']} | {cell(a)} | {delta(a)} | {cell(f)} | {delta(f)} |")
