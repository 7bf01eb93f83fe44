// The buffers of one training step's rows on this rank, allocated once: the gathered
// standardised features, targets, weights, bins and the loss gradient.
import Datasets
import NN

final class TrainingBatch {
    /// x[n×in], standardised.
    let input: UnsafeMutablePointer<Float>
    let targets: UnsafeMutablePointer<Float>
    let weights: UnsafeMutablePointer<Float>
    /// dl/dŷ[k·n] (member-major, as the model's predictions), written by the loss.
    let dPrediction: UnsafeMutablePointer<Float>
    let bins: UnsafeMutablePointer<Int32>
    private let storage: [FloatBuffer]
    private let capacity: Int

    init(capacity: Int, featureCount: Int, members: Int = 1) {
        self.capacity = capacity
        storage = [capacity * featureCount, capacity, capacity, capacity * members].map { FloatBuffer(count: $0) }
        (input, targets, weights, dPrediction) = (
            storage[0].pointer, storage[1].pointer, storage[2].pointer,
            storage[3].pointer
        )
        bins = .allocate(capacity: max(capacity, 1))
    }

    deinit { bins.deallocate() }

    /// Copies the training rows `rows` (row indices) into the batch buffers.
    func gather(_ rows: UnsafeBufferPointer<Int32>, from data: PreparedData) {
        precondition(rows.count <= capacity, "batch of \(rows.count) rows exceeds its capacity \(capacity)")
        for (k, row) in rows.enumerated() {
            bins[k] = data.trainBins[Int(row)]
            targets[k] = data.trainTargets[Int(row)]
            weights[k] = data.trainWeights[Int(row)]
        }
        data.bundle.train.features.gather(rows, mean: data.mean, invStd: data.invStd, into: input)
    }
}
