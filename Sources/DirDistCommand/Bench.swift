// `dir-dist bench`: the step breakdown, throughput, GFLOP/s against sgemm, allreduce
// bandwidth and memory, per rank and averaged; optionally one CSV row for scripts.
import ArgumentParser
import Bench
import Checkpoints
import Collectives
import DIR
import Datasets
import Foundation
import NN
import Orchestration
import Settings
import Storage
import Sync
import Training

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time training steps phase by phase (forward, backward, allreduce, optimizer, FDS).")

    @Option(help: "Folder with the data (as for train); default: synthetic rows.") var data: String?
    @Option(help: "Synthetic training rows (default: 64 global batches).") var rows: Int?
    @Option(help: "Features of the synthetic data.") var features = 768
    @Option(help: "Hidden layer sizes, comma-separated.") var hidden = "256,256"
    @Option(help: "Per-rank batch size.") var batchSize = 128
    @Option(help: "Optimizer: adam, adamw (decoupled weight decay) or sgd.") var optimizer: OptimizerKind = .adam
    @Option(help: "BLAS threads per rank.") var threads = 1
    @Option(help: "Untimed epochs first.") var warmup = 1
    @Option(help: "Timed epochs.") var epochs = 2
    @OptionGroup(title: "Model") var model: ArchitectureOptions
    @OptionGroup(title: "Loss, Balanced MSE and RankSim") var losses: LossOptions
    @Option(help: "Reweighting: none, inverse, sqrt_inv or denseweight (per-bin ones with LDS).")
    var reweight: Reweight = .none
    @Flag(help: "FDS on (bins over the label range).") var fds = false
    @Option(help: "FDS statistics pass: online or separate.") var fdsPass: FDSPass = .online
    @Flag(inversion: .prefixedNo, help: "Overlap the allreduce with backward.") var overlap = false
    @OptionGroup(title: "Gradient sum") var syncing: SyncOptions
    @Flag(help: "Also measure point-to-point latency and bandwidth between ranks 0 and 1.") var pingPong = false
    @Flag(help: "Reproducible training (micro-batches and the exact gradient sum), as train --reproducible.")
    var reproducible = false
    @Option(help: "Rows per micro-batch with --reproducible (32).") var microBatch = 32
    @Option(help: "Append one CSV row (header if the file is new).") var csv: String?

    func validate() throws {
        for (option, value) in [
            ("--features", features), ("--batch-size", batchSize), ("--threads", threads),
            ("--epochs", epochs), ("--rows", rows ?? 1),
        ] where value < 1 {
            throw optionError(option, "must be positive, got \(value)")
        }
        if warmup < 0 { throw optionError("--warmup", "must be non-negative, got \(warmup)") }
        _ = try hiddenLayerSizes(hidden)
    }

    private func configuration(ranks: Int) -> TrainingConfig {
        var c = TrainingConfig()
        let global = batchSize * ranks
        c.recipe.data =
            data.map { .directory($0) }
            ?? .synthetic(Synthetic(trainCount: rows ?? 64 * global, testCount: 256, featureCount: features, seed: 1))
        c.recipe.hidden = (try? hiddenLayerSizes(hidden)) ?? []
        model.apply(to: &c.recipe)
        c.recipe.optimizer = optimizer
        c.recipe.binning = .equalWidth(count: 50, range: nil)
        losses.apply(to: &c.recipe)
        c.recipe.reweight = reweight
        if reweight == .inverse || reweight == .sqrtInv { c.recipe.lds = Kernel(.gaussian) }
        c.execution.batchSize = batchSize
        c.execution.threads = threads
        c.execution.overlap = overlap
        c.execution.sync = syncing.gradientSum
        if reproducible {
            c.recipe.microBatch = microBatch
            (c.execution.sync, c.execution.overlap) = (nil, false)
        }
        if fds {
            var f = FDSConfig()
            f.pass = fdsPass
            c.recipe.fds = f
        }
        return c
    }

    func run() throws {
        let comm = Communicator()
        runAndExit(comm) {
            let r = try Benchmark.run(
                configuration(ranks: comm.size), comm: comm, warmup: warmup, epochs: epochs,
                pingPong: pingPong)
            // Rank 0 prints and writes; every rank learns whether the CSV could be written.
            try Agreement.together(comm) {
                guard comm.isRoot else { return }
                print(r.text(hidden: hidden, fds: fds))
                if let csv {
                    try ResultFile.append(
                        r.csvRow(hidden: hidden, overlap: overlap, fds: fds), to: csv, header: BenchmarkReport.csvHeader
                    )
                }
            }
            return .success
        }
    }
}
