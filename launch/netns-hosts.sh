#!/usr/bin/env bash
# netns-hosts.sh - several "hosts" on this machine, for real multi-host MPI runs: each
# host is a Linux network namespace (its own eth0 on a private bridge, its own address)
# with its own hostname (a UTS namespace) and its own sshd, which OpenMPI's launcher
# uses with a key generated for the purpose. The file system stays shared, as on a
# cluster with a shared home. Needs root (CI runs as root).
#
# Usage:
#   launch/netns-hosts.sh up DIR N     N hosts dd-h0 .. dd-h(N-1), addresses 10.77.0.1 ..;
#                                      state (keys, configs, hostfile) under DIR
#   launch/netns-hosts.sh run DIR HOST COMMAND...   run COMMAND on HOST (as its sshd would)
#   launch/netns-hosts.sh mpirun DIR [mpirun args...]   mpirun from dd-h0 over DIR/hostfile
#   launch/netns-hosts.sh bind DIR HOST SRC DST     HOST alone sees folder SRC at DST
#                                      (a node whose copy of the data differs)
#   launch/netns-hosts.sh down DIR     stop every sshd, remove the namespaces and the bridge
#
# `up` removes what an earlier `up` left behind; the caller tears down with `down` (the
# tests do so also after a failure). Override the names with DD_NETNS_PREFIX (default
# dd-h) and DD_NETNS_SUBNET (default 10.77.0). Every mpirun gets TCP between hosts on
# eth0, OpenMPI's out-of-band keepalives (a lost host ends the job in seconds instead of
# never), no core binding (each host would otherwise bind its first rank to core 0 of
# the same machine), waiting ranks that yield their core (the hosts share this machine's
# cores: two hosts of two ranks on two cores ran 20x slower spinning) and the generated
# ssh key.
set -euo pipefail

prefix=${DD_NETNS_PREFIX:-dd-h}
subnet=${DD_NETNS_SUBNET:-10.77.0}
bridge=${prefix}-br

die() { echo "error: $*" >&2; exit 2; }

usage() { sed -n '8,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

hosts_of() { cat "$1/hosts" 2>/dev/null || true; }

# Runs "$@" inside HOST's network and UTS namespaces, and its mount namespace (that of
# its sshd) once it has one.
enter() {
    local dir=$1 host=$2
    shift 2
    if [[ -s $dir/$host.sshd.pid ]]; then
        nsenter --target "$(cat "$dir/$host.sshd.pid")" --mount --net --uts "$@"
    else
        nsenter --net="/run/netns/$host" --uts="$dir/$host.uts" "$@"
    fi
}

# Kills what runs in HOST (sshd, orted, ranks: they keep the namespace and its link
# alive), removes the namespace and waits until its link is gone.
remove_host() {
    local host=$1 pid tries=0
    if [[ -e /run/netns/$host ]]; then
        for pid in $(ip netns pids "$host" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns del "$host" 2>/dev/null || true
    fi
    ip link del "$host-v" 2>/dev/null || true
    while ip link show "$host-v" >/dev/null 2>&1; do
        tries=$((tries + 1))
        (( tries < 100 )) || die "the link $host-v does not go away"
        sleep 0.05
    done
}

down() {
    local dir=$1 host
    for host in $(hosts_of "$dir"); do
        if [[ -f $dir/$host.sshd.pid ]]; then
            kill "$(cat "$dir/$host.sshd.pid")" 2>/dev/null || true
        fi
        # Anything still running in the host (ranks, orted) goes with it.
        remove_host "$host"
        if [[ -e $dir/$host.uts ]]; then
            umount "$dir/$host.uts" 2>/dev/null || true
            rm -f "$dir/$host.uts"
        fi
    done
    ip link del "$bridge" 2>/dev/null || true
    rm -f "$dir/hosts"
}

up() {
    local dir=$1 count=$2
    [[ $count =~ ^[0-9]+$ ]] && (( count >= 1 && count <= 8 )) || die "host count must be 1 to 8, got '$count'"
    (( $(id -u) == 0 )) || die "network namespaces need root (run as root, or see docs/cluster.md for the tests that do not)"
    for tool in ip nsenter unshare sshd ssh-keygen mpirun; do
        command -v "$tool" >/dev/null || die "$tool not found (launch/install-deps.sh --cluster installs it)"
    done
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    down "$dir"
    # Namespaces of this prefix left by a run that could not clean up.
    for host in $(ip netns list | awk '{print $1}' | grep "^${prefix}[0-9]" || true) \
        $(ip -o link show | grep -o "${prefix}[0-9]*-v" | sed 's/-v$//' || true); do
        remove_host "$host"
    done
    ip link del "$bridge" 2>/dev/null || true
    ip netns add "${prefix}-probe" 2>/dev/null || die "this machine does not allow network namespaces (ip netns add failed)"
    ip netns del "${prefix}-probe"

    mkdir -p /run/sshd # sshd's privilege separation directory (Debian's service makes it)
    rm -f "$dir/id" "$dir/id.pub" "$dir/host_key" "$dir/host_key.pub"
    ssh-keygen -q -t ed25519 -N "" -f "$dir/id"
    ssh-keygen -q -t ed25519 -N "" -f "$dir/host_key"
    cp "$dir/id.pub" "$dir/authorized_keys"
    chmod 600 "$dir/authorized_keys"
    cat >"$dir/sshd_config" <<EOF
HostKey $dir/host_key
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AcceptEnv *
PermitUserEnvironment no
Subsystem sftp internal-sftp
EOF
    cat >"$dir/ssh_config" <<EOF
Host *
    IdentityFile $dir/id
    IdentitiesOnly yes
    StrictHostKeyChecking no
    UserKnownHostsFile /dev/null
    LogLevel ERROR
    BatchMode yes
    ConnectTimeout 5
EOF
    ip link add "$bridge" type bridge
    ip link set "$bridge" up
    : >"$dir/hostfile"
    : >"$dir/hosts"
    local i host
    for ((i = 0; i < count; i++)); do
        host=$prefix$i
        echo "$host" >>"$dir/hosts"
        ip netns add "$host"
        ip link add "$host-v" type veth peer name eth0 netns "$host"
        ip link set "$host-v" master "$bridge" up
        ip -n "$host" addr add "$subnet.$((i + 1))/24" dev eth0
        ip -n "$host" link set eth0 up
        ip -n "$host" link set lo up
        touch "$dir/$host.uts"
        unshare --uts="$dir/$host.uts" hostname "$host"
        # Its own mount namespace (a copy of this machine's, private from then on), so
        # that `bind` can show one host other files at the same path.
        rm -f "$dir/$host.sshd.pid"
        enter "$dir" "$host" unshare --mount --propagation private \
            /usr/sbin/sshd -f "$dir/sshd_config" -o "PidFile=$dir/$host.sshd.pid" \
            -o "ListenAddress=$subnet.$((i + 1))"
        echo "$subnet.$((i + 1)) slots=2" >>"$dir/hostfile"
    done
    # Every sshd answers before the caller goes on.
    for ((i = 0; i < count; i++)); do
        local tries=0
        until enter "$dir" "${prefix}0" ssh -F "$dir/ssh_config" "$subnet.$((i + 1))" true 2>/dev/null; do
            tries=$((tries + 1))
            (( tries < 50 )) || die "sshd on $prefix$i ($subnet.$((i + 1))) does not answer"
            sleep 0.1
        done
    done
    echo "$count hosts up: $(tr '\n' ' ' <"$dir/hosts")(hostfile $dir/hostfile)"
}

mpirun_from_first() {
    local dir=$1
    shift
    local first
    first=$(head -1 "$dir/hosts")
    [[ -n $first ]] || die "no hosts under $dir (run '$0 up $dir N' first)"
    local root=()
    (( $(id -u) == 0 )) && root=(--allow-run-as-root)
    enter "$dir" "$first" mpirun "${root[@]}" --hostfile "$dir/hostfile" \
        --mca plm_rsh_args "-F $dir/ssh_config" \
        --mca btl tcp,self,vader --mca pml ob1 \
        --mca btl_tcp_if_include eth0 --mca oob_tcp_if_include eth0 \
        --mca oob_tcp_keepalive_time 2 --mca oob_tcp_keepalive_intvl 1 --mca oob_tcp_keepalive_probes 3 \
        --bind-to none --mca mpi_yield_when_idle 1 "$@"
}

command=${1:-}
[[ -n $command ]] || usage
shift
case $command in
    up) (( $# == 2 )) || usage; up "$1" "$2" ;;
    down) (( $# == 1 )) || usage; down "$(cd "$1" 2>/dev/null && pwd || echo "$1")" ;;
    run)
        (( $# >= 3 )) || usage
        dir=$(cd "$1" && pwd)
        host=$2
        shift 2
        grep -qx "$host" "$dir/hosts" 2>/dev/null || die "no host '$host' under $dir"
        enter "$dir" "$host" "$@"
        ;;
    mpirun) (( $# >= 1 )) || usage; dir=$(cd "$1" && pwd); shift; mpirun_from_first "$dir" "$@" ;;
    bind)
        (( $# == 4 )) || usage
        dir=$(cd "$1" && pwd)
        grep -qx "$2" "$dir/hosts" 2>/dev/null || die "no host '$2' under $dir"
        enter "$dir" "$2" mount --bind "$3" "$4"
        ;;
    *) usage ;;
esac
