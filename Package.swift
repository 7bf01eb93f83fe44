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
        // Sweep files: TOML read by a maintained parser (toml++ underneath) rather than a
        // hand-written one; it reports the line of a syntax error.
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
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
        // The gradient sync: one reduce-and-update per step (allreduce, shared memory,
        // hierarchical or exact), and the signals that ride along.
        .target(name: "Sync", dependencies: ["Collectives", "NN"]),
        // The configuration: what is trained (the recipe) and how a run executes.
        .target(name: "Settings", dependencies: ["DIR", "Datasets", "NN", "Sync"]),
        // Files that survive a crash (atomic writes, appended tables) and JSON text: what
        // every writer of results and checkpoints shares.
        .target(name: "Storage", dependencies: ["Datasets"]),
        // SHA-256 fingerprints of data, weights and configurations, and checkpoint checksums.
        .target(name: "Fingerprints", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // Checkpoint and model files.
        .target(name: "Checkpoints", dependencies: ["Settings", "DIR", "Datasets", "NN", "Storage", "Fingerprints"]),
        // The training loop: data preparation, the step, FDS across ranks, evaluation.
        .target(
            name: "Training",
            dependencies: [
                "Collectives", "NN", "DIR", "Datasets", "PRNG", "CSignals", "Settings", "Sync", "Checkpoints",
                "Fingerprints",
            ]),
        // One whole run: checks, outputs, resume, epochs, reporting (the rank-0 door).
        .target(
            name: "Orchestration",
            dependencies: [
                "Training", "Checkpoints", "Settings", "Collectives", "DIR", "Datasets", "NN", "Storage",
                "Fingerprints",
            ]),
        // `dir-dist bench`: a run's steps timed phase by phase, and what they are compared with.
        .target(
            name: "Bench", dependencies: ["Orchestration", "Training", "Settings", "Sync", "Collectives", "NN"]),
        // `dir-dist predict`: a model file applied to new rows.
        .target(
            name: "Predictions",
            dependencies: ["Training", "Checkpoints", "Collectives", "Datasets", "NN", "Storage"]),
        // What runs over seeds say: Student-t intervals, paired differences (sweeps and reports).
        .target(name: "Analysis"),
        // The sweep's summary and the HTML report: files in, files out; no MPI, no training.
        .target(name: "Reports", dependencies: ["Analysis", "Storage", "Datasets"]),
        // `dir-dist sweep`: runs over configurations and seeds, shared out among rank groups.
        .target(
            name: "Sweeps",
            dependencies: [
                "Orchestration", "Reports", "Training", "Settings", "Collectives", "Storage", "Datasets",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]),
        // The command line: parsing, option checks and wiring only.
        .target(
            name: "DirDistCommand",
            dependencies: [
                "Orchestration", "Bench", "Predictions", "Sweeps", "Reports", "Training", "Settings", "Sync",
                "Checkpoints", "Collectives", "DIR", "Datasets", "NN", "Storage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "dir-dist", dependencies: ["DirDistCommand"]),
        // Run under mpirun by CollectivesTests: checks every collective on real ranks.
        .executableTarget(name: "collectives-probe", dependencies: ["Collectives"]),
        // The readers as libFuzzer targets (benchmarks/fuzz.sh), or a replayer of files; no
        // top-level code: libFuzzer brings main() when built with -DFUZZING.
        .executableTarget(
            name: "dir-dist-fuzz", dependencies: ["Datasets", "Checkpoints"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        // The option checks as a fuzz target (benchmarks/fuzz.sh options), apart from the
        // readers so that their sanitized build stays small.
        .executableTarget(
            name: "dir-dist-fuzz-options", dependencies: ["DirDistCommand"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // The in-process tests' MPI world: the test process as a single rank.
        .target(name: "InProcessMPI", dependencies: ["Collectives"], path: "Tests/InProcessMPI"),
        .testTarget(name: "PRNGTests", dependencies: ["PRNG"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "TestSupport"]),
        .testTarget(name: "DIRTests", dependencies: ["DIR", "PRNG", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TestSupport"]),
        .testTarget(name: "CollectivesTests", dependencies: ["Collectives", "collectives-probe", "TestSupport"]),
        .testTarget(name: "SettingsTests", dependencies: ["Settings", "TestSupport"]),
        .testTarget(name: "SyncTests", dependencies: ["Sync", "Collectives", "NN", "InProcessMPI"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "TestSupport"]),
        .testTarget(name: "FingerprintsTests", dependencies: ["Fingerprints"]),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints", "Settings", "Storage", "TestSupport"]),
        // The trainer and a whole run in this process (one rank: MPI's singleton start).
        .testTarget(
            name: "TrainingTests",
            dependencies: ["Training", "Settings", "Sync", "Collectives", "Datasets", "InProcessMPI"]),
        .testTarget(
            name: "OrchestrationTests",
            dependencies: [
                "Orchestration", "Settings", "Collectives", "Datasets", "InProcessMPI", "TestSupport",
            ]),
        .testTarget(name: "BenchTests", dependencies: ["Bench", "Sync"]),
        .testTarget(
            name: "PredictionsTests",
            dependencies: ["Predictions", "Orchestration", "Settings", "Datasets", "InProcessMPI", "TestSupport"]),
        .testTarget(name: "DirDistCommandTests", dependencies: ["DirDistCommand"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "TestSupport"]),
        .testTarget(name: "SweepsTests", dependencies: ["Sweeps"]),
        // Several hosts (network namespaces with sshd) and a lost host: needs root.
        .testTarget(name: "ClusterTests", dependencies: ["dir-dist", "TestSupport"]),
        // Slurm daemons of our own (munge, slurmctld, slurmd): needs root.
        .testTarget(name: "SlurmTests", dependencies: ["dir-dist", "TestSupport"]),
        // The program as users run it: `dir-dist` under mpirun on one host, every subcommand.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "dir-dist", "dir-dist-fuzz", "dir-dist-fuzz-options", "Checkpoints", "Datasets", "NN", "TestSupport",
            ]),
    ]
)
