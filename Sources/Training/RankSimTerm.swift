// RankSim in the training step, over the global batch. Every rank knows the batch's
// labels (a slice of the shared permutation), so every rank picks the same subset from
// (seed, epoch, step) without a message; the kept samples' features, computed by the
// ranks that own them, are shared with one allgather of (kept rows × feature size);
// every rank then evaluates the regulariser on the whole subset and adds the gradient
// of its own kept rows. The ranker sees exactly γ·∂R/∂ranks (docs/peer-methods.md §2.3): nothing is
// rescaled before it, and the parameter gradients are summed after it as usual.
import Collectives
import DIR
import NN
import PRNG
import Settings

final class RankSimTerm {
    private let ranksim: RankSim
    private let comm: Communicator
    private let seed: UInt64
    private let featureSize: Int
    /// Labels of the global batch (the target's units, in Float as the reference's
    /// targets are, so that label distances tie as there), in batch order.
    private let labels: UnsafeMutablePointer<Float>
    /// Kept batch positions in the order the regulariser uses.
    private let kept: UnsafeMutablePointer<Int32>
    private var keptCount = 0
    /// Per batch position: its row in `shared` when kept, else −1.
    private let slot: UnsafeMutablePointer<Int32>
    /// Kept features in batch-position order (so rank blocks are contiguous), then in kept order.
    private let shared: FloatBuffer
    private let keptFeatures: FloatBuffer
    private let keptLabels: UnsafeMutablePointer<Float>
    private let dKept: FloatBuffer
    /// Float offsets of each rank's block in `shared`.
    private var offsets: [Int]

    init(_ settings: RankSimSettings, seed: UInt64, comm: Communicator, capacity: Int, featureSize: Int) {
        ranksim = RankSim(gamma: settings.gamma, lambda: settings.lambda, capacity: capacity, dimension: featureSize)
        self.comm = comm
        self.seed = seed
        self.featureSize = featureSize
        labels = .allocate(capacity: capacity)
        keptLabels = .allocate(capacity: capacity)
        kept = .allocate(capacity: capacity)
        slot = .allocate(capacity: capacity)
        shared = FloatBuffer(count: capacity * featureSize)
        keptFeatures = FloatBuffer(count: capacity * featureSize)
        dKept = FloatBuffer(count: capacity * featureSize)
        offsets = [Int](repeating: 0, count: comm.size + 1)
    }

    deinit {
        labels.deallocate()
        keptLabels.deallocate()
        kept.deallocate()
        slot.deallocate()
    }

    /// The subset of the global batch `batch` for this step: the same on every rank.
    /// `share(r, n)`: the batch positions rank r holds of a global batch of n.
    func choose(
        batch: UnsafeBufferPointer<Int32>, data: PreparedData, epoch: Int, step: Int,
        share: (Int, Int) -> Range<Int>
    ) {
        let n = batch.count
        for k in 0..<n { labels[k] = Float(data.bundle.train.labels[Int(batch[k])]) }
        var rng = Xoshiro256(seed: seed, stream: 0x5241_4E4B_0000_0000 &+ UInt64(epoch) << 24 &+ UInt64(step))
        keptCount = RankSim.subset(labels: labels, count: n, rng: &rng, kept: kept)
        for p in 0..<n { slot[p] = -1 }
        for k in 0..<keptCount { slot[Int(kept[k])] = 0 }
        var row: Int32 = 0
        for p in 0..<n where slot[p] >= 0 {
            slot[p] = row
            row += 1
        }
        // Rank r owns a contiguous run of positions, so its kept rows are one block.
        for r in 0...comm.size {
            let end = r == comm.size ? n : share(r, n).lowerBound
            var before = 0
            for p in 0..<end where slot[p] >= 0 { before += 1 }
            offsets[r] = before * featureSize
        }
    }

    /// After the body: shares the kept rows' features z (this rank's rows are batch
    /// positions first..<first + n), evaluates γ·R and its gradient; returns γ·R.
    func evaluate(features z: UnsafePointer<Float>, first: Int, count n: Int) -> Double {
        collect(features: z, first: first, count: n)
        return evaluateCollected()
    }

    /// Keeps the kept rows' features among z (batch positions first..<first + n): one
    /// micro-batch's, of reproducible training's first pass.
    func collect(features z: UnsafePointer<Float>, first: Int, count n: Int) {
        let h = featureSize
        for i in 0..<n where slot[first + i] >= 0 {
            (shared.pointer + Int(slot[first + i]) * h).update(from: z + i * h, count: h)
        }
    }

    /// Once every row of this rank is collected: shares them, evaluates γ·R and its
    /// gradient; returns γ·R.
    func evaluateCollected() -> Double {
        let h = featureSize
        comm.allgather(UnsafeMutableBufferPointer(start: shared.pointer, count: keptCount * h), offsets: offsets)
        for k in 0..<keptCount {
            let p = Int(kept[k])
            (keptFeatures.pointer + k * h).update(from: shared.pointer + Int(slot[p]) * h, count: h)
            keptLabels[k] = labels[p]
        }
        let r = ranksim.evaluate(
            features: keptFeatures.pointer, labels: keptLabels, count: keptCount, dFeatures: dKept.pointer)
        return ranksim.gamma * r
    }

    /// Adds ∂(γ·R)/∂z of this rank's kept rows to dz.
    func addGradient(into dz: UnsafeMutablePointer<Float>, first: Int, count n: Int) {
        let h = featureSize
        for k in 0..<keptCount {
            let i = Int(kept[k]) - first
            guard i >= 0 && i < n else { continue }
            let g = dKept.pointer + k * h, out = dz + i * h
            for j in 0..<h { out[j] += g[j] }
        }
    }
}
