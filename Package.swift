// swift-tools-version:6.0
// dir-dist: data-parallel deep imbalanced regression (LDS + FDS) over OpenMPI and OpenBLAS.
import PackageDescription

let package = Package(
    name: "dir-dist",
    products: [
        .executable(name: "dir-dist", targets: ["dir-dist"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // C at the edge: OpenMPI's handles are macros, so a shim header exposes them.
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi",
                       providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        // Preemption signal flags and the step watchdog (async-signal-safe state in C).
        .target(name: "CSignals"),
        // Flush-to-zero for denormals (Adam's moments decay into them; x86 is slow there).
        .target(name: "CFloatEnvironment"),
        // Moves buffers between ranks; knows nothing of models or data.
        .target(name: "Collectives", dependencies: ["CMPI"]),
        // Seeded random streams shared by initialisation, shuffling and data generation.
        .target(name: "PRNG"),
        // Layers, losses, optimizers over flat Float32 buffers; knows nothing of MPI.
        .target(name: "NN", dependencies: ["CBLAS", "PRNG", "CFloatEnvironment"]),
        // Bins, kernels, LDS, FDS, shot metrics.
        .target(name: "DIR"),
        // CSV / .npy loading, the embedded Abalone set, the synthetic generator.
        .target(name: "Datasets", dependencies: ["PRNG"]),
        // The only place that wires model, data and communicator together.
        .target(name: "Training", dependencies: ["Collectives", "NN", "DIR", "Datasets", "CSignals"]),
        .executableTarget(name: "dir-dist", dependencies: [
            "Training",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Run under mpirun by CollectivesTests: checks every collective on real ranks.
        .executableTarget(name: "collectives-probe", dependencies: ["Collectives"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "NNTests", dependencies: ["NN", "TestSupport"]),
        .testTarget(name: "DIRTests", dependencies: ["DIR", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TestSupport"]),
        .testTarget(name: "CollectivesTests", dependencies: ["collectives-probe", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["dir-dist", "Training", "TestSupport"]),
    ]
)
