#!/usr/bin/env bash
# pbs.sh - multi-node dir-dist training under PBS Pro (Torque: use
# `-l nodes=2:ppn=8` instead of select), rerunnable and resumable.
#
# Submit:  qsub -v DIR_DIST_ARGS="--data /path --epochs 30" launch/pbs.sh
#          (add OUT=... to -v to choose the output directory)
#
# At walltime or preemption PBS sends SIGTERM, then SIGKILL after the queue's
# kill_delay. Open MPI's mpirun does not forward SIGTERM as-is: it terminates the
# job, sending SIGTERM to the ranks and SIGKILL after odls_base_sigkill_timeout
# (default 1 s, raised to 60 s below). dir-dist writes a checkpoint at the next
# step boundary and exits 3; that has to fit inside kill_delay, so ask for a
# kill_delay longer than one step plus a checkpoint write.
# `-r y` lets PBS rerun the job after preemption (requeue), node failure or
# qrerun; a job killed at walltime is not rerun: qsub it again with the same
# OUT. Either way `--resume auto` continues from the newest valid checkpoint.
#
#PBS -N dir-dist
#PBS -l select=2:ncpus=8:mpiprocs=8
#PBS -l walltime=02:00:00
#PBS -j oe
#PBS -r y
set -euo pipefail

cd "$PBS_O_WORKDIR"
NP=$(wc -l < "$PBS_NODEFILE")
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
# Stable across reruns so the rerun finds its checkpoints.
OUT=${OUT:-runs/dir-dist}

# DIR_DIST_ARGS is intentionally word-split into separate arguments.
# shellcheck disable=SC2086
mpirun -np "$NP" --hostfile "$PBS_NODEFILE" \
    --mca odls_base_sigkill_timeout 60 \
    --mca oob_tcp_keepalive_time 2 --mca oob_tcp_keepalive_intvl 1 --mca oob_tcp_keepalive_probes 3 \
    -x OPENBLAS_NUM_THREADS -x OMP_NUM_THREADS \
    dir-dist train --out "$OUT" --checkpoint-every 1 --resume auto ${DIR_DIST_ARGS:-}
