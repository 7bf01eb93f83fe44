#!/usr/bin/env python3
"""PyTorch side-by-side for dir-dist's scaling runs (optional; not part of CI).

The same MLP (features -> hidden... -> 1, ReLU), MSE loss, Adam 1e-3, synthetic
float32 data, per-rank batch, one thread per rank, and gradients averaged with
torch.distributed (gloo) through DistributedDataParallel. Launch it with mpirun
like dir-dist (it reads OMPI_COMM_WORLD_RANK/SIZE; single node, loopback):

    pip install torch numpy
    mpirun -np 2 python3 benchmarks/pytorch_ddp.py --batch-size 64 --csv runs/pytorch.csv

Prints samples/s (all ranks) after a warm-up epoch; appends a CSV row on rank 0.
"""
import argparse, os, time

import torch
import torch.distributed as dist
import torch.nn as nn

parser = argparse.ArgumentParser()
parser.add_argument("--features", type=int, default=768)
parser.add_argument("--hidden", default="256,256")
parser.add_argument("--batch-size", type=int, default=128)
parser.add_argument("--rows", type=int, default=16384)
parser.add_argument("--epochs", type=int, default=2)
parser.add_argument("--csv")
args = parser.parse_args()

rank = int(os.environ.get("OMPI_COMM_WORLD_RANK", 0))
size = int(os.environ.get("OMPI_COMM_WORLD_SIZE", 1))
os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
os.environ.setdefault("MASTER_PORT", "29517")
torch.set_num_threads(1)
if size > 1:
    dist.init_process_group("gloo", rank=rank, world_size=size)

sizes = [args.features] + [int(h) for h in args.hidden.split(",")]
layers = []
for a, b in zip(sizes, sizes[1:]):
    layers += [nn.Linear(a, b), nn.ReLU()]
model = nn.Sequential(*layers, nn.Linear(sizes[-1], 1))
if size > 1:
    model = nn.parallel.DistributedDataParallel(model)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
gen = torch.Generator().manual_seed(1)
x = torch.randn(args.rows, args.features, generator=gen)
y = torch.randn(args.rows, 1, generator=gen)
global_batch = args.batch_size * size

def epoch():
    perm = torch.randperm(args.rows, generator=torch.Generator().manual_seed(0))
    for start in range(0, args.rows, global_batch):
        idx = perm[start + rank * args.batch_size: start + (rank + 1) * args.batch_size]
        if len(idx) == 0:
            continue
        opt.zero_grad(set_to_none=True)
        loss = ((model(x[idx]) - y[idx]) ** 2).mean()
        loss.backward()
        opt.step()

epoch()  # warm-up
if size > 1:
    dist.barrier()
start = time.perf_counter()
for _ in range(args.epochs):
    epoch()
if size > 1:
    dist.barrier()
seconds = time.perf_counter() - start
samples_per_s = args.rows * args.epochs / seconds
if rank == 0:
    print(f"pytorch {torch.__version__}: {size} rank(s) x batch {args.batch_size}: {samples_per_s:.0f} samples/s")
    if args.csv:
        new = not os.path.exists(args.csv)
        with open(args.csv, "a") as f:
            if new:
                f.write("ranks,per_rank_batch,samples_per_s\n")
            f.write(f"{size},{args.batch_size},{samples_per_s:.1f}\n")
if size > 1:
    dist.destroy_process_group()
