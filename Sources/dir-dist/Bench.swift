// `dir-dist bench`: the step breakdown, throughput, GFLOP/s against sgemm, allreduce
// bandwidth and memory, per rank and averaged; optionally one CSV row for scripts.
import ArgumentParser
import Checkpoints
import Collectives
import DIR
import Datasets
import Foundation
import NN
import Orchestration
import Settings
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
    @Option(help: "Optimizer: adam or sgd.") var optimizer: OptimizerKind = .adam
    @Option(help: "BLAS threads per rank.") var threads = 1
    @Option(help: "Untimed epochs first.") var warmup = 1
    @Option(help: "Timed epochs.") var epochs = 2
    @Flag(help: "FDS on (bins over the label range).") var fds = false
    @Option(help: "FDS statistics pass: separate or online.") var fdsPass: FDSPass = .separate
    @Flag(inversion: .prefixedNo, help: "Overlap the allreduce with backward.") var overlap = false
    @Flag(
        inversion: .prefixedNo,
        help: "Sum gradients in shared memory instead of an allreduce (default: one node, a core per rank).")
    var sharedMemory: Bool?
    @Flag(help: "Also measure point-to-point latency and bandwidth between ranks 0 and 1.") var pingPong = false
    @Option(help: "Append one CSV row (header if the file is new).") var csv: String?

    func validate() throws {
        for (option, value) in [
            ("--features", features), ("--batch-size", batchSize), ("--threads", threads),
            ("--epochs", epochs), ("--rows", rows ?? 1),
        ] where value < 1 {
            throw optionError(option, "must be positive, got \(value)")
        }
        if warmup < 0 { throw optionError("--warmup", "must be non-negative, got \(warmup)") }
        if hiddenSizes.isEmpty || hiddenSizes.count != hidden.split(separator: ",").count {
            throw optionError("--hidden", "'\(hidden)' is not a comma-separated list of positive sizes")
        }
    }

    private var hiddenSizes: [Int] { hidden.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 } }

    private func configuration(ranks: Int) -> TrainingConfig {
        var c = TrainingConfig()
        let global = batchSize * ranks
        c.recipe.data =
            data.map { .directory($0) }
            ?? .synthetic(Synthetic(trainCount: rows ?? 64 * global, testCount: 256, featureCount: features, seed: 1))
        c.recipe.hidden = hiddenSizes
        c.recipe.optimizer = optimizer
        c.recipe.binning = .equalWidth(count: 50, range: nil)
        c.execution.batchSize = batchSize
        c.execution.threads = threads
        c.execution.overlap = overlap
        c.execution.sharedMemory = sharedMemory
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
                print(text(r))
                if let csv { try append(r, to: csv) }
            }
            return .success
        }
    }

    private func ms(_ s: Double) -> String { String(format: "%8.3f ms", s * 1e3) }

    private func text(_ r: BenchmarkReport) -> String {
        var lines = [String]()
        lines.append(
            "dir-dist bench: \(r.ranks) rank(s) x batch \(r.perRankBatch), MLP \(hidden), \(r.parameters) "
                + "parameters, gradient sync: \(r.sync.rawValue), \(r.stepsMeasured) steps per rank"
        )
        lines.append("per step (mean over ranks):")
        lines.append("  forward          \(ms(r.forward))")
        lines.append("  backward         \(ms(r.backward))")
        switch r.sync {
        case .overlappedAllreduce:
            lines.append(
                "  sync wait        \(ms(r.reduceWait))   (standalone allreduce \(ms(r.allreduceSeconds)); hidden "
                    + "behind backward: \(String(format: "%.0f%%", 100 * r.hidden)))"
            )
        case .sharedMemory:
            lines.append(
                "  sync wait        \(ms(r.reduceWait))   (barrier: waiting for the slowest rank; a standalone "
                    + "allreduce would take \(ms(r.allreduceSeconds)))"
            )
        case .allreduce:
            lines.append("  sync wait        \(ms(r.reduceWait))   (standalone allreduce \(ms(r.allreduceSeconds)))")
        }
        lines.append(
            "  optimizer        \(ms(r.optimizer))"
                + (r.sync == .sharedMemory ? "   (this rank's shard: sum, update, barrier)" : ""))
        lines.append("  step (slowest)   \(ms(r.step))")
        lines.append("per rank (ms): rank  forward  backward  sync wait  optimizer  step  rows/step")
        for (rank, phases) in r.perRankPhases.enumerated() {
            lines.append(
                String(
                    format: "               %4d %8.3f %9.3f %10.3f %10.3f %6.3f %10.1f", rank, phases[0] * 1e3,
                    phases[1] * 1e3,
                    phases[2] * 1e3, phases[3] * 1e3, r.perRankStep[rank] * 1e3, r.perRankRows[rank]))
        }
        if fds {
            let share = (r.fdsCalibration + r.fdsStatistics + r.fdsSmoothing) / r.epochSeconds
            lines.append(
                String(
                    format:
                        "FDS per epoch: calibration %.1f ms, statistics pass %.1f ms, smoothing+broadcast %.1f ms "
                        + "= %.1f%% of the %.1f ms epoch",
                    r.fdsCalibration * 1e3, r.fdsStatistics * 1e3, r.fdsSmoothing * 1e3, 100 * share,
                    r.epochSeconds * 1e3))
        }
        lines.append(
            String(
                format:
                    "throughput: %.0f samples/s (all ranks); %.2f GFLOP/s per rank = %.0f%% of single-thread "
                    + "sgemm %.1f GFLOP/s",
                r.samplesPerSecond, r.gflops, 100 * r.gflops / r.sgemmPeak, r.sgemmPeak))
        lines.append(
            String(
                format: "allreduce: %d bytes per step, %.2f GB/s algorithmic bandwidth", r.bytesPerStep,
                Double(r.bytesPerStep) / max(r.allreduceSeconds, 1e-12) / 1e9))
        lines.append(
            String(
                format: "memory: peak resident %.1f MB per rank (parameters %.1f MB)", r.peakResidentMB,
                Double(r.parameters * 4) / 1e6))
        if let l = r.p2pLatency, let b = r.p2pBandwidth {
            lines.append(
                String(format: "point to point (ranks 0-1): latency %.2f us, bandwidth %.2f GB/s", l * 1e6, b / 1e9))
        }
        return lines.joined(separator: "\n")
    }

    private func append(_ r: BenchmarkReport, to path: String) throws {
        let header =
            "ranks,per_rank_batch,global_batch,hidden,overlap,fds,samples_per_s,step_ms,forward_ms,backward_ms,"
            + "reduce_wait_ms,optimizer_ms,allreduce_ms,bytes_per_step,gflops_per_rank,sgemm_gflops,fds_epoch_ms,"
            + "epoch_ms,rss_mb,p2p_latency_us,p2p_bandwidth_gbs,sync\n"
        let fdsMs = (r.fdsCalibration + r.fdsStatistics + r.fdsSmoothing) * 1e3
        let row =
            [
                "\(r.ranks)", "\(r.perRankBatch)", "\(r.ranks * r.perRankBatch)", "\"\(hidden)\"", overlap ? "1" : "0",
                fds ? "1" : "0",
                String(format: "%.1f", r.samplesPerSecond), String(format: "%.4f", r.step * 1e3),
                String(format: "%.4f", r.forward * 1e3), String(format: "%.4f", r.backward * 1e3),
                String(format: "%.4f", r.reduceWait * 1e3), String(format: "%.4f", r.optimizer * 1e3),
                String(format: "%.4f", r.allreduceSeconds * 1e3), "\(r.bytesPerStep)", String(format: "%.3f", r.gflops),
                String(format: "%.2f", r.sgemmPeak), String(format: "%.3f", fdsMs),
                String(format: "%.3f", r.epochSeconds * 1e3),
                String(format: "%.1f", r.peakResidentMB), r.p2pLatency.map { String(format: "%.3f", $0 * 1e6) } ?? "",
                r.p2pBandwidth.map { String(format: "%.4f", $0 / 1e9) } ?? "", r.sync.rawValue,
            ].joined(separator: ",") + "\n"
        try ResultFile.append(row, to: path, header: header)
    }
}
