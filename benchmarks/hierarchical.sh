#!/usr/bin/env bash
# hierarchical.sh - the hierarchical gradient sum against the flat allreduce across
# hosts: 2 network-namespace hosts (launch/netns-hosts.sh) x 2 ranks, each host's link
# shaped to RATE with tc's token bucket (tbf; default 1 Gbit/s, a modest cluster network;
# this project's kernels lack netem, so no latency is added: veth's own is about 20 us;
# the hosts share this machine's cores, so compute is the same for both sums),
# `dir-dist bench` on the STS-B-sized MLP, ROUNDS interleaved rounds of each sum.
# Prints samples/s, the step, and the sync wait per round. Needs root.
#
# Usage: benchmarks/hierarchical.sh [ROUNDS] [RATE]   (default 3 1gbit)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${1:-3}
rate=${2:-1gbit}
bin=${DIR_DIST:-$repo/.build/release/dir-dist}
state=$(mktemp -d)
trap '"$repo/launch/netns-hosts.sh" down "$state" >/dev/null; rm -rf "$state"' EXIT
"$repo/launch/netns-hosts.sh" up "$state" 2 >/dev/null
for host in dd-h0 dd-h1; do
    ip -n "$host" link set eth0 txqueuelen 10000
    ip netns exec "$host" tc qdisc add dev eth0 root tbf rate "$rate" burst 256kb latency 50ms
done
echo "2 hosts x 2 ranks, links: tbf rate $rate; STS-B MLP 768-256-256-1, 128 rows per rank"
bench=(--features 768 --hidden 256,256 --batch-size 128 --rows 16384 --epochs 2)
for ((r = 1; r <= rounds; r++)); do
    for sync in hierarchical allreduce; do
        "$repo/launch/netns-hosts.sh" mpirun "$state" -np 4 -x OPENBLAS_NUM_THREADS=1 "$bin" bench "${bench[@]}" \
            --sync "$sync" >"$state/out" 2>&1 || { cat "$state/out"; exit 1; }
        samples=$(sed -n 's/^throughput: \([0-9]*\) samples.*/\1/p' "$state/out")
        step=$(sed -n 's/^  step (slowest) *\([0-9.]*\) ms.*/\1/p' "$state/out")
        wait=$(sed -n 's/^  sync wait *\([0-9.]*\) ms.*/\1/p' "$state/out")
        echo "round $r  $sync: $samples samples/s, step $step ms, sync wait $wait ms"
    done
done
