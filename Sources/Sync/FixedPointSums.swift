// Exact sums of Doubles, for reproducible training's FDS statistics: every value is cut
// on one fixed grid of 32-bit limbs and the limbs are added as integers, so the sums do
// not depend on the order of the values, on which rank added them, or on how the
// ranks' sums were combined. No exponent needs agreeing first, so values can be added
// as they stream by (the FDS passes).
import Collectives

/// `count` sums, each held as `limbCount` Int64 limbs: limb k counts units of
/// 2^(32k + lowestBit). A value adds its 53 significant bits to at most three limbs; a
/// limb takes 2^31 values before its 64 bits could overflow. Bits below 2^lowestBit
/// are dropped (the same ones everywhere); a value of 2^highestBit or more is too large.
public struct FixedPointSums: Sendable {
    public static let limbCount = 7
    public static let lowestBit = -128
    public static var highestBit: Int { lowestBit + 32 * limbCount - 32 }

    public let count: Int
    /// count × limbCount, sum-major.
    public private(set) var limbs: [Int64]
    /// Whether a value at or past 2^highestBit (or not finite) was added.
    public private(set) var overflowed = false

    public init(count: Int) {
        self.count = count
        limbs = [Int64](repeating: 0, count: count * Self.limbCount)
    }

    public mutating func reset() {
        for i in limbs.indices { limbs[i] = 0 }
        overflowed = false
    }

    /// Adds x to sum `index`.
    @inline(__always)
    public mutating func add(_ x: Double, at index: Int) {
        guard x != 0 else { return }
        guard x.isFinite, x.exponent < Self.highestBit else {
            overflowed = true
            return
        }
        // |x| = m · 2^(exponent − 52) with m a 53-bit integer.
        let magnitude = x.magnitude
        var m = UInt64(magnitude.significand * 0x1p52)
        var position = Int(magnitude.exponent) - 52 - Self.lowestBit
        if position < 0 {
            guard position > -53 else { return }
            m >>= UInt64(-position)
            position = 0
        }
        let k = position / 32, shift = UInt64(position % 32)
        // m << shift spans up to 85 bits: three 32-bit pieces.
        let low = (m << shift) & 0xFFFF_FFFF
        let middle = (m >> (32 - shift)) & 0xFFFF_FFFF
        let high = shift == 0 ? 0 : m >> (64 - shift)
        let base = index * Self.limbCount + k
        let sign: Int64 = x < 0 ? -1 : 1
        limbs.withUnsafeMutableBufferPointer { l in
            l[base] &+= sign * Int64(low)
            if k + 1 < Self.limbCount { l[base + 1] &+= sign * Int64(middle) }
            if k + 2 < Self.limbCount { l[base + 2] &+= sign * Int64(high) }
        }
    }

    /// Sums the limbs (and the overflow flags) over all ranks: exact integer adds.
    public mutating func allreduce(_ comm: Communicator) {
        var flag = [overflowed ? 1 : 0]
        comm.allreduce(&flag, op: .max)
        overflowed = flag[0] > 0
        comm.allreduce(&limbs, op: .sum)
    }

    /// The sums, each rounded once to Double (after the carries are settled).
    public var values: [Double] {
        (0..<count).map { i in
            // Highest limb first; each step is exact until the value outgrows 53 bits.
            var v = 0.0
            for limb in settled(i).reversed() { v = v * 0x1p32 + Double(limb) }
            return v * Double(sign: .plus, exponent: Self.lowestBit, significand: 1)
        }
    }

    /// The settled limbs as Doubles (each below 2^32 but the highest), exact: for a checkpoint.
    public var flat: [Double] { (0..<count).flatMap { settled($0).map(Double.init) } }

    /// Sum `i`'s limbs with the carries moved up: every limb but the highest in [0, 2^32).
    private func settled(_ i: Int) -> [Int64] {
        var l = Array(limbs[(i * Self.limbCount)..<((i + 1) * Self.limbCount)])
        for k in 0..<(Self.limbCount - 1) {
            let carry = l[k] >> 32
            l[k] -= carry << 32
            l[k + 1] += carry
        }
        return l
    }

    /// Continues from `flat` (as written by `flat`).
    public mutating func assign(flat: [Double]) {
        precondition(flat.count == limbs.count, "fixed-point sums of another size")
        for i in limbs.indices { limbs[i] = Int64(flat[i]) }
    }
}
