#!/usr/bin/env bash
# slurm-local.sh - a one-node Slurm cluster on this machine, from Debian's packages
# (munge, slurmctld, slurmd), with its own key, sockets, ports and state under DIR, for
# trying launch/slurm.sbatch for real (Tests/SlurmTests use it). Nothing outside DIR is
# configured or changed; no cgroups are needed (proctrack/linuxproc, task/none).
#
# Usage:
#   launch/slurm-local.sh up DIR     start munged, slurmctld and slurmd; wait for the node
#   launch/slurm-local.sh env DIR    print the environment the client commands need
#                                    (eval "$(launch/slurm-local.sh env DIR)"; sbatch ...)
#   launch/slurm-local.sh down DIR   stop the daemons (and any job still running)
#
# The node "dd-node" has this machine's CPUs; MpiDefault=pmix (Debian's OpenMPI works
# with PMIx under srun, not with pmi2); a requeued job may start again after 10 s
# (cred_expire; Slurm's default holds it for 120 s) and the scheduler looks every 2 s
# (sched_interval; 60 s by default), so that a requeue takes seconds, not minutes. Ports: DD_SLURM_PORT (default 6917) and the next.
set -euo pipefail

port=${DD_SLURM_PORT:-6917}
die() { echo "error: $*" >&2; exit 2; }
usage() { sed -n '7,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

client_env() {
    local dir=$1
    echo "export SLURM_CONF=$dir/slurm.conf"
}

# Runs a daemon with nothing of ours: stdio on /dev/null and every other inherited
# descriptor closed (Foundation's Process, for one, watches its child through one, and
# a daemon keeping it would make the caller wait for ever).
detached() {
    (
        local fd
        for fd in /proc/self/fd/*; do
            fd=${fd##*/}
            if (( fd > 2 )); then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        exec "$@" </dev/null >/dev/null 2>&1
    )
}

stop_pid_file() {
    local file=$1 pid tries=0
    [[ -f $file ]] || return 0
    pid=$(cat "$file")
    kill "$pid" 2>/dev/null || { rm -f "$file"; return 0; }
    while kill -0 "$pid" 2>/dev/null; do
        tries=$((tries + 1))
        if (( tries > 50 )); then kill -9 "$pid" 2>/dev/null || true; break; fi
        sleep 0.1
    done
    rm -f "$file"
}

down() {
    local dir=$1
    [[ -d $dir ]] || return 0
    if [[ -f $dir/slurm.conf && -f $dir/slurmctld.pid ]]; then
        SLURM_CONF=$dir/slurm.conf scancel --full --quiet --partition=dd 2>/dev/null || true
    fi
    stop_pid_file "$dir/slurmd.pid"
    stop_pid_file "$dir/slurmctld.pid"
    stop_pid_file "$dir/munged.pid"
    # Job steps of a killed slurmd (slurmstepd) would linger with the ranks.
    pkill -9 -f "slurmstepd.*$dir" 2>/dev/null || true
}

up() {
    local dir=$1
    (( $(id -u) == 0 )) || die "the local Slurm cluster needs root (slurmd starts jobs as their users)"
    for tool in munged slurmctld slurmd sbatch sinfo scontrol; do
        command -v "$tool" >/dev/null || die "$tool not found (launch/install-deps.sh installs it)"
    done
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    down "$dir"
    local p
    for p in "$port" "$((port + 1))"; do
        if ss -Htln "sport = :$p" | grep -q .; then
            die "port $p is in use (another Slurm cluster's daemon?); choose others with DD_SLURM_PORT"
        fi
    done
    mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
    chmod 700 "$dir/munge"
    [[ -f $dir/munge/munge.key ]] || dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge/munge.key"
    detached munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"

    local cpus
    cpus=$(nproc)
    cat >"$dir/slurm.conf" <<EOF
ClusterName=dd
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=10
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
MailProg=/bin/true
ReturnToService=2
JobRequeue=1
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=2
InactiveLimit=0
KillWait=10
MinJobAge=3600
NodeName=dd-node NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=dd Nodes=dd-node Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
    detached slurmctld -f "$dir/slurm.conf" -i
    detached slurmd -f "$dir/slurm.conf" -N dd-node
    local state="" deadline=$((SECONDS + 30))
    until [[ $state == idle* ]]; do
        if (( SECONDS > deadline )); then
            down "$dir"
            die "the node did not become idle in 30 s (state '$state'; see $dir/slurmctld.log, $dir/slurmd.log)"
        fi
        sleep 0.2
        state=$(SLURM_CONF=$dir/slurm.conf timeout 5 sinfo -h -n dd-node -o %T 2>/dev/null || true)
    done
    echo "Slurm up: node dd-node ($cpus CPUs), partition dd; $(client_env "$dir")"
}

command=${1:-}
[[ -n $command && $# == 2 ]] || usage
dir=$2
case $command in
    up) up "$dir" ;;
    env) client_env "$(cd "$dir" && pwd)" ;;
    down) down "$(cd "$dir" 2>/dev/null && pwd || echo "$dir")" ;;
    *) usage ;;
esac
