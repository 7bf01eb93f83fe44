#!/usr/bin/env bash
# test.sh - on a fresh machine: install what the tests need (launch/install-deps.sh
# tests: the training packages plus Chromium, sshd, iproute2, munge and Slurm), then
# check and test everything CI checks:
#   1. the code style: the checked-in .swift-format, warnings are failures;
#   2. a debug build with the tests, failing on an import Package.swift does not declare;
#   3. the numeric golden-file and gradient tests once more under the BLAS kernels
#      dir-dist itself chooses for this CPU (the test process runs whatever OpenBLAS
#      detected), and the equivalence tests once more under OpenBLAS's own choice
#      (DIR_DIST_BLAS_CORE=keep; the runs otherwise use dir-dist's);
#   4. a bounded libFuzzer run of the readers (5 s each; benchmarks/fuzz.sh without
#      --seconds runs a million inputs each);
#   5. the whole suite: unit, golden-file, multi-rank, cluster and Slurm tests, and the
#      Python package (python/, installed into a virtual environment in .build/python-venv
#      with its test extra; pytest, scikit-learn's estimator checks among them, against
#      the dir-dist just built). The three run side by side: the cluster and Slurm tests
#      mostly wait (on ssh, on the daemons, on Slurm's one-minute time limit) and the
#      multi-rank tests on MPI's start-up, and none of the tests races the clock.
# The cluster and Slurm tests build network namespaces and start daemons: run as root
# (CI does). Without root, run the rest by hand:
#   swift test --disable-swift-testing --skip ClusterTests --skip SlurmTests
#
# Usage: launch/test.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
launch/install-deps.sh tests
echo "style: swift format lint --strict"
swift format lint --strict --recursive Package.swift Sources Tests
# Every module imports only what Package.swift says it depends on.
swift build --build-tests --explicit-target-dependency-import-check error
core=$(env -u OPENBLAS_CORETYPE .build/debug/dir-dist bench --features 8 --hidden 8 --rows 64 --epochs 1 --warmup 0 \
    | sed -n 's/^BLAS: [^,]*, \([A-Za-z0-9]*\) kernels.*/\1/p')
echo "golden-file and gradient tests with the ${core:-detected} kernels dir-dist chooses:"
OPENBLAS_CORETYPE="$core" swift test --disable-swift-testing --filter 'GoldenTests|GradientTests|OptimizerTests'
echo "equivalence tests with the kernels OpenBLAS detects itself (DIR_DIST_BLAS_CORE=keep):"
DIR_DIST_BLAS_CORE=keep swift test --disable-swift-testing --filter EquivalenceTests
echo "fuzzing the readers (CSV, .npy, checkpoint, model file) for 5 s each:"
benchmarks/fuzz.sh --seconds 5
echo "the whole suite (the cluster and Slurm tests beside the others, their log at the end):"
bundle=.build/debug/dir-distPackageTests.xctest
apart=$("$bundle" --list-tests | sed -n 's/^\(\(ClusterTests\|SlurmTests\)\.[A-Za-z]*\)\/.*/\1/p' | sort -u | paste -sd, -)
"$bundle" "$apart" >.build/cluster-tests.log 2>&1 &
cluster=$!
python3 -m venv .build/python-venv
.build/python-venv/bin/python -m pip install --quiet --disable-pip-version-check "./python[test]"
DIR_DIST="$PWD/.build/debug/dir-dist" .build/python-venv/bin/python -m pytest -q python/tests \
    >.build/python-tests.log 2>&1 &
python=$!
status=0
swift test --skip-build --disable-swift-testing --skip ClusterTests --skip SlurmTests || status=1
wait "$python" || status=1
echo "the Python package (pytest):"
cat .build/python-tests.log
wait "$cluster" || status=1
echo "the cluster and Slurm tests:"
grep -E "^Test Case .* (passed|failed)|error:|Executed" .build/cluster-tests.log
exit "$status"
