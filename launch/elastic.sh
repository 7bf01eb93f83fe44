#!/usr/bin/env bash
# elastic.sh - run a training job on the hosts of a hostfile and keep it going when a
# host is lost: each attempt runs on the hosts that answer over ssh, with the same
# global batch (the ranks' share changes, the model does not); when an attempt fails,
# the hosts are probed again, the lost ones dropped (a host that answers again rejoins),
# and the job resumes from its newest checkpoint, up to --max-restarts times. With
# `--reproducible` in the training options the finished model.bin is the one an
# uninterrupted run writes, to the bit.
#
# As torchrun's and Horovod elastic's agents, it restarts the whole job from a
# checkpoint rather than repairing a live one (MPI cannot shrink a running world);
# unlike them it keeps the global batch, so a restart is not a change of recipe.
#
# Usage: launch/elastic.sh [--max-restarts N] [--probe-timeout S] HOSTFILE GLOBAL_BATCH train [options...]
#   the options must name --out DIR (the checkpoints) and should ask for checkpoints
#   (--checkpoint-every N) and a --step-timeout; --batch-size and --resume are the
#   supervisor's. Each event is logged to stderr and appended to DIR/elastic.log.
#   The number of ranks is the largest that divides GLOBAL_BATCH within the live hosts'
#   slots ("host slots=N" lines; a host without slots= has one).
# Environment: DIR_DIST (the binary), DD_SSH_CONFIG (an ssh config for the probes and
# for mpirun), MPIRUN_FLAGS (more mpirun options).
# Exit status: 0 when the job finished; 2 for bad input (never restarted); otherwise the
# last attempt's status once the restarts are spent or no host answers.
set -euo pipefail

die() { echo "error: $*" >&2; exit 2; }
max_restarts=3
probe_timeout=5
while (( $# > 0 )); do
    case $1 in
        --max-restarts) max_restarts=${2:-}; shift 2 ;;
        --probe-timeout) probe_timeout=${2:-}; shift 2 ;;
        *) break ;;
    esac
done
(( $# >= 3 )) || die "usage: $0 [--max-restarts N] [--probe-timeout S] HOSTFILE GLOBAL_BATCH train [options...]"
hostfile=$1
global=$2
shift 2
[[ $max_restarts =~ ^[0-9]+$ ]] || die "--max-restarts: must be a non-negative integer, got '$max_restarts'"
[[ $probe_timeout =~ ^[1-9][0-9]*$ ]] || die "--probe-timeout: must be a positive integer, got '$probe_timeout'"
[[ -r $hostfile ]] || die "hostfile '$hostfile' cannot be read"
[[ $global =~ ^[1-9][0-9]*$ ]] || die "GLOBAL_BATCH must be a positive integer, got '$global'"
[[ $1 == train ]] || die "the job must be 'train [options...]', got '$1'"
out=""
previous=""
for arg in "$@"; do
    case $previous in --out) out=$arg ;; esac
    case $arg in
        --batch-size | --batch-size=* | --resume | --resume=*) die "$arg: the supervisor sets it" ;;
        --out=*) out=${arg#--out=} ;;
    esac
    previous=$arg
done
[[ -n $out ]] || die "the training options must name --out DIR (the checkpoints to resume from)"
mkdir -p "$out"
log() {
    local line
    line="elastic: $(date -u +%Y-%m-%dT%H:%M:%SZ) $*"
    echo "$line" >&2
    echo "$line" >>"$out/elastic.log"
}

# shellcheck source=launch/dir-dist-binary.sh
source "$(dirname "${BASH_SOURCE[0]}")/dir-dist-binary.sh"
bin=$(dir_dist_binary)
ssh_options=(-o BatchMode=yes -o ConnectTimeout="$probe_timeout")
[[ -n ${DD_SSH_CONFIG:-} ]] && ssh_options=(-F "$DD_SSH_CONFIG" "${ssh_options[@]}")
declare -A slots
hosts=()
while read -r host rest; do
    [[ -n $host ]] || continue
    n=$(sed -n 's/.*slots=\([0-9]*\).*/\1/p' <<<"$rest")
    [[ -n ${slots[$host]:-} ]] || hosts+=("$host")
    slots[$host]=${n:-1}
done < <(sed -e 's/#.*//' "$hostfile")
(( ${#hosts[@]} > 0 )) || die "hostfile '$hostfile' names no host"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The hosts that answer over ssh (probed together, so a dead one costs the timeout once).
live_hosts() {
    local host
    declare -A probe
    for host in "${hosts[@]}"; do
        timeout $((probe_timeout + 5)) ssh "${ssh_options[@]}" "$host" true >/dev/null 2>&1 &
        probe[$host]=$!
    done
    for host in "${hosts[@]}"; do
        if wait "${probe[$host]}"; then echo "$host"; fi
    done
}

status=1
for ((attempt = 1; attempt <= max_restarts + 1; attempt++)); do
    mapfile -t live < <(live_hosts)
    if (( ${#live[@]} == 0 )); then
        log "no host of $hostfile answers; giving up"
        exit "$status"
    fi
    capacity=0
    : >"$work/hostfile"
    for host in "${live[@]}"; do
        echo "$host slots=${slots[$host]}" >>"$work/hostfile"
        capacity=$((capacity + slots[$host]))
    done
    ranks=$capacity
    while (( global % ranks != 0 )); do ranks=$((ranks - 1)); done
    lost=()
    for host in "${hosts[@]}"; do
        [[ " ${live[*]} " == *" $host "* ]] || lost+=("$host")
    done
    resume=()
    (( attempt > 1 )) && resume=(--resume auto)
    log "attempt $attempt: ${ranks} ranks x $((global / ranks)) on ${live[*]}${lost:+ (not answering: ${lost[*]})}"
    flags=(--hostfile "$work/hostfile" -np "$ranks"
        --mca oob_tcp_keepalive_time 2 --mca oob_tcp_keepalive_intvl 1 --mca oob_tcp_keepalive_probes 3
        -x OPENBLAS_NUM_THREADS=1)
    [[ $(id -u) -eq 0 ]] && flags=(--allow-run-as-root "${flags[@]}")
    [[ -n ${DD_SSH_CONFIG:-} ]] && flags+=(--mca plm_rsh_args "-F $DD_SSH_CONFIG")
    # shellcheck disable=SC2206 # MPIRUN_FLAGS is a list of words by design
    [[ -n ${MPIRUN_FLAGS:-} ]] && flags+=($MPIRUN_FLAGS)
    status=0
    mpirun "${flags[@]}" "$bin" "$@" --batch-size $((global / ranks)) "${resume[@]}" || status=$?
    if (( status == 0 )); then
        log "attempt $attempt finished the job"
        exit 0
    fi
    if (( status == 2 )); then
        log "attempt $attempt: bad input (status 2); not restarting"
        exit 2
    fi
    log "attempt $attempt ended with status $status"
done
log "the job failed $((max_restarts + 1)) times; giving up"
exit "$status"
