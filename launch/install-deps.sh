#!/usr/bin/env bash
# install-deps.sh - install the Debian packages dir-dist needs, if they are missing.
#
# Usage: launch/install-deps.sh [training|tests]      (default: training)
#
#   training  what building and training need: OpenMPI (libopenmpi-dev, openmpi-bin),
#             OpenBLAS (libopenblas-dev) and pkg-config. launch/quickstart.sh uses this.
#   tests     the same, and what the test suite needs besides: Chromium (chromium), the
#             headless browser the report tests load `dir-dist report` in; openssh-server
#             and iproute2 for the hosts the cluster tests build (launch/netns-hosts.sh);
#             munge, slurmctld, slurmd and slurm-client for the Slurm tests
#             (Tests/SlurmTests start their own daemons with their own configuration);
#             python3-venv for the Python package's tests (a virtual environment in
#             .build, so the system's Python is left alone). launch/test.sh (and so CI)
#             uses this.
#
# The daemons are installed, never started: on a machine with systemd the packages' own
# services are kept from starting (policy-rc.d) and disabled afterwards. Swift 6 itself is
# expected on PATH. Uses sudo when not root. Idempotent: installs only what is missing.
set -euo pipefail

mode=${1:-training}
training=(libopenmpi-dev openmpi-bin libopenblas-dev pkg-config)
case $mode in
    training) packages=("${training[@]}") ;;
    tests)
        packages=("${training[@]}" chromium openssh-server iproute2 munge slurmctld slurmd slurm-client python3-venv)
        ;;
    *) echo "error: mode '$mode': training or tests (usage: $0 [training|tests])" >&2; exit 2 ;;
esac
services=(ssh munge slurmctld slurmd)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} > 0 )); then
    sudo=""
    (( $(id -u) == 0 )) || sudo="sudo"
    echo "installing ($mode): ${missing[*]}" >&2
    $sudo apt-get update -qq
    # Exit status 101 tells Debian's maintainer scripts not to start any service.
    blocker=/usr/sbin/policy-rc.d
    if [[ ! -e $blocker ]]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo tee "$blocker" >/dev/null
        $sudo chmod +x "$blocker"
        trap '$sudo rm -f "$blocker"' EXIT
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    if [[ -d /run/systemd/system ]]; then
        for unit in "${services[@]}"; do
            # A service whose package this run installed (ssh is openssh-server's).
            if [[ " ${missing[*]} " == *" ${unit/ssh/openssh-server} "* ]]; then
                $sudo systemctl disable -q "$unit" 2>/dev/null || true
            fi
        done
    fi
fi
command -v swift >/dev/null || { echo "error: swift not found on PATH (Swift 6 toolchain needed)" >&2; exit 1; }
