// The one way to run the model over a feature matrix outside training (evaluation, the
// FDS statistics pass, prediction): the rows in chunks of a fixed size, numbered from
// the first row, each rank taking a contiguous run of whole chunks. A row always falls
// in the same chunk at the same place, so its products have the same shape and its
// results the same bits whatever the rank count.
import Collectives
import Datasets
import NN

public enum ShardChunks {
    /// Chunks of `chunk` rows over `rows` rows, and this rank's run of them.
    public static func mine(rows: Int, chunk: Int, comm: Communicator) -> (count: Int, mine: Range<Int>) {
        let count = (rows + chunk - 1) / chunk
        return (count, (comm.rank * count / comm.size)..<((comm.rank + 1) * count / comm.size))
    }

    /// Calls `body(input, first, count, chunkIndex)` for this rank's chunks of `features`:
    /// `input` holds rows first..<first+count, standardised with `mean` and `invStd`,
    /// [count × columns].
    public static func forEach(
        _ features: FeatureMatrix, mean: [Float], invStd: [Float], chunk: Int, comm: Communicator,
        _ body: (UnsafeMutablePointer<Float>, Int, Int, Int) -> Void
    ) {
        let input = FloatBuffer(count: chunk * features.columns)
        var rows = [Int32](repeating: 0, count: chunk)
        for index in mine(rows: features.rows, chunk: chunk, comm: comm).mine {
            let first = index * chunk, count = min(chunk, features.rows - first)
            for k in 0..<count { rows[k] = Int32(first + k) }
            rows.withUnsafeBufferPointer { r in
                features.gather(
                    UnsafeBufferPointer(rebasing: r[0..<count]), mean: mean, invStd: invStd, into: input.pointer)
            }
            body(input.pointer, first, count, index)
        }
    }

    /// The same over a split of the prepared data, with the training standardisation.
    static func forEach(
        _ split: Split, data: PreparedData, chunk: Int, comm: Communicator,
        _ body: (UnsafeMutablePointer<Float>, Int, Int, Int) -> Void
    ) {
        forEach(split.features, mean: data.mean, invStd: data.invStd, chunk: chunk, comm: comm, body)
    }
}
