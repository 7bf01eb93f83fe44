// Sharded evaluation (DESIGN §5, §6): each rank predicts its share of a split,
// per-bin error sums are allreduced, and every rank gets the same report.
import Collectives
import DIR
import Datasets
import NN
import Settings

public enum Evaluation {
    /// Metrics overall and per shot on `split`, equal to a single-process evaluation.
    public static func evaluate(
        _ split: Split, model: MLP, data: PreparedData, shots: ShotThresholds,
        comm: Communicator
    ) -> ShotReport {
        let bins = data.binning
        var sums = [ErrorSums](repeating: ErrorSums(), count: bins.count)
        ShardChunks.forEach(split, data: data, chunk: model.maxBatch, comm: comm) { input, first, count in
            let prediction = model.predict(input, count: count)
            for k in 0..<count {
                let y = split.labels[first + k]
                sums[bins.bin(y)].add(prediction: data.targetScale.toUser(prediction[k]), target: y)
            }
        }
        var flat = sums.flatMap { $0.flat }
        comm.allreduce(&flat)
        let global = (0..<bins.count).map {
            ErrorSums(flat: flat[($0 * ErrorSums.width)..<(($0 + 1) * ErrorSums.width)])
        }
        return ShotReport(perBin: global, trainCounts: data.trainCounts, thresholds: shots)
    }
}
