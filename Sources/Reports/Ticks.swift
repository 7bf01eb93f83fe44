// Axis ticks a reader can use: steps of 1, 2 or 5 × 10^k, the axis running from a tick
// to a tick around the data, every label on an axis written with the same decimals
// (0.0, 0.5, 1.0; never 5.74). Pure functions, so the unit tests pin them down.
import Foundation

/// Evenly spaced "nice" ticks covering `[lo, hi]`: the step is 1, 2 or 5 × 10^k (an
/// integer step when `integer`, for epochs and bins), the first tick is at or below
/// `lo` and less than a step below it, the last at or above `hi` and less than a step
/// above it, and there are at most `maxTicks` of them (at least 2). The axis should run
/// from the first tick to the last. `lo == hi` is widened around the value.
public func niceTicks(_ lo: Double, _ hi: Double, maxTicks: Int = 6, integer: Bool = false) -> [Double] {
    guard lo.isFinite, hi.isFinite else { return [0, 1] }
    var (lo, hi) = (min(lo, hi), max(lo, hi))
    if hi == lo {
        let d = integer ? 1 : (lo == 0 ? 1 : abs(lo) / 10)
        (lo, hi) = (lo - d, hi + d)
    }
    let most = max(maxTicks, 2)
    var step = niceStep((hi - lo) / Double(most - 1))
    if integer { step = max(step, 1) }
    while true {
        // A slack of a millionth of a step: 0.3 / 0.1 = 2.9999999999999996 counts as 3, −1e-12 as 0.
        let first = (lo / step + 1e-6).rounded(.down), last = max((hi / step - 1e-6).rounded(.up), first + 1)
        if last - first + 1 <= Double(most) || !step.isFinite {
            let decimals = stepDecimals(step), scale = pow(10, Double(decimals))
            return stride(from: first, through: last, by: 1).map { k in
                let v = k * step
                // Rounded to the step's decimals: 0.30000000000000004 becomes 0.3.
                return decimals > 0 && decimals < 300 ? (v * scale).rounded() / scale : v
            }
        }
        step = niceStep(step * 1.0001)
    }
}

/// Of the nice tick sets with at most `maxTicks` ticks whose labels `fit`, the one whose
/// axis wastes least room around the data, with a small preference for more ticks (up to
/// six) and for three or more; on a tie the fewer. Epochs 1…15 get 0, 5, 10, 15 rather
/// than 0, 2, …, 16.
public func readableTicks(
    _ lo: Double, _ hi: Double, maxTicks: Int = 6, integer: Bool = false, fits: ([Double]) -> Bool = { _ in true }
) -> [Double] {
    var best = [Double](), bestScore = -Double.infinity, steps = Set<Double>()
    for most in stride(from: max(maxTicks, 2), through: 2, by: -1) {
        let t = niceTicks(lo, hi, maxTicks: most, integer: integer)
        guard steps.insert(t[1] - t[0]).inserted, fits(t) else { continue }
        let cover = lo.isFinite && hi.isFinite ? abs(hi - lo) / (t.last! - t.first!) : 0
        let score = cover + 0.1 * Double(min(t.count, 6)) / 6 + (t.count >= 3 ? 1 : 0)
        if score >= bestScore { (best, bestScore) = (t, score) }
    }
    return best.isEmpty ? niceTicks(lo, hi, maxTicks: 2, integer: integer) : best
}

/// The smallest 1, 2 or 5 × 10^k that is at least `raw` (a nice step for a raw spacing).
public func niceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    let power = pow(10, (log10(raw)).rounded(.down))
    for m in [1.0, 2, 5, 10] where m * power >= raw * (1 - 1e-12) { return m * power }
    return 10 * power
}

/// How many decimals a tick step needs: 0 for 1, 2, 5, 10 …; 1 for 0.5; 2 for 0.02.
public func stepDecimals(_ step: Double) -> Int {
    guard step > 0, step.isFinite else { return 0 }
    return max(0, Int((-log10(step) - 1e-9).rounded(.up)))
}

/// The labels of evenly spaced ticks, all with the decimals their spacing needs, with a
/// real minus sign (−) and no "−0".
public func tickLabels(_ ticks: [Double]) -> [String] {
    let decimals = ticks.count > 1 ? stepDecimals(abs(ticks[1] - ticks[0])) : 0
    return ticks.map { formatNumber($0, decimals: decimals) }
}

/// `v` with `decimals` decimals, a real minus sign, and 0 instead of −0.
public func formatNumber(_ v: Double, decimals: Int) -> String {
    let text = String(format: "%.\(max(0, min(decimals, 12)))f", v)
    if text.allSatisfy({ "-0.".contains($0) }) { return String(text.drop { $0 == "-" }) }
    return text.replacingOccurrences(of: "-", with: "\u{2212}")
}

/// Ticks of a logarithmic axis covering `[lo, hi]` (both > 0): 1, 2 and 5 × 10^k when
/// they fit in `maxTicks`, else powers of ten (every one, or every k-th). The first tick
/// is at or below `lo`, the last at or above `hi`; the axis runs between them.
public func logTicks(_ lo: Double, _ hi: Double, maxTicks: Int = 6) -> [Double] {
    guard lo > 0, hi > 0, lo.isFinite, hi.isFinite else { return [1, 10] }
    let (lo, hi) = (min(lo, hi), max(lo, hi))
    // A slack of a millionth of a decade, as `niceTicks`.
    let a = Int((log10(lo) + 1e-6).rounded(.down)), b = max(Int((log10(hi) - 1e-6).rounded(.up)), a + 1)
    let most = max(maxTicks, 2)
    // 1-2-5 within the decades, trimmed to the ones around the data.
    var fine = [Double]()
    for k in a...b { for m in [1.0, 2, 5] { fine.append(m * pow(10, Double(k))) } }
    let first = fine.lastIndex { $0 <= lo * (1 + 1e-9) } ?? 0, last = fine.firstIndex { $0 >= hi * (1 - 1e-9) } ?? 0
    if last - first + 1 <= most { return Array(fine[first...last]) }
    let step = max(1, Int((Double(b - a) / Double(most - 1)).rounded(.up)))
    let start = Int((Double(a) / Double(step)).rounded(.down)) * step
    return stride(from: start, through: b + step - 1, by: step).prefix { $0 - step < b }.map { pow(10, Double($0)) }
}

/// The labels of log ticks: each with the decimals it needs (0.001, 0.02, 1, 500), in
/// exponent form (1e−5, 1e6) beyond.
public func logTickLabels(_ ticks: [Double]) -> [String] {
    ticks.map { v in
        let k = Int((log10(v) + 1e-9).rounded(.down))
        if k < -4 || k >= 6 {
            let m = v / pow(10, Double(k))
            return "\(formatNumber(m, decimals: 0))e\(formatNumber(Double(k), decimals: 0))"
        }
        return formatNumber(v, decimals: max(0, -k))
    }
}
