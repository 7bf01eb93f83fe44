// The one way to run the model over this rank's shard of a feature matrix outside
// training (evaluation, the FDS statistics pass, prediction): standardised rows in
// chunks of the model's largest batch.
import Collectives
import Datasets
import NN

public enum ShardChunks {
    /// Calls `body(input, first, count)` for consecutive chunks of this rank's shard of
    /// `features`: `input` holds rows first..<first+count, standardised with `mean` and
    /// `invStd`, [count × columns].
    public static func forEach(
        _ features: FeatureMatrix, mean: [Float], invStd: [Float], chunk: Int, comm: Communicator,
        _ body: (UnsafeMutablePointer<Float>, Int, Int) -> Void
    ) {
        let shard = PreparedData.shard(features.rows, comm)
        let input = FloatBuffer(count: chunk * features.columns)
        var rows = [Int32](repeating: 0, count: chunk)
        var first = shard.lowerBound
        while first < shard.upperBound {
            let count = min(chunk, shard.upperBound - first)
            for k in 0..<count { rows[k] = Int32(first + k) }
            rows.withUnsafeBufferPointer { r in
                features.gather(
                    UnsafeBufferPointer(rebasing: r[0..<count]), mean: mean, invStd: invStd, into: input.pointer)
            }
            body(input.pointer, first, count)
            first += count
        }
    }

    /// The same over a split of the prepared data, with the training standardisation.
    static func forEach(
        _ split: Split, data: PreparedData, chunk: Int, comm: Communicator,
        _ body: (UnsafeMutablePointer<Float>, Int, Int) -> Void
    ) {
        forEach(split.features, mean: data.mean, invStd: data.invStd, chunk: chunk, comm: comm, body)
    }
}
