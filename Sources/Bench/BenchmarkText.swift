// How `dir-dist bench` shows a benchmark report: the text for people, one CSV row
// for scripts (header `csvHeader`).
import Foundation
import NN
import Sync

extension BenchmarkReport {
    private func ms(_ s: Double) -> String { String(format: "%8.3f ms", s * 1e3) }

    /// The report as `dir-dist bench` prints it.
    public func text(hidden: String, fds: Bool) -> String {
        let kernels = KernelChoice.report
        let blas = [kernels.line] + (kernels.warning.map { ["warning: " + $0] } ?? [])
        return (blas + phaseLines(hidden: hidden) + summaryLines(fds: fds)).joined(separator: "\n")
    }

    /// The step: header, phases averaged over ranks, and per rank.
    private func phaseLines(hidden: String) -> [String] {
        let r = self
        var lines = [String]()
        lines.append(
            "dir-dist bench: \(r.ranks) rank(s) x batch \(r.perRankBatch), \(r.model ?? "MLP \(hidden)"), \(r.parameters) "
                + "parameters, gradient sum: \(r.sync), \(r.stepsMeasured) steps per rank"
        )
        lines.append("method: \(r.method)")
        lines.append("per step (mean over ranks):")
        lines.append("  forward          \(ms(r.forward))")
        lines.append("  backward         \(ms(r.backward))")
        switch r.sync.sum {
        case .allreduce where r.sync.overlapped:
            lines.append(
                "  sync wait        \(ms(r.reduceWait))   (standalone allreduce \(ms(r.allreduceSeconds)); hidden "
                    + "behind backward: \(String(format: "%.0f%%", 100 * r.hidden)))"
            )
        case .shared:
            lines.append(
                "  sync wait        \(ms(r.reduceWait))   (barrier: waiting for the slowest rank; a standalone "
                    + "allreduce would take \(ms(r.allreduceSeconds)))"
            )
        case .hierarchical:
            lines.append(
                "  sync wait        \(ms(r.reduceWait))   (barrier, node sum of this rank's shard and its allreduce "
                    + "across nodes; a standalone allreduce of everything would take \(ms(r.allreduceSeconds)))"
            )
        case .allreduce:
            lines.append("  sync wait        \(ms(r.reduceWait))   (standalone allreduce \(ms(r.allreduceSeconds)))")
        case .exact:
            lines.append(
                "  sync wait        \(ms(r.reduceWait))   (exact sum: block exponents, integer adds and their "
                    + "allreduce; a standalone Float allreduce would take \(ms(r.allreduceSeconds)))")
        }
        let sharded = r.sync.sum == .shared || r.sync.sum == .hierarchical
        lines.append(
            "  optimizer        \(ms(r.optimizer))" + (sharded ? "   (this rank's shard: update, barrier)" : ""))
        lines.append("  step (slowest)   \(ms(r.step))")
        lines.append("per rank (ms): rank  forward  backward  sync wait  optimizer  step  rows/step")
        for (rank, phases) in r.perRankPhases.enumerated() {
            lines.append(
                String(
                    format: "               %4d %8.3f %9.3f %10.3f %10.3f %6.3f %10.1f", rank, phases[0] * 1e3,
                    phases[1] * 1e3,
                    phases[2] * 1e3, phases[3] * 1e3, r.perRankStep[rank] * 1e3, r.perRankRows[rank]))
        }
        return lines
    }

    /// FDS, throughput against sgemm, allreduce bandwidth, memory, point to point.
    private func summaryLines(fds: Bool) -> [String] {
        let r = self
        var lines = [String]()
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
        let bound = r.sgemmBoundSeconds
        lines.append(
            String(
                format:
                    "sgemm-bound step %.3f ms (its FLOPs at the peak) = %.0f%% of the step; its products alone take "
                    + "%.3f ms (%.0f%% of the peak at these shapes)",
                bound * 1e3, 100 * bound / max(r.step, 1e-12), r.productsSeconds * 1e3,
                100 * bound / max(r.productsSeconds, 1e-12)))
        if let name = r.embedding {
            lines.append(
                String(
                    format: "embedding (%@): forward and backward %.3f ms = %.1f%% of the step", name,
                    r.embeddingSeconds * 1e3, 100 * r.embeddingSeconds / max(r.step, 1e-12)))
        }
        // One rank's "allreduce" moves nothing: a bandwidth from it would be a memory copy.
        lines.append(
            r.ranks > 1
                ? String(
                    format: "allreduce: %d bytes per step, %.2f GB/s algorithmic bandwidth", r.bytesPerStep,
                    Double(r.bytesPerStep) / max(r.allreduceSeconds, 1e-12) / 1e9)
                : "allreduce: \(r.bytesPerStep) bytes per step, none on one rank (nothing to sum with)")
        lines.append(
            String(
                format: "memory: peak resident %.1f MB per rank (parameters %.1f MB)", r.peakResidentMB,
                Double(r.parameters * 4) / 1e6))
        if let l = r.p2pLatency, let b = r.p2pBandwidth {
            lines.append(
                String(format: "point to point (ranks 0-1): latency %.2f us, bandwidth %.2f GB/s", l * 1e6, b / 1e9))
        }
        return lines
    }

    public static let csvHeader =
        "ranks,per_rank_batch,global_batch,hidden,overlap,fds,samples_per_s,step_ms,forward_ms,backward_ms,"
        + "reduce_wait_ms,optimizer_ms,allreduce_ms,bytes_per_step,gflops_per_rank,sgemm_gflops,fds_epoch_ms,"
        + "epoch_ms,rss_mb,p2p_latency_us,p2p_bandwidth_gbs,sync,method,model,sgemm_bound_ms,embedding_ms\n"

    /// The step's FLOPs at the single-thread sgemm peak measured in the same run.
    public var sgemmBoundSeconds: Double { flopsPerSample * Double(perRankBatch) / (sgemmPeak * 1e9) }

    /// One row under `csvHeader`.
    public func csvRow(hidden: String, overlap: Bool, fds: Bool) -> String {
        let r = self
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
                r.p2pBandwidth.map { String(format: "%.4f", $0 / 1e9) } ?? "", r.sync.sum.rawValue,
                "\"\(r.method)\"", "\"\(r.model ?? "MLP \(hidden)")\"",
                String(format: "%.4f", r.sgemmBoundSeconds * 1e3),
                String(format: "%.4f", r.embeddingSeconds * 1e3),
            ].joined(separator: ",") + "\n"
        return row
    }
}
