// Symmetric smoothing windows of LDS and FDS (docs/specification.md §2, §3), as in the reference:
// gaussian is scipy's gaussian_filter1d impulse response, not the raw Gaussian.
import Foundation

public enum KernelKind: String, CaseIterable, Codable, Sendable {
    case gaussian, triang, laplace
}

/// A kernel of odd size `size` with width `sigma` (unused by triang).
public struct Kernel: Codable, Sendable, Equatable {
    public var kind: KernelKind
    public var size: Int
    public var sigma: Double

    public init(_ kind: KernelKind, size: Int = 5, sigma: Double = 2) {
        self.kind = kind
        self.size = size
        self.sigma = sigma
    }

    /// Nil when valid, else what is wrong (for an `error:` line).
    public var problem: String? {
        if size < 1 || size % 2 == 0 { return "kernel size must be odd and positive, got \(size)" }
        if kind != .triang && !(sigma > 0 && sigma.isFinite) {
            return "kernel sigma must be positive, got \(sigma)"
        }
        return nil
    }

    /// The LDS window: the raw response divided by its maximum (centre = 1).
    public var ldsWindow: [Double] {
        let w = rawWindow
        let peak = w.max()!
        return w.map { $0 / peak }
    }

    /// The FDS window: the LDS window divided by its sum.
    public var fdsWindow: [Double] {
        let w = ldsWindow
        let total = w.reduce(0, +)
        return w.map { $0 / total }
    }

    private var rawWindow: [Double] {
        let half = size / 2
        switch kind {
        case .gaussian:
            return gaussianFilterImpulse(size: size, sigma: sigma)
        case .triang:
            // scipy.signal.windows.triang for odd M: 2n/(M+1), n = 1...(M+1)/2, mirrored.
            let rising = (1...(size + 1) / 2).map { 2 * Double($0) / Double(size + 1) }
            return rising + rising.dropLast().reversed()
        case .laplace:
            return (-half...half).map { exp(-abs(Double($0)) / sigma) / (2 * sigma) }
        }
    }
}

/// Response of scipy.ndimage.gaussian_filter1d (mode 'reflect', truncate 4.0)
/// to a unit impulse at the centre of a length-`size` signal. The filter's
/// radius int(4σ + 0.5) can exceed the signal, so its tails fold back in.
private func gaussianFilterImpulse(size: Int, sigma: Double) -> [Double] {
    let radius = Int(4 * sigma + 0.5)
    var taps = (-radius...radius).map { exp(-0.5 * Double($0 * $0) / (sigma * sigma)) }
    let total = taps.reduce(0, +)
    taps = taps.map { $0 / total }
    let centre = size / 2
    var out = [Double](repeating: 0, count: size)
    for i in 0..<size {
        for (t, tap) in taps.enumerated() where reflectIndex(i + t - radius, size) == centre {
            out[i] += tap
        }
    }
    return out
}

/// scipy's 'reflect' boundary (d c b a | a b c d | d c b a), any distance out.
func reflectIndex(_ i: Int, _ n: Int) -> Int {
    let period = 2 * n
    var m = i % period
    if m < 0 { m += period }
    return m < n ? m : period - 1 - m
}
