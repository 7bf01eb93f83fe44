// The order-independent gradient sum of reproducible training: every micro-batch's
// gradient becomes fixed-point integers (held in Doubles, exact below 2^53), with one
// exponent per block of parameters agreed across ranks, and integers add exactly in
// any order. So the sum,
// and the model, is the same bits whether one rank added all micro-batches or P ranks
// added theirs and an allreduce added the ranks'.
import Collectives
import NN

#if canImport(Glibc)
    import Glibc
#endif

/// Sums micro-batch gradients of `count` values exactly across micro-batches and ranks.
/// Per step: `add` each local micro-batch's gradient, then `sum` (collective) once.
public final class ExactSum {
    public let count: Int
    /// Values per block sharing one exponent: small enough that a block's largest value
    /// says much about its others, large enough that the exponents are a small message.
    public static let blockSize = 1024
    private let comm: Communicator
    private let blocks: Int
    /// This step's micro-batch gradients, one after another (a slot each).
    private let slots: FloatBuffer
    private var used = 0
    /// Per block, the largest magnitude, then the signal slots: one MAX allreduce.
    private var magnitudes: [Float]
    private var exponents: [Int]
    /// The sums, integer-valued Doubles (exact below 2^53).
    private var integers: [Double]

    /// `slots`: the most micro-batches one rank handles in a step.
    public init(count: Int, slots: Int, comm: Communicator) {
        self.count = count
        self.comm = comm
        blocks = (count + Self.blockSize - 1) / Self.blockSize
        self.slots = FloatBuffer(count: max(slots, 1) * count)
        magnitudes = [Float](repeating: 0, count: blocks + StepSignals.slotCount)
        exponents = [Int](repeating: 0, count: blocks)
        integers = [Double](repeating: 0, count: count)
    }

    public var capacity: Int { slots.count / max(count, 1) }

    /// Keeps one micro-batch's gradient for this step's sum, and its blocks' largest
    /// magnitudes (block by block, so the copy reads what the scan left in cache).
    public func add(_ gradient: UnsafePointer<Float>) {
        precondition(used < capacity, "more micro-batches than the \(capacity) slots of the exact sum")
        let slot = slots.pointer + used * count
        for b in 0..<blocks {
            let range = blockRange(b)
            let largest = Self.largestMagnitude(gradient, range, above: Lanes.Vector(repeating: magnitudes[b]))
            magnitudes[b] = largest.max()
            (slot + range.lowerBound).update(from: gradient + range.lowerBound, count: range.count)
        }
        used += 1
    }

    /// The sum over every rank's micro-batches (`microBatches` of them in all, for the
    /// headroom) into `out`, and every rank's signals combined. A gradient that is not
    /// finite anywhere is reported as `nonFiniteLoss` and `out` is left alone.
    public func sum(into out: UnsafeMutablePointer<Float>, microBatches: Int, signals: StepSignals) -> StepSignals {
        defer {
            used = 0
            for b in 0..<blocks { magnitudes[b] = 0 }
        }
        // 1. Each block's largest magnitude over every micro-batch of every rank (`add`
        //    found this rank's; NaN and infinity make it infinite: no bound, no sum).
        var local = signals
        if magnitudes[0..<blocks].contains(where: { !$0.isFinite }) { local.nonFiniteLoss = true }
        magnitudes.withUnsafeMutableBufferPointer { local.write(to: $0.baseAddress! + blocks) }
        comm.allreduce(&magnitudes, op: .max)
        let combined = magnitudes.withUnsafeBufferPointer { StepSignals(slots: $0.baseAddress! + blocks) }
        guard !combined.nonFiniteLoss else { return combined }
        // 2. Units of 2^-s per block: |g| < 2^e, so |g·2^s| < 2^(51 − headroom). g·2^s is
        //    exact (a power of two, in Double) and is rounded to an integer, so every term is an
        //    integer and every partial sum, in any order and on any rank, an integer below
        //    2^51: Double adds them exactly, and so does a Double allreduce.
        let headroom = ceilLog2(max(microBatches, 1))
        for b in 0..<blocks {
            let largest = magnitudes[b]
            exponents[b] = largest > 0 ? 51 - (Int(largest.exponent) + 1) - headroom : 0
        }
        // 3. Integers, added exactly, locally and over ranks.
        integers.withUnsafeMutableBufferPointer { sums in
            let sums = sums.baseAddress!
            sums.update(repeating: 0, count: count)
            for b in 0..<blocks where magnitudes[b] > 0 {
                // In Double: 2^s may pass Float's range for a block of tiny values.
                let scale = Double(sign: .plus, exponent: exponents[b], significand: 1)
                for s in 0..<used { Self.addIntegers(slots.pointer + s * count, scale, blockRange(b), into: sums) }
            }
        }
        comm.allreduce(&integers, op: .sum)
        // 4. Back to Float: one deterministic rounding of an exact sum.
        integers.withUnsafeBufferPointer { sums in
            let sums = sums.baseAddress!
            for b in 0..<blocks {
                let unscale = Double(sign: .plus, exponent: -exponents[b], significand: 1)
                for i in blockRange(b) { out[i] = Float(sums[i] * unscale) }
            }
        }
        return combined
    }

    private func blockRange(_ b: Int) -> Range<Int> { (b * Self.blockSize)..<min((b + 1) * Self.blockSize, count) }

    /// sums[i] += g[i]·scale rounded to an integer, over `range`: adding and taking away
    /// 1.5·2^52 rounds any |x| < 2^51 to an integer in Double (to nearest, ties to even),
    /// with plain adds the compiler vectorises (a libm trunc per value does not).
    @inline(__always)
    private static func addIntegers(
        _ g: UnsafePointer<Float>, _ scale: Double, _ range: Range<Int>, into sums: UnsafeMutablePointer<Double>
    ) {
        let magic = 0x1.8p52
        for i in range { sums[i] += (Double(g[i]) * scale + magic) - magic }
    }

    /// The largest |g[i]| over `range`, lane-wise, at least `above`; NaN gives infinity.
    @inline(__always)
    private static func largestMagnitude(_ g: UnsafePointer<Float>, _ range: Range<Int>, above: Lanes.Vector)
        -> Lanes.Vector
    {
        var largest = above
        let infinity = Lanes.Vector(repeating: .infinity)
        var i = range.lowerBound
        while i + Lanes.scalarCount <= range.upperBound {
            let v = Lanes.load(g + i)
            let m = v.replacing(with: -v, where: v .< 0)
            // m > largest is false for NaN: catch it with m != m.
            largest = largest.replacing(with: m, where: m .> largest).replacing(with: infinity, where: m .!= m)
            i += Lanes.scalarCount
        }
        while i < range.upperBound {
            let m = abs(g[i])
            if m != m { largest[0] = .infinity } else if m > largest[0] { largest[0] = m }
            i += 1
        }
        return largest
    }

    /// ⌈log₂ n⌉ for n ≥ 1.
    private func ceilLog2(_ n: Int) -> Int {
        var bits = 0
        while (1 << bits) < n { bits += 1 }
        return bits
    }
}
