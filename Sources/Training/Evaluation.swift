// Sharded evaluation (DESIGN §5, §6): each rank predicts its share of a split,
// per-bin error sums are allreduced, and every rank gets the same report.
import Collectives
import DIR
import Datasets
import NN

public enum Evaluation {
    /// Metrics overall and per shot on `split`, equal to a single-process evaluation.
    public static func evaluate(_ split: Split, model: MLP, data: PreparedData, config: TrainingConfig,
                                comm: Communicator) -> ShotReport {
        let bins = data.binning
        var sums = [ErrorSums](repeating: ErrorSums(), count: bins.count)
        let shard = PreparedData.shard(split.count, comm)
        let chunk = model.maxBatch
        let input = FloatBuffer(count: chunk * split.features.columns)
        var rows = [Int32](repeating: 0, count: chunk)
        var start = shard.lowerBound
        while start < shard.upperBound {
            let count = min(chunk, shard.upperBound - start)
            for k in 0..<count { rows[k] = Int32(start + k) }
            rows.withUnsafeBufferPointer { r in
                split.features.gather(UnsafeBufferPointer(rebasing: r[0..<count]), mean: data.mean,
                                      invStd: data.invStd, into: input.pointer)
            }
            let prediction = model.predict(input.pointer, count: count)
            for k in 0..<count {
                let y = split.labels[start + k]
                sums[bins.bin(y)].add(prediction: Double(prediction[k]), target: y)
            }
            start += count
        }
        var flat = sums.flatMap { $0.flat }
        comm.allreduce(&flat)
        let global = (0..<bins.count).map {
            ErrorSums(flat: flat[($0 * ErrorSums.width)..<(($0 + 1) * ErrorSums.width)])
        }
        return ShotReport(perBin: global, trainCounts: data.trainCounts, thresholds: config.shots)
    }
}
