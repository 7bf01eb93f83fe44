#!/usr/bin/env bash
# hosts.sh - run dir-dist over the hosts of an OpenMPI hostfile, after checking each
# host first: a host that does not answer over ssh, or lacks the dir-dist binary, is
# named in one error line (within seconds, instead of OpenMPI's page of text or a hang).
# mpirun then gets out-of-band keepalives (a node lost during training ends the job in
# seconds) and one BLAS thread per rank.
#
# Usage: launch/hosts.sh HOSTFILE NP [dir-dist args...]
#   e.g. launch/hosts.sh hostfiles/two-nodes 16 train --data /shared/stsb --out runs/a --step-timeout 60
# Environment: DIR_DIST (the binary, the same path on every host; default: dir-dist on
# PATH, else this checkout's release build), DD_SSH_CONFIG (an ssh config file for the
# checks and for mpirun's ssh), MPIRUN_FLAGS (more mpirun options).
set -euo pipefail

die() { echo "error: $*" >&2; exit 2; }
(( $# >= 2 )) || die "usage: $0 HOSTFILE NP [dir-dist args...]"
hostfile=$1
np=$2
shift 2
[[ -r $hostfile ]] || die "hostfile '$hostfile' cannot be read"
[[ $np =~ ^[1-9][0-9]*$ ]] || die "NP must be a positive integer, got '$np'"
# shellcheck source=launch/dir-dist-binary.sh
source "$(dirname "${BASH_SOURCE[0]}")/dir-dist-binary.sh"
bin=$(dir_dist_binary)
ssh_options=(-o BatchMode=yes -o ConnectTimeout=5)
[[ -n ${DD_SSH_CONFIG:-} ]] && ssh_options=(-F "$DD_SSH_CONFIG" "${ssh_options[@]}")

hosts=$(sed -e 's/#.*//' "$hostfile" | awk 'NF { print $1 }' | awk '!seen[$0]++')
[[ -n $hosts ]] || die "hostfile '$hostfile' names no host"
# All hosts at once: a dead one costs the ssh timeout once, not once per host.
declare -A check
for host in $hosts; do
    ssh "${ssh_options[@]}" "$host" "test -x '$bin' && echo ok || echo missing" >"/tmp/dd-hosts.$$.$host" 2>&1 &
    check[$host]=$!
done
failed=0
for host in $hosts; do
    status=0
    wait "${check[$host]}" || status=$?
    answer=$(tail -1 "/tmp/dd-hosts.$$.$host")
    rm -f "/tmp/dd-hosts.$$.$host"
    if (( status != 0 )); then
        echo "error: host $host does not answer over ssh: ${answer:-no reply}" >&2
        failed=1
    elif [[ $answer != ok ]]; then
        echo "error: host $host: the dir-dist binary '$bin' is missing or not executable there" >&2
        failed=1
    fi
done
(( failed == 0 )) || exit 2

flags=(--hostfile "$hostfile" -np "$np"
    --mca oob_tcp_keepalive_time 2 --mca oob_tcp_keepalive_intvl 1 --mca oob_tcp_keepalive_probes 3
    -x OPENBLAS_NUM_THREADS=1)
[[ $(id -u) -eq 0 ]] && flags=(--allow-run-as-root "${flags[@]}")
[[ -n ${DD_SSH_CONFIG:-} ]] && flags+=(--mca plm_rsh_args "-F $DD_SSH_CONFIG")
# shellcheck disable=SC2206 # MPIRUN_FLAGS is a list of words by design
[[ -n ${MPIRUN_FLAGS:-} ]] && flags+=($MPIRUN_FLAGS)
exec mpirun "${flags[@]}" "$bin" "$@"
