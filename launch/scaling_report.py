#!/usr/bin/env python3
"""Scaling report from launch/scaling.sh's CSVs: a markdown table (scaling.md) and
an SVG plot (scaling.svg) of throughput and parallel efficiency, measured and as
predicted by an alpha-beta model of a ring allreduce plus the measured compute time.
Standard library only. Usage: scaling_report.py RUN_DIR"""
import csv, math, os, sys

run = sys.argv[1]
def rows(name):
    path = os.path.join(run, name)
    return list(csv.DictReader(open(path))) if os.path.exists(path) else []
strong, weak, torch = rows("strong.csv"), rows("weak.csv"), rows("pytorch.csv")
cores = os.cpu_count() or 1
f = lambda r, k: float(r[k]) if r.get(k) not in (None, "") else None

# Alpha-beta model: ring allreduce of n bytes on P ranks takes
#   T(P) = 2 (P-1) alpha + 2 (P-1)/P * n * beta,
# alpha = point-to-point latency, beta = 1 / point-to-point bandwidth (from ping-pong).
# ALPHA_US and BANDWIDTH_GBS override them, e.g. with a cluster network's figures.
p2p = [r for r in strong if f(r, "p2p_latency_us")]
alpha = f(p2p[0], "p2p_latency_us") * 1e-6 if p2p else 5e-6
beta = 1 / (f(p2p[0], "p2p_bandwidth_gbs") * 1e9) if p2p else 1 / 1e9
if os.environ.get("ALPHA_US"): alpha = float(os.environ["ALPHA_US"]) * 1e-6
if os.environ.get("BANDWIDTH_GBS"): beta = 1 / (float(os.environ["BANDWIDTH_GBS"]) * 1e9)
nbytes = f(strong[0], "bytes_per_step")
def allreduce(P):
    return 0.0 if P == 1 else 2 * (P - 1) * alpha + 2 * (P - 1) / P * nbytes * beta
# Compute per step at a per-rank batch b: interpolated linearly between the 1-rank
# runs (compute.csv, strong and weak), proportionally below the smallest batch measured.
one = [r for r in strong + weak + rows("compute.csv") if int(r["ranks"]) == 1]
pts = sorted({int(r["per_rank_batch"]): f(r, "step_ms") / 1e3 for r in one}.items())
def compute(b):
    if b <= pts[0][0]:
        return pts[0][1] * b / pts[0][0]
    for (b0, t0), (b1, t1) in zip(pts, pts[1:]):
        if b <= b1:
            return t0 + (t1 - t0) * (b - b0) / (b1 - b0)
    return pts[-1][1] * b / pts[-1][0]
G = int(strong[0]["global_batch"])
b_weak = int(weak[0]["per_rank_batch"]) if weak else 128
def predicted(P, mode):
    if mode == "strong":
        if G / P < 1:
            return float("nan")
        return compute(G) / (P * (compute(G / P) + allreduce(P)))
    return compute(b_weak) / (compute(b_weak) + allreduce(P))

# Older CSVs have no sync column: they were all allreduce runs.
sync = ", ".join(sorted({r.get("sync") or "allreduce" for r in strong + weak if int(r["ranks"]) > 1})) or "-"
lines = ["# Scaling of dir-dist", "",
         f"Model: {strong[0]['hidden']} hidden, {int(nbytes)} bytes reduced per step; machine: {cores} cores "
         f"(ranks beyond {cores} are oversubscribed and share cores, so their efficiency is not that of a cluster). "
         f"Gradient sync of the multi-rank runs: {sync}.", "",
         f"Alpha-beta model: latency alpha {alpha * 1e6:.2f} us, bandwidth 1/beta {1 / beta / 1e9:.2f} GB/s "
         f"(measured point to point between ranks 0 and 1 unless ALPHA_US / BANDWIDTH_GBS are set); "
         f"compute per step from the 1-rank runs at batches " + ", ".join(f"{b} ({t * 1e3:.2f} ms)" for b, t in pts) + ".", ""]
torch_by_p = {int(r["ranks"]): f(r, "samples_per_s") for r in torch}
for name, table in (("Strong scaling (global batch %d)" % G, strong), (f"Weak scaling (per-rank batch {b_weak})", weak)):
    mode = "strong" if table is strong else "weak"
    base = f(table[0], "samples_per_s")
    lines += [f"## {name}", "", "| ranks | per-rank batch | samples/s | speed-up | efficiency | predicted efficiency | step ms | sync wait ms | PyTorch samples/s | dir-dist / PyTorch |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in table:
        P = int(r["ranks"]); s = f(r, "samples_per_s")
        eff = s / base / P if mode == "strong" else s / (base * P)
        tp = torch_by_p.get(P) if mode == "strong" else None
        lines.append(f"| {P} | {r['per_rank_batch']} | {s:,.0f} | {s / base:.2f} | {eff:.2f} | {predicted(P, mode):.2f} | "
                     f"{f(r, 'step_ms'):.3f} | {f(r, 'reduce_wait_ms'):.3f} | {f'{tp:,.0f}' if tp else '-'} | {f'{s / tp:.2f}' if tp else '-'} |")
    lines.append("")
lines += ["## Predicted efficiency at scale (alpha-beta model, one core per rank, no overlap)", "",
          "| ranks | strong | weak |", "|---|---|---|"]
for P in (16, 32, 64, 128, 256, 512, 1024):
    st = predicted(P, 'strong')
    lines.append(f"| {P} | {'-' if math.isnan(st) else f'{st:.3f}'} | {predicted(P, 'weak'):.3f} |")
open(os.path.join(run, "scaling.md"), "w").write("\n".join(lines) + "\n")

# SVG: efficiency against log2(ranks), measured points and predicted curves.
W, H, L, B = 640, 360, 60, 40
xs = lambda P: L + (W - L - 20) * math.log2(P) / 10
ys = lambda e: H - B - (H - B - 20) * max(0.0, min(1.1, e)) / 1.1
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<line x1="{L}" y1="{H - B}" x2="{W - 20}" y2="{H - B}" stroke="black"/>',
       f'<line x1="{L}" y1="20" x2="{L}" y2="{H - B}" stroke="black"/>',
       f'<text x="{W / 2}" y="{H - 8}" text-anchor="middle">ranks (log scale)</text>',
       f'<text x="14" y="{H / 2}" transform="rotate(-90 14 {H / 2})" text-anchor="middle">parallel efficiency</text>']
for k in range(11):
    svg.append(f'<text x="{xs(2 ** k)}" y="{H - B + 14}" text-anchor="middle">{2 ** k}</text>')
for e in (0, 0.25, 0.5, 0.75, 1.0):
    svg.append(f'<text x="{L - 6}" y="{ys(e) + 4}" text-anchor="end">{e:.2f}</text>')
    svg.append(f'<line x1="{L}" y1="{ys(e)}" x2="{W - 20}" y2="{ys(e)}" stroke="#ddd"/>')
for mode, color in (("strong", "#1f77b4"), ("weak", "#d62728")):
    curve = " ".join(f"{xs(2 ** k)},{ys(predicted(2 ** k, mode))}" for k in range(11) if not math.isnan(predicted(2 ** k, mode)))
    svg.append(f'<polyline points="{curve}" fill="none" stroke="{color}" stroke-dasharray="5,4"/>')
    table = strong if mode == "strong" else weak
    base = f(table[0], "samples_per_s")
    for r in table:
        P = int(r["ranks"]); s = f(r, "samples_per_s")
        svg.append(f'<circle cx="{xs(P)}" cy="{ys(s / base / P)}" r="4" fill="{color}"/>')
    y0 = 40 if mode == "strong" else 58
    svg.append(f'<text x="{W - 200}" y="{y0}" fill="{color}">{mode}: dots measured, dashes model</text>')
svg.append("</svg>")
open(os.path.join(run, "scaling.svg"), "w").write("\n".join(svg) + "\n")
print("\n".join(lines))
