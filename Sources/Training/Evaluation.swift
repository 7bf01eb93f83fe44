// Sharded evaluation (docs/specification.md §5, docs/protocol.md §1.7): each rank predicts its chunks of a split, and
// every rank gets the same report, with the same bits for any rank count: each chunk's
// per-bin error sums go to a slot of their own (one allreduce where every slot has one
// contributor, so adding the others' zeros is exact), and every rank adds the chunks
// in order.
import Collectives
import DIR
import Datasets
import NN
import Settings

public enum Evaluation {
    /// Metrics overall and per shot on `split`, equal to a single-process evaluation.
    /// `chunk` rows per product (at most the model's largest batch).
    public static func evaluate(
        _ split: Split, model: MLP, data: PreparedData, shots: ShotThresholds, chunk: Int,
        comm: Communicator
    ) -> ShotReport {
        let bins = data.binning, width = bins.count * ErrorSums.width
        let chunks = ShardChunks.mine(rows: split.count, chunk: chunk, comm: comm).count
        var flat = [Double](repeating: 0, count: chunks * width)
        ShardChunks.forEach(split, data: data, chunk: chunk, comm: comm) { input, first, count, index in
            var sums = [ErrorSums](repeating: ErrorSums(), count: bins.count)
            let prediction = model.predict(input, count: count)
            for k in 0..<count {
                let y = split.labels[first + k]
                sums[bins.bin(y)].add(prediction: data.targetScale.toUser(prediction[k]), target: y)
            }
            for (b, s) in sums.enumerated() {
                for (j, v) in s.flat.enumerated() { flat[index * width + b * ErrorSums.width + j] = v }
            }
        }
        comm.allreduce(&flat)
        var global = [ErrorSums](repeating: ErrorSums(), count: bins.count)
        for index in 0..<chunks {
            for b in 0..<bins.count {
                let start = index * width + b * ErrorSums.width
                global[b] = global[b] + ErrorSums(flat: flat[start..<(start + ErrorSums.width)])
            }
        }
        return ShotReport(perBin: global, trainCounts: data.trainCounts, thresholds: shots)
    }
}
