// DenseWeight (Steininger et al., Mach. Learn. 2021; docs/peer-methods.md §3): per-sample weights
// 1 − α·density from a Gaussian KDE of the training labels on a 4096-point grid,
// floored at ε and normalised to mean 1. Fitted once on all training labels, in Double
// (which grid point a label reads decides its weight).

#if canImport(Glibc)
    import Glibc
#endif

public struct DenseWeight: Sendable {
    public let alpha: Double
    public let epsilon: Double
    /// The KDE bandwidth used (the normal-reference rule unless one was given).
    public let bandwidth: Double
    /// The kernel's practical support (where its density falls to 1e-4), as KDEpy finds it.
    public let practicalSupport: Double
    /// The grid and the min-max-scaled density on it.
    public let grid: [Double]
    public let scaledDensity: [Double]
    /// Mean of the floored weights before normalisation (divides every weight).
    public let meanFlooredWeight: Double
    /// The normalised weight of every fitted label, in input order.
    public let weights: [Double]

    public static let gridPoints = 4096

    /// Fits on `labels` (all training labels, the same on every rank); `problem` must
    /// have found nothing wrong with the bandwidth.
    public init(labels y: [Double], alpha: Double, bandwidth: Double? = nil, epsilon: Double = 1e-6) {
        precondition(y.count >= 2, "DenseWeight needs at least 2 labels, got \(y.count)")
        self.alpha = alpha
        self.epsilon = epsilon
        let h = bandwidth ?? Self.normalReferenceBandwidth(y)
        self.bandwidth = h
        let support = Self.practicalSupport(bandwidth: h)
        practicalSupport = support
        let grid = Self.grid(y, support: support)
        self.grid = grid
        let density = Self.density(y, grid: grid, bandwidth: h, support: support)
        let lo = density.min()!, hi = density.max()!
        // As sklearn's MinMaxScaler: x · scale + (−min · scale).
        let scale = 1 / (hi - lo)
        let scaled = density.map { $0 * scale + (-lo * scale) }
        scaledDensity = scaled
        let floored = y.map { Self.floored(Self.lookup($0, grid, scaled), alpha, epsilon) }
        let mean = floored.reduce(0, +) / Double(floored.count)
        meanFlooredWeight = mean
        weights = floored.map { $0 / mean }
    }

    /// The weight of a new label (the reference's `dw(y)`).
    public func weight(_ label: Double) -> Double {
        Self.floored(Self.lookup(label, grid, scaledDensity), alpha, epsilon) / meanFlooredWeight
    }

    /// Index of the grid point at or left of `y` (the reference's bisection); off the grid
    /// on either side, the last point (its negative-index quirk below the grid).
    public func gridIndex(_ y: Double) -> Int { Self.index(y, grid) }

    private static func floored(_ density: Double, _ alpha: Double, _ epsilon: Double) -> Double {
        max(1 - alpha * density, epsilon)
    }

    private static func lookup(_ y: Double, _ grid: [Double], _ values: [Double]) -> Double {
        values[index(y, grid)]
    }

    private static func index(_ y: Double, _ grid: [Double]) -> Int {
        let n = grid.count
        if y < grid[0] || y >= grid[n - 1] { return n - 1 }
        var (lo, hi) = (0, n - 1)
        while hi - lo > 1 {
            let mid = (hi + lo) >> 1
            if y >= grid[mid] { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// h = 1.06 · σ · n^(−1/5), σ the population standard deviation.
    public static func normalReferenceBandwidth(_ y: [Double]) -> Double {
        let n = Double(y.count)
        let mean = y.reduce(0, +) / n
        let sd = (y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
        return 1.06 * sd * pow(n, -0.2)
    }

    /// The N(0, h²) density.
    static func gaussian(_ x: Double, bandwidth h: Double) -> Double {
        let u = x / h
        return exp(-u * u / 2) / (2 * Double.pi).squareRoot() / h
    }

    /// Why `bandwidth` cannot fit `count` labels, or nil: the support is where the
    /// kernel's density falls to 1e-4, so a kernel whose peak 1/(h·sqrt(2π)) is not above
    /// 1e-4 has none (KDEpy fails there too), and a KDE needs two labels.
    public static func problem(bandwidth h: Double, count: Int) -> String? {
        if count < 2 { return "DenseWeight needs at least 2 training labels, got \(count)" }
        guard h > 0 && h.isFinite else { return "the bandwidth must be positive and finite, got \(h)" }
        let widest = 1e4 / (2 * Double.pi).squareRoot()
        if !(h < widest) {
            return "a bandwidth of \(h) is too wide: the kernel's peak density stays below the 1e-4 that bounds "
                + "its support (it must be below \(Float(widest)))"
        }
        return nil
    }

    /// Where the kernel's density falls to 1e-4: Brent's root on [0, 8h] (xtol 1e-3), plus 1e-3.
    static func practicalSupport(bandwidth h: Double) -> Double {
        let xtol = 1e-3
        return Brent.root(in: 0, 8 * h, xtol: xtol) { gaussian($0, bandwidth: h) - 1e-4 } + xtol
    }

    /// 4096 points from min − m to max + m, m = max(5% of the range, the support).
    static func grid(_ y: [Double], support: Double) -> [Double] {
        let lo = y.min()!, hi = y.max()!
        let margin = max(0.05 * (hi - lo), support)
        return linspace(lo - margin, hi + margin, count: gridPoints)
    }

    /// numpy.linspace: k·step + start, the last point exactly `stop`.
    static func linspace(_ start: Double, _ stop: Double, count: Int) -> [Double] {
        let step = (stop - start) / Double(count - 1)
        var out = (0..<count).map { Double($0) * step + start }
        out[count - 1] = stop
        return out
    }

    /// Linear binning of the labels onto the grid, then a centred convolution with the
    /// kernel sampled at the grid spacing, plus machine epsilon (KDEpy's FFTKDE).
    static func density(_ y: [Double], grid: [Double], bandwidth h: Double, support: Double) -> [Double] {
        let n = grid.count
        let dx = (grid[n - 1] - grid[0]) / Double(n - 1)
        var binned = [Double](repeating: 0, count: n)
        let share = 1 / Double(y.count)
        for label in y {
            let t = (label - grid[0]) / dx
            let k = Int(t.rounded(.down))
            let fraction = t - Double(k)
            if k >= 0 && k < n { binned[k] += (1 - fraction) * share }
            if k + 1 >= 0 && k + 1 < n { binned[k + 1] += fraction * share }
        }
        let half = min(Int((support / dx).rounded(.down)), n)
        let kernel = linspace(-Double(half) * dx, Double(half) * dx, count: 2 * half + 1).map {
            gaussian($0, bandwidth: h)
        }
        var density = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var sum = 0.0
            for j in max(0, i - half)...min(n - 1, i + half) { sum += binned[j] * kernel[i - j + half] }
            density[i] = sum + Double.ulpOfOne
        }
        return density
    }
}

/// Brent's root finder as scipy's `brentq` runs it (rtol 4·eps, 100 iterations): the
/// same steps, so the same root to the last bit, which DenseWeight's grid depends on.
enum Brent {
    static func root(
        in a: Double, _ b: Double, xtol: Double, rtol: Double = 4 * .ulpOfOne, iterations: Int = 100,
        _ f: (Double) -> Double
    ) -> Double {
        var (previous, current) = (a, b)
        var (fPrevious, fCurrent) = (f(previous), f(current))
        precondition(fPrevious * fCurrent <= 0, "Brent: f(a) and f(b) must differ in sign")
        if fPrevious == 0 { return previous }
        if fCurrent == 0 { return current }
        var (block, fBlock, stepBefore, step) = (0.0, 0.0, 0.0, 0.0)
        for _ in 0..<iterations {
            if fPrevious * fCurrent < 0 {
                (block, fBlock) = (previous, fPrevious)
                stepBefore = current - previous
                step = stepBefore
            }
            if abs(fBlock) < abs(fCurrent) {
                (previous, current, block) = (current, block, current)
                (fPrevious, fCurrent, fBlock) = (fCurrent, fBlock, fCurrent)
            }
            let delta = (xtol + rtol * abs(current)) / 2
            let bisection = (block - current) / 2
            if fCurrent == 0 || abs(bisection) < delta { return current }
            if abs(stepBefore) > delta && abs(fCurrent) < abs(fPrevious) {
                let trial: Double
                if previous == block {
                    trial = -fCurrent * (current - previous) / (fCurrent - fPrevious)  // secant
                } else {
                    let dPrevious = (fPrevious - fCurrent) / (previous - current)
                    let dBlock = (fBlock - fCurrent) / (block - current)
                    trial =
                        -fCurrent * (fBlock * dBlock - fPrevious * dPrevious)
                        / (dBlock * dPrevious * (fBlock - fPrevious))  // inverse quadratic
                }
                if 2 * abs(trial) < min(abs(stepBefore), 3 * abs(bisection) - delta) {
                    (stepBefore, step) = (step, trial)
                } else {
                    (stepBefore, step) = (bisection, bisection)
                }
            } else {
                (stepBefore, step) = (bisection, bisection)
            }
            (previous, fPrevious) = (current, fCurrent)
            current += abs(step) > delta ? step : (bisection > 0 ? delta : -delta)
            fCurrent = f(current)
        }
        return current
    }
}
