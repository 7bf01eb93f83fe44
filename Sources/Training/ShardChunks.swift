// The one way to run the model over this rank's shard of a split outside training
// (evaluation, the FDS statistics pass): standardised rows in chunks of the model's
// largest batch.
import Collectives
import Datasets
import NN

enum ShardChunks {
    /// Calls `body(input, first, count)` for consecutive chunks of this rank's shard of
    /// `split`: `input` holds rows first..<first+count, standardised, [count × columns].
    static func forEach(
        _ split: Split, data: PreparedData, chunk: Int, comm: Communicator,
        _ body: (UnsafeMutablePointer<Float>, Int, Int) -> Void
    ) {
        let shard = PreparedData.shard(split.count, comm)
        let input = FloatBuffer(count: chunk * split.features.columns)
        var rows = [Int32](repeating: 0, count: chunk)
        var first = shard.lowerBound
        while first < shard.upperBound {
            let count = min(chunk, shard.upperBound - first)
            for k in 0..<count { rows[k] = Int32(first + k) }
            rows.withUnsafeBufferPointer { r in
                split.features.gather(
                    UnsafeBufferPointer(rebasing: r[0..<count]), mean: data.mean,
                    invStd: data.invStd, into: input.pointer)
            }
            body(input.pointer, first, count)
            first += count
        }
    }
}
