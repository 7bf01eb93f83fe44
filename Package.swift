// swift-tools-version:6.0
// dir-dist: data-parallel deep imbalanced regression (LDS + FDS) over OpenMPI and OpenBLAS.
import PackageDescription

let package = Package(
    name: "dir-dist",
    products: [
        .executable(name: "dir-dist", targets: ["dir-dist"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // SHA-256 for checkpoint checksums and fingerprints: a maintained implementation
        // instead of a hand-written hash.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C at the edge: OpenMPI's handles are macros, so a shim header exposes them.
        .systemLibrary(
            name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        // Preemption signal flags and the step watchdog (async-signal-safe state in C).
        .target(name: "CSignals"),
        // Flush-to-zero for denormals (Adam's moments decay into them; x86 is slow there).
        .target(name: "CFloatEnvironment"),
        // The CPU's vector extensions (CPUID/XGETBV), to choose BLAS kernels OpenBLAS misses.
        .target(name: "CCPUID"),
        // Elementwise kernels built for AVX-512/AVX2/baseline, chosen at load time (Adam);
        // without errno from sqrt so it vectorises, without FP contraction so every
        // version rounds alike.
        .target(name: "CVectorKernels", cSettings: [.unsafeFlags(["-O3", "-fno-math-errno", "-ffp-contract=off"])]),
        // Moves buffers between ranks; knows nothing of models or data.
        .target(name: "Collectives", dependencies: ["CMPI"]),
        // Seeded random streams shared by initialisation, shuffling and data generation.
        .target(name: "PRNG"),
        // Layers, losses, optimizers over flat Float32 buffers; knows nothing of MPI.
        .target(name: "NN", dependencies: ["CBLAS", "PRNG", "CFloatEnvironment", "CCPUID", "CVectorKernels"]),
        // Bins, kernels, LDS, FDS, shot metrics; the peer methods (Balanced MSE, RankSim, DenseWeight).
        .target(name: "DIR", dependencies: ["NN", "PRNG"]),
        // CSV / .npy loading, the embedded Abalone set, the synthetic generator.
        .target(name: "Datasets", dependencies: ["PRNG", "CVectorKernels"]),
        // The configuration: what is trained (the recipe) and how a run executes.
        .target(name: "Settings", dependencies: ["DIR", "Datasets", "NN"]),
        // The gradient sync: allreduce or shared-memory sum, and the signals that ride along.
        .target(name: "Sync", dependencies: ["Collectives", "NN"]),
        // Checkpoint and model files, atomic result files, fingerprints.
        .target(
            name: "Checkpoints",
            dependencies: ["Settings", "DIR", "Datasets", .product(name: "Crypto", package: "swift-crypto")]),
        // The training loop: data preparation, the step, FDS across ranks, evaluation.
        .target(
            name: "Training",
            dependencies: [
                "Collectives", "NN", "DIR", "Datasets", "PRNG", "CSignals", "Settings", "Sync", "Checkpoints",
            ]),
        // A whole run: outputs, resume, epochs, reporting (the rank-0 door), the bench.
        .target(name: "Orchestration", dependencies: ["Training", "Checkpoints", "Settings", "Sync", "Analysis"]),
        // What runs over seeds say: Student-t intervals, paired differences (sweeps and reports).
        .target(name: "Analysis"),
        // The command line: parsing, option checks and wiring only.
        .target(
            name: "DirDistCommand",
            dependencies: [
                "Orchestration", "Training", "Settings", "Sync", "Checkpoints",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "dir-dist", dependencies: ["DirDistCommand"]),
        // Run under mpirun by CollectivesTests: checks every collective on real ranks.
        .executableTarget(name: "collectives-probe", dependencies: ["Collectives"]),
        // The readers as libFuzzer targets (benchmarks/fuzz.sh), or a replayer of files; no
        // top-level code: libFuzzer brings main() when built with -DFUZZING.
        .executableTarget(
            name: "dir-dist-fuzz", dependencies: ["Datasets", "Checkpoints", "DirDistCommand"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "NNTests", dependencies: ["NN", "TestSupport"]),
        // Golden/ holds this repository's own reference cases and the script that made them (read by path).
        .testTarget(name: "DIRTests", dependencies: ["DIR", "PRNG", "TestSupport"], exclude: ["Golden"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TestSupport"]),
        .testTarget(name: "CollectivesTests", dependencies: ["Collectives", "collectives-probe", "TestSupport"]),
        .testTarget(name: "SettingsTests", dependencies: ["Settings", "TestSupport"]),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints", "Settings", "TestSupport"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis"]),
        .testTarget(name: "SyncTests", dependencies: ["Sync"]),
        .testTarget(name: "OrchestrationTests", dependencies: ["Orchestration"]),
        // Several hosts (network namespaces with sshd) and a lost host: needs root.
        .testTarget(name: "ClusterTests", dependencies: ["dir-dist", "TestSupport"]),
        // Slurm daemons of our own (munge, slurmctld, slurmd): needs root.
        .testTarget(name: "SlurmTests", dependencies: ["dir-dist", "TestSupport"]),
        .testTarget(
            name: "TrainingTests", dependencies: ["dir-dist", "dir-dist-fuzz", "Checkpoints", "NN", "TestSupport"]),
    ]
)
